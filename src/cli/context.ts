// What every command shares: exit codes, the stderr reporter, output and error printing.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { PorError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { toJson } from '../io/node.js';
import { write as writeError, type ErrorDocument } from '../core/documents/error.js';
import { safeJson, safeText } from './safe-text.js';

/** 0: everything checked holds. 1: a check failed. 2: bad usage or input, or nothing could be checked. */
export const EXIT = { OK: 0, CHECK_FAILED: 1, BAD_INPUT: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface GlobalArgs {
  json: boolean;
  quiet: boolean;
}

export interface Context {
  json: boolean;
  reporter: Reporter;
  /** Human output (stdout); suppressed under --json. */
  print(text: string): void;
  /** The one machine-readable document (stdout) for --json. */
  printJson(doc: unknown): void;
  /** One line of an NDJSON stream (stdout) under --json (`por watch`); nothing otherwise. */
  printEvent(doc: unknown): void;
  /** Lines for humans that are not results (stderr). */
  note(text: string): void;
}

/** "42 s", "3 min 05 s", "2 h 07 min". */
export function formatEta(secs: number): string {
  const s = Math.ceil(secs);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function stderrReporter(enabled: boolean): Reporter {
  const tty = process.stderr.isTTY === true;
  const started = new Map<string, number>();
  let last = 0;
  let pending = false;
  const every = tty ? 200 : 2000;
  return {
    progress(stage, done, total, unit = 'items') {
      if (!enabled) return;
      const now = Date.now();
      if (!started.has(stage)) started.set(stage, now);
      if (now - last < every) return;
      last = now;
      const secs = (now - (started.get(stage) ?? now)) / 1000;
      const rate = secs > 0 ? Math.round(done / secs) : 0;
      const of = total !== undefined ? `/${total.toLocaleString('en-US')}` : '';
      // ETA from the stage's average rate so far, when the total is known.
      const eta = total !== undefined && rate > 0 && done < total ? `, ETA ${formatEta((total - done) / rate)}` : '';
      const line = safeText(`${stage}: ${done.toLocaleString('en-US')}${of} ${unit} (${rate.toLocaleString('en-US')} ${unit}/s${eta})`, true);
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        pending = true;
      } else process.stderr.write(`${line}\n`);
    },
    done(stage, summary) {
      if (!enabled) return;
      if (pending) process.stderr.write('\r\x1b[K');
      pending = false;
      const t0 = started.get(stage);
      started.delete(stage);
      const secs = t0 !== undefined ? ` in ${((Date.now() - t0) / 1000).toFixed(1)} s` : '';
      process.stderr.write(`${safeText(`${stage}: ${summary}`)}${secs}\n`);
    },
    warn(message) {
      if (pending) process.stderr.write('\r\x1b[K');
      pending = false;
      process.stderr.write(`warning: ${safeText(message)}\n`);
    },
  };
}

function makeContext(args: GlobalArgs): Context {
  return {
    json: args.json,
    reporter: stderrReporter(!args.quiet),
    print(text) {
      if (!args.json) writeText(process.stdout, text);
    },
    printJson(doc) {
      writeJson(doc);
    },
    printEvent(doc) {
      if (args.json) writeJsonLine(doc);
    },
    note(text) {
      if (!args.quiet) writeText(process.stderr, text);
    },
  };
}

// Every byte por prints goes through these two (and the reporter above): strings from input files
// reach the terminal only escaped (src/cli/safe-text.ts).
export function writeText(stream: NodeJS.WriteStream, text: string): void {
  const safe = safeText(text);
  stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** One JSON document on stdout, with characters a terminal would act on written as \u escapes. */
export function writeJson(doc: unknown): void {
  process.stdout.write(safeJson(toJson(doc)));
}

/** One JSON value on one line of stdout (NDJSON), escaped like writeJson. */
export function writeJsonLine(doc: unknown): void {
  // Without indentation JSON escapes every newline inside strings: one value, one line.
  process.stdout.write(safeJson(toJson(doc, 0)));
}

/** The `por-error` envelope (src/core/documents/error.ts) every --json error output is. */
export function errorDocument(err: unknown): ErrorDocument {
  return writeError(err);
}

/** Prints an error the way every command does, and returns the exit code for it. */
function reportError(command: string, err: unknown, json: boolean): ExitCode {
  if (json) writeJson(errorDocument(err));
  if (err instanceof PorError) {
    writeText(process.stderr, `por ${command}: error: ${err.describe()}`);
  } else {
    writeText(process.stderr, `por ${command}: internal error (a bug in por; please report it):\n${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
  return EXIT.BAD_INPUT;
}

export interface CommandSpec<A> {
  command: string | string[];
  /** How errors name the command (default: its first word), e.g. "report render" for a sub-command. */
  name?: string;
  describe: string;
  builder: (y: Argv<GlobalArgs>) => Argv<A>;
  /** Returns the exit code; throws PorError for bad input. */
  run: (args: ArgumentsCamelCase<A & GlobalArgs>, ctx: Context) => Promise<ExitCode>;
}

/** Wraps a command so that every one maps errors and exit codes the same way. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandModule<GlobalArgs, A> {
  const name = spec.name ?? (Array.isArray(spec.command) ? spec.command[0] : spec.command)?.split(' ')[0] ?? 'por';
  return {
    command: spec.command,
    describe: spec.describe,
    builder: ((y: Argv<GlobalArgs>) => {
      const built = spec.builder(y);
      // yargs turns a single-valued option given twice into an array ("x,y" as a snapshot id, or
      // two --report files read as one path): refuse it as a usage error.
      const o = (built as unknown as { getOptions(): { array?: string[]; string?: string[]; number?: string[] } }).getOptions();
      const single = [...(o.string ?? []), ...(o.number ?? [])].filter((k) => !(o.array ?? []).includes(k));
      return built.check((argv) => {
        const twice = single.find((k) => Array.isArray(argv[k]));
        // A BAD_USAGE PorError reaches main's .fail() as a usage message: exit 2, no stack trace.
        if (twice !== undefined) throw new PorError('BAD_USAGE', `--${twice} is given more than once; give it once`);
        return true;
      });
    }) as CommandModule<GlobalArgs, A>['builder'],
    handler: async (argv) => {
      const args = argv as ArgumentsCamelCase<A & GlobalArgs>;
      const ctx = makeContext(args);
      try {
        process.exitCode = await spec.run(args, ctx);
      } catch (err) {
        process.exitCode = reportError(name, err, args.json);
      }
    },
  };
}

// The `por` command line. Commands live in ./commands, one file each.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { errorDocument, EXIT, writeJson, writeText, type GlobalArgs } from './context.js';
import { isPorError, porError } from '../core/errors/index.js';
import { VERSION_LINE } from './version.js';
import { suggestCommand, suggestFlags } from './suggest.js';
import { globalOptions } from './program.js';

const KNOWN = new Set(['liabilities', 'solvency', 'reserves', 'build', 'proof', 'verify', 'compare', 'report', 'audit', 'history', 'watch', 'verify-page', 'keygen', 'completion']);

// yargs writes the completion script for the shell named in $SHELL: `por completion zsh` (or bash)
// names it instead, so the script can be made for another shell than the one running por.
const raw = hideBin(process.argv);
let args = raw;
if (raw[0] === 'completion' && raw[1] !== undefined && !raw[1].startsWith('-')) {
  if (raw[1] !== 'bash' && raw[1] !== 'zsh') {
    writeText(process.stderr, `por completion: no completion script for "${raw[1]}": give bash or zsh\nRun \`por completion --help\` for usage.`);
    process.exit(EXIT.BAD_INPUT);
  }
  process.env.SHELL = `/bin/${raw[1]}`;
  args = [raw[0], ...raw.slice(2)];
}
const REPORT_SUBS = new Set(['verify-signature', 'render']);

const cli = globalOptions(yargs(args)
  .scriptName('por')
  .usage('por — proof-of-reserves auditing toolkit\n\nUsage: $0 <command> [options]'))
  .version(VERSION_LINE)
  .strict()
  .recommendCommands()
  .demandCommand(1, 'Give a command; `por --help` lists them.')
  .completion('completion', 'Print a shell completion script for bash or zsh: `por completion bash` (or zsh); load it with `source <(por completion bash)` in ~/.bashrc, or `source <(por completion zsh)` in ~/.zshrc')
  .example('source <(por completion bash)', 'tab-completes por\'s commands and options in this bash session (zsh: por completion zsh)')
  .epilogue('Exit codes: 0 everything checked holds; 1 a check failed; 2 bad usage or input, or nothing could be checked.\nDocs: docs/ in the repository (FORMATS.md, SPEC.md).')
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .fail((msg: string | undefined, err: unknown, usage: unknown) => {
    if (err && !isPorError(err, 'BAD_USAGE')) throw err;
    const argv = hideBin(process.argv);
    if (!msg) msg = err instanceof Error ? err.message : 'bad usage';
    // A typo gets the nearest command or option (the options of the command being run).
    const described = (usage as { getDescriptions?: () => Record<string, unknown> } | undefined)?.getDescriptions?.() ?? {};
    msg = suggestFlags(suggestCommand(msg, argv.find((a) => !a.startsWith('-')), KNOWN), argv, Object.keys(described));
    // Usage errors come from yargs before any command runs; --json still gets its one document.
    if (argv.includes('--json') || argv.includes('--json=true')) {
      writeJson(errorDocument(porError('BAD_USAGE', msg)));
    }
    // Name the command the user ran (and its sub-command), so they know whose --help to read.
    const words = argv.filter((a) => !a.startsWith('-'));
    const name = words[0] === undefined || !KNOWN.has(words[0]) ? '' : words[0] === 'report' && REPORT_SUBS.has(words[1] ?? '') ? `report ${words[1]}` : words[0];
    writeText(process.stderr, `por${name ? ` ${name}` : ''}: ${msg}\nRun \`por${name ? ` ${name}` : ''} --help\` for usage.`);
    process.exit(EXIT.BAD_INPUT);
  });

for (const c of commands) cli.command(c as never);

await (cli as unknown as { parseAsync(): Promise<GlobalArgs> }).parseAsync();

// One CLI grammar (docs/CLI.md): a command's main input file is its first argument, in every
// command. Where a command used to take it as a named option (`solvency -l/--liabilities`,
// `reserves --wallets`, `ownership-message --wallets`, `proof --store`), that option still works so
// existing scripts do not break: hidden from --help, with a one-line deprecation warning on stderr.
import type { Argv } from 'yargs';
import { PorError } from '../core/errors/index.js';
import { writeText } from './context.js';

export interface InputSpec {
  /** The positional's key (must differ from `old`: yargs would merge the two). */
  key: string;
  /** How usage lines name it, e.g. "SNAPSHOT". */
  label: string;
  describe: string;
  /** The command line with the input first, for messages: "por solvency SNAPSHOT --assets …". */
  usage: string;
  /** The named option it used to be, and its short alias, kept as a hidden deprecated alias. */
  old?: { name: string; short?: string };
}

/**
 * Declares `spec.key` as the command's positional (the command string must name it `[key]`) and the
 * old named option; after parsing, the value is under `spec.key` whichever way it was given.
 * Refused (exit 2): neither given, or both.
 */
export function inputArgument<T>(y: Argv<T>, spec: InputSpec): Argv<T> {
  let built = y.positional(spec.key, { type: 'string', describe: spec.describe }) as unknown as Argv<T>;
  const old = spec.old;
  if (old !== undefined) {
    built = built.option(old.name, {
      type: 'string',
      hidden: true,
      ...(old.short !== undefined ? { alias: old.short } : {}),
      describe: `Deprecated: give ${spec.label} as the first argument`,
    }) as unknown as Argv<T>;
  }
  return built.check((argv: Record<string, unknown>) => {
    const named = old === undefined ? undefined : argv[old.name];
    if (old !== undefined && named !== undefined) {
      if (argv[spec.key] !== undefined) throw new PorError('BAD_USAGE', `${spec.label} is given twice, as the first argument and as --${old.name}; give it once, first: ${spec.usage}`);
      // Arrays (the option given twice) are refused by defineCommand's check with the option's name.
      argv[spec.key] = named;
      writeText(process.stderr, `warning: --${old.name}${old.short !== undefined ? `/-${old.short}` : ''} is deprecated and will be removed: give ${spec.label} as the first argument (${spec.usage})`);
    }
    if (argv[spec.key] === undefined) throw new PorError('BAD_USAGE', `give ${spec.label} as the first argument: ${spec.usage}`);
    return true;
  }) as unknown as Argv<T>;
}

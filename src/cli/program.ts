// The options every command shares (--json, -q/--quiet, -h/--help), in one place so that main.ts
// and the grammar test (test/cli/grammar.test.ts) read the same definitions.
import type { Argv } from 'yargs';
import type { GlobalArgs } from './context.js';

export function globalOptions<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'Print one machine-readable JSON document on stdout and nothing else there' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress or notes on stderr' })
    .help()
    .alias('help', 'h') as unknown as Argv<T & GlobalArgs>;
}

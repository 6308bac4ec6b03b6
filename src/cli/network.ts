// --timeout-ms and --retries, the same on every command that talks to a node (reserves, solvency
// --wallets, build --wallets, audit, watch): one wording, one check, and the total time one call
// may take stated in --help so "how long until it gives up" has an answer before it is asked.
import type { Argv } from 'yargs';
import { porError } from '../core/errors/index.js';
import { DEFAULT_BACKOFF_MS, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, callBudgetMs } from '../reserves/rpc.js';

export interface NetworkArgs {
  timeoutMs: number;
  retries: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;

/** Adds --timeout-ms and --retries; `what` says when they apply (e.g. "With --wallets: "). */
export function networkOptions<T>(y: Argv<T>, what = ''): Argv<T & NetworkArgs> {
  const budget = callBudgetMs();
  return y
    .option('timeout-ms', {
      type: 'number',
      default: DEFAULT_TIMEOUT_MS,
      describe: `${what}Milliseconds one request to a node may take (answer included) before it is abandoned and retried`,
    })
    .option('retries', {
      type: 'number',
      default: DEFAULT_RETRIES,
      describe:
        `${what}Extra attempts after a failed request (backoff ${DEFAULT_BACKOFF_MS} ms, doubling). A node that never answers is given up ` +
        `after (retries + 1) × timeout + backoff: ${seconds(budget)} per call with the defaults; what it did not answer is "could not read" (exit 2), never a zero`,
    }) as unknown as Argv<T & NetworkArgs>;
}

/** The validated options, ready for readReserves / RpcClient / EsploraClient. */
export function networkSettings(args: { timeoutMs?: number; retries?: number }): { timeoutMs: number; retries: number } {
  const timeoutMs = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = args.retries ?? DEFAULT_RETRIES;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw porError('BAD_USAGE', '--timeout-ms must be a whole number of milliseconds ≥ 1', { field: 'timeout-ms' });
  if (!Number.isSafeInteger(retries) || retries < 0 || retries > 20) throw porError('BAD_USAGE', '--retries must be a whole number from 0 to 20', { field: 'retries' });
  return { timeoutMs, retries };
}

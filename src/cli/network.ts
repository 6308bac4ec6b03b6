// --timeout-ms and --retries, the same on every command that talks to a node (reserves, solvency
// --wallets, build --wallets, audit, watch): one wording, one check, and the total time one call
// may take stated in --help so "how long until it gives up" has an answer before it is asked.
import type { Argv } from 'yargs';
import { isPorError, porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { EsploraClient } from '../reserves/esplora.js';
import { safeUrl } from '../reserves/evm.js';
import { DEFAULT_BACKOFF_MS, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, RpcClient, callBudgetMs } from '../reserves/rpc.js';

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

/** A node to ask one cheap question before any long work. */
export interface NodeToCheck {
  chain: string;
  kind: 'evm' | 'bitcoin';
  url: string;
  /** EVM: the chain id the node must answer (when known). */
  chainId?: number;
}

/**
 * Asks every node one cheap question (an EVM node `eth_chainId`, an Esplora server its tip height)
 * before anything long starts, so a mistyped or dead `--rpc` is exit 2 naming the flag and the
 * value at once, not after a snapshot was hashed or an audit half-read. A node on another chain
 * than the one the command will read is refused the same way.
 */
export async function checkNodes(nodes: readonly NodeToCheck[], net: { timeoutMs: number; retries: number }, opts: { flag?: string; signal?: AbortSignal; reporter?: Reporter } = {}): Promise<void> {
  const flag = opts.flag ?? '--rpc';
  const outcomes = await Promise.allSettled(nodes.map((n) => checkNode(n, net, opts)));
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') return;
    const n = nodes[i]!;
    const err = o.reason as unknown;
    if (!isPorError(err)) throw err;
    const code = err.code === 'NETWORK' ? 'NETWORK' : 'BAD_USAGE';
    // The path may hold an API key: shown as …, as in every other node message.
    throw porError(code, `${flag} ${n.chain}=${safeUrl(n.url)}: ${err.message}; check the URL and that the node is up (nothing was read)`, { chain: n.chain, field: flag.replace(/^--/, '') }, err);
  });
}

async function checkNode(n: NodeToCheck, net: { timeoutMs: number; retries: number }, opts: { signal?: AbortSignal; reporter?: Reporter }): Promise<void> {
  const common = { ...net, chain: n.chain, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.reporter ? { reporter: opts.reporter } : {}) };
  if (n.kind === 'bitcoin') {
    const tip = (await new EsploraClient(n.url, common).get('/blocks/tip/height')).trim();
    if (!/^\d+$/.test(tip)) throw porError('NETWORK', `not an Esplora server: /blocks/tip/height answered "${tip.slice(0, 60)}"`);
    return;
  }
  const id = await new RpcClient(n.url, common).call('eth_chainId', []);
  if (typeof id !== 'string' || !/^0x[0-9a-f]+$/i.test(id)) throw porError('NETWORK', `not an EVM node: eth_chainId answered ${JSON.stringify(id)?.slice(0, 60)}`);
  if (n.chainId !== undefined && BigInt(id) !== BigInt(n.chainId)) {
    throw porError('BAD_USAGE', `the node is on chain id ${BigInt(id)}, not ${n.chainId} (${n.chain} in the input): a node of another chain`);
  }
}

/**
 * The nodes a wallet manifest's chains will be read from (build --wallets, solvency --wallets):
 * every chain holding an address needs one, asked for by name before anything is read.
 */
export function manifestNodes(m: { chains: readonly { name: string; kind: string; chainId?: number }[]; addresses: readonly { chain: string }[] }, rpc: Record<string, string>): NodeToCheck[] {
  const used = m.chains.filter((c) => m.addresses.some((a) => a.chain === c.name));
  const missing = used.find((c) => rpc[c.name] === undefined);
  if (missing !== undefined) throw porError('BAD_USAGE', `no node for chain ${missing.name}, which holds addresses of the wallet manifest: give --rpc ${missing.name}=URL`, { chain: missing.name, field: 'rpc' });
  return reportNodes(used.map((c) => ({ chain: c.name, kind: c.kind, ...(c.chainId !== undefined ? { chainId: String(c.chainId) } : {}) })), rpc);
}

/** The nodes a report's chains will be read from: one per `--rpc` given, with the kind and chain id the report states. */
export function reportNodes(chains: readonly { chain: string; kind: string; chainId?: string }[], rpc: Record<string, string>): NodeToCheck[] {
  return chains.flatMap((c) => {
    const url = rpc[c.chain];
    if (url === undefined) return [];
    const n: NodeToCheck = { chain: c.chain, kind: c.kind === 'bitcoin' ? 'bitcoin' : 'evm', url };
    const id = c.kind === 'bitcoin' || c.chainId === undefined ? NaN : Number(c.chainId);
    if (Number.isSafeInteger(id)) n.chainId = id;
    return [n];
  });
}

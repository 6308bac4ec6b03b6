// `por watch`: during a withdrawal pause, poll the published addresses' current balances and show,
// per asset, the outflow since the snapshot and the live coverage of the published liabilities.
import { parseAssetRegistry } from '../core/assets/index.js';
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { readCurrentBalances, type ReservesResult } from '../reserves/index.js';
import { percentText, ratioText, sumReserves, type HeldBalance } from '../core/report/solvency.js';
import type { Report } from '../core/report/types.js';
import { manifestFromReport } from './identity.js';

export interface WatchAsset {
  asset: string;
  /** Reserves the report published (ledger units, decimal text). */
  published: string;
  /** The same addresses now. */
  current: string;
  /** published − current: positive is money that left since the snapshot. */
  outflow: string;
  /** Published liabilities (what reserves must cover) at the snapshot. */
  owed: string;
  /** current / owed, full precision; null when nothing is owed. */
  ratio: string | null;
  covered: boolean;
  exchangeToken: boolean;
}

export interface WatchSample {
  /** ISO time of the poll. */
  time: string;
  blocks: { chain: string; number: string }[];
  assets: WatchAsset[];
  /** Assets (not the exchange's own token) whose live coverage is below 100 %. */
  alerts: string[];
}

/** Duration text: "500ms", "30s", "5m", "1h", or a bare number of seconds. Returns milliseconds. */
export function parseDuration(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw porError('BAD_USAGE', `--${field} "${text}" is not a duration; write e.g. 30s, 5m, 1h`, { field });
  const n = Number(m[1]);
  const ms = n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
  if (!(ms > 0)) throw porError('BAD_USAGE', `--${field} must be more than zero`, { field });
  return ms;
}

export interface WatchOptions {
  report: Report;
  rpc: Record<string, string>;
  reporter?: Reporter;
  timeoutMs?: number;
  retries?: number;
  /** Abandons the poll (NETWORK: could not read) when it fires: `por watch`'s end. */
  signal?: AbortSignal;
}

/** One poll of every counted address at each chain's latest block. */
export async function watchOnce(opts: WatchOptions): Promise<WatchSample> {
  const { report } = opts;
  const full = manifestFromReport(report);
  // Only the addresses whose balances made up the published reserves.
  const counted = new Set(report.addresses.map((a, i) => (a.counted ? i : -1)).filter((i) => i >= 0));
  const wallets = { ...full, addresses: full.addresses.filter((a) => counted.has(a.index)).map((a, index) => ({ ...a, index })) };
  for (const c of new Set(wallets.addresses.map((a) => a.chain))) {
    if (opts.rpc[c] === undefined) throw porError('BAD_USAGE', `no node for chain ${c}: give --rpc ${c}=URL (every chain with published reserves must be watched)`, { chain: c });
  }
  wallets.chains = wallets.chains.filter((c) => opts.rpc[c.name] !== undefined);
  const time = new Date().toISOString();
  const result: ReservesResult = await readCurrentBalances({
    wallets,
    registry: parseAssetRegistry({ assets: report.assets }),
    rpc: opts.rpc,
    reporter: opts.reporter ?? silentReporter,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const held: HeldBalance[] = [];
  for (const c of result.chains) if (c.error !== undefined) throw porError('NETWORK', `could not read chain ${c.name}: ${c.error}`, { chain: c.name });
  for (const a of result.addresses) {
    if (a.duplicateOf !== undefined) continue;
    for (const b of a.balances) {
      // A balance that cannot be read is never a zero: the whole poll is reported as failed.
      if (b.balance === undefined) throw porError('NETWORK', `could not read the balance of ${b.asset}: ${b.error ?? 'unknown error'}`, { chain: a.chain, address: a.address });
      held.push({ asset: b.asset, units: b.balance, decimals: b.decimals });
    }
  }
  const current = sumReserves(report.assets, held);
  const assets: WatchAsset[] = report.solvency.map((s) => {
    const now = current.get(s.asset) ?? 0n;
    const owed = BigInt(s.liabilitiesUnits);
    const f = (u: bigint) => formatAmount(u, s.decimals);
    return {
      asset: s.asset,
      published: s.reserves,
      current: f(now),
      outflow: f(BigInt(s.reservesUnits) - now),
      owed: s.liabilities,
      ratio: ratioText(now, owed),
      covered: now >= owed,
      exchangeToken: s.exchangeToken,
    };
  });
  return {
    time,
    blocks: result.chains.filter((c) => c.block).map((c) => ({ chain: c.name, number: c.block!.number.toString() })),
    assets,
    // The own-token flag labels an asset; it never exempts it from a check (issue 11, threat 21).
    alerts: assets.filter((a) => !a.covered).map((a) => a.asset),
  };
}

export function sampleText(s: WatchSample, n: number): string {
  const lines = [`poll ${n} at ${s.time} (${s.blocks.map((b) => `${b.chain} block ${b.number}`).join(', ')})`];
  for (const a of s.assets) {
    lines.push(`  ${a.asset.padEnd(7)} now ${a.current.padStart(18)}  outflow since snapshot ${a.outflow.padStart(16)}  live coverage ${percentText(a.ratio).padStart(10)}${a.exchangeToken ? "  (exchange's own token)" : ''}`);
  }
  for (const asset of s.alerts) {
    const a = s.assets.find((x) => x.asset === asset)!;
    lines.push(`ALERT: ${asset} live coverage ${percentText(a.ratio)} is below 100 %: ${a.current} held at the published addresses against ${a.owed} owed at the snapshot`);
  }
  return lines.join('\n');
}

// `por watch`: during a withdrawal pause, poll the published addresses' current balances and show,
// per asset, the outflow since the snapshot and the live coverage of the published liabilities.
// The stage is here (plan, one poll, what changed between polls, the summary, the event lines);
// src/cli/commands/watch.ts runs the loop, the signals and the printing.
import { Decimal } from 'decimal.js';
import { parseAssetRegistry } from '../core/assets/index.js';
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { readCurrentBalances, type ReservesResult } from '../reserves/index.js';
import { percentText, ratioText, sumReserves, type HeldBalance } from '../core/report/solvency.js';
import type { Report } from '../core/report/types.js';
import { manifestFromReport } from './identity.js';
import { write as writeWatchEvent, type WatchEventName } from '../core/documents/watch-event.js';

export { FORMAT as WATCH_EVENT_FORMAT, VERSION as WATCH_EVENT_VERSION } from '../core/documents/watch-event.js';

export interface WatchAsset {
  asset: string;
  /** Reserves the report published at the addresses read (ledger units, decimal text). */
  published: string;
  /** The same addresses now. */
  current: string;
  /** published − current: positive is money that left since the snapshot. */
  outflow: string;
  /** Published liabilities (what reserves must cover) at the snapshot. */
  owed: string;
  /** current / owed, full precision; null when nothing is owed or the asset is not checked. */
  ratio: string | null;
  /** Whether live coverage holds; null when not checked (some of its addresses are on an unwatched chain). */
  covered: boolean | null;
  /** False when some of the asset's published addresses are on a chain with no node: then `published`, `current` and `outflow` cover the watched chains only. */
  checked: boolean;
  /** The chains holding this asset that are not watched (absent when none). */
  unwatchedChains?: string[];
  exchangeToken: boolean;
}

export interface WatchSample {
  /** ISO time of the poll. */
  time: string;
  blocks: { chain: string; number: string }[];
  assets: WatchAsset[];
  /** Checked assets (the exchange's own token included) whose live coverage is below 100 %. */
  alerts: string[];
}

/** Which chains a watch reads, and what it therefore cannot check. */
export interface WatchPlan {
  /** Chains holding published reserves that have a node. */
  watched: string[];
  /** Chains holding published reserves with no node: never read, never counted as fine. */
  unwatched: string[];
  /** Assets with a published address on an unwatched chain: their coverage is not checked. */
  notChecked: { asset: string; chains: string[] }[];
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

/** The counted addresses: the ones whose balances made up the published reserves. */
function countedAddresses(report: Report): Report['addresses'] {
  return report.addresses.filter((a) => a.counted);
}

/**
 * Splits the report's chains by whether a node was given. A node for a chain the report does not
 * list is a mistake (as in `por audit`); a watch with no node for any chain holding reserves
 * watches nothing.
 */
export function planWatch(report: Report, rpc: Record<string, string>): WatchPlan {
  const listed = report.chains.map((c) => c.chain);
  for (const name of Object.keys(rpc)) {
    if (!listed.includes(name)) throw porError('BAD_USAGE', `--rpc names chain ${name}, which the report does not list (it lists ${listed.join(', ') || 'none'})`, { chain: name, field: 'rpc' });
  }
  const counted = countedAddresses(report);
  const holding = [...new Set(counted.map((a) => a.chain))];
  const watched = holding.filter((c) => rpc[c] !== undefined);
  const unwatched = holding.filter((c) => rpc[c] === undefined);
  if (holding.length > 0 && watched.length === 0) {
    throw porError('BAD_USAGE', `no node for any chain holding published reserves: give --rpc CHAIN=URL for at least one of ${holding.join(', ')}`, { field: 'rpc' });
  }
  const notChecked = report.solvency
    .map((s) => ({ asset: s.asset, chains: unwatched.filter((c) => counted.some((a) => a.chain === c && a.balances.some((b) => b.asset === s.asset))) }))
    .filter((x) => x.chains.length > 0);
  return { watched, unwatched, notChecked };
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

/** One poll of every counted address on the watched chains, at each chain's latest block. */
export async function watchOnce(opts: WatchOptions): Promise<WatchSample> {
  const { report } = opts;
  const plan = planWatch(report, opts.rpc);
  const time = new Date().toISOString();
  const result = await readWatched(opts, plan);
  const held = heldBalances(result);
  const current = sumReserves(report.assets, held);
  const publishedWatched = sumReserves(report.assets, publishedOn(report, plan.watched));
  const assets = report.solvency.map((s) => {
    const unwatched = plan.notChecked.find((x) => x.asset === s.asset)?.chains;
    return watchAsset(s, current.get(s.asset) ?? 0n, unwatched === undefined ? BigInt(s.reservesUnits) : publishedWatched.get(s.asset) ?? 0n, unwatched);
  });
  return {
    time,
    blocks: result.chains.filter((c) => c.block).map((c) => ({ chain: c.name, number: c.block!.number.toString() })),
    assets,
    // The own-token flag labels an asset; it never exempts it from a check (issue 11, threat 21).
    alerts: assets.filter((a) => a.covered === false).map((a) => a.asset),
  };
}

async function readWatched(opts: WatchOptions, plan: WatchPlan): Promise<ReservesResult> {
  const { report } = opts;
  const full = manifestFromReport(report);
  const read = new Set(report.addresses.map((a, i) => (a.counted && plan.watched.includes(a.chain) ? i : -1)).filter((i) => i >= 0));
  const wallets = { ...full, addresses: full.addresses.filter((a) => read.has(a.index)).map((a, index) => ({ ...a, index })) };
  wallets.chains = wallets.chains.filter((c) => plan.watched.includes(c.name));
  const rpc = Object.fromEntries(plan.watched.map((c) => [c, opts.rpc[c]!]));
  return readCurrentBalances({
    wallets,
    registry: parseAssetRegistry({ assets: report.assets }),
    rpc,
    reporter: opts.reporter ?? silentReporter,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** Every balance read; one that could not be read fails the whole poll (never a zero). */
function heldBalances(result: ReservesResult): HeldBalance[] {
  for (const c of result.chains) if (c.error !== undefined) throw porError('NETWORK', `could not read chain ${c.name}: ${c.error}`, { chain: c.name });
  const held: HeldBalance[] = [];
  for (const a of result.addresses) {
    if (a.duplicateOf !== undefined) continue;
    for (const b of a.balances) {
      if (b.balance === undefined) throw porError('NETWORK', `could not read the balance of ${b.asset}: ${b.error ?? 'unknown error'}`, { chain: a.chain, address: a.address });
      held.push({ asset: b.asset, units: b.balance, decimals: b.decimals });
    }
  }
  return held;
}

/** What the report published at its counted addresses on these chains. */
function publishedOn(report: Report, chains: readonly string[]): HeldBalance[] {
  return countedAddresses(report)
    .filter((a) => chains.includes(a.chain))
    .flatMap((a) => a.balances.map((b) => ({ asset: b.asset, units: BigInt(b.units), decimals: b.decimals })));
}

function watchAsset(s: Report['solvency'][number], now: bigint, published: bigint, unwatched: string[] | undefined): WatchAsset {
  const owed = BigInt(s.liabilitiesUnits);
  const f = (u: bigint) => formatAmount(u, s.decimals);
  const checked = unwatched === undefined;
  const a: WatchAsset = {
    asset: s.asset,
    published: checked ? s.reserves : f(published),
    current: f(now),
    outflow: f(published - now),
    owed: s.liabilities,
    ratio: checked ? ratioText(now, owed) : null,
    covered: checked ? now >= owed : null,
    checked,
    exchangeToken: s.exchangeToken,
  };
  if (unwatched !== undefined) a.unwatchedChains = unwatched;
  return a;
}

/** What differs between two polls: assets whose balance or coverage moved, alerts raised and cleared. */
export interface WatchDiff {
  changed: { before: WatchAsset; after: WatchAsset }[];
  raised: string[];
  cleared: string[];
}

/** `before` is the last poll that read (undefined on the first): then every alert is raised. */
export function diffSamples(before: WatchSample | undefined, after: WatchSample): WatchDiff {
  const prev = new Map((before?.assets ?? []).map((a) => [a.asset, a]));
  const changed = after.assets.flatMap((a) => {
    const b = prev.get(a.asset);
    return b !== undefined && (b.current !== a.current || b.ratio !== a.ratio) ? [{ before: b, after: a }] : [];
  });
  const was = new Set(before?.alerts ?? []);
  const now = new Set(after.alerts);
  return { changed, raised: after.alerts.filter((x) => !was.has(x)), cleared: [...was].filter((x) => !now.has(x)) };
}

function blocksText(s: WatchSample): string {
  return s.blocks.map((b) => `${b.chain} block ${b.number}`).join(', ');
}

function coverageText(a: WatchAsset): string {
  return a.checked ? `live coverage ${percentText(a.ratio)}` : `coverage not checked (also held on ${a.unwatchedChains!.join(', ')}, not watched)`;
}

export function alertText(a: WatchAsset): string {
  return `ALERT: ${a.asset} live coverage ${percentText(a.ratio)} is below 100 %: ${a.current} held at the published addresses against ${a.owed} owed at the snapshot`;
}

export function clearedText(a: WatchAsset): string {
  return `cleared: ${a.asset} live coverage is back at ${percentText(a.ratio)} (at or above 100 %)`;
}

/** The first poll: the whole table, and an ALERT line per asset below 100 %. */
export function sampleText(s: WatchSample, n: number): string {
  const lines = [`poll ${n} at ${s.time} (${blocksText(s)})`];
  for (const a of s.assets) {
    const cov = a.checked ? `live coverage ${percentText(a.ratio).padStart(10)}` : coverageText(a);
    lines.push(`  ${a.asset.padEnd(7)} now ${a.current.padStart(18)}  outflow since snapshot ${a.outflow.padStart(16)}  ${cov}${a.exchangeToken ? "  (exchange's own token)" : ''}`);
  }
  for (const asset of s.alerts) lines.push(alertText(s.assets.find((x) => x.asset === asset)!));
  return lines.join('\n');
}

/** A later poll: only what changed since the last poll that read; '' when nothing did. */
export function changeText(s: WatchSample, n: number, d: WatchDiff): string {
  if (d.changed.length === 0 && d.raised.length === 0 && d.cleared.length === 0) return '';
  const lines = [`poll ${n} at ${s.time} (${blocksText(s)}): changed`];
  for (const { before, after } of d.changed) {
    const was = after.checked ? ` (was ${percentText(before.ratio)})` : '';
    lines.push(`  ${after.asset.padEnd(7)} now ${after.current} (was ${before.current})  outflow since snapshot ${after.outflow}  ${coverageText(after)}${was}`);
  }
  const byName = (x: string) => s.assets.find((a) => a.asset === x)!;
  for (const x of d.raised) lines.push(alertText(byName(x)));
  for (const x of d.cleared) lines.push(clearedText(byName(x)));
  return lines.join('\n');
}

/** What a watch saw, kept across polls. */
export interface WatchTally {
  /** Polls that ended (read or failed); a poll interrupted by Ctrl-C is not one. */
  polls: number;
  read: number;
  failed: { poll: number; time: string; message: string }[];
  /** Per asset that went below 100 %: the poll it first did and the lowest coverage seen. */
  raised: Map<string, { poll: number; lowest: string | null }>;
  last?: WatchSample;
}

export function newTally(): WatchTally {
  return { polls: 0, read: 0, failed: [], raised: new Map() };
}

/** Records a poll that read; returns what changed since the last one that did. */
export function recordSample(t: WatchTally, s: WatchSample): WatchDiff {
  t.polls++;
  t.read++;
  const d = diffSamples(t.last, s);
  for (const x of s.alerts) {
    const ratio = s.assets.find((a) => a.asset === x)!.ratio;
    const r = t.raised.get(x);
    if (r === undefined) t.raised.set(x, { poll: t.polls, lowest: ratio });
    else if (ratio !== null && (r.lowest === null || new Decimal(ratio).lt(r.lowest))) r.lowest = ratio;
  }
  t.last = s;
  return d;
}

export interface WatchSummary {
  polls: number;
  read: number;
  failed: number;
  /** What ended the watch. */
  stoppedBy: 'duration' | 'SIGINT' | 'SIGTERM';
  /** Checked and fails: assets whose live coverage went below 100 % in some poll. */
  fails: { asset: string; poll: number; lowest: string | null }[];
  /** Checked and holds: assets at or above 100 % in every poll that read (only when some poll read). */
  holds: string[];
  /** Not checked, and why: an unwatched chain's assets, polls that could not read. */
  notChecked: { what: string; why: string }[];
  watchedChains: string[];
  unwatchedChains: string[];
  /** fails if anything failed; else not-checked if anything was not checked; else holds. */
  verdict: 'holds' | 'fails' | 'not-checked';
}

export function summarise(t: WatchTally, plan: WatchPlan, report: Report, stoppedBy: WatchSummary['stoppedBy']): WatchSummary {
  const fails = [...t.raised].map(([asset, r]) => ({ asset, poll: r.poll, lowest: r.lowest }));
  const skipped = new Set(plan.notChecked.map((x) => x.asset));
  const holds = t.read === 0 ? [] : report.solvency.map((s) => s.asset).filter((x) => !skipped.has(x) && !t.raised.has(x));
  const notChecked = plan.notChecked.map((x) => ({ what: x.asset, why: `held on ${x.chains.join(', ')}, which had no --rpc: not watched` }));
  if (t.read === 0) notChecked.push({ what: 'every asset', why: 'no poll could read: nothing was watched' });
  else if (t.failed.length > 0) notChecked.push({ what: `${t.failed.length} of ${t.polls} polls`, why: 'could not read: coverage was not watched throughout' });
  const verdict = fails.length > 0 ? 'fails' : notChecked.length > 0 ? 'not-checked' : 'holds';
  return { polls: t.polls, read: t.read, failed: t.failed.length, stoppedBy, fails, holds, notChecked, watchedChains: plan.watched, unwatchedChains: plan.unwatched, verdict };
}

export function summaryText(s: WatchSummary): string {
  const why = s.stoppedBy === 'duration' ? 'at the end of --duration' : `on ${s.stoppedBy}`;
  const lines = [`watch stopped ${why} after ${s.polls} poll${s.polls === 1 ? '' : 's'} (${s.read} read, ${s.failed} could not read); chains watched: ${s.watchedChains.join(', ') || 'none'}`];
  for (const f of s.fails) lines.push(`  FAILS        ${f.asset}: live coverage fell below 100 % (first in poll ${f.poll}, lowest ${percentText(f.lowest)})`);
  for (const a of s.holds) lines.push(`  HOLDS        ${a}: live coverage at or above 100 % in every poll that read`);
  for (const n of s.notChecked) lines.push(`  NOT CHECKED  ${n.what}: ${n.why}`);
  const head = { fails: `ALERTS raised for: ${s.fails.map((f) => f.asset).join(', ')}`, 'not-checked': 'NOT CHECKED throughout: no alert was raised, but not everything was watched (see above)', holds: 'coverage stayed at or above 100 % for every asset in every poll' }[s.verdict];
  lines.push(head);
  return lines.join('\n');
}

/** A start line for people: what is watched and, loudly, what is not. */
export function startText(file: string, report: Report, plan: WatchPlan, interval: string, duration: string): string {
  const lines = [`watching ${file} (snapshot ${report.snapshot.id}) every ${interval} for ${duration} on ${plan.watched.join(', ') || 'no chain'}`];
  if (plan.unwatched.length > 0) {
    const assets = plan.notChecked.map((x) => x.asset).join(', ');
    lines.push(`NOT WATCHED: ${plan.unwatched.join(', ')} (no --rpc); ${assets} not checked. The verdict covers ${plan.watched.join(', ')} only.`);
  }
  return lines.join('\n');
}

/** One line of the `--json` stream (docs/FORMATS.md, por-watch-event v1). */
export function watchEvent(event: WatchEventName, fields: Record<string, unknown>): Record<string, unknown> {
  return writeWatchEvent({ event, time: new Date().toISOString(), ...fields });
}

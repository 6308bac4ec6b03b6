// `por history`: several published reports lined up by snapshot time, per asset, with the change
// between consecutive reports (window dressing shows up as reserves that jump just for a snapshot).
import { groupDigits, textTable } from '../core/money/display.js';
import { Decimal } from 'decimal.js';
import { porError } from '../core/errors/index.js';
import { formatAmount, rescale } from '../core/money/index.js';
import type { Report } from '../core/report/types.js';
import { percentText } from '../core/report/solvency.js';
import { RatioDecimal } from '../core/solvency/coverage.js';
import { escapeHtml, htmlPage, stackTable, type Column } from '../report/html.js';
import { timeHtml } from '../core/display/identifier.js';
import type { AssetHistory, History, HistoryPoint, HistoryVerdict } from '../core/documents/history.js';
import { lineChart } from '../report/chart.js';

/** Ratio differences at the ratios' own precision (src/core/solvency/coverage.ts). */
const D = RatioDecimal;

export type { AssetHistory, History, HistoryPoint, HistoryVerdict } from '../core/documents/history.js';

export function buildHistory(inputs: { file: string; report: Report }[]): History {
  if (inputs.length === 0) throw porError('BAD_USAGE', 'give at least one report');
  const sorted = [...inputs].sort((a, b) => Date.parse(a.report.snapshot.time) - Date.parse(b.report.snapshot.time));
  const ids = new Map<string, string>();
  for (const { file, report } of sorted) {
    const prev = ids.get(report.snapshot.id);
    if (prev !== undefined) throw porError('DUPLICATE', `snapshot ${report.snapshot.id} is given twice (${prev} and ${file})`, { file });
    ids.set(report.snapshot.id, file);
  }
  // The widest ledger precision seen per asset, so reports made with different registries compare.
  const decimals = new Map<string, number>();
  for (const { report } of sorted) for (const s of report.solvency) decimals.set(s.asset, Math.max(decimals.get(s.asset) ?? 0, s.decimals));
  const assets: AssetHistory[] = [];
  for (const [asset, dec] of decimals) {
    const points: HistoryPoint[] = [];
    let prev: { reserves: bigint; gross: bigint; ratio: string | null } | undefined;
    for (const { file, report } of sorted) {
      const s = report.solvency.find((x) => x.asset === asset);
      if (!s) continue;
      const reserves = rescale(BigInt(s.reservesUnits), s.decimals, dec);
      const gross = rescale(BigInt(s.liabilitiesUnits), s.decimals, dec);
      const p: HistoryPoint = {
        snapshotId: report.snapshot.id,
        time: report.snapshot.time,
        file,
        reserves: formatAmount(reserves, dec),
        liabilities: formatAmount(gross, dec),
        ratio: s.ratio,
      };
      if (prev) {
        p.change = {
          reserves: signed(formatAmount(reserves - prev.reserves, dec)),
          liabilities: signed(formatAmount(gross - prev.gross, dec)),
          ratioPoints: s.ratio !== null && prev.ratio !== null ? signed(new D(s.ratio).minus(prev.ratio).times(100).toFixed()) : null,
        };
      }
      points.push(p);
      prev = { reserves, gross, ratio: s.ratio };
    }
    assets.push({ asset, decimals: dec, points });
  }
  const reports = sorted.map(({ file, report }) => ({ file, snapshotId: report.snapshot.id, time: report.snapshot.time }));
  return { format: 'por-history', version: 1, reports, assets, verdict: historyVerdict(assets, reports) };
}

/** Which assets ever fell below 100 % (and where lowest), which never did, and what is not known. */
export function historyVerdict(assets: readonly AssetHistory[], reports: readonly { file: string }[]): HistoryVerdict {
  const v: HistoryVerdict = { status: 'holds', fails: [], holds: [], notChecked: [] };
  for (const a of assets) {
    const rated = a.points.filter((p) => p.ratio !== null);
    const under = rated.filter((p) => new D(p.ratio!).lt(1));
    if (under.length > 0) {
      const low = under.reduce((m, p) => (new D(p.ratio!).lt(m.ratio!) ? p : m));
      v.fails.push({ asset: a.asset, file: low.file, snapshotId: low.snapshotId, ratio: low.ratio!, under: under.length, of: rated.length });
    } else if (rated.length > 0) v.holds.push(a.asset);
    if (rated.length < a.points.length) v.notChecked.push({ asset: a.asset, why: `nothing owed in ${a.points.length - rated.length} report(s): no coverage to compare` });
    const missing = reports.filter((r) => !a.points.some((p) => p.file === r.file)).map((r) => r.file);
    if (missing.length > 0) v.notChecked.push({ asset: a.asset, why: `not in ${missing.join(', ')}` });
  }
  if (v.fails.length > 0) v.status = 'fails';
  return v;
}

/** The headline a reader can quote, then the holds and what was not checked. */
export function verdictText(h: History): string {
  const v = h.verdict;
  const n = h.reports.length;
  const lines: string[] = [];
  if (v.status === 'fails') {
    const what = v.fails.map((f) => `${f.asset} coverage fell to ${percentText(f.ratio)} in ${f.file}${f.of > 1 ? ` (under 100 % in ${f.under} of ${f.of} reports)` : ''}`);
    lines.push(`HISTORY FAILS: ${what.join('; ')}`);
    if (v.holds.length > 0) lines.push(`  holds: ${v.holds.join(', ')} at or above 100 % in every report that lists them`);
  } else {
    lines.push(`HISTORY HOLDS: ${v.holds.length > 0 ? `${v.holds.join(', ')} at or above 100 %` : 'no asset below 100 %'} in all ${n} report${n === 1 ? '' : 's'}`);
  }
  for (const x of v.notChecked) lines.push(`  not checked: ${x.asset}: ${x.why}`);
  lines.push(`  not checked: these are the reports' own figures, not re-read from the chains (run \`por audit\` on each)`);
  return lines.join('\n');
}

function signed(s: string): string {
  return s.startsWith('-') || /^0(\.0*)?$/.test(s) ? s : `+${s}`;
}

function pointsText(p: string | null): string {
  if (p === null) return 'n/a';
  const t = new D(p).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
  return `${p.startsWith('+') ? '+' : ''}${t} pt`;
}

/** Plain-text table for the terminal. */
export function historyText(h: History): string {
  const lines: string[] = [];
  for (const a of h.assets) {
    lines.push(`${a.asset}`);
    const rows = a.points.map((p) => [p.time, p.snapshotId, groupDigits(p.reserves), groupDigits(p.liabilities), percentText(p.ratio), p.change ? groupDigits(p.change.reserves) : '', p.change ? pointsText(p.change.ratioPoints) : '']);
    const head = ['snapshot time', 'snapshot', 'reserves', 'liabilities', 'ratio', 'Δ reserves', 'Δ ratio'];
    lines.push(...textTable(head, rows, ['left', 'left']).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

async function historyChart(h: History): Promise<string> {
  const points = h.assets.flatMap((a) =>
    // Display only: the exact ratios are in the table.
    a.points.filter((p) => p.ratio !== null).map((p) => ({ time: p.time, series: a.asset, value: Number(p.ratio) * 100 })),
  );
  return lineChart(points, { title: 'Reserve ratio over time', yTitle: 'reserves ÷ liabilities (%)' });
}

const HISTORY_COLS: Column[] = [
  { head: 'Snapshot time (UTC)' },
  { head: 'Snapshot' },
  { head: 'Reserves <small>(change)</small>', num: true },
  { head: 'Liabilities <small>(change)</small>', num: true },
  { head: 'Ratio <small>(change)</small>', num: true },
];

/** One asset's reports, a row each; each change since the previous report sits under its figure. */
function historyTable(a: AssetHistory): string {
  const change = (text: string | undefined) => (text === undefined ? '' : `<small class="bd">${text}</small>`);
  const rows = a.points.map((p) => ({
    attrs: p.ratio !== null && new D(p.ratio).lt(1) ? 'class="under"' : '',
    cells: [timeHtml(p.time), `<code class="nw">${escapeHtml(p.snapshotId)}</code>`, `${groupDigits(p.reserves)}${change(p.change ? groupDigits(p.change.reserves) : undefined)}`, `${groupDigits(p.liabilities)}${change(p.change ? groupDigits(p.change.liabilities) : undefined)}`, `${percentText(p.ratio)}${change(p.change ? pointsText(p.change.ratioPoints) : undefined)}`],
  }));
  return `<h2>${escapeHtml(a.asset)}</h2>\n${stackTable(`class="history" data-asset="${escapeHtml(a.asset)}"`, HISTORY_COLS, rows)}`;
}

export async function historyHtml(h: History): Promise<string> {
  const chart = await historyChart(h);
  const level = h.verdict.status === 'fails' ? 'fail' : 'pass';
  const body = `<h1>Proof of reserves over time</h1>
<p class="sub">${h.reports.length} reports, ${timeHtml(h.reports[0]!.time)} to ${timeHtml(h.reports[h.reports.length - 1]!.time)}</p>
<p class="verdict ${level}" id="verdict">${escapeHtml(verdictText(h).split('\n')[0]!)}</p>
<div class="note">Reserves that rise just before a snapshot and fall right after are a warning sign (borrowed funds shown for the photo). Compare with <code>por watch</code> during a withdrawal pause.</div>
<div class="chart" id="chart">${chart}</div>
${h.assets.map(historyTable).join('\n')}`;
  return htmlPage('Proof of reserves over time', body);
}

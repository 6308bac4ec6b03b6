// The per-asset table a publisher reads at the end of `por build --wallets` (and anyone can print
// from report.json): what was owed, what reserves must cover, what was shown on-chain, coverage in
// percent (rounded down), and USD where the report carries prices. Figures for people: grouped,
// aligned; the exact values are in report.json. Pure.
import { RatioDecimal } from '../solvency/coverage.js';
import { groupDigits, percentDown, textTable, usdText } from '../money/display.js';
import type { Report, ReportSolvencyRow } from './types.js';

function status(s: ReportSolvencyRow): string {
  return !s.covered ? 'UNDER 100 %' : s.grossCovered ? 'covered' : 'covered after netting';
}

/** USD value of decimal text at the report's price for the asset, or undefined without one. */
function usdOf(report: Report, asset: string, amount: string): InstanceType<typeof RatioDecimal> | undefined {
  const price = report.netting?.prices.find((p) => p.asset === asset)?.usd;
  return price === undefined ? undefined : new RatioDecimal(amount).times(price);
}

/** The table, one line per asset, then (with prices) the USD totals, own token apart. */
export function solvencySummary(report: Report): string[] {
  const withUsd = report.netting !== null && report.netting.prices.length > 0;
  const head = ['asset', 'owed to users', 'reserves must cover', 'on-chain reserves', 'coverage', 'gross coverage', ...(withUsd ? ['reserves (USD)'] : []), 'status'];
  const rows = report.solvency.map((s) => {
    const usd = usdOf(report, s.asset, s.reserves);
    return [
      s.asset + (s.exchangeToken ? ' *' : ''),
      groupDigits(s.grossLiabilities),
      groupDigits(s.liabilities),
      groupDigits(s.reserves),
      percentDown(s.ratio),
      percentDown(s.grossRatio),
      ...(withUsd ? [usd === undefined ? 'n/a' : usdText(usd.toFixed())] : []),
      status(s),
    ];
  });
  const lines = textTable(head, rows, head.map((_, i) => (i === 0 || i === head.length - 1 ? 'left' : 'right')));
  if (report.solvency.some((s) => s.exchangeToken)) lines.push("* the exchange's own token (checked like any asset; its USD value is shown apart)");
  if (withUsd) lines.push(...usdTotals(report));
  return lines;
}

/** USD totals at the report's prices (informational: coverage is decided per asset). */
function usdTotals(report: Report): string[] {
  const sum = (pick: (s: ReportSolvencyRow) => string, own: boolean) =>
    report.solvency.filter((s) => s.exchangeToken === own).reduce((t, s) => t.plus(usdOf(report, s.asset, pick(s)) ?? 0), new RatioDecimal(0));
  const at = report.netting?.pricesTime ? ` at prices of ${report.netting.pricesTime}` : '';
  const own = sum((s) => s.reserves, true);
  return [
    `USD totals${at} (informational: coverage is decided asset by asset above):`,
    `  on-chain reserves    ${usdText(sum((s) => s.reserves, false).toFixed())} USD${own.isZero() ? '' : `, plus ${usdText(own.toFixed())} USD in the exchange's own token`}`,
    `  reserves must cover  ${usdText(sum((s) => s.liabilities, false).plus(sum((s) => s.liabilities, true)).toFixed())} USD`,
  ];
}

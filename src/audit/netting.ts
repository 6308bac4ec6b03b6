// The audit's bounds on what the exchange states about netting. The audit cannot see users' leaves,
// so it cannot say which users are bad debt; it can say which stated figures are impossible:
//   - bad-debt holdings above what users own, or debt not netted above what users owe;
//   - a write-off that pushes "must cover" below zero;
//   - holdings written off that are worth more (at the report's own prices) than the bad debt they
//     stop netting — for each bad-debt user holdings < debt, so the sums must be too — and a stated
//     USD shortfall that is not Σ (bad debt − holdings written off) × price;
//   - netted debt worth more than every non-written-off holding at its best haircut ratio, or netted
//     debt in an asset priced zero;
// and it flags a haircut table that lets the exchange's own token count as collateral.
// Pure; every figure is an exact integer (src/solvency/debtors.ts).
import { formatAmount } from '../core/money/index.js';
import { valuation, usdValue } from '../solvency/debtors.js';
import { fractionDigits, scaled } from '../core/solvency/haircuts.js';
import type { Netting } from '../core/solvency/coverage.js';
import type { Report } from '../core/report/types.js';
import type { AuditCheck } from '../core/checks/index.js';

/** One asset's figures: gross and debt from the Merkle root, netting as the report states it. */
export interface StatedNetting {
  asset: string;
  decimals: number;
  gross: bigint;
  debt: bigint;
  netting: Netting | null;
}

export function nettingChecks(report: Report, rows: readonly StatedNetting[]): AuditCheck[] {
  const out = rows.flatMap(assetBounds);
  if (report.netting === null) {
    if (rows.some((r) => r.netting !== null)) out.push({ name: 'bad-debt-value', status: 'fail', subject: 'report', detail: 'bad-debt figures are stated without the prices and haircuts they rest on' });
    return out;
  }
  if (rows.some((r) => r.netting === null)) return [...out, { name: 'bad-debt-value', status: 'fail', subject: 'report', detail: 'prices and haircuts are stated but some assets have no netting figures' }];
  return [...out, ...valueBounds(report, rows), ...haircutFlags(report)];
}

function assetBounds(r: StatedNetting): AuditCheck[] {
  const n = r.netting;
  if (n === null) return [];
  const f = (u: bigint) => formatAmount(u, r.decimals);
  const unnetted = n.badDebt + n.uncollateralised;
  const problems: string[] = [];
  if (n.badDebtHoldings > r.gross) problems.push(`bad-debt holdings ${f(n.badDebtHoldings)} exceed what all users own, ${f(r.gross)}`);
  if (unnetted > r.debt) problems.push(`debt not netted (bad ${f(n.badDebt)} + uncollateralised ${f(n.uncollateralised)}) exceeds what all users owe, ${f(r.debt)}`);
  const afterWriteOff = r.gross - n.badDebtHoldings - (r.debt - unnetted);
  if (n.badDebtHoldings > 0n && afterWriteOff < 0n) problems.push(`writing off ${f(n.badDebtHoldings)} of bad-debt holdings would make what reserves must cover negative (${f(afterWriteOff)})`);
  return [
    {
      name: 'bad-debt-bounds',
      status: problems.length ? 'fail' : 'pass',
      subject: r.asset,
      detail: problems.length ? `${problems.join('; ')}: the stated bad-debt figures are impossible` : `stated bad debt (holdings ${f(n.badDebtHoldings)}, debt ${f(n.badDebt)}) and uncollateralised debt (${f(n.uncollateralised)}) lie within what the root says users own and owe`,
      evidence: { gross: r.gross.toString(), debt: r.debt.toString(), badDebtHoldings: n.badDebtHoldings.toString(), badDebt: n.badDebt.toString(), uncollateralised: n.uncollateralised.toString() },
    },
  ];
}

function valueBounds(report: Report, rows: readonly StatedNetting[]): AuditCheck[] {
  const netting = report.netting!;
  const priceOf = new Map(netting.prices.map((p) => [p.asset, p.usd]));
  const v = valuation(rows.map((r) => ({ symbol: r.asset, decimals: r.decimals })), (s) => priceOf.get(s) ?? '0');
  const pick = (g: (n: Netting) => bigint) => rows.map((r) => g(r.netting!));
  const short = usdValue(v, pick((n) => n.badDebt)) - usdValue(v, pick((n) => n.badDebtHoldings));
  const usd = (x: bigint) => formatAmount(x, v.scale, { trim: true });
  const checks: AuditCheck[] = [];
  const shortOk = short >= 0n && usd(short) === netting.badDebt.usd && (netting.badDebt.users === 0) === (short === 0n && rows.every((r) => r.netting!.badDebtHoldings === 0n && r.netting!.badDebt === 0n));
  checks.push({
    name: 'bad-debt-value',
    status: shortOk ? 'pass' : 'fail',
    subject: 'report',
    detail: shortOk
      ? `the holdings written off as bad debt are worth less than the debt it stops netting, by the stated ${netting.badDebt.usd} USD (${netting.badDebt.users} users)`
      : short < 0n
        ? `the holdings written off as bad debt are worth ${usd(-short)} USD more than the bad debt they stop netting (at the report's prices): a bad-debt user owes more than they hold, so this cannot be`
        : `the stated bad debt (${netting.badDebt.users} users, ${netting.badDebt.usd} USD short) does not match its own per-asset figures, which give ${usd(short)} USD`,
    evidence: { recomputedUsd: usd(short), statedUsd: netting.badDebt.usd },
  });
  const zeroPriced = rows.filter((r, i) => v.factor[i] === 0n && r.netting!.badDebtHoldings > 0n);
  for (const r of zeroPriced) {
    checks.push({ name: 'bad-debt-value', status: 'warn', subject: r.asset, detail: `${r.asset} is priced at zero, so the holdings of it written off as bad debt cannot be bounded by value` });
  }
  checks.push(collateralBound(report, rows, v));
  return checks;
}

/** Σ netted debt × price ≤ Σ (gross − written off) × price × the asset's best haircut ratio. */
function collateralBound(report: Report, rows: readonly StatedNetting[], v: ReturnType<typeof valuation>): AuditCheck {
  const table = report.netting!.haircuts;
  const best = rows.map((r) => table.find((h) => h.asset === r.asset)?.tiers[0]?.ratio ?? '0');
  const sr = Math.max(0, ...best.map(fractionDigits));
  const netted = rows.map((r) => r.debt - r.netting!.badDebt - r.netting!.uncollateralised);
  const unpriced = rows.filter((r, i) => v.factor[i] === 0n && netted[i]! > 0n).map((r) => r.asset);
  const debtValue = usdValue(v, netted) * 10n ** BigInt(sr);
  const room = rows.reduce((s, r, i) => s + (r.gross - r.netting!.badDebtHoldings) * v.factor[i]! * scaled(best[i]!, sr), 0n);
  const usd = (x: bigint) => formatAmount(x, v.scale + sr, { trim: true });
  const ok = unpriced.length === 0 && debtValue <= room;
  const uncollateralisedOk = (report.netting!.uncollateralised.users === 0) === rows.every((r) => r.netting!.uncollateralised === 0n);
  return {
    name: 'netting-collateral',
    status: ok && uncollateralisedOk ? 'pass' : 'fail',
    subject: 'report',
    detail: !uncollateralisedOk
      ? `the report counts ${report.netting!.uncollateralised.users} uncollateralised users, but its per-asset uncollateralised debt says otherwise`
      : unpriced.length
        ? `debt netted in ${unpriced.join(', ')}, priced at zero: no collateral can cover a debt that has no value, so it may not be netted`
        : ok
          ? `the debt netted (${usd(debtValue)} USD) is within what every remaining holding could back at its best haircut ratio (${usd(room)} USD)`
          : `the debt netted is worth ${usd(debtValue)} USD, more than every remaining holding could back at its best haircut ratio (${usd(room)} USD): some netted debt has no collateral behind it`,
    evidence: { nettedUsd: usd(debtValue), collateralCeilingUsd: usd(room) },
  };
}

function haircutFlags(report: Report): AuditCheck[] {
  const own = new Set(report.assets.filter((a) => a.exchangeToken).map((a) => a.symbol));
  return report.netting!.haircuts
    .filter((h) => own.has(h.asset) && h.tiers.some((t) => scaled(t.ratio, fractionDigits(t.ratio)) > 0n))
    .map((h) => ({
      name: 'haircut-table',
      status: 'warn' as const,
      subject: h.asset,
      detail: `the haircut table lets ${h.asset}, the exchange's own token, count as collateral (up to ${h.tiers[0]!.ratio} of its value): debt netted against it rests on the exchange's own promise`,
    }));
}

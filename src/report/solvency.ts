// Per-asset reserves vs liabilities for the report, and the reserves sum from address balances.
// Pure and exact: bigint base units; the ratio with decimal.js at a stated precision, rounded down
// so that coverage is never overstated. The audit recomputes with these same two functions from
// the balances it read itself.
import { Decimal } from 'decimal.js';
import { porError } from '../errors/index.js';
import { formatAmount, rescale } from '../money/index.js';
import type { ReportSolvencyRow } from './types.js';

export const RATIO_PRECISION = 40;
const RatioDecimal = Decimal.clone({ precision: RATIO_PRECISION, rounding: Decimal.ROUND_DOWN });

export interface AssetInfo {
  symbol: string;
  decimals: number;
  exchangeToken?: boolean;
}

export interface HeldBalance {
  asset: string;
  units: bigint;
  /** On-chain decimals of `units`. */
  decimals: number;
}

/**
 * Sums on-chain balances into ledger base units per asset. Each address's balance is truncated to
 * the ledger precision first (never claiming a fraction the ledger cannot hold, never rounding up),
 * exactly as the reserves stage totals them, so `por reserves` and report.json agree to the unit.
 */
export function sumReserves(assets: readonly AssetInfo[], balances: Iterable<HeldBalance>): Map<string, bigint> {
  const known = new Map(assets.map((a) => [a.symbol, a]));
  const out = new Map<string, bigint>(assets.map((a) => [a.symbol, 0n]));
  for (const b of balances) {
    const a = known.get(b.asset);
    if (!a) throw porError('UNKNOWN_ASSET', `balance in asset ${b.asset}, which the report does not list`, { field: 'asset' });
    if (b.units < 0n) throw porError('BAD_AMOUNT', `negative on-chain balance ${b.units} of ${b.asset}`);
    out.set(b.asset, out.get(b.asset)! + rescale(b.units, b.decimals, a.decimals));
  }
  return out;
}

/** reserves / liabilities, full precision text (no exponent), or null when nothing is owed. */
export function ratioText(reserves: bigint, liabilities: bigint): string | null {
  if (liabilities === 0n) return null;
  return new RatioDecimal(reserves.toString()).div(new RatioDecimal(liabilities.toString())).toFixed();
}

export interface LiabilityTotals {
  asset: string;
  /** Sum of users' positive net balances (ledger base units). */
  gross: bigint;
  /** Sum of users' negative net balances, as a positive number. */
  debt: bigint;
  /** Bad-debt users' positions in this asset; absent when bad debt was not assessed. */
  badDebt?: { gross: bigint; debt: bigint };
}

/** What reserves must cover, by src/solvency's rule (see ReportSolvencyRow.liabilities). */
export function coveredLiabilities(l: LiabilityTotals): bigint {
  const owed = l.gross - (l.badDebt?.gross ?? 0n) - (l.debt - (l.badDebt?.debt ?? 0n));
  return owed > 0n ? owed : 0n;
}

export function solvencyRows(
  assets: readonly AssetInfo[],
  reserves: ReadonlyMap<string, bigint>,
  liabilities: readonly LiabilityTotals[],
): ReportSolvencyRow[] {
  const liab = new Map(liabilities.map((l) => [l.asset, l]));
  return assets.map((a) => {
    const l = liab.get(a.symbol);
    if (!l) throw porError('BAD_INPUT', `no liability total for asset ${a.symbol}`, { field: 'liabilities' });
    const r = reserves.get(a.symbol) ?? 0n;
    const net = l.gross - l.debt;
    const must = coveredLiabilities(l);
    const surplus = r - must;
    const f = (u: bigint) => formatAmount(u, a.decimals);
    return {
      asset: a.symbol,
      decimals: a.decimals,
      reserves: f(r),
      reservesUnits: r.toString(),
      grossLiabilities: f(l.gross),
      grossLiabilitiesUnits: l.gross.toString(),
      userDebt: f(l.debt),
      userDebtUnits: l.debt.toString(),
      netLiabilities: f(net),
      netLiabilitiesUnits: net.toString(),
      badDebt: l.badDebt ? { gross: f(l.badDebt.gross), grossUnits: l.badDebt.gross.toString(), debt: f(l.badDebt.debt), debtUnits: l.badDebt.debt.toString() } : null,
      liabilities: f(must),
      liabilitiesUnits: must.toString(),
      surplus: f(surplus),
      surplusUnits: surplus.toString(),
      ratio: ratioText(r, must),
      covered: r >= must,
      exchangeToken: a.exchangeToken === true,
    };
  });
}

/** The liabilities a report states, back as totals (for recomputing from other reserves). */
export function liabilitiesOf(rows: readonly ReportSolvencyRow[]): LiabilityTotals[] {
  return rows.map((s) => {
    const l: LiabilityTotals = { asset: s.asset, gross: BigInt(s.grossLiabilitiesUnits), debt: BigInt(s.userDebtUnits) };
    if (s.badDebt) l.badDebt = { gross: BigInt(s.badDebt.grossUnits), debt: BigInt(s.badDebt.debtUnits) };
    return l;
  });
}

/** A ratio as a percentage with two decimals, rounded down (tables only; JSON keeps full text). */
export function percentText(ratio: string | null): string {
  if (ratio === null) return 'n/a';
  return `${new RatioDecimal(ratio).times(100).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2)} %`;
}

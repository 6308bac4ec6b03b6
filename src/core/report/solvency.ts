// Per-asset reserves vs liabilities for the report, and the reserves sum from address balances.
// Pure and exact: bigint base units; coverage by the one rule in src/core/solvency/coverage.ts (also
// `por solvency`'s). The audit recomputes with these same functions from the balances it read itself.
import { porError } from '../errors/index.js';
import { formatAmount, rescale } from '../money/index.js';
import { coverage, type Netting } from '../solvency/coverage.js';
import type { ReportSolvencyRow } from './types.js';

export { RATIO_PRECISION, percentText, ratioText } from '../solvency/coverage.js';

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

export interface LiabilityTotals {
  asset: string;
  /** Sum of users' positive net balances (ledger base units). */
  gross: bigint;
  /** Sum of users' negative net balances, as a positive number. */
  debt: bigint;
  /** How debt was treated (bad debt, uncollateralised); absent when it was not assessed (no netting). */
  netting?: Netting;
}

/** What reserves must cover, by the one rule (src/core/solvency/coverage.ts). */
export function coveredLiabilities(l: LiabilityTotals): bigint {
  return coverage({ reserves: 0n, gross: l.gross, debt: l.debt, netting: l.netting ?? null }).mustCover;
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
    const c = coverage({ reserves: r, gross: l.gross, debt: l.debt, netting: l.netting ?? null });
    const f = (u: bigint) => formatAmount(u, a.decimals);
    const n = l.netting;
    return {
      asset: a.symbol,
      decimals: a.decimals,
      reserves: f(r),
      reservesUnits: r.toString(),
      grossLiabilities: f(l.gross),
      grossLiabilitiesUnits: l.gross.toString(),
      userDebt: f(l.debt),
      userDebtUnits: l.debt.toString(),
      netLiabilities: f(l.gross - l.debt),
      netLiabilitiesUnits: (l.gross - l.debt).toString(),
      grossSurplus: f(c.grossSurplus),
      grossSurplusUnits: c.grossSurplus.toString(),
      grossRatio: c.grossRatio,
      grossCovered: c.grossCovered,
      badDebt: n ? { gross: f(n.badDebtHoldings), grossUnits: n.badDebtHoldings.toString(), debt: f(n.badDebt), debtUnits: n.badDebt.toString() } : null,
      uncollateralisedDebt: n ? { debt: f(n.uncollateralised), debtUnits: n.uncollateralised.toString() } : null,
      nettedDebt: f(c.nettedDebt),
      nettedDebtUnits: c.nettedDebt.toString(),
      liabilities: f(c.mustCover),
      liabilitiesUnits: c.mustCover.toString(),
      surplus: f(c.surplus),
      surplusUnits: c.surplus.toString(),
      ratio: c.ratio,
      covered: c.covered,
      exchangeToken: a.exchangeToken === true,
    };
  });
}

/** A row's stated netting figures as bigints (null when not assessed). */
export function nettingOf(s: ReportSolvencyRow): Netting | null {
  if (!s.badDebt || !s.uncollateralisedDebt) return null;
  return { badDebtHoldings: BigInt(s.badDebt.grossUnits), badDebt: BigInt(s.badDebt.debtUnits), uncollateralised: BigInt(s.uncollateralisedDebt.debtUnits) };
}

// The one coverage rule: what reserves must cover in an asset, and the ratios, gross and netted.
// `por solvency`, report.json (src/core/report/solvency.ts) and `por audit` all call this; nothing else
// computes a ratio or "must cover". Pure and exact: bigint base units; the ratio with decimal.js at
// RATIO_PRECISION significant digits, rounded down, so coverage is never overstated.
import { Decimal } from 'decimal.js';
import { percentDown } from '../money/display.js';

export const RATIO_PRECISION = 40;
/** Decimal at RATIO_PRECISION significant digits, rounded down: every figure derived from amounts (ratios, their
 *  differences, USD values) is computed with this one setting. */
export const RatioDecimal = Decimal.clone({ precision: RATIO_PRECISION, rounding: Decimal.ROUND_DOWN });

/**
 * How users' debt in one asset was treated (src/solvency/debtors.ts decides per user). null when it
 * was not assessed (no prices): then no debt is netted at all.
 */
export interface Netting {
  /** Holdings of bad-debt users (total equity below zero at the prices): counted as nothing owed. */
  badDebtHoldings: bigint;
  /** Debt of bad-debt users: not netted. */
  badDebt: bigint;
  /** Debt of users with equity ≥ 0 whose haircut collateral does not cover their debt: not netted. */
  uncollateralised: bigint;
}

export interface CoverageInput {
  reserves: bigint;
  /** Σ users' positive nets (the Merkle root's equity sum): what users own, no netting. */
  gross: bigint;
  /** Σ users' negative nets, positive (the root's debt sum). */
  debt: bigint;
  netting: Netting | null;
}

export interface Coverage {
  /** Debt netted against other users' holdings: debt − bad debt − uncollateralised (0 without netting). */
  nettedDebt: bigint;
  /** What reserves must cover after netting: max(0, gross − bad-debt holdings − netted debt). */
  mustCover: bigint;
  surplus: bigint;
  ratio: string | null;
  covered: boolean;
  /** Reserves against gross liabilities: no figure the exchange states can move these three. */
  grossSurplus: bigint;
  grossRatio: string | null;
  grossCovered: boolean;
}

export function coverage(c: CoverageInput): Coverage {
  const n = c.netting;
  const nettedDebt = n === null ? 0n : c.debt - n.badDebt - n.uncollateralised;
  const owed = c.gross - (n?.badDebtHoldings ?? 0n) - nettedDebt;
  const mustCover = owed > 0n ? owed : 0n;
  return {
    nettedDebt,
    mustCover,
    surplus: c.reserves - mustCover,
    ratio: ratioText(c.reserves, mustCover),
    covered: c.reserves >= mustCover,
    grossSurplus: c.reserves - c.gross,
    grossRatio: ratioText(c.reserves, c.gross),
    grossCovered: c.reserves >= c.gross,
  };
}

/** reserves / owed, full precision text (no exponent), or null when nothing is owed. */
export function ratioText(reserves: bigint, owed: bigint): string | null {
  if (owed === 0n) return null;
  return new RatioDecimal(reserves.toString()).div(new RatioDecimal(owed.toString())).toFixed();
}

/** A ratio as a percentage with 2 decimals, rounded down so that 99.999 % never shows as 100.00 %
 *  (the one display rule: core/money/display.ts). */
export const percentText = percentDown;

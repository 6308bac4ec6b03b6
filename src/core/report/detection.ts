// How likely users are to notice accounts left out of the liabilities tree (threats.md row 5).
// No proof can show that nobody was omitted; an omission is caught only when an omitted user checks.
// If each user checks independently with probability f, k omitted accounts all go unnoticed with
// probability (1 − f)^k, so P(detect) = 1 − (1 − f)^k, and the share needed for confidence c is
// f = 1 − (1 − c)^(1/k). Pure (decimal.js at an explicit precision; never JS floating point for
// the published figures).
import { Decimal } from 'decimal.js';
import { porError } from '../errors/index.js';

export const DETECTION_PRECISION = 40;
/** Significant digits published; probabilities rounded down and shares rounded up, so neither is overstated. */
export const DETECTION_DIGITS = 20;
export const DETECTION_FORMULA = 'P(detect) = 1 - (1 - f)^k';
export const DETECTION_MODEL =
  'k accounts are left out of the tree; each user checks their proof independently with probability f (the share of users who check); the omission is noticed when at least one omitted user checks';
/** The table report.json carries: shares of users checking × accounts omitted. */
export const DETECTION_SHARES = ['0.001', '0.01', '0.05', '0.1'] as const;
export const DETECTION_OMITTED = [1, 10, 100, 1000] as const;
export const DETECTION_CONFIDENCES = ['0.5', '0.9', '0.99'] as const;

// Directed rounding, so the published figures err on the side of caution: a probability is
// computed no higher than it is (1 − q with q rounded up, then the difference rounded down), a share
// needed no lower. Half-even here would turn 1 − 0.9^1000 = 1 − 1.7·10^−46 into exactly 1.
const D = Decimal.clone({ precision: DETECTION_PRECISION, rounding: Decimal.ROUND_HALF_EVEN });
const UP = Decimal.clone({ precision: DETECTION_PRECISION, rounding: Decimal.ROUND_UP });
const DOWN = Decimal.clone({ precision: DETECTION_PRECISION, rounding: Decimal.ROUND_DOWN });

export interface DetectionRow {
  /** f, decimal text in [0, 1]. */
  share: string;
  /** k. */
  omitted: number;
  /** 1 − (1 − f)^k, decimal text, DETECTION_DIGITS significant digits, rounded down. */
  probability: string;
}

export interface ShareNeededRow {
  /** c, decimal text in [0, 1). */
  confidence: string;
  omitted: number;
  /** 1 − (1 − c)^(1/k), decimal text, DETECTION_DIGITS significant digits, rounded up. */
  share: string;
}

export interface Detection {
  formula: string;
  model: string;
  /** decimal.js precision (significant digits) the figures were computed at. */
  precision: number;
  rows: DetectionRow[];
  needed: ShareNeededRow[];
}

function unit(v: Decimal.Value, what: string, open = false): Decimal {
  let x: Decimal;
  try {
    x = new D(v);
  } catch {
    throw porError('BAD_USAGE', `${what} must be a number from 0 to 1, got ${String(v)}`, { field: what });
  }
  if (!x.isFinite() || x.lt(0) || x.gt(1) || (open && x.eq(1))) throw porError('BAD_USAGE', `${what} must be from 0 to 1${open ? ' (below 1)' : ''}, got ${String(v)}`, { field: what });
  return x;
}

function count(k: number, what = 'omitted'): number {
  if (!Number.isSafeInteger(k) || k < 1) throw porError('BAD_USAGE', `${what} must be a positive integer, got ${k}`, { field: what });
  return k;
}

/** 1 − (1 − f)^k at DETECTION_PRECISION significant digits. */
export function detectionProbability(share: Decimal.Value, omitted: number): Decimal {
  const f = unit(share, 'share');
  const q = new UP(1).minus(f.toString()).pow(count(omitted)); // (1 − f)^k, no lower than it is
  return new DOWN(1).minus(q.toString());
}

/** The share f of users who must check for P(detect) ≥ confidence against k omissions: 1 − (1 − c)^(1/k). */
export function shareNeeded(confidence: Decimal.Value, omitted: number): Decimal {
  const c = unit(confidence, 'confidence', true);
  const r = new DOWN(1).minus(c.toString()).pow(new UP(1).div(count(omitted))); // (1 − c)^(1/k), no higher than it is (exponent rounded up)
  return new UP(1).minus(r.toString());
}

const text = (x: Decimal, rounding: Decimal.Rounding) => x.toSignificantDigits(DETECTION_DIGITS, rounding).toFixed();

/** The figures report.json publishes (docs/FORMATS.md, "detection"). */
export function detectionTable(): Detection {
  return {
    formula: DETECTION_FORMULA,
    model: DETECTION_MODEL,
    precision: DETECTION_PRECISION,
    rows: DETECTION_SHARES.flatMap((share) =>
      DETECTION_OMITTED.map((omitted) => ({ share, omitted, probability: text(detectionProbability(share, omitted), Decimal.ROUND_DOWN) })),
    ),
    needed: DETECTION_CONFIDENCES.flatMap((confidence) =>
      DETECTION_OMITTED.map((omitted) => ({ confidence, omitted, share: text(shareNeeded(confidence, omitted), Decimal.ROUND_UP) })),
    ),
  };
}

/** "63.39 %": percent, two decimals, rounded down; "> 99.99 %" when that rounding hides the rest. */
export function percentDown(p: string): string {
  const x = new D(p).times(100);
  const shown = x.toDecimalPlaces(2, Decimal.ROUND_DOWN);
  if (x.eq(100)) return '100 %';
  if (shown.gte('99.99') && x.gt(shown)) return '> 99.99 %';
  return `${shown.toFixed(2)} %`;
}

/** "36.91 %": percent, two decimals, rounded up (a share needed is never understated). */
export function percentUp(p: string): string {
  return `${new D(p).times(100).toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2)} %`;
}

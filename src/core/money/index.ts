// The one place where decimal text becomes base units and back. Amounts are bigint base units.
import { porError } from '../errors/index.js';

export const MAX_DECIMALS = 36;

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw porError('BAD_INPUT', `decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${decimals}`);
  }
}

export interface ParseOptions {
  /** Accept a leading '-' (margin balances). Default false. */
  allowNegative?: boolean;
}

/**
 * Parses plain decimal text (`-?\d+(\.\d+)?`) into base units. Rejects everything else with a
 * reason a human can act on: exponents, separators, signs, too many fractional digits, NaN.
 */
export function parseAmount(text: string, decimals: number, options: ParseOptions = {}): bigint {
  checkDecimals(decimals);
  const len = text.length;
  if (len === 0) throw porError('BAD_AMOUNT', 'empty amount');
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */) {
    if (!options.allowNegative) throw porError('BAD_AMOUNT', `negative amount "${text}" is not allowed here`);
    negative = true;
    i = 1;
  } else if (first === 43 /* + */) {
    throw porError('BAD_AMOUNT', `amount "${text}" has a leading '+'; write plain digits`);
  }
  const intStart = i;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < len && text.charCodeAt(i) === 46 /* . */) {
    fracStart = ++i;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    fracEnd = i;
    if (fracEnd === fracStart) throw bad(text, 'has a trailing decimal point');
  }
  if (i === intStart && /^[+-]?(nan|inf|infinity)$/i.test(text)) throw bad(text, 'is not a number');
  if (i < len) {
    const c = text[i];
    if (c === 'e' || c === 'E') throw bad(text, 'uses exponent notation; write the full decimal');
    if (c === ',' || c === '_' || c === ' ' || c === "'") throw bad(text, 'contains a thousands separator or space');
    throw bad(text, `contains '${c}' at position ${i + 1}`);
  }
  if (intEnd === intStart) throw bad(text, fracEnd > fracStart ? 'has no digit before the decimal point' : 'is not a number');
  const fracLen = fracEnd - fracStart;
  if (fracLen > decimals) {
    throw bad(text, `has ${fracLen} fractional digits; this asset allows at most ${decimals}`);
  }
  const digits = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd) + '0'.repeat(decimals - fracLen);
  const value = BigInt(digits);
  return negative ? -value : value;
}

function bad(text: string, why: string) {
  return porError('BAD_AMOUNT', `amount "${text}" ${why}`);
}

export interface FormatOptions {
  /** Drop trailing fractional zeros (and the point when nothing is left). Default false. */
  trim?: boolean;
}

/** Base units to decimal text with exactly `decimals` fractional digits (or trimmed). */
export function formatAmount(units: bigint, decimals: number, options: FormatOptions = {}): string {
  checkDecimals(decimals);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  let s = abs.toString();
  if (decimals > 0) {
    s = s.padStart(decimals + 1, '0');
    let frac = s.slice(s.length - decimals);
    const int = s.slice(0, s.length - decimals);
    if (options.trim) frac = frac.replace(/0+$/, '');
    s = frac ? `${int}.${frac}` : int;
  }
  return negative ? `-${s}` : s;
}

/**
 * Converts base units between two precisions. Going to fewer decimals rounds toward zero, which
 * for reserves means never claiming more than is held; `exact` makes any lost remainder an error.
 */
export function rescale(units: bigint, from: number, to: number, exact = false): bigint {
  checkDecimals(from);
  checkDecimals(to);
  if (to >= from) return units * 10n ** BigInt(to - from);
  const factor = 10n ** BigInt(from - to);
  const q = units / factor;
  if (exact && q * factor !== units) {
    throw porError('BAD_AMOUNT', `${formatAmount(units, from)} cannot be written with ${to} decimals without rounding`);
  }
  return q;
}

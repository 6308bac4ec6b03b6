// OKX's decimal text, done exactly: amounts become bigint at a common scale via src/money, and
// sums are truncated to 8 decimals and written without trailing zeros, as OKX's validator does
// (shopspring/decimal `Add(...).RoundDown(8).String()`). Pure.
import { porError } from '../errors/index.js';
import { formatAmount, parseAmount } from '../money/index.js';
import type { JsonAt } from '../json/read.js';

/** OKX keeps 8 fractional digits in its Merkle sums. */
export const OKX_SUM_DECIMALS = 8;

/** An exact decimal: `units / 10^scale`. */
export interface Dec {
  units: bigint;
  scale: number;
}

const GRAMMAR = /^-?\d+(\.\d+)?$/;

/** Parses OKX's amount text (negative allowed: OKX's rules accept it, por flags it separately). */
export function parseDec(text: string): Dec {
  if (!GRAMMAR.test(text)) throw porError('BAD_AMOUNT', `amount "${text}" is not plain decimal text`);
  const dot = text.indexOf('.');
  const scale = dot < 0 ? 0 : text.length - dot - 1;
  return { units: parseAmount(text, scale, { allowNegative: true }), scale };
}

/** A JSON value that must be amount text in quotes (OKX's and Bybit's files): the text, as written. */
export function decAt(v: JsonAt): string {
  const t = v.string(undefined, 'decimal text in quotes');
  if (!GRAMMAR.test(t)) v.fail(`amount "${t}" is not plain decimal text`, 'BAD_AMOUNT');
  return t;
}

function at(d: Dec, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: at(a, scale) + at(b, scale), scale };
}

export function cmpDec(a: Dec, b: Dec): number {
  const scale = Math.max(a.scale, b.scale);
  const x = at(a, scale);
  const y = at(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Truncates toward zero to `decimals` places (Go's RoundDown). */
export function truncDec(d: Dec, decimals: number): Dec {
  if (d.scale <= decimals) return d;
  const f = 10n ** BigInt(d.scale - decimals);
  return { units: d.units / f, scale: decimals }; // bigint division truncates toward zero
}

/** Canonical text: no trailing fractional zeros, no trailing point, "0" for zero. */
export function formatDec(d: Dec): string {
  const s = formatAmount(d.units, d.scale, { trim: true });
  return s === '-0' ? '0' : s;
}

/** OKX's parent sum: exact addition, truncated to 8 decimals, canonical text. */
export function okxSum(a: string, b: string): string {
  return formatDec(truncDec(addDec(parseDec(a), parseDec(b)), OKX_SUM_DECIMALS));
}

/** Rounds a non-negative amount half-up to `decimals` places (how OKX's 2022 summary is written). */
export function roundDec(d: Dec, decimals: number): Dec {
  if (d.scale <= decimals) return d;
  const f = 10n ** BigInt(d.scale - decimals);
  const q = d.units / f;
  return { units: d.units - q * f >= (f + 1n) / 2n ? q + 1n : q, scale: decimals };
}

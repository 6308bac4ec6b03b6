// Numbers as people read them: the one place the CLI's text and every page (report.html, audit.html,
// history.html, verify.html) turn an exact figure into display text. Pure and browser-safe. Amounts
// stay decimal text or bigint base units (never a JS number); ratios are decimal text, as
// core/solvency/coverage.ts writes them. Everything here rounds DOWN, so a display never shows more
// coverage or more money than the exact figure (99.999 % is "99.99 %", never "100.00 %"); the
// exact value stays in `--json`.
import { Decimal } from 'decimal.js';
import { formatAmount } from './index.js';

/** Enough significant digits for any ratio or USD total por writes (core/solvency RATIO_PRECISION is 40). */
const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_DOWN });

const PLAIN_DECIMAL = /^([+-]?)(\d+)(\.\d+)?$/;

/**
 * Thousands separators in the integer part of plain decimal text: "1234567.891" → "1,234,567.891",
 * "-1234" → "-1,234". The fractional digits are left as they are. Text that is not a plain decimal
 * (e.g. "n/a") is returned unchanged.
 */
export function groupDigits(text: string): string {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return text;
  const [, sign, int, frac = ''] = m;
  return `${sign}${int!.replace(/\B(?=(\d{3})+$)/g, ',')}${frac}`;
}

/** Base units as grouped decimal text with all the asset's decimals: 1234567891n, 3 → "1,234,567.891". */
export function amountText(units: bigint, decimals: number): string {
  return groupDigits(formatAmount(units, decimals));
}

/**
 * A ratio (decimal text, 1 = 100 %) as a percentage with 2 decimals, rounded down:
 * "0.2052439789066352" → "20.52 %", "0.99999" → "99.99 %". null (nothing owed) → "n/a".
 */
export function percentDown(ratio: string | null): string {
  if (ratio === null) return 'n/a';
  const shown = new D(ratio).times(100).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  return `${groupDigits(shown.toFixed(2))} %`;
}

/** A USD figure (decimal text) with 2 decimals, rounded down, grouped: "157046295.5699" → "157,046,295.56". */
export function usdText(text: string): string {
  return groupDigits(new D(text).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2));
}

/** Column alignment: numbers right, words left. */
export type Align = 'left' | 'right';

/**
 * A plain-text table with aligned columns: each column as wide as its widest cell, cells joined by
 * two spaces, `align[i]` per column (default: first left, the rest right), trailing spaces dropped.
 * Widths count characters (the CLI's text is ASCII apart from symbols such as "×").
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const n = Math.max(head.length, ...rows.map((r) => r.length));
  const width = Array.from({ length: n }, (_, i) => Math.max((head[i] ?? '').length, ...rows.map((r) => (r[i] ?? '').length)));
  const side = (i: number): Align => align[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) =>
    width.map((w, i) => (side(i) === 'left' ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

// Exact comparison of plain decimal text (the haircut table's tier ends and ratios): both sides as
// integers at one common scale, nothing rounds. Pure.

/** Decimal text as an integer at `scale` fractional digits (scale ≥ the text's own). */
export function scaled(text: string, scale: number): bigint {
  const [int, frac = ''] = text.split('.');
  return BigInt(int! + frac.padEnd(scale, '0'));
}

/** Fractional digits of decimal text. */
export function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

export function compareDecimal(a: string, b: string): number {
  const s = Math.max(fractionDigits(a), fractionDigits(b));
  const x = scaled(a, s);
  const y = scaled(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount, rescale } from '../../src/core/money/index.js';
import { PorError } from '../../src/core/errors/index.js';

describe('parseAmount', () => {
  it('reads plain decimals into base units', () => {
    expect(parseAmount('1.5', 8)).toBe(150_000_000n);
    expect(parseAmount('0.00000001', 8)).toBe(1n);
    expect(parseAmount('42', 0)).toBe(42n);
    expect(parseAmount('-2.25', 2, { allowNegative: true })).toBe(-225n);
    expect(parseAmount('123456789012345678901234567890.123456789012345678', 18)).toBe(
      123456789012345678901234567890123456789012345678n,
    );
  });
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['1e5', /exponent/],
    ['1,000.5', /separator/],
    ['NaN', /not a number/],
    ['1.123456789', /9 fractional digits; this asset allows at most 8/],
    ['1.', /trailing decimal point/],
    ['.5', /no digit before/],
    ['+1', /leading '\+'/],
    ['-1', /negative/],
    ['1 000', /separator or space/],
    ['0x10', /contains 'x'/],
  ];
  for (const [text, why] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      let caught: unknown;
      try {
        parseAmount(text, 8);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PorError);
      expect((caught as PorError).code).toBe('BAD_AMOUNT');
      expect((caught as PorError).message).toMatch(why);
    });
  }
});

describe('formatAmount', () => {
  it('writes base units as decimals', () => {
    expect(formatAmount(150_000_000n, 8)).toBe('1.50000000');
    expect(formatAmount(150_000_000n, 8, { trim: true })).toBe('1.5');
    expect(formatAmount(-1n, 8)).toBe('-0.00000001');
    expect(formatAmount(100n, 2, { trim: true })).toBe('1');
    expect(formatAmount(7n, 0)).toBe('7');
  });
  it('round-trips', () => {
    for (const s of ['0.00000000', '12345.67890123', '-9.99999999']) {
      expect(formatAmount(parseAmount(s, 8, { allowNegative: true }), 8)).toBe(s);
    }
  });
});

describe('rescale', () => {
  it('truncates toward zero going down and is exact going up', () => {
    expect(rescale(1_999_999_999_999_999_999n, 18, 8)).toBe(199_999_999n);
    expect(rescale(5n, 6, 8)).toBe(500n);
    expect(() => rescale(15n, 1, 0, true)).toThrow(/without rounding/);
  });
});

// The display rules (src/core/money/display.ts), with expectations worked out by hand.
import { describe, expect, it } from 'vitest';
import { amountText, groupDigits, percentDown, textTable, usdText } from '../../src/core/money/display.js';

describe('percentDown: a ratio as a percentage, 2 decimals, rounded down', () => {
  it('cuts, never rounds up', () => {
    // 0.2052439789066352 × 100 = 20.52439…: the third decimal (4) is dropped.
    expect(percentDown('0.2052439789066352')).toBe('20.52 %');
    // 0.99999 × 100 = 99.999: rounding to nearest would print 100.00 %, overstating coverage.
    expect(percentDown('0.99999')).toBe('99.99 %');
    expect(percentDown('0.9999999999999999999999999999999999999999')).toBe('99.99 %');
    // 0.8261999 × 100 = 82.61999…
    expect(percentDown('0.8261999')).toBe('82.61 %');
  });
  it('exact values keep two decimals; big ones are grouped; nothing owed is n/a', () => {
    expect(percentDown('1')).toBe('100.00 %');
    expect(percentDown('0')).toBe('0.00 %');
    expect(percentDown('1.0702')).toBe('107.02 %');
    // 12345.678 × 100 = 1,234,567.8 %
    expect(percentDown('12345.678')).toBe('1,234,567.80 %');
    expect(percentDown(null)).toBe('n/a');
  });
});

describe('groupDigits: thousands separators in the integer part only', () => {
  it('groups by three from the decimal point', () => {
    expect(groupDigits('1234567.891')).toBe('1,234,567.891');
    expect(groupDigits('999')).toBe('999');
    expect(groupDigits('1000')).toBe('1,000');
    expect(groupDigits('100000')).toBe('100,000');
    expect(groupDigits('0.12345678')).toBe('0.12345678');
    expect(groupDigits('-48418018.419178')).toBe('-48,418,018.419178');
    expect(groupDigits('+1581982.080822')).toBe('+1,581,982.080822');
  });
  it('leaves anything else alone', () => {
    expect(groupDigits('n/a')).toBe('n/a');
    expect(groupDigits('1e21')).toBe('1e21');
  });
});

describe('amountText and usdText', () => {
  it('base units to grouped text with every decimal of the asset', () => {
    expect(amountText(1234567891n, 3)).toBe('1,234,567.891');
    expect(amountText(50000000500000n, 6)).toBe('50,000,000.500000');
    expect(amountText(-5n, 2)).toBe('-0.05');
  });
  it('USD: two decimals, rounded down, grouped', () => {
    expect(usdText('157046295.5699')).toBe('157,046,295.56');
    expect(usdText('5850')).toBe('5,850.00');
    expect(usdText('0.009')).toBe('0.00');
  });
});

describe('textTable: aligned columns', () => {
  it('pads each column to its widest cell, words left, numbers right', () => {
    expect(textTable(['asset', 'ratio'], [['BTC', '107.02 %'], ['USDT', '82.61 %']])).toEqual([
      'asset     ratio',
      'BTC    107.02 %',
      'USDT    82.61 %',
    ]);
  });
});

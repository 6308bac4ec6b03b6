// Progress lines' ETA text (src/cli/context.ts): seconds, minutes, hours, rounded up.
import { describe, expect, it } from 'vitest';
import { formatEta } from '../../src/cli/context.js';

describe('formatEta', () => {
  it('rounds up and switches units at a minute and an hour', () => {
    expect(formatEta(0.2)).toBe('1 s');
    expect(formatEta(59)).toBe('59 s');
    expect(formatEta(59.5)).toBe('1 min 00 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3600)).toBe('1 h 00 min');
    expect(formatEta(2 * 3600 + 7 * 60 + 30)).toBe('2 h 07 min');
  });
});

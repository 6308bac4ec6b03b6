// The per-asset table `por build --wallets` prints after publishing (src/core/report/summary.ts), on
// the hand-built report of fixture.ts: figures worked out in the comments there and here.
import { describe, expect, it } from 'vitest';
import { solvencySummary } from '../../src/core/report/summary.js';
import { makeReport } from './fixture.js';

describe('solvencySummary', () => {
  it('one aligned line per asset: owed, must cover, reserves, coverage and gross coverage in percent rounded down, status', () => {
    const lines = solvencySummary(makeReport());
    // No prices: nothing netted, so must cover = owed. ETH 1.83333333 / 2 = 0.916666665 → 91.66 %;
    // USDT 1000 / 900 = 1.111… → 111.11 %; XT (own token) 60 / 50 = 1.2 → 120.00 %.
    expect(lines[0]).toMatch(/^asset\s+owed to users\s+reserves must cover\s+on-chain reserves\s+coverage\s+gross coverage\s+status$/);
    expect(lines[1]).toMatch(/^ETH\s+2\.00000000\s+2\.00000000\s+1\.83333333\s+91\.66 %\s+91\.66 %\s+UNDER 100 %$/);
    expect(lines[2]).toMatch(/^USDT\s+900\.000000\s+900\.000000\s+1,000\.000000\s+111\.11 %\s+111\.11 %\s+covered$/);
    expect(lines[3]).toMatch(/^XT \*\s+50\.00\s+50\.00\s+60\.00\s+120\.00 %\s+120\.00 %\s+covered$/);
    // Aligned: every row's coverage figure ends where the header's "coverage" ends.
    const end = lines[0]!.indexOf('coverage') + 'coverage'.length;
    for (const l of lines.slice(1, 4)) expect(l.slice(0, end)).toMatch(/ %$/);
    expect(lines[4]).toMatch(/own token/);
  });

  it('with prices: a USD column and USD totals, the own token apart, rounded down', () => {
    const report = makeReport();
    report.netting = {
      pricesTime: '2026-11-24T00:00:00Z',
      prices: [{ asset: 'ETH', usd: '3000.5' }, { asset: 'USDT', usd: '1' }, { asset: 'XT', usd: '2' }],
      haircuts: [],
      badDebt: { users: 0, usd: '0' },
      uncollateralised: { users: 0 },
    };
    const lines = solvencySummary(report);
    // ETH 1.83333333 × 3000.5 = 5500.916656655 → 5,500.91 (down); USDT 1000 × 1; XT 60 × 2 = 120.
    expect(lines[1]).toMatch(/\s5,500\.91\s+UNDER 100 %$/);
    expect(lines[2]).toMatch(/\s1,000\.00\s+covered$/);
    expect(lines[3]).toMatch(/\s120\.00\s+covered$/);
    // Reserves 5500.916656655 + 1000 = 6500.916656655 → 6,500.91, plus XT 120.00 apart;
    // must cover 2 × 3000.5 + 900 + 50 × 2 = 7001.
    expect(lines.slice(-3)).toEqual([
      'USD totals at prices of 2026-11-24T00:00:00Z (informational: coverage is decided asset by asset above):',
      "  on-chain reserves    6,500.91 USD, plus 120.00 USD in the exchange's own token",
      '  reserves must cover  7,001.00 USD',
    ]);
  });
});

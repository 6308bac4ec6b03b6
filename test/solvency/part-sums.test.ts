// Debtors sorted one at a time as the parts of a snapshot are read (src/solvency/debtors.ts,
// DebtorSorter; src/ingest/part-sums.ts): whatever order the parts hand them in, the figures are
// those of the debtors in file order, the samples the first 20 in the file — worked out by hand.
import { describe, expect, it } from 'vitest';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { DebtorSorter } from '../../src/solvency/debtors.js';
import { PartSums } from '../../src/ingest/part-sums.js';
import type { HaircutTable } from '../../src/core/solvency/haircuts.js';
import type { Snapshot } from '../../src/ingest/index.js';
import type { UserBalances } from '../../src/ingest/types.js';

const E8 = 10n ** 8n;
const E6 = 10n ** 6n;
const assets = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'USDT', decimals: 6 },
];
const price = (s: string) => ({ BTC: '50000', USDT: '1' })[s]!;
const FULL: HaircutTable = [
  { asset: 'BTC', tiers: [{ upToUsd: null, ratio: '1' }] },
  { asset: 'USDT', tiers: [{ upToUsd: null, ratio: '1' }] },
];
const user = (userId: string, net: bigint[]): UserBalances => ({ userId, mode: 'multi-currency-margin', net });

// bd0…bd59 on even lines from 2: bad debt (owe 1 BTC = 50,000 USD, hold 1 USDT). un0…un29 on odd
// lines from 3: equity ≥ 0 (hold 0.0001 BTC = 5 USD, owe 1 USDT) but uncollateralised under NO_BTC,
// where BTC counts for nothing; healthy under FULL (5 USD of collateral ≥ 1 USD owed).
const debtors: { line: number; user: UserBalances }[] = [];
for (let i = 0; i < 60; i++) debtors.push({ line: 2 + 2 * i, user: user(`bd${i}`, [-1n * E8, 1n * E6]) });
for (let i = 0; i < 30; i++) debtors.push({ line: 3 + 2 * i, user: user(`un${i}`, [10_000n, -1n * E6]) });
const NO_BTC: HaircutTable = [{ asset: 'USDT', tiers: [{ upToUsd: null, ratio: '1' }] }];

describe('DebtorSorter: debtors in any order, the figures of file order', () => {
  it('60 in bad debt and 30 uncollateralised, handed in reverse: counts, sums and the first 20 of each by line', () => {
    const s = new DebtorSorter(assets, price, NO_BTC);
    for (const d of [...debtors].reverse()) s.add(d.user, d.line);
    const r = s.result();
    expect(r.users).toBe(60);
    // each owes 1 BTC (50,000 USD) and holds 1 USDT: 49,999 USD short each, 2,999,940 in all
    expect(r.usd).toBe('2999940');
    expect(r.gross).toEqual([0n, 60n * E6]);
    expect(r.debt).toEqual([60n * E8, 0n]);
    expect(r.sample).toEqual(Array.from({ length: 20 }, (_, i) => `bd${i}`));
    // 0.0001 BTC (5 USD, counted at nothing: BTC has no haircut tier) against 1 USDT owed
    expect(r.uncollateralised.users).toBe(30);
    expect(r.uncollateralised.debt).toEqual([0n, 30n * E6]);
    expect(r.uncollateralised.sample).toEqual(Array.from({ length: 20 }, (_, i) => `un${i}`));
  });

  it('a debtor whose haircut collateral covers the debt is healthy: not counted', () => {
    const s = new DebtorSorter(assets, price, FULL);
    s.add(user('ok', [10_000n, -1n * E6]), 2);
    expect(s.result().uncollateralised.users).toBe(0);
    expect(s.result().users).toBe(0);
  });
});

describe('PartSums: parts summed, debtors handed on with their line in the original file', () => {
  const registry = parseAssetRegistry({ format: 'por-assets', version: 1, assets: assets.map((a) => ({ ...a, onchain: [] })) }, 'assets.json');
  /** A part holding `list` (its local lines 2, 3, …), with totals of 1 unit per user. */
  const part = (list: { line: number; user: UserBalances }[]): { snap: Snapshot; original: (l: number) => number } => {
    const snap = {
      rows: list.length, userCount: list.length, modes: { simple: 0, 'single-currency-margin': 0, 'multi-currency-margin': list.length },
      totals: registry.assets.map((a) => ({ asset: a.symbol, gross: 1n * BigInt(list.length), debt: 2n * BigInt(list.length), net: -1n * BigInt(list.length), users: list.length })),
      exchangeOwned: { accounts: [], totals: [0n, 0n] },
      debtors: () => list.map((d) => d.user),
      debtorLines: () => Uint32Array.from(list.map((_, i) => i + 2)),
      exchangeLines: () => [],
    } as unknown as Snapshot;
    return { snap, original: (l) => (l <= 1 ? l : list[l - 2]!.line) };
  };

  it('three parts: sums are sums, each debtor goes on once with its original line, and debtors() is refused', () => {
    const parts = [0, 1, 2].map((k) => part(debtors.filter((_, i) => i % 3 === k)));
    const seen: [string, number][] = [];
    const sums = new PartSums(registry, (u, line) => seen.push([u.userId, line]));
    for (const p of parts) sums.add(p.snap, p.original);
    const r = sums.result('x.csv', 'csv');
    expect(r.userCount).toBe(90);
    expect(r.totals.map((t) => [t.gross, t.debt, t.net, t.users])).toEqual([[90n, 180n, -90n, 90], [90n, 180n, -90n, 90]]);
    expect(r.modes['multi-currency-margin']).toBe(90);
    expect(seen.sort((a, b) => a[1] - b[1])).toEqual(debtors.map((d) => [d.user.userId, d.line]).sort((a, b) => (a[1] as number) - (b[1] as number)));
    expect(() => [...r.debtors()]).toThrow(/handed on/);
  });

  it('without a sink the debtors are kept and given back in the order of their first line', () => {
    const parts = [0, 1, 2].map((k) => part(debtors.filter((_, i) => i % 3 === k)));
    const sums = new PartSums(registry);
    for (const p of parts.reverse()) sums.add(p.snap, p.original);
    const want = [...debtors].sort((a, b) => a.line - b.line).map((d) => d.user.userId);
    expect([...sums.result('x.csv', 'csv').debtors()].map((u) => u.userId)).toEqual(want);
  });
});

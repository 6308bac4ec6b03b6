// Haircut collateral and the sorting of debtors, worked out by hand; and the dummy-user attack
// (threat 22) at the source: `por solvency` and the report never net a fabricated user's debt.
import { describe, expect, it } from 'vitest';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { PorError } from '../../src/core/errors/index.js';
import { classifyDebtors, CollateralModel, valuation } from '../../src/solvency/debtors.js';
import { parseHaircutsDocument, type HaircutTable } from '../../src/core/solvency/haircuts.js';
import { assessBadDebt, computeSolvency, type Prices } from '../../src/solvency/index.js';
import type { UserBalances } from '../../src/ingest/types.js';

const E8 = 10n ** 8n;
const E6 = 10n ** 6n;
const assets = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'USDT', decimals: 6 },
];
const price = (s: string) => ({ BTC: '50000', USDT: '1' })[s]!;
const BTC_TIERS: HaircutTable = [
  { asset: 'BTC', tiers: [{ upToUsd: '1000000', ratio: '0.95' }, { upToUsd: '10000000', ratio: '0.9' }, { upToUsd: null, ratio: '0.7' }] },
  { asset: 'USDT', tiers: [{ upToUsd: null, ratio: '1' }] },
];
const user = (userId: string, net: bigint[]): UserBalances => ({ userId, mode: 'multi-currency-margin', net });

describe('tiered haircut collateral (hand-computed)', () => {
  const model = new CollateralModel(assets, valuation(assets, price), BTC_TIERS);
  // The model's unit is 10^−(8 + 2) USD: prices have no decimals, BTC has 8, ratios 2.
  const usd = (x: bigint) => x * 10n ** 10n;

  it('30 BTC = 1,500,000 USD: 1,000,000 × 0.95 + 500,000 × 0.9 = 1,400,000', () => {
    expect(model.collateral([30n * E8, 0n])).toBe(usd(1_400_000n));
  });
  it('250 BTC = 12,500,000 USD: 950,000 + 9,000,000 × 0.9 + 2,500,000 × 0.7 = 10,800,000', () => {
    expect(model.collateral([250n * E8, 0n])).toBe(usd(10_800_000n));
  });
  it('one satoshi (0.0005 USD) at 0.95 is 0.000475 USD, exactly', () => {
    expect(model.collateral([1n, 0n])).toBe(4_750_000n); // 0.000475 × 10^10
  });
  it('debt counts at full price, holdings only where positive', () => {
    expect(model.debt([-2n * E8, 5n * E6])).toBe(usd(100_000n));
  });

  it('collateral equal to the debt is enough; one base unit more debt is not', () => {
    // 30 BTC back 1,400,000 USDT exactly; 1,400,000.000001 USDT is short by a millionth of a dollar
    const even = classifyDebtors([user('even', [30n * E8, -1_400_000n * E6])], assets, price, BTC_TIERS);
    const over = classifyDebtors([user('over', [30n * E8, -1_400_000n * E6 - 1n])], assets, price, BTC_TIERS);
    expect(even.uncollateralised.users).toBe(0);
    expect(over.uncollateralised).toEqual({ users: 1, debt: [0n, 1_400_000n * E6 + 1n], sample: ['over'] });
    // equity is 100,000 USD above zero: not bad debt, the BTC stays owed to the user
    expect([over.users, over.gross]).toEqual([0, [0n, 0n]]);
  });

  it('without a table nothing counts as collateral; below zero equity is bad debt whatever the table', () => {
    expect(classifyDebtors([user('a', [30n * E8, -1n * E6])], assets, price, []).uncollateralised.users).toBe(1);
    // −1 BTC (50,000) + 10,000 USDT: equity −40,000 → bad debt, holdings written off, debt not netted
    const b = classifyDebtors([user('dave', [-1n * E8, 10_000n * E6])], assets, price, BTC_TIERS);
    expect(b).toMatchObject({ users: 1, usd: '40000', gross: [0n, 10_000n * E6], debt: [1n * E8, 0n], uncollateralised: { users: 0 } });
  });

  it('a debt in an asset priced zero is never netted, however much collateral backs it', () => {
    const reg = [...assets, { symbol: 'ZERO', decimals: 0 }];
    const p = (s: string) => ({ BTC: '50000', USDT: '1', ZERO: '0' })[s]!;
    const r = classifyDebtors([user('z', [100n * E8, 0n, -1n])], reg, p, BTC_TIERS);
    expect(r.uncollateralised).toEqual({ users: 1, debt: [0n, 0n, 1n], sample: ['z'] });
  });
});

describe('the haircut table file (por-haircuts v1)', () => {
  const symbols = ['BTC', 'USDT'];
  const doc = (assetsList: unknown) => ({ format: 'por-haircuts', version: 1, assets: assetsList });
  const caught = (json: unknown): PorError => {
    try {
      parseHaircutsDocument(json, symbols, 'h.json');
    } catch (e) {
      if (e instanceof PorError) return e;
      throw e;
    }
    throw new Error('expected a PorError');
  };
  it('reads a tiered table', () => {
    expect(parseHaircutsDocument(doc(BTC_TIERS), symbols, 'h.json')).toEqual(BTC_TIERS);
  });
  const bad: [string, unknown, string, RegExp][] = [
    ['version 2', { ...doc([]), version: 2 }, 'version', /unsupported version 2/],
    ['unknown asset', doc([{ asset: 'DOGE', tiers: [{ upToUsd: null, ratio: '1' }] }]), 'assets[0].asset', /unknown asset "DOGE"/],
    ['an asset twice', doc([{ asset: 'BTC', tiers: [{ upToUsd: null, ratio: '1' }] }, { asset: 'BTC', tiers: [{ upToUsd: null, ratio: '1' }] }]), 'assets[1].asset', /listed twice/],
    ['a ratio above 1', doc([{ asset: 'BTC', tiers: [{ upToUsd: null, ratio: '1.01' }] }]), 'assets[0].tiers[0].ratio', /from 0 to 1/],
    ['a ratio rising with size', doc([{ asset: 'BTC', tiers: [{ upToUsd: '10', ratio: '0.5' }, { upToUsd: null, ratio: '0.6' }] }]), 'assets[0].tiers[1].ratio', /never rise/],
    ['a last tier with an end', doc([{ asset: 'BTC', tiers: [{ upToUsd: '10', ratio: '0.5' }] }]), 'assets[0].tiers[0].upToUsd', /last tier has no end/],
    ['tier ends not rising', doc([{ asset: 'BTC', tiers: [{ upToUsd: '10', ratio: '0.5' }, { upToUsd: '10', ratio: '0.5' }, { upToUsd: null, ratio: '0' }] }]), 'assets[0].tiers[1].upToUsd', /rise/],
    ['a number, not text', doc([{ asset: 'BTC', tiers: [{ upToUsd: null, ratio: 0.5 }] }]), 'assets[0].tiers[0].ratio', /decimal text/],
    ['an unknown field', doc([{ asset: 'BTC', tiers: [{ upToUsd: null, ratio: '1', haircut: '0' }] }]), 'assets[0].tiers[0].haircut', /unknown field/],
  ];
  for (const [what, json, field, message] of bad) {
    it(`refuses ${what}, naming the field`, () => {
      const e = caught(json);
      expect(e.message).toMatch(message);
      expect([e.code, e.info.file, e.info.field]).toEqual(['BAD_INPUT', 'h.json', field]);
    });
  }
});

describe('threat 22: the dummy-user attack at the source (issue 11 item 10)', () => {
  // BTC 10 owned (alice), carol owes 2 BTC against 200,000 USDT (healthy). The exchange adds "dummy":
  // −100 BTC, backed by a token: its own (XTK, priced 2, not in the table), a thin one (THIN, 0.01
  // USD, counted 0.5 only for the first 10,000 USD of a holding) or an unpriced one (NOPE, price 0).
  const registry = parseAssetRegistry({
    assets: [
      { symbol: 'BTC', decimals: 8 },
      { symbol: 'USDT', decimals: 6 },
      { symbol: 'XTK', decimals: 8, exchangeToken: true },
      { symbol: 'THIN', decimals: 0 },
      { symbol: 'NOPE', decimals: 0 },
    ],
  });
  const prices: Prices = { usd: new Map([['BTC', '50000'], ['USDT', '1'], ['XTK', '2'], ['THIN', '0.01'], ['NOPE', '0']]) };
  const table: HaircutTable = [...BTC_TIERS, { asset: 'THIN', tiers: [{ upToUsd: '10000', ratio: '0.5' }, { upToUsd: null, ratio: '0' }] }];
  const honest = [user('alice', [10n * E8, 0n, 0n, 0n, 0n]), user('carol', [-2n * E8, 200_000n * E6, 0n, 0n, 0n])];
  const reserves = [{ chain: 'c', address: 'a', asset: 'BTC', balance: 9n * E8 }, { chain: 'c', address: 'a', asset: 'USDT', balance: 200_000n * E6 }];

  function solvencyOf(users: UserBalances[]) {
    const totals = registry.assets.map((a, i) => {
      const gross = users.reduce((s, u) => s + (u.net[i]! > 0n ? u.net[i]! : 0n), 0n);
      const debt = users.reduce((s, u) => s + (u.net[i]! < 0n ? -u.net[i]! : 0n), 0n);
      return { asset: a.symbol, gross, debt, net: gross - debt, users: users.filter((u) => u.net[i] !== 0n).length };
    });
    const debtors = users.filter((u) => u.net.some((x) => x < 0n));
    return computeSolvency({ registry, totals, reserves, prices, badDebt: assessBadDebt(debtors, registry, prices, table), haircuts: table }).assets[0]!;
  }

  it('without the dummy: must cover 10 − 2 = 8 BTC, 9 / 8 = 112.5 %; gross 9 / 10 = 90 %', () => {
    expect(solvencyOf(honest)).toMatchObject({ liabilities: 8n * E8, nettedDebt: 2n * E8, ratio: '1.125', grossRatio: '0.9' });
  });

  const dummies: [string, bigint[], string][] = [
    // 10,000,000 XTK = 20,000,000 USD raw, 0 as collateral → equity ≥ 0 but uncollateralised
    ['its own token', [-100n * E8, 0n, 10_000_000n * E8, 0n, 0n], 'uncollateralised'],
    // 1,000,000,000 THIN = 10,000,000 USD raw; collateral 10,000 × 0.5 = 5,000 USD < 5,000,000
    ['a thin token', [-100n * E8, 0n, 0n, 1_000_000_000n, 0n], 'uncollateralised'],
    // NOPE is worth 0: equity −5,000,000 → bad debt (NOPE holdings count as nothing owed)
    ['an unpriced token', [-100n * E8, 0n, 0n, 0n, 10n ** 12n], 'bad debt'],
  ];
  for (const [what, net, cls] of dummies) {
    it(`a dummy owing 100 BTC backed by ${what} is ${cls}: BTC coverage, netted and gross, does not move`, () => {
      const s = solvencyOf([...honest, user('dummy', net)]);
      expect(s.debt).toBe(102n * E8);
      expect(s).toMatchObject({ liabilities: 8n * E8, nettedDebt: 2n * E8, ratio: '1.125', grossRatio: '0.9', solvent: true, grossCovered: false });
      if (cls === 'bad debt') expect(s.badDebt).toEqual({ gross: 0n, debt: 100n * E8 });
      else expect(s.uncollateralised).toBe(100n * E8);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readSnapshot } from '../../src/ingest/index.js';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { PorError } from '../../src/core/errors/index.js';
import {
  assessBadDebt,
  computeSolvency,
  formatRatio,
  parsePrices,
  parseReserveBalances,
  type AssetSolvency,
} from '../../src/solvency/index.js';
import { readPrices, readReserveBalances } from '../../src/solvency/load.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const snap = await readSnapshot('test/fixtures/ingest/small.csv', registry);
const reserves = await readReserveBalances('test/fixtures/solvency/small-reserves.csv', registry);
const prices = await readPrices('test/fixtures/solvency/small-prices.csv', registry);

function caught(f: () => unknown): PorError {
  try {
    f();
  } catch (e) {
    if (e instanceof PorError) return e;
    throw e;
  }
  throw new Error('expected a PorError');
}

describe('reserve balances CSV', () => {
  it('parses on-chain precision and truncates to ledger precision', () => {
    expect(reserves).toEqual([
      { chain: 'bitcoin', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', asset: 'BTC', balance: 175000001n },
      // 0.123456789123456789 ETH (18 on-chain decimals) → 0.12345678 at the ledger's 8, never rounded up
      { chain: 'ethereum', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', asset: 'ETH', balance: 12345678n },
      { chain: 'ethereum', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', asset: 'USDT', balance: 1000000000n },
      { chain: 'ethereum', address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', asset: 'USDT', balance: 79499999n },
    ]);
  });
  const H = 'chain,address,asset,balance\n';
  const bad: Array<[string, string, number, number, string | undefined, RegExp]> = [
    [`${H}ethereum,0xabc,DOGE,1\n`, 'UNKNOWN_ASSET', 2, 16, 'asset', /unknown asset "DOGE"/],
    [`${H}ethereum,bc1qxyz,BTC,1\n`, 'BAD_INPUT', 2, 1, 'chain', /does not list BTC on chain "ethereum" \(it lists: bitcoin\)/],
    [`${H}ethereum,0xabc,ETH,1.1234567890123456789\n`, 'BAD_AMOUNT', 2, 20, 'balance', /19 fractional digits; this asset allows at most 18/],
    [`${H}bitcoin,bc1q,BTC,-1\n`, 'BAD_AMOUNT', 2, 18, 'balance', /negative/],
    [`${H}ethereum,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,ETH,1\nethereum,0x70997970c51812dc3a010c7d01b50e0d17dc79c8,ETH,1\n`, 'DUPLICATE', 3, 10, 'address', /already on line 2/],
    [`${H}bitcoin,bc1q,BTC,1`, 'BAD_INPUT', 2, 19, undefined, /does not end with a newline/],
    [`chain,addr,asset,balance\n`, 'BAD_INPUT', 1, 7, 'addr', /bad header: unknown column "addr"/],
    [`${H}bitcoin,bc1q,BTC,1e3\n`, 'BAD_AMOUNT', 2, 18, 'balance', /exponent/],
    [`${H}bitcoin,bc1q\uFFFD,BTC,1\n`, 'BAD_INPUT', 2, 13, undefined, /not valid UTF-8/],
  ];
  for (const [text, code, line, column, field, message] of bad) {
    it(`rejects ${JSON.stringify(text.slice(H.length, H.length + 40))}`, () => {
      const e = caught(() => parseReserveBalances(text, registry, 'r.csv'));
      expect(e.message).toMatch(message);
      expect({ code: e.code, file: e.info.file, line: e.info.line, column: e.info.column, field: e.info.field }).toEqual({ code, file: 'r.csv', line, column, field });
    });
  }
});

describe('reserves.json from `por reserves --out` (por-reserves)', () => {
  it('turns counted addresses into rows, truncated to ledger precision; uncounted ones are left out', async () => {
    expect(await readReserveBalances('test/fixtures/solvency/reserves-doc.json', registry)).toEqual([
      // 1.234567891234567891 ETH → 1.23456789 at 8 decimals
      { chain: 'ethereum', address: '0xaaaa000000000000000000000000000000000001', asset: 'ETH', balance: 123456789n },
      { chain: 'ethereum', address: '0xaaaa000000000000000000000000000000000001', asset: 'USDT', balance: 5000000n },
      { chain: 'bitcoin', address: 'bc1qtest', asset: 'BTC', balance: 150000000n },
    ]);
  });
  it('refuses a balance that could not be read rather than count it as zero', async () => {
    const e = await readReserveBalances('test/fixtures/solvency/reserves-doc-unread.json', registry).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PorError);
    expect((e as PorError).code).toBe('NETWORK');
    expect((e as PorError).message).toMatch(/HTTP 503 after 3 retries\); a missing balance is never counted as zero/);
    expect((e as PorError).info).toMatchObject({ chain: 'bitcoin', address: 'bc1qtest' });
  });
});

describe('prices CSV', () => {
  it('reads prices and the optional shared time', () => {
    const p = parsePrices('asset,usd_price,time\nBTC,1,2026-01-01T00:00:00Z\nETH,2,2026-01-01T00:00:00Z\nUSDT,1,2026-01-01T00:00:00Z\nUSDC,1,2026-01-01T00:00:00Z\nXTK,0.01,2026-01-01T00:00:00Z\n', registry);
    expect(p.time).toBe('2026-01-01T00:00:00Z');
    expect(p.usd.get('XTK')).toBe('0.01');
  });
  it('needs a price for every asset', () => {
    expect(caught(() => parsePrices('asset,usd_price\nBTC,1\n', registry, 'p.csv')).message).toMatch(/no price for ETH, USDT, USDC, XTK/);
  });
  it('rejects exponents and mixed times with their line and column', () => {
    const e = caught(() => parsePrices('asset,usd_price\nBTC,1e3\n', registry, 'p.csv'));
    expect([e.info.line, e.info.column, e.info.field]).toEqual([2, 5, 'usd_price']);
    const t = caught(() => parsePrices('asset,usd_price,time\nBTC,1,2026-01-01T00:00:00Z\nETH,1,2026-01-02T00:00:00Z\n', registry, 'p.csv'));
    expect(t.message).toMatch(/one snapshot time/);
    expect([t.info.line, t.info.column]).toEqual([3, 7]);
  });
});

describe('bad debt (hand-computed on small.csv at BTC 50000, ETH 2000, USDT 1, USDC 1, XTK 0.5)', () => {
  // u2: 0.00000001 BTC × 50000 − 0.5 ETH × 2000 + 1000 USDT = +0.0005 → not bad debt
  // u4: −2 ETH × 2000 + 10 XTK × 0.5 = −3995 → bad debt
  it('finds exactly u4, 3995 USD short; u2 (equity ≥ 0) is uncollateralised without a haircut table', () => {
    const b = assessBadDebt(snap.debtors(), registry, prices);
    // u2 owes 0.5 ETH and holds 1000 USDT + 0.00000001 BTC: with no table nothing counts as collateral
    expect(b).toEqual({ users: 1, usd: '3995', gross: [0n, 0n, 0n, 0n, 1000000000n], debt: [0n, 200000000n, 0n, 0n, 0n], sample: ['u4'], uncollateralised: { users: 1, debt: [0n, 50000000n, 0n, 0n, 0n], sample: ['u2'] } });
  });
  it('is exact where floating point is not: equity of exactly zero is not bad debt', () => {
    const reg = parseAssetRegistry({ assets: [{ symbol: 'A', decimals: 8 }, { symbol: 'B', decimals: 2 }] });
    // −0.1 A at 3 USD + 0.3 B at 1 USD = −0.3 + 0.3 = 0 exactly; in floating point it comes out below zero
    const p = { usd: new Map([['A', '3'], ['B', '1']]) };
    expect(0.3 + -0.1 * 3).toBeLessThan(0);
    expect(assessBadDebt([{ userId: 'x', mode: 'multi-currency-margin', net: [-10000000n, 30n] }], reg, p).users).toBe(0);
    // one more base unit of A owed: −0.10000001 × 3 + 0.3 = −0.00000003
    expect(assessBadDebt([{ userId: 'y', mode: 'multi-currency-margin', net: [-10000001n, 30n] }], reg, p)).toMatchObject({ users: 1, usd: '0.00000003' });
  });
});

describe('computeSolvency (hand-computed on small.csv + small-reserves.csv)', () => {
  const by = (list: AssetSolvency[]) => Object.fromEntries(list.map((a) => [a.asset, a]));

  it('with prices: bad debt adjusts ETH and XTK, USDT is 0.000001 short', () => {
    const s = computeSolvency({ registry, totals: snap.totals, reserves, exchangeOwned: snap.exchangeOwned, prices, badDebt: assessBadDebt(snap.debtors(), registry, prices) });
    const a = by(s.assets);
    // BTC: to cover 175000001 = reserves → surplus 0, ratio exactly 1
    expect(a.BTC).toMatchObject({ reserves: 175000001n, liabilities: 175000001n, surplus: 0n, ratio: '1', solvent: true, addresses: 1 });
    // ETH: gross 0, debt 2.5 of which 2 is u4's bad debt → max(0, 0 − 0.5) = 0 to cover
    expect(a.ETH).toMatchObject({ gross: 0n, debt: 250000000n, badDebt: { gross: 0n, debt: 200000000n }, liabilities: 0n, surplus: 12345678n, ratio: null, solvent: true });
    // USDT: 1079.5 owed, 1000 + 79.499999 held → short by one base unit
    expect(a.USDT).toMatchObject({ reserves: 1079499999n, liabilities: 1079500000n, surplus: -1n, solvent: false, exchangeOwned: 5000000000n });
    // 1079499999 / 1079500000 to 40 significant digits, rounded down (Python Decimal, prec 60, cut by hand)
    expect(a.USDT!.ratio).toBe('0.9999999990736452061139416396479851783232');
    expect(formatRatio(a.USDT!.ratio)).toBe('99.99 %');
    // XTK: u4's 10 XTK count as zero liability
    expect(a.XTK).toMatchObject({ gross: 1000000000n, badDebt: { gross: 1000000000n, debt: 0n }, liabilities: 0n, solvent: true, exchangeToken: true });
    expect(a.USDC).toMatchObject({ liabilities: 0n, reserves: 0n, ratio: null, solvent: true });
    expect(s.solvent).toBe(false);
    expect(s.shortfalls).toEqual(['USDT']);
    expect(s.badDebt).toEqual({ assessed: true, users: 1, usd: '3995', sample: ['u4'], uncollateralised: { users: 1, sample: ['u2'] } });
    // 1.75000001 × 50000 + 0.12345678 × 2000 + 1079.499999 × 1 = 87500.0005 + 246.91356 + 1079.499999
    expect(s.usd).toEqual({ time: null, reserves: '88826.414059', exchangeTokenReserves: '0', liabilities: '88579.5005', exchangeOwned: '5000' });
    expect(a.BTC!.usd).toEqual({ price: '50000', reserves: '87500.0005', liabilities: '87500.0005', surplus: '0' });
  });

  it('without prices: all debt is netted, XTK (u4 counted) falls short, and it says bad debt was not assessed', () => {
    const s = computeSolvency({ registry, totals: snap.totals, reserves });
    const a = by(s.assets);
    expect(a.XTK).toMatchObject({ liabilities: 1000000000n, reserves: 0n, surplus: -1000000000n, ratio: '0', solvent: false });
    expect(a.ETH).toMatchObject({ liabilities: 0n, badDebt: null });
    expect(s.shortfalls).toEqual(['USDT', 'XTK']);
    expect(s.badDebt.assessed).toBe(false);
    expect(s.usd).toBeNull();
  });

  it('never nets across assets: a surplus in one asset leaves another short', () => {
    const reg = parseAssetRegistry({ assets: [{ symbol: 'A', decimals: 0 }, { symbol: 'B', decimals: 0 }] });
    const totals = [
      { asset: 'A', gross: 100n, debt: 0n, net: 100n, users: 1 },
      { asset: 'B', gross: 100n, debt: 0n, net: 100n, users: 1 },
    ];
    const s = computeSolvency({ registry: reg, totals, reserves: [{ chain: 'x', address: 'a', asset: 'A', balance: 1000n }, { chain: 'x', address: 'b', asset: 'B', balance: 99n }] });
    expect(s.shortfalls).toEqual(['B']);
    expect(s.assets[1]).toMatchObject({ surplus: -1n, ratio: '0.99' });
  });

  it('formats ratios rounded down, never showing a shortfall as 100.00 %', () => {
    expect(formatRatio('0.99999')).toBe('99.99 %');
    expect(formatRatio('1')).toBe('100.00 %');
    expect(formatRatio('1.23456')).toBe('123.45 %');
    expect(formatRatio(null)).toBe('n/a');
  });
});

describe('the samples are consistent', () => {
  it('every sample reserve row parses and every sample asset is covered', async () => {
    const reg = await loadAssetRegistry('samples/assets.json');
    const text = readFileSync('samples/reserves.csv', 'utf8');
    const rows = parseReserveBalances(text, reg, 'samples/reserves.csv');
    const s = await readSnapshot('samples/liabilities.csv', reg);
    const p = await readPrices('samples/prices.csv', reg);
    const sol = computeSolvency({ registry: reg, totals: s.totals, reserves: rows, prices: p, badDebt: assessBadDebt(s.debtors(), reg, p) });
    expect(sol.solvent).toBe(true);
    // the sample's one bad-debt user is mallory: −3 ETH × 3200 + 1500 XTK × 2.5 = −5850 USD
    expect(sol.badDebt).toMatchObject({ assessed: true, users: 1, usd: '5850', sample: ['mallory'] });
    // reserves also cover gross liabilities (what a check without debt netting would ask)
    for (const a of sol.assets) expect(a.reserves >= a.gross).toBe(true);
  });
});

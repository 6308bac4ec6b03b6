import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readSnapshot, type Snapshot } from '../../src/ingest/index.js';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { PorError } from '../../src/core/errors/index.js';

const FIX = 'test/fixtures/ingest';
const registry = await loadAssetRegistry(`${FIX}/assets.json`);

function totalsOf(s: Snapshot) {
  return Object.fromEntries(s.totals.map((t) => [t.asset, { gross: t.gross, debt: t.debt, net: t.net, users: t.users }]));
}

// small.csv worked out by hand (BTC, ETH, XTK: 8 decimals; USDT, USDC: 6):
//   u1 BTC 1.5 + 0.25 = 1.75            → 175000000
//   u2 BTC 0.00000001 → 1; ETH −0.5 → −50000000; USDT 1000 → 1000000000
//   u3 USDT −20.5 (perpetual, unrealized loss) + 100 (futures) = 79.5 → 79500000
//   u4 ETH −2 → −200000000; XTK 10 → 1000000000
//   fund: exchange:insurance-fund USDT 5000 → 5000000000, not a user
const SMALL = {
  BTC: { gross: 175000001n, debt: 0n, net: 175000001n, users: 2 },
  ETH: { gross: 0n, debt: 250000000n, net: -250000000n, users: 2 },
  USDT: { gross: 1079500000n, debt: 0n, net: 1079500000n, users: 2 },
  USDC: { gross: 0n, debt: 0n, net: 0n, users: 0 },
  XTK: { gross: 1000000000n, debt: 0n, net: 1000000000n, users: 1 },
};

describe('readSnapshot: small fixture, hand-computed', () => {
  for (const file of ['small.csv', 'small-bom-crlf.csv', 'small.ndjson']) {
    it(`${file}: totals, users, modes, exchange-owned`, async () => {
      const s = await readSnapshot(`${FIX}/${file}`, registry);
      expect(totalsOf(s)).toEqual(SMALL);
      expect(s.userCount).toBe(4);
      expect(s.rows).toBe(10);
      expect(s.modes).toEqual({ simple: 1, 'single-currency-margin': 1, 'multi-currency-margin': 2 });
      expect(s.exchangeOwned.totals).toEqual([0n, 0n, 5000000000n, 0n, 0n]);
      expect(s.exchangeOwned.accounts).toEqual([{ userId: 'fund', label: 'insurance-fund', balances: [0n, 0n, 5000000000n, 0n, 0n] }]);
      const users = [...s.users()].sort((a, b) => a.userId.localeCompare(b.userId));
      expect(users).toEqual([
        { userId: 'u1', mode: 'simple', net: [175000000n, 0n, 0n, 0n, 0n] },
        { userId: 'u2', mode: 'multi-currency-margin', net: [1n, -50000000n, 1000000000n, 0n, 0n] },
        { userId: 'u3', mode: 'single-currency-margin', net: [0n, 0n, 79500000n, 0n, 0n] },
        { userId: 'u4', mode: 'multi-currency-margin', net: [0n, -200000000n, 0n, 0n, 1000000000n] },
      ]);
      // users() can be walked again; debtors() is exactly the users with a negative net
      expect([...s.users()].length).toBe(4);
      expect([...s.debtors()].map((u) => u.userId).sort()).toEqual(['u2', 'u4']);
    });
  }

  it('defaults every user to simple mode without a mode column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-'));
    const f = join(dir, 'nomode.csv');
    writeFileSync(f, 'asset,user_id,balance,account\nBTC,a,1,spot\nETH,a,2,earn\n');
    const s = await readSnapshot(f, registry);
    expect(s.modes).toEqual({ simple: 1, 'single-currency-margin': 0, 'multi-currency-margin': 0 });
    expect([...s.users()]).toEqual([{ userId: 'a', mode: 'simple', net: [100000000n, 200000000n, 0n, 0n, 0n] }]);
  });

  it('keeps ids of any script apart and intact (one-byte arena widened mid-file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-'));
    const f = join(dir, 'ids.csv');
    const ids = ['ascii-1', 'café', '用户七', 'emoji-🙂', 'café au lait', 'CAFÉ'];
    writeFileSync(f, 'user_id,account,asset,balance\n' + ids.map((id, i) => `${id},spot,BTC,${i + 1}\n${id},earn,BTC,0.5\n`).join(''));
    const s = await readSnapshot(f, registry);
    expect([...s.users()].map((u) => [u.userId, u.net[0]])).toEqual(ids.map((id, i) => [id, BigInt(i + 1) * 100000000n + 50000000n]));
  });

  it('keeps sums past int64 exact (spills to bigint)', async () => {
    const reg = parseAssetRegistry({ assets: [{ symbol: 'WEI', decimals: 18 }] });
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-'));
    const f = join(dir, 'big.csv');
    // 9 × 10^18 base units is just under 2^63 ≈ 9.22 × 10^18; two of them are not.
    writeFileSync(f, 'user_id,account,asset,balance,mode\na,spot,WEI,9,simple\na,earn,WEI,9,simple\na,funding,WEI,0.000000000000000001,simple\nb,spot,WEI,1,multi-currency-margin\nb,margin,WEI,-20,multi-currency-margin\n');
    const s = await readSnapshot(f, reg);
    expect(s.totals[0]).toEqual({ asset: 'WEI', gross: 18000000000000000001n, debt: 19000000000000000000n, net: -999999999999999999n, users: 2 });
  });
});

describe('readSnapshot: bad input names file, line, column and field', () => {
  // [fixture, code, line, column, field, message]
  const cases: Array<[string, string, number, number, string | undefined, RegExp]> = [
    ['too-many-decimals.csv', 'BAD_AMOUNT', 3, 14, 'balance', /has 7 fractional digits; this asset allows at most 6/],
    ['exponent.csv', 'BAD_AMOUNT', 2, 13, 'balance', /exponent notation/],
    ['thousands-space.csv', 'BAD_AMOUNT', 2, 14, 'balance', /thousands separator/],
    ['thousands-comma.csv', 'BAD_INPUT', 2, 23, undefined, /more than 5 fields .*cannot contain ","/],
    ['empty-balance.csv', 'BAD_AMOUNT', 2, 13, 'balance', /empty amount/],
    ['nan.csv', 'BAD_AMOUNT', 2, 13, 'balance', /"NaN" is not a number/],
    ['duplicate.csv', 'DUPLICATE', 4, 1, 'user_id', /duplicate row: user "u1" already has a spot row for BTC/],
    ['unknown-asset.csv', 'UNKNOWN_ASSET', 2, 9, 'asset', /unknown asset "DOGE"; the asset registry lists BTC, ETH, USDT, USDC, XTK/],
    ['unknown-account.csv', 'BAD_INPUT', 2, 4, 'account', /unknown account "wallet"; allowed: spot, funding, margin, futures, perpetual, options, earn, or exchange:<label>/],
    ['bad-header.csv', 'BAD_INPUT', 1, 1, 'user', /bad header: unknown column "user"/],
    ['missing-column.csv', 'BAD_INPUT', 1, 1, undefined, /bad header: missing column "balance"/],
    ['truncated.csv', 'BAD_INPUT', 3, 11, 'balance', /last line has no newline .* truncated: row has 3 fields, expected 5/],
    ['no-final-newline.csv', 'BAD_INPUT', 3, 23, undefined, /does not end with a newline/],
    ['negative-simple.csv', 'BAD_AMOUNT', 3, 15, 'balance', /negative balance -1 for a user in simple mode/],
    ['negative-no-mode.csv', 'BAD_AMOUNT', 2, 13, 'balance', /negative balance -0.1 for a user in simple mode/],
    ['conflicting-modes.csv', 'BAD_INPUT', 3, 18, 'mode', /user "u1" has mode multi-currency-margin here but simple on an earlier row/],
    ['quoted.csv', 'BAD_INPUT', 2, 1, undefined, /quoted fields are not supported/],
    ['empty-line.csv', 'BAD_INPUT', 3, 1, undefined, /empty line/],
    ['unknown-mode.csv', 'BAD_INPUT', 2, 15, 'mode', /unknown mode "cross"; allowed: simple, single-currency-margin, multi-currency-margin/],
    ['exchange-id-reused.csv', 'BAD_INPUT', 3, 1, 'user_id', /"fund" is an exchange-owned account \(line 2\)/],
    ['empty.csv', 'BAD_INPUT', 1, 1, undefined, /file is empty/],
    // "jürgen" written in Latin-1: the ü byte (0xFC) is not UTF-8
    ['latin1.csv', 'BAD_INPUT', 3, 2, undefined, /not valid UTF-8/],
    // NDJSON: the column points at the field's value
    ['number-balance.ndjson', 'BAD_INPUT', 1, 58, 'balance', /JSON number loses precision/],
    ['unknown-key.ndjson', 'BAD_INPUT', 1, 70, 'extra', /unknown key "extra"/],
    // line 2 is `{"user_id":"u2","account":"spot",` (33 characters): a key was expected at column 34
    ['bad-json.ndjson', 'BAD_INPUT', 2, 34, undefined, /not valid JSON: unexpected end of input; expected a key in double quotes/],
    ['too-many-decimals.ndjson', 'BAD_AMOUNT', 1, 58, 'balance', /9 fractional digits; this asset allows at most 8/],
  ];
  for (const [name, code, line, column, field, message] of cases) {
    it(name, async () => {
      const file = `${FIX}/bad/${name}`;
      const err = await readSnapshot(file, registry).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PorError);
      const e = err as PorError;
      expect(e.message).toMatch(message);
      expect({ code: e.code, file: e.info.file, line: e.info.line, column: e.info.column, field: e.info.field }).toEqual({ code, file, line, column, field });
    });
  }

  it('keeps exchange-owned ids and user ids apart, in either order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-'));
    const cases: Array<[string, RegExp, number]> = [
      ['u1,spot,BTC,1,simple\nu1,exchange:insurance-fund,BTC,1,\n', /"u1" already holds user accounts/, 3],
      ['f,exchange:insurance-fund,BTC,1,\nf,exchange:insurance-fund,BTC,2,\n', /duplicate row: "f" already has a exchange:insurance-fund row for BTC/, 3],
      ['f,exchange:insurance-fund,BTC,1,\nf,exchange:treasury,ETH,2,\n', /"f" is exchange:insurance-fund on line 2; one id, one exchange-owned account/, 3],
      ['f,exchange:Bad Label,BTC,1,\n', /needs a label of lower-case letters/, 2],
    ];
    for (const [rows, message, line] of cases) {
      const f = join(dir, 'x.csv');
      writeFileSync(f, `user_id,account,asset,balance,mode\n${rows}`);
      const err = await readSnapshot(f, registry).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PorError);
      expect((err as PorError).message).toMatch(message);
      expect((err as PorError).info.line).toBe(line);
    }
  });

  it('any garbage either reads or fails with a located PorError, never anything else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-fuzz-'));
    const chars = fc.constantFrom(...'u1,spotBTCmarginexchange:-.0123456789"\r\n \uFEFF'.split(''));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: chars, maxLength: 120 }), async (body) => {
        const f = join(dir, `g${run++}.csv`);
        writeFileSync(f, `user_id,account,asset,balance,mode\n${body}`);
        const r = await readSnapshot(f, registry).then(
          (s) => s,
          (e: unknown) => e,
        );
        if (r instanceof PorError) {
          expect(r.info.file).toBe(f);
          expect(typeof r.info.line).toBe('number');
        } else expect((r as Snapshot).rows).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('names a missing file', async () => {
    await expect(readSnapshot(`${FIX}/nope.csv`, registry)).rejects.toThrow(/cannot read file: ENOENT/);
  });
});

describe('readSnapshot agrees with a naive per-row computation on random snapshots', () => {
  const reg = parseAssetRegistry({ assets: [{ symbol: 'A', decimals: 2 }, { symbol: 'B', decimals: 0 }, { symbol: 'C', decimals: 3 }] });
  const accounts = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'];
  it('totals and per-user nets match, whatever the row order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ingest-prop-'));
    const row = fc.record({
      user: fc.integer({ min: 0, max: 30 }),
      account: fc.integer({ min: 0, max: 6 }),
      asset: fc.integer({ min: 0, max: 2 }),
      units: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 200 }), async (rows) => {
        // one row per (user, account, asset): keep the first
        const seen = new Set<string>();
        const kept = rows.filter((r) => {
          const k = `${r.user}/${r.account}/${r.asset}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        const decimals = [2, 0, 3];
        const text = (units: bigint, d: number) => {
          const neg = units < 0n;
          const s = (neg ? -units : units).toString().padStart(d + 1, '0');
          return (neg ? '-' : '') + (d ? `${s.slice(0, -d)}.${s.slice(-d)}` : s);
        };
        const lines = kept.map((r) => `user ${r.user},${accounts[r.account]},${'ABC'[r.asset]},${text(r.units, decimals[r.asset]!)},multi-currency-margin`);
        const f = join(dir, `r${run++}.csv`);
        writeFileSync(f, `user_id,account,asset,balance,mode\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
        const s = await readSnapshot(f, reg);
        // the naive way: a map of user → per-asset sums
        const naive = new Map<string, bigint[]>();
        for (const r of kept) {
          const k = `user ${r.user}`;
          const v = naive.get(k) ?? [0n, 0n, 0n];
          v[r.asset]! += r.units;
          naive.set(k, v);
        }
        const got = new Map([...s.users()].map((u) => [u.userId, u.net]));
        expect(got).toEqual(naive);
        for (let a = 0; a < 3; a++) {
          let gross = 0n, debt = 0n, users = 0;
          for (const v of naive.values()) {
            if (v[a]! > 0n) gross += v[a]!;
            if (v[a]! < 0n) debt -= v[a]!;
            if (v[a] !== 0n) users++;
          }
          expect(s.totals[a]).toEqual({ asset: 'ABC'[a], gross, debt, net: gross - debt, users });
        }
      }),
      { numRuns: 60 },
    );
  });
});

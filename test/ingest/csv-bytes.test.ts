// The CSV fast path (src/ingest/csv-bytes.ts) against a second, plain computation: rows split
// with String.split and amounts scaled with BigInt by hand, users summed in a Map. Plain rows and
// rows only the string reader takes (non-ASCII ids, long amounts, exchange accounts, CRLF, BOM)
// are mixed in one file, so both paths feed one aggregator.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readSnapshot } from '../../src/ingest/index.js';
import { readCsvBytes } from '../../src/ingest/csv-bytes.js';
import { Aggregator } from '../../src/ingest/aggregate.js';
import { loadAssetRegistry } from '../../src/assets/load.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const DEC: Record<string, number> = Object.fromEntries(registry.assets.map((a) => [a.symbol, a.decimals]));
const dir = mkdtempSync(join(tmpdir(), 'por-csv-bytes-'));

/** Base units of a decimal text, by hand: digits with the point removed, zeros appended. */
function units(text: string, decimals: number): bigint {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const v = BigInt(int! + frac + '0'.repeat(decimals - frac.length));
  return neg ? -v : v;
}

/** Per user: net per asset, by hand. */
function expected(lines: string[]): Map<string, Record<string, bigint>> {
  const users = new Map<string, Record<string, bigint>>();
  for (const l of lines) {
    const [id, account, asset, balance] = l.split(',') as [string, string, string, string];
    if (account.startsWith('exchange:')) continue;
    const u = users.get(id) ?? {};
    u[asset] = (u[asset] ?? 0n) + units(balance, DEC[asset]!);
    users.set(id, u);
  }
  return users;
}

const ACCOUNTS = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'];
const row = fc.record({
  id: fc.constantFrom('a', 'b', 'c7', 'ü-user', 'δ', 'x y', 'long'),
  account: fc.integer({ min: 0, max: 6 }),
  asset: fc.constantFrom(...registry.assets.map((a) => a.symbol)),
  int: fc.oneof(fc.constantFrom('0', '00', '7'), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String)),
  frac: fc.option(fc.integer({ min: 1, max: 8 }).chain((n) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`)))),
  neg: fc.boolean(),
});

describe('CSV fast path', () => {
  it('reads mixed plain and other rows exactly as a hand computation does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), fc.boolean(), async (rows, crlf) => {
        const seen = new Set<string>();
        const lines: string[] = [];
        for (const r of rows) {
          const key = `${r.id}/${r.account}/${r.asset}`;
          if (seen.has(key)) continue; // one row per (user, account, asset)
          seen.add(key);
          const frac = r.frac !== null && r.frac.length <= DEC[r.asset]! ? `.${r.frac}` : '';
          lines.push(`${r.id},${ACCOUNTS[r.account]},${r.asset},${r.neg ? '-' : ''}${r.int}${frac}`);
        }
        lines.push('fund,exchange:insurance-fund,BTC,5');
        const file = join(dir, 'mixed.csv');
        const nl = crlf ? '\r\n' : '\n';
        writeFileSync(file, `\uFEFFuser_id,account,asset,balance,mode${nl}${lines.map((l) => `${l},multi-currency-margin`).join(nl)}${nl}`);
        const s = await readSnapshot(file, registry);
        const got = new Map([...s.users()].map((u) => [u.userId, Object.fromEntries(u.net.map((v, a) => [registry.assets[a]!.symbol, v]).filter(([, v]) => v !== 0n))]));
        const want = new Map([...expected(lines)].map(([id, u]) => [id, Object.fromEntries(Object.entries(u).filter(([, v]) => v !== 0n))]));
        expect(got).toEqual(want);
        expect(s.rows).toBe(lines.length);
      }),
      { numRuns: 60 },
    );
  });

  it('takes plain rows itself: the string reader sees only the header and the other rows', async () => {
    const file = join(dir, 'plain.csv');
    writeFileSync(file, 'user_id,account,asset,balance\nu1,spot,BTC,1.5\nu2,earn,ETH,0.00000001\nü,spot,BTC,1\nu1,margin,USDT,12345678901234567890\n');
    const agg = new Aggregator(registry);
    const slow: number[] = [];
    const fallback = (text: string, start: number, end: number, line: number) => {
      slow.push(line);
      if (line === 1) return; // the header: nothing to add
      const [id, account, asset, balance] = text.slice(start, end).split(',') as [string, string, string, string];
      agg.add(id, 0, id.length, account, asset, balance, undefined, line);
    };
    await readCsvBytes(file, registry, agg, fallback, () => {});
    expect(slow).toEqual([1, 4, 5]); // header, a non-ASCII id, a balance of more than 15 digits
    expect(agg.rows).toBe(4);
  });

  it('stops (for the string reader to word the error) on a cut last line and on bytes that are not UTF-8', async () => {
    const cut = join(dir, 'cut.csv');
    writeFileSync(cut, 'user_id,account,asset,balance\nu1,spot,BTC,1');
    await expect(readCsvBytes(cut, registry, new Aggregator(registry), () => {}, () => {})).rejects.toThrow();
    const bad = join(dir, 'bad-utf8.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from('user_id,account,asset,balance\nu'), Buffer.from([0xff]), Buffer.from(',spot,BTC,1\n')]));
    await expect(readCsvBytes(bad, registry, new Aggregator(registry), () => {}, () => {})).rejects.toThrow();
  });
});

describe('Snapshot.encoder', () => {
  it('writes each user as the leaf layout says: 128-bit big-endian equity and debt per asset, id as UTF-8', async () => {
    const file = join(dir, 'enc.csv');
    writeFileSync(file, 'user_id,account,asset,balance,mode\n' +
      'a,spot,BTC,1.5,multi-currency-margin\na,margin,ETH,-2,multi-currency-margin\n' +
      'b,spot,USDT,4294967296,single-currency-margin\nb,earn,USDT,-0.000001,single-currency-margin\n' +
      'c,margin,BTC,-92233720368.54775808,multi-currency-margin\n' + // −2^63 base units
      'd,spot,ETH,100000000000000,simple\nd,earn,ETH,100000000000000,simple\n'); // 2 × 10^22 units: past int64
    const s = await readSnapshot(file, registry);
    const A = registry.assets.length;
    const R = 32 + 32 * A;
    const users = [...s.users()];
    let direct = 0;
    for (let i = 0; i < s.encoder.count; i++) {
      const rec = new Uint8Array(R);
      const ids = new Uint8Array(64);
      const n = s.encoder.encode(i, ids, 3, new DataView(rec.buffer), 32);
      const u = s.encoder.user(i);
      expect(u).toEqual(users[i]);
      if (n < 0) continue; // this user goes through user(i)
      direct++;
      expect(new TextDecoder().decode(ids.subarray(3, 3 + n))).toBe(u.userId);
      const want = new Uint8Array(R);
      u.net.forEach((v, a) => {
        const abs = v < 0n ? -v : v;
        const at = 32 + 32 * a + (v < 0n ? 16 : 0);
        for (let k = 0; k < 16; k++) want[at + k] = Number((abs >> BigInt(8 * (15 - k))) & 255n);
      });
      expect(rec).toEqual(want);
    }
    // a, b (a debt of 1 unit against 2^32·10^6 units) and c (−2^63, which int64 holds only as the spill mark) — c and d go through user()
    expect(direct).toBe(2);
  });
});

// The aggregator's id table (src/ingest/aggregate.ts) at its edges, against a second, plain
// computation (a Map from id text to nets, summed with BigInt): ids whose whole 32-bit hash is the
// same (found here by brute force with FNV-1a written out again), ids of 1 and 255 bytes, a table
// that grows from its first size and past what reserve() made room for, rows of one user next to
// each other and far apart, plain sums that cross 2^53 and int64, and ids longer than the slot's
// length field. Both readers feed the table: ASCII rows through the byte path, others as text.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvBytes } from '../../src/ingest/csv-bytes.js';
import { Aggregator } from '../../src/ingest/aggregate.js';
import { loadAssetRegistry } from '../../src/assets/load.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const SYMBOLS = registry.assets.map((a) => a.symbol);
const DEC: Record<string, number> = Object.fromEntries(registry.assets.map((a) => [a.symbol, a.decimals]));
const ACCOUNTS = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'];
const dir = mkdtempSync(join(tmpdir(), 'por-id-table-'));

/** FNV-1a (32 bits) over UTF-16 code units from state h, as the table hashes ids before spreading the bits. */
function fnv1a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Pairs of distinct ids `prefix + suffix` with the same FNV-1a hash (so the same slot and tag at
 * every table size), found once by a brute-force search over base-36 suffixes (a birthday search
 * over ~10^5 of them); the test checks that each pair does collide before relying on it.
 */
const COLLIDING: Record<string, { sameLength: [string, string]; otherLength: [string, string] }> = {
  c: { sameLength: ['2ya8', 'zki6'], otherLength: ['atfs', '20f20'] },
  ü: { sameLength: ['72vu', 'euea'], otherLength: ['sgzw', '13q40'] },
  L2100: { sameLength: ['1rnw', 'ipba'], otherLength: ['nu5a', '2fa11'] },
};

function collisions(prefix: string, key = prefix): { sameLength: [string, string]; otherLength: [string, string] } {
  const { sameLength, otherLength } = COLLIDING[key]!;
  const pair = ([a, b]: [string, string]): [string, string] => {
    expect(fnv1a(prefix + a)).toBe(fnv1a(prefix + b));
    return [prefix + a, prefix + b];
  };
  expect(sameLength[0].length === sameLength[1].length && otherLength[0].length !== otherLength[1].length).toBe(true);
  return { sameLength: pair(sameLength), otherLength: pair(otherLength) };
}

/** Base units of a decimal text, by hand. */
function units(text: string, decimals: number): bigint {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const v = BigInt(int! + frac + '0'.repeat(decimals - frac.length));
  return neg ? -v : v;
}

type Row = [id: string, account: string, asset: string, balance: string];

/** Users in first-seen order with their non-zero nets, by hand. */
function expected(rows: Row[]): [string, Record<string, bigint>][] {
  const users = new Map<string, Record<string, bigint>>();
  for (const [id, , asset, balance] of rows) {
    const u = users.get(id) ?? {};
    u[asset] = (u[asset] ?? 0n) + units(balance, DEC[asset]!);
    users.set(id, u);
  }
  return [...users].map(([id, u]) => [id, Object.fromEntries(Object.entries(u).filter(([, v]) => v !== 0n))]);
}

/**
 * The rows read by the byte reader itself (readCsvBytes, so a fault on its path is not hidden by
 * the string reader's second reading), lines it hands on read as text by Aggregator.add. Also
 * checks that exactly the header and `textRows` (by default the non-ASCII ids' rows) went to text.
 */
async function read(name: string, rows: Row[], textRows = rows.flatMap(([id], i) => (/^[!-~]+$/.test(id) ? [] : [i]))): Promise<{ got: [string, Record<string, bigint>][]; rows: number; users: number }> {
  const file = join(dir, name);
  writeFileSync(file, `user_id,account,asset,balance,mode\n${rows.map((r) => `${r.join(',')},multi-currency-margin`).join('\n')}\n`);
  const agg = new Aggregator(registry);
  const asText: number[] = [];
  const text = (t: string, start: number, end: number, line: number) => {
    asText.push(line);
    if (line === 1) return; // the header
    const [id, account, asset, balance, mode] = t.slice(start, end).split(',') as [string, string, string, string, string];
    agg.add(id, 0, id.length, account, asset, balance, mode, line);
  };
  await readCsvBytes(file, registry, agg, text, () => {});
  expect(asText).toEqual([1, ...textRows.map((i) => i + 2)]);
  agg.releaseReadState();
  const users = usersOf(agg);
  const got = [...users].map((u): [string, Record<string, bigint>] => {
    const b = agg.user(u);
    return [b.userId, Object.fromEntries(b.net.map((v, a) => [SYMBOLS[a]!, v]).filter(([, v]) => v !== 0n))];
  });
  return { got, rows: agg.rows, users: users.length };
}

/** The users' ids in first-seen order (summarize() leaves them out when every id is a user). */
function usersOf(agg: Aggregator): Uint32Array {
  const { users, userCount } = agg.summarize();
  return users ?? Uint32Array.from({ length: userCount }, (_, i) => i);
}

/** A deterministic stream of small numbers (a linear congruential generator). */
function numbers(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
}

describe('the id table', () => {
  it('keeps ids with the same 32-bit hash apart, on the byte path and the text path', async () => {
    const ascii = collisions('c'); // read as bytes
    const wide = collisions('ü'); // read as text
    const rows: Row[] = [];
    for (const [a, b] of [ascii.sameLength, ascii.otherLength, wide.sameLength, wide.otherLength]) {
      rows.push([a, 'spot', 'BTC', '1'], [b, 'funding', 'BTC', '10'], [a, 'earn', 'ETH', '0.5'], [b, 'earn', 'BTC', '100']);
    }
    const r = await read('collide.csv', rows);
    expect(r.users).toBe(8);
    expect(r.got).toEqual(expected(rows));
  });

  it('reads 20,000 ids of 1 to 255 bytes, grouped and scattered, through the table growing from its first size', async () => {
    const next = numbers(17);
    const ids = new Set<string>();
    for (let c = 33; c < 127; c++) if (c !== 44 && c !== 34) ids.add(String.fromCharCode(c)); // every 1-byte id
    ids.add('x'.repeat(255));
    ids.add('y'.repeat(254) + 'x');
    while (ids.size < 20_000) ids.add(`${next().toString(36)}-`.repeat(1 + (next() % 20)).slice(0, 1 + (next() % 255)));
    ids.add('δ-wide');
    ids.add('日本-wide'); // the arena turns 16-bit
    const list = [...ids];
    const rows: Row[] = [];
    for (const id of list) {
      rows.push([id, ACCOUNTS[next() % 5]!, SYMBOLS[next() % 5]!, `${next() % 100_000}.${next() % 100}`]);
      if (next() % 3 === 0) rows.push([id, 'earn', SYMBOLS[next() % 5]!, '1']); // the same user next to it
    }
    for (let i = 0; i < list.length; i += 3) rows.push([list[i]!, 'options', SYMBOLS[i % 5]!, `-${i}`]); // far apart
    const r = await read('many.csv', rows);
    expect(list.some((id) => Buffer.byteLength(id) === 255) && list.some((id) => id.length === 1)).toBe(true);
    expect(r.rows).toBe(rows.length);
    expect(r.users).toBe(list.length);
    expect(r.got).toEqual(expected(rows));
  });

  it('grows the table past what reserve() made room for, keeping every id and its first row', () => {
    const agg = new Aggregator(registry);
    agg.reserve(200, 8); // room for about 100 ids; 5,000 come
    const text = (i: number) => `user-${i * 7919}`;
    for (let i = 0; i < 5000; i++) agg.add(text(i), 0, text(i).length, 'spot', 'BTC', `${i}`, undefined, i + 2);
    for (let i = 4999; i >= 0; i -= 2) agg.add(text(i), 0, text(i).length, 'earn', 'BTC', '1', undefined, 6000 + i);
    agg.releaseReadState();
    const users = usersOf(agg);
    expect(users.length).toBe(5000);
    for (const i of [0, 1, 2, 2047, 4096, 4999]) {
      expect(agg.user(users[i]!)).toEqual({ userId: text(i), mode: 'simple', net: [BigInt(i) * 10n ** 8n + (i % 2 === 1 ? 10n ** 8n : 0n), 0n, 0n, 0n, 0n] });
      expect(agg.firstLine(users[i]!)).toBe(i + 2);
    }
  });

  it('sums plain rows past 2^53 and past int64 exactly', async () => {
    const rows: Row[] = [
      ['big', 'spot', 'USDT', '9007199254.740000'], // 2^53 − 992 base units: 16 digits, read as text
      ['big', 'earn', 'USDT', '999.999999'], // plain: the sum crosses 2^53
      ['big', 'margin', 'USDT', '0.000001'],
      ['huge', 'spot', 'BTC', '92233720368.54775807'], // int64's largest, as text
      ['huge', 'earn', 'BTC', '0.00000001'], // plain: past int64
      ['huge', 'futures', 'BTC', '-0.00000002'], // and back under it
      ['low', 'margin', 'ETH', '-9999999.99999999'],
      ['low', 'futures', 'ETH', '-9999999.99999999'],
    ];
    for (let k = 0; k < 7; k++) rows.push(['seven', ACCOUNTS[k]!, 'XTK', '-9999999.99999999']);
    const r = await read('sums.csv', rows, [0, 3]); // the two amounts of more than 15 digits
    expect(r.got).toEqual(expected(rows));
    expect(r.got.find(([id]) => id === 'big')![1].USDT).toBe(2n ** 53n - 992n + 999_999_999n + 1n);
  });

  it('tells apart ids longer than the slot keeps a length for, by their full length', () => {
    const agg = new Aggregator(registry);
    const { sameLength, otherLength } = collisions('L'.repeat(2100), 'L2100'); // the same hash, so only length and bytes differ
    const ids = [...sameLength, ...otherLength, 'L'.repeat(2047), 'L'.repeat(2046), otherLength[0]];
    ids.forEach((id, i) => agg.add(id, 0, id.length, i === ids.length - 1 ? 'earn' : 'spot', 'ETH', `${i + 1}`, undefined, i + 2));
    agg.releaseReadState();
    const users = usersOf(agg);
    expect([...users].map((u) => agg.user(u).userId)).toEqual(ids.slice(0, -1));
    expect(agg.user(users[2]!).net[1]).toBe((3n + 7n) * 10n ** 8n); // its rows 3 and 7
  });
});

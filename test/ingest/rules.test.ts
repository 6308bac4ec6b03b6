// The per-user rules a tree needs, enforced where the snapshot is read (so `liabilities`,
// `solvency` and `build` refuse at file:line:column alike): one spelling per user id, at most
// 1,024 bytes, no key given twice in an NDJSON row, amounts within the leaf bound, and no line so
// long that reading it would exhaust memory. Lines and columns below are counted by hand.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshot, MAX_LINE_CHARS, type ReadOptions } from '../../src/ingest/index.js';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { PorError } from '../../src/core/errors/index.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const dir = mkdtempSync(join(tmpdir(), 'por-ingest-rules-'));
const HEADER = 'user_id,account,asset,balance,mode\n';
let seq = 0;

function write(body: string, ext = 'csv'): string {
  const f = join(dir, `s${seq++}.${ext}`);
  writeFileSync(f, body);
  return f;
}

async function refusal(file: string, options: ReadOptions = {}): Promise<PorError> {
  const r = await readSnapshot(file, registry, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(r instanceof PorError)) throw new Error(`expected a PorError, got ${String(r)}`);
  return r;
}

/** n base units of an 8-decimal asset as decimal text, written out by hand (no por code). */
function btc(units: bigint): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${s.slice(0, -8)}.${s.slice(-8)}`;
}

describe('NDJSON: a key given twice is refused, not the last one kept', () => {
  it('a second "balance" on one row: DUPLICATE at its line and column', async () => {
    // JSON.parse would read this row as balance 1000; line 2, the second "balance" key at column 62.
    const row = '{"user_id":"u1","account":"spot","asset":"BTC","balance":"1","balance":"1000"}';
    expect(JSON.parse(row).balance).toBe('1000');
    const f = write(`{"user_id":"u0","account":"spot","asset":"BTC","balance":"2"}\n${row}\n`, 'ndjson');
    const e = await refusal(f);
    expect(e.code).toBe('DUPLICATE');
    expect(e.message).toMatch(/duplicate key "balance"/);
    expect(e.info).toMatchObject({ file: f, line: 2, column: 62, field: 'balance' });
  });
});

describe('user ids: one spelling per person', () => {
  // [id as written, column of the fault on line 2 (the id starts in column 1), message]
  const refused: Array<[string, number, RegExp]> = [
    [' u1', 1, /starts or ends with a space/],
    ['u1 ', 3, /starts or ends with a space/],
    ['u\u200b1', 2, /contains U\+200B/], // zero-width space
    ['u\u00a01', 2, /contains U\+00A0/], // no-break space
    ['u\t1', 2, /contains U\+0009/],
    ['\u202eu1', 1, /contains U\+202E/], // right-to-left override
    ['\ufeffu1', 1, /contains U\+FEFF/], // a BOM inside the data, not at the file's start
    ['jose\u0301', 4, /not in Unicode normal form NFC .*"jos\u00e9"/], // é as e + combining acute
    ['a'.repeat(1025), 1, /is 1025 bytes of UTF-8; at most 1024/],
    ['\u00e9'.repeat(513), 1, /is 1026 bytes of UTF-8/], // 513 two-byte characters
  ];
  for (const [id, column, message] of refused) {
    it(`refuses ${JSON.stringify(id.length > 20 ? `${id.slice(0, 8)}… (${id.length} chars)` : id)} at 2:${column}`, async () => {
      const f = write(`${HEADER}${id},spot,BTC,1,simple\n`);
      const e = await refusal(f);
      expect(e.message).toMatch(message);
      expect(e.info).toMatchObject({ file: f, line: 2, column, field: 'user_id' });
    });
  }

  it('accepts NFC ids of any script, inner spaces and the longest allowed', async () => {
    const ids = ['jos\u00e9', 'Ann Lee', '\u7528\u623742', '\u{1f600}x', 'a'.repeat(1024), '\u00e9'.repeat(512)];
    const f = write(HEADER + ids.map((id) => `${id},spot,BTC,1,simple\n`).join(''));
    const s = await readSnapshot(f, registry);
    expect([...s.users()].map((u) => u.userId)).toEqual(ids);
  });

  it('the NFC and NFD spellings of one name never become two users', async () => {
    const f = write(`${HEADER}jos\u00e9,spot,BTC,1,simple\njose\u0301,spot,BTC,2,simple\n`);
    const e = await refusal(f);
    expect(e.info).toMatchObject({ line: 3, column: 4, field: 'user_id' });
  });

  it('NDJSON ids keep the same rule; the column is the id inside its quotes', async () => {
    // `{"user_id":"` is 12 characters: the id starts in column 13, the space after "u1" is column 15.
    const f = write('{"user_id":"u1 ","account":"spot","asset":"BTC","balance":"1"}\n', 'ndjson');
    const e = await refusal(f);
    expect(e.info).toMatchObject({ line: 1, column: 15, field: 'user_id' });
    const long = write(`{"user_id":"${'b'.repeat(1025)}","account":"spot","asset":"BTC","balance":"1"}\n`, 'ndjson');
    expect((await refusal(long)).message).toMatch(/1025 bytes/);
  });
});

describe('amounts above the leaf bound are refused at their row', () => {
  const B96 = 1n << 96n; // the leaf bound of a height-32 tree is 2^96 − 1 base units
  const B127 = 1n << 127n; // of a height-1 tree, the widest: 2^127 − 1

  it('without a height: above 2^127 − 1 (what no tree can hold) is refused; 2^96 is read', async () => {
    const over = write(`${HEADER}u1,spot,BTC,${btc(B127)},simple\n`);
    const e = await refusal(over);
    expect(e.code).toBe('OVERFLOW');
    // `u1,spot,BTC,` is 12 characters: the balance starts in column 13
    expect(e.info).toMatchObject({ line: 2, column: 13, field: 'balance' });
    const debt = write(`${HEADER}u1,margin,BTC,${btc(-B127)},multi-currency-margin\n`);
    expect((await refusal(debt)).info).toMatchObject({ line: 2, column: 15, field: 'balance' });
    const ok = await readSnapshot(write(`${HEADER}u1,spot,BTC,${btc(B96)},simple\nu1,earn,BTC,${btc(B127 - 1n - B96)},simple\n`), registry);
    expect([...ok.users()][0]!.net[0]).toBe(B127 - 1n);
  });

  it('with build\'s height 32: 2^96 − 1 is read, 2^96 is refused, also when a second row takes the net there', async () => {
    const fits = await readSnapshot(write(`${HEADER}u1,spot,BTC,${btc(B96 - 1n)},simple\n`), registry, { height: 32 });
    expect(fits.totals[0]!.gross).toBe(B96 - 1n);
    const one = await refusal(write(`${HEADER}u1,spot,BTC,${btc(B96)},simple\n`), { height: 32 });
    expect(one.message).toMatch(/2\^96−1 base units, the leaf bound of a height-32 tree/);
    expect(one.info).toMatchObject({ line: 2, column: 13 });
    // line 3 `u1,funding,BTC,0.00000001,simple`: the balance starts in column 16
    const two = await refusal(write(`${HEADER}u1,spot,BTC,${btc(B96 - 1n)},simple\nu1,funding,BTC,0.00000001,simple\n`), { height: 32 });
    expect(two.info).toMatchObject({ line: 3, column: 16, field: 'balance' });
  });
});

describe('a line longer than the limit is a located error, not an out-of-memory', () => {
  it('a long row is refused at its line', async () => {
    const f = write(`${HEADER}u1,spot,BTC,1,simple\n${'x'.repeat(MAX_LINE_CHARS + 1)},spot,BTC,1,simple\n`);
    const e = await refusal(f);
    expect(e.message).toMatch(/line 3 is longer than 65,536 characters/);
    expect(e.info).toMatchObject({ file: f, line: 3, column: MAX_LINE_CHARS + 1 });
  });

  it('a line that fits is read', async () => {
    // 1,024-byte id + the rest of the row: far below the limit
    const f = write(`${HEADER}${'y'.repeat(1024)},spot,BTC,1,simple\n`);
    expect((await readSnapshot(f, registry)).userCount).toBe(1);
  });

  it('/dev/zero (no line breaks, no end) fails on its first line', async () => {
    const e = await refusal('/dev/zero');
    expect(e.info).toMatchObject({ file: '/dev/zero', line: 1 });
    expect(e.message).toMatch(/longer than 65,536 characters/);
  });
});

describe('NDJSON rows read alike whether plain or not', () => {
  it('spacing, key order and escapes do not change what a row says', async () => {
    // The same three rows written plainly and in every way JSON allows for them; the reader takes
    // plain rows by a short path and the rest through the full JSON reader: both must agree.
    const rows = [
      { user_id: 'u1', account: 'spot', asset: 'BTC', balance: '1.5', mode: 'simple' },
      { user_id: 'u2', account: 'margin', asset: 'ETH', balance: '-2', mode: 'multi-currency-margin' },
      { user_id: 'u1', account: 'earn', asset: 'BTC', balance: '0.25', mode: 'simple' },
    ];
    const plain = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const fancy =
      [
        ' { "balance" : "1.5" ,\t"user_id":"u1", "account":"spot","asset":"BTC","mode":"simple" } ',
        '{"user_id":"\\u0075\\u0032","account":"margin","asset":"ETH","balance":"-2","mode":"multi-currency-margin"}',
        '{"mode":"simple","asset":"BTC","account":"earn","balance":"0.25","user_id":"u\\u0031"}',
      ].join('\n') + '\n';
    const a = await readSnapshot(write(plain, 'ndjson'), registry);
    const b = await readSnapshot(write(fancy, 'ndjson'), registry);
    expect([...b.users()]).toEqual([...a.users()]);
    expect(b.totals).toEqual(a.totals);
    // u1 holds 1.5 + 0.25 BTC = 175000000 base units; u2 owes 2 ETH (8 decimals here)
    expect([...a.users()].map((u) => [u.userId, u.net[0], u.net[1]])).toEqual([
      ['u1', 175000000n, 0n],
      ['u2', 0n, -200000000n],
    ]);
  });

  it('a duplicate key is refused whatever the spacing, and a repeated unknown key is still unknown', async () => {
    const f = write('{"user_id":"u1","account":"spot","asset":"BTC","balance":"1", "balance" :"2"}\n', 'ndjson');
    expect((await refusal(f)).code).toBe('DUPLICATE');
    const g = write('{"user_id":"u1","account":"spot","asset":"BTC","balance":"1","x":1}\n', 'ndjson');
    expect((await refusal(g)).message).toMatch(/unknown key "x"/);
  });
});

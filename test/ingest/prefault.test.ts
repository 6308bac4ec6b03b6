// The thread that maps the CSV reader's tables ahead of it (src/ingest/prefault.ts): it must map
// pages (resident memory grows by what it was handed) and change no value, and a read with it gives
// what a hand computation gives, also when the tables grow past what it was handed.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrefault } from '../../src/ingest/prefault.js';
import { readCsvBytes } from '../../src/ingest/csv-bytes.js';
import { Aggregator, TOUCH_ALL, TOUCH_ENTRIES } from '../../src/ingest/aggregate.js';
import { loadAssetRegistry } from '../../src/assets/load.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const dir = mkdtempSync(join(tmpdir(), 'por-prefault-'));

/** Resident memory of this process, in bytes (Linux). */
function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the prefault thread', () => {
  it.runIf(process.platform === 'linux')('maps the pages it is handed and keeps every value in them', async () => {
    const MB = 1 << 20;
    const whole = new Int32Array(new SharedArrayBuffer(48 * MB)); // mapped at once
    const ahead = new Int32Array(new SharedArrayBuffer(48 * MB)); // mapped up to the reader's position
    for (let i = 0; i < whole.length / 2; i += 97) whole[i] = i | 1; // half of it written (mapped) before
    for (let i = 0; i < 2 * MB; i += 89) ahead[i] = -i - 1; // the reader's first 8 MB
    const before = rss();
    const progress = new Int32Array(new SharedArrayBuffer(16));
    progress[TOUCH_ENTRIES] = (8 * MB) / 8; // 8 MB of 8-byte entries read
    const t = startPrefault();
    t.start([{ buffer: whole.buffer as SharedArrayBuffer, kind: TOUCH_ALL, unit: 0 }, { buffer: ahead.buffer as SharedArrayBuffer, kind: TOUCH_ENTRIES, unit: 8 }], progress);
    for (let k = 0; k < 400 && rss() - before < 24 * MB + 4 * MB - MB; k++) await sleep(25);
    await sleep(100);
    t.stop();
    const grown = rss() - before;
    expect(grown).toBeGreaterThan(27 * MB); // the table's unwritten half, and 4 MB ahead of the reader
    expect(grown).toBeLessThan(40 * MB); // not the rest of `ahead`
    for (let i = 0; i < whole.length; i++) if (whole[i] !== (i < whole.length / 2 && i % 97 === 0 ? i | 1 : 0)) expect.fail(`word ${i} changed`);
    for (let i = 0; i < ahead.length; i++) if (ahead[i] !== (i < 2 * MB && i % 89 === 0 ? -i - 1 : 0)) expect.fail(`word ${i} changed`);
  });

  it('reads a file of several chunks with it exactly as without, tables growing past what it was handed', async () => {
    const file = join(dir, 'grow.csv');
    // First chunk: one row per user; later, many rows per user and longer ids: the estimate from the
    // first chunk is then too small for ids' bytes, and too large for users.
    const lines = ['user_id,account,asset,balance,mode'];
    for (let i = 0; i < 90_000; i++) lines.push(`u${i},spot,BTC,${i % 1000}.5,multi-currency-margin`);
    for (let i = 0; i < 63_000; i++) {
      const k = Math.floor(i / 7000); // 0..8: a distinct (account, asset) per round over the users
      lines.push(`u${i % 7000},${['funding', 'margin', 'futures', 'perpetual', 'options', 'earn'][k % 6]},${['ETH', 'USDT'][Math.floor(k / 6)]},-${i % 77}.25,multi-currency-margin`);
    }
    for (let i = 0; i < 30_000; i++) lines.push(`long-id-${'x'.repeat(40)}-${i},earn,USDC,${i}.000001,simple`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const read = async (prefaultFrom?: number) => {
      const agg = new Aggregator(registry);
      await readCsvBytes(file, registry, agg, () => {}, () => {}, prefaultFrom);
      agg.releaseReadState();
      const s = agg.summarize();
      const ids = s.users ?? Uint32Array.from({ length: s.userCount }, (_, i) => i);
      return { totals: s.totals, debtors: [...s.debtors], users: [...ids].map((u) => agg.user(u)) };
    };
    const plain = await read(2 ** 52);
    expect(plain.users.length).toBe(90_000 + 30_000);
    expect(await read(0)).toEqual(plain);
  });
});

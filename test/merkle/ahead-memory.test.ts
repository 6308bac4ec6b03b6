// Memory made ahead of the leaf pass (src/merkle/early.ts): each chunk's salts and user hashes are
// made in a buffer the size of a chunk of compact records, and once the leaf pass has hashed and
// written that chunk, the buffer holds a later chunk's records (LeafCollector). The buffers are
// handed over here full of other bytes, as they come back in a build (salts and user hashes where
// records go): the records written must still be those made in fresh memory, byte for byte, because
// a user's nets are written only for the assets they hold.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSnapshot } from '../../src/ingest/index.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { silentReporter } from '../../src/core/progress/index.js';
import { HASH_LEN } from '../../src/core/merkle/core.js';
import { Hashers, treeShape } from '../../src/merkle/hashing.js';
import { chunkBitsFor, compactRecordSize, LeafCollector, type EarlySupply } from '../../src/merkle/leaves.js';
import { idsCheck, type EarlyChunk } from '../../src/merkle/early.js';
import { lookupKey } from '../../src/merkle/store-writer.js';
import { recordSize } from '../../src/core/merkle/core.js';
import { SECRET, tmp } from './helpers.js';

const SID = 'ahead';
const ASSETS = Array.from({ length: 300 }, (_, i) => ({ symbol: `A${i}`, decimals: 2 }));
const registry = parseAssetRegistry({ assets: ASSETS.map((a) => ({ ...a, name: a.symbol })) });
const CHUNK = 2 ** chunkBitsFor(recordSize(ASSETS.length));
const USERS = CHUNK * 12 + 77; // a dozen chunks and a short last one

/** Users holding one or two of the 300 assets (rows in two passes), so most of a record's nets are zero. */
function csv(): string {
  const first: string[] = [];
  const second: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const mode = i % 3 === 0 ? 'multi-currency-margin' : 'simple';
    first.push(`user-${i},spot,A${i % 300},${(i % 997) + 1}.25,${mode}`);
    if (i % 3 === 0) second.push(`user-${i},margin,A${(i * 7 + 1) % 300},-0.5,${mode}`);
  }
  return `user_id,account,asset,balance,mode\n${[...first, ...second].join('\n')}\n`;
}

type Written = { records: Buffer[]; salts: Buffer[]; ids: Buffer[] };

async function collect(file: string, ahead: boolean): Promise<{ out: Written; reused: number; chunks: number }> {
  const snap = await readSnapshot(file, registry);
  const shape = treeShape(registry.assets, SID, 20, snap.userCount);
  const h = await Hashers.start(shape, SECRET, 2, undefined, silentReporter);
  const out: Written = { records: [], salts: [], ids: [] };
  const sink = async (c: { records: Uint8Array; salts: Uint8Array; ids: Uint8Array }) => {
    out.records.push(Buffer.from(c.records));
    out.salts.push(Buffer.from(c.salts));
    out.ids.push(Buffer.from(c.ids));
  };
  const memories = new Set<ArrayBufferLike>();
  const supply = ahead ? aheadSupply(h, snap.encoder!, snap.userCount, memories) : undefined;
  try {
    const set = await new LeafCollector(shape, h, silentReporter, sink, snap.userCount, true, supply).collect(snap);
    expect(set.compact).toBe(true);
    return { out, reused: set.records.filter((r) => memories.has(r.buffer)).length, chunks: set.records.length };
  } finally {
    await h.close();
  }
}

/**
 * Every chunk made ahead, as EarlyHashing makes it, in memory whose bytes past the salts and user
 * hashes are 0xA5 (in a build they are an earlier chunk's leftovers).
 */
function aheadSupply(h: Hashers, enc: { user(i: number): { userId: string } }, n: number, memories: Set<ArrayBufferLike>): EarlySupply {
  const bytesPerUser = compactRecordSize(ASSETS.length);
  const chunks = Math.ceil(n / CHUNK);
  return {
    bytesPerUser,
    madeFrom: (k) => Math.max(0, chunks - k),
    take: async (k): Promise<EarlyChunk | undefined> => {
      const count = Math.min(CHUNK, n - k * CHUNK);
      const ids = Buffer.concat(Array.from({ length: count }, (_, j) => Buffer.from(enc.user(k * CHUNK + j).userId)));
      const idOff = new Uint32Array(count + 1);
      let check = 0;
      for (let j = 0, at = 0; j < count; j++) {
        const len = Buffer.byteLength(enc.user(k * CHUNK + j).userId);
        check = idsCheck(check, lookupKey(ids, at, at + len), j);
        idOff[j + 1] = at += len;
      }
      const memory = new Uint8Array(new SharedArrayBuffer(CHUNK * bytesPerUser)).fill(0xa5);
      memories.add(memory.buffer);
      const salts = memory.subarray(0, CHUNK * HASH_LEN);
      const userHashes = memory.subarray(CHUNK * HASH_LEN, 2 * CHUNK * HASH_LEN);
      await h.leaves({ count, ids, idOff, salts, userHashes, uhBytes: HASH_LEN });
      return { count, salts, userHashes, memory, ids: check, whileReading: true };
    },
  };
}

describe('memory made ahead of the leaf pass, reused for later chunks\' records', () => {
  it('gives the records, salts and ids of fresh memory, byte for byte', { timeout: 120_000 }, async () => {
    expect(compactRecordSize(ASSETS.length)).toBeGreaterThanOrEqual(2 * HASH_LEN);
    const file = join(tmp('por-ahead-'), 'snap.csv');
    writeFileSync(file, csv());
    const fresh = await collect(file, false);
    const reused = await collect(file, true);
    expect(fresh.chunks).toBe(13);
    // Most chunks after the first few (the leaf pass runs a few chunks ahead of the writes) live in reused memory.
    expect(reused.reused).toBeGreaterThanOrEqual(6);
    expect(fresh.reused).toBe(0);
    for (const part of ['records', 'salts', 'ids'] as const) {
      expect(reused.out[part].length, part).toBe(fresh.out[part].length);
      reused.out[part].forEach((b, k) => expect(b.equals(fresh.out[part][k]!), `${part} of chunk ${k}`).toBe(true));
    }
  });
});

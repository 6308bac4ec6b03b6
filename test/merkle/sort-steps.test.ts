// The leaf order made in steps, with block jobs started as its runs are sorted (src/merkle/order.ts
// userHashSorter, src/merkle/levels.ts blockStarter, used by the in-memory build): a job may start
// only once every tree position it reads is final. Checked against an order worked out here by a
// plain comparator sort of the whole user hashes, at each step and at each job's start.
import { describe, expect, it } from 'vitest';
import { BLOCK_JOB, blockStarter } from '../../src/merkle/levels.js';
import { sortByUserHash, userHashSorter } from '../../src/merkle/order.js';
import type { Hashers } from '../../src/merkle/hashing.js';
import type { LeafSet } from '../../src/merkle/leaves.js';
import type { BlockJob } from '../../src/merkle/compute.js';

const CHUNK_BITS = 16;

/** n users with pseudo-random whole user hashes (xorshift32: no two equal), in chunks of 2^16. */
function randomSet(n: number): { set: LeafSet; hashOf: (i: number) => Uint8Array } {
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const chunks: Uint8Array[] = [];
  for (let c = 0; c * 2 ** CHUNK_BITS < n; c++) {
    const m = Math.min(2 ** CHUNK_BITS, n - c * 2 ** CHUNK_BITS);
    const b = new Uint8Array(m * 32);
    for (let k = 0; k < b.length; k += 4) new DataView(b.buffer).setUint32(k, next());
    chunks.push(b);
  }
  const hashOf = (i: number) => chunks[i >>> CHUNK_BITS]!.subarray((i & (2 ** CHUNK_BITS - 1)) * 32, ((i & (2 ** CHUNK_BITS - 1)) + 1) * 32);
  const set: LeafSet = {
    n, chunkBits: CHUNK_BITS, compact: true, stride: 72, records: [], userHashes: chunks, uhBytes: 32, salts: [], ids: [],
    idOffsets: new Float64Array(n + 1), lookupKeys: new Uint32Array(n), idOf: (i) => `user-${i}`,
  };
  return { set, hashOf };
}

/** Tree position → input index by a comparator sort of the whole hashes (no radix passes). */
function expectedOrder(n: number, hashOf: (i: number) => Uint8Array): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => Buffer.compare(hashOf(a), hashOf(b)));
}

describe('the leaf order in steps, with block jobs started as it is made', () => {
  const n = 3 * BLOCK_JOB + 1234;
  const { set, hashOf } = randomSet(n);
  const want = expectedOrder(n, hashOf);

  it('each step makes its tree positions final, in 256 steps, and sortByUserHash gives the same order', () => {
    const sorter = userHashSorter(set);
    let done = 0;
    let steps = 0;
    for (const upto of sorter.steps()) {
      expect(upto).toBeGreaterThanOrEqual(done);
      expect([...sorter.order.subarray(done, upto)]).toEqual(want.slice(done, upto));
      done = upto;
      steps++;
    }
    expect(steps).toBe(256);
    expect(done).toBe(n);
    expect([...sortByUserHash(set)]).toEqual(want);
  });

  it('a block job starts only once all its tree positions are sorted; all start, each once, some before the sort ends', () => {
    const storedFrom = 6;
    const started: { from: number; to: number; beforeEnd: boolean }[] = [];
    const sorter = userHashSorter(set);
    let sorting = true;
    const h = {
      shape: { storedFrom, R: 32 },
      pads: Array.from({ length: storedFrom + 1 }, () => new Uint8Array(32)),
      blocks(job: BlockJob): Promise<void> {
        const first = job.from * 2 ** storedFrom;
        const last = Math.min(n, job.to * 2 ** storedFrom);
        expect([...job.order.subarray(first, last)]).toEqual(want.slice(first, last));
        started.push({ from: job.from, to: job.to, beforeEnd: sorting });
        return Promise.resolve();
      },
    } as unknown as Hashers;
    const blocks = blockStarter(h, { chunks: [], chunkBits: CHUNK_BITS, order: sorter.order, count: n, compact: true }, new Uint8Array(Math.ceil(n / 64) * 32));
    for (const upto of sorter.steps()) blocks.upTo(upto);
    sorting = false;
    blocks.upTo(n);
    // Jobs of 2^16 leaves (1024 blocks of 64), in order, covering every block once.
    expect(started.map((j) => [j.from, j.to])).toEqual([
      [0, 1024],
      [1024, 2048],
      [2048, 3072],
      [3072, Math.ceil(n / 64)],
    ]);
    expect(started.filter((j) => j.beforeEnd).length).toBeGreaterThanOrEqual(3);
    expect(blocks.busy).toHaveLength(4);
  });
});

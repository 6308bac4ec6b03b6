// The hashing threads' job dispatch (src/merkle/pool.ts): a job goes to the worker with the fewest
// jobs outstanding, and background jobs (salts made ahead of the leaf pass, src/merkle/early.ts)
// wait in the pool while each worker has two, so a leaf job asked for meanwhile is sent at once and
// waits behind at most two of them. Checked on the real worker bundle (npm run build) by what is
// sent and what waits, not by timing.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { HASH_LEN, assetsHash, nobleSha256 } from '../../src/core/merkle/core.js';
import { silentReporter } from '../../src/core/progress/index.js';
import { WorkerPool } from '../../src/merkle/pool.js';
import type { LeafJob } from '../../src/merkle/compute.js';
import { SECRET } from './helpers.js';

const WORKER = new URL('../../dist/merkle-worker.mjs', import.meta.url);
const params = { secret: SECRET, snapshotId: new TextEncoder().encode('pool'), assetCount: 1, assetsHash: assetsHash(nobleSha256, [{ symbol: 'BTC', decimals: 8 }]) };

/** Salts and user hashes of `count` users (a job of the kind made ahead). */
function saltJob(count: number): LeafJob {
  const ids = new TextEncoder().encode(Array.from({ length: count }, (_, i) => `u${String(i).padStart(7, '0')}`).join(''));
  const idOff = Uint32Array.from({ length: count + 1 }, (_, i) => i * 8);
  return { count, ids, idOff, salts: new Uint8Array(new SharedArrayBuffer(count * HASH_LEN)), userHashes: new Uint8Array(new SharedArrayBuffer(count * HASH_LEN)), uhBytes: HASH_LEN };
}

/** Both workers loaded and answering (a worker that starts late would take its jobs late). */
async function warm(pool: WorkerPool): Promise<void> {
  await Promise.all([pool.run({ kind: 'leaves', job: saltJob(10) }), pool.run({ kind: 'leaves', job: saltJob(10) })]);
}

describe('worker pool dispatch', () => {
  it('background jobs wait in the pool past two a worker; a job asked for is sent at once, to the least busy worker', { timeout: 60_000 }, async () => {
    expect(fileURLToPath(WORKER)).toMatch(/merkle-worker\.mjs$/);
    const pool = (await WorkerPool.start(2, params, WORKER, silentReporter))!;
    try {
      await warm(pool);
      const bg = Array.from({ length: 6 }, () => saltJob(40000));
      const done: string[] = [];
      const waits = bg.map((j, i) => pool.run({ kind: 'leaves', job: j }, 'background').then(() => void done.push(`bg${i}`)));
      // Two a worker sent, two waiting here.
      expect(pool.load).toEqual({ outstanding: [2, 2], queued: 0, background: 2 });
      const fg = saltJob(10);
      waits.push(pool.run({ kind: 'leaves', job: fg }).then(() => void done.push('fg')));
      // Sent at once, ahead of the two background jobs still waiting.
      expect(pool.load.background).toBe(2);
      expect(pool.load.outstanding.reduce((a, b) => a + b)).toBe(5);
      await Promise.all(waits);
      expect(pool.load).toEqual({ outstanding: [0, 0], queued: 0, background: 0 });
      expect(done.sort()).toEqual(['bg0', 'bg1', 'bg2', 'bg3', 'bg4', 'bg5', 'fg']);
      // Every job did its work: salts filled.
      for (const j of [...bg, fg]) expect(j.salts.some((b) => b !== 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('queued jobs (block jobs) wait in the pool past two a worker, and go ahead of background jobs', { timeout: 60_000 }, async () => {
    const pool = (await WorkerPool.start(2, params, WORKER, silentReporter))!;
    try {
      await warm(pool);
      const seen: { queued: number; background: number }[] = [];
      const note = () => void seen.push({ queued: pool.load.queued, background: pool.load.background });
      const bg = Array.from({ length: 6 }, () => pool.run({ kind: 'leaves', job: saltJob(40000) }, 'background').then(note));
      const queued = Array.from({ length: 3 }, () => pool.run({ kind: 'leaves', job: saltJob(40000) }, 'queued').then(note));
      // Nothing more is sent while each worker has two; both kinds wait here.
      expect(pool.load).toEqual({ outstanding: [2, 2], queued: 3, background: 2 });
      await Promise.all([...bg, ...queued]);
      expect(seen).toHaveLength(9);
      // No background job was sent while a queued one waited.
      for (const s of seen) if (s.background < 2) expect(s.queued).toBe(0);
      expect(seen.some((s) => s.queued < 3 && s.background === 2)).toBe(true);
      expect(pool.load).toEqual({ outstanding: [0, 0], queued: 0, background: 0 });
    } finally {
      await pool.close();
    }
  });

  it('jobs asked for go to the worker with fewer outstanding', { timeout: 60_000 }, async () => {
    const pool = (await WorkerPool.start(2, params, WORKER, silentReporter))!;
    try {
      await warm(pool);
      const long = [pool.run({ kind: 'leaves', job: saltJob(100000) })];
      const short = pool.run({ kind: 'leaves', job: saltJob(10) });
      long.push(pool.run({ kind: 'leaves', job: saltJob(100000) }));
      const sorted = () => [...pool.load.outstanding].sort();
      expect(sorted()).toEqual([1, 2]);
      await short;
      // The short job's worker is free while the other has two long ones: the next two go there
      // (sent in turn, the second would have gone behind the long ones).
      expect(sorted()).toEqual([0, 2]);
      const next = [pool.run({ kind: 'leaves', job: saltJob(10) }), pool.run({ kind: 'leaves', job: saltJob(10) })];
      expect(pool.load.outstanding).toEqual([2, 2]);
      await Promise.all([...long, ...next]);
    } finally {
      await pool.close();
    }
  });

  it('a touch job maps shared memory and changes no value in it', { timeout: 60_000 }, async () => {
    const pool = (await WorkerPool.start(2, params, WORKER, silentReporter))!;
    try {
      const memory = new Uint8Array(new SharedArrayBuffer(3 * 4096 * 1024 + 12));
      for (let i = 0; i < memory.length; i++) memory[i] = (i * 31 + 7) & 0xff;
      const copy = memory.slice();
      await pool.run({ kind: 'touch', job: { memory: memory.subarray(4096) } });
      expect(Buffer.from(memory).equals(Buffer.from(copy))).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

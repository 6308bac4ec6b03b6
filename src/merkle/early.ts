// Salts and user hashes made while the snapshot is still being read. Node-only. The CSV read is
// one thread (the main one) and took a third of a 10M build with the other core idle; a user's
// salt and user hash depend only on its id (and the secret and snapshot id), so a hashing worker
// makes them as soon as the reader has met a leaf chunk's worth of new users, in the order that
// becomes the tree's input order (first seen, exchange-owned accounts left out). The leaf pass
// then only hashes the leaf for those chunks (LeafJob.known). Once the read is over it goes on, with
// every worker but behind the leaf pass's own jobs, for up to AHEAD_SHARE of the chunks. Each chunk
// is made in a buffer that later holds a chunk of leaf records, so working ahead costs no memory
// the build would not hold anyway. docs/SPEC.md's bytes do not change.
import { HASH_LEN, MAX_ID_BYTES } from '../core/merkle/core.js';
import type { ReadWatcher, SeenIds } from '../ingest/types.js';
import type { Hashers } from './hashing.js';
import type { LeafJob } from './compute.js';
import { lookupKey } from './store-writer.js';

/** One leaf chunk's salts and whole user hashes (count × 32 bytes each), made early, in `memory`. */
export interface EarlyChunk {
  count: number;
  salts: Uint8Array;
  userHashes: Uint8Array;
  /**
   * The shared buffer both live in (chunk × bytesPerUser): once the leaf pass has hashed and
   * written this chunk, it holds a later chunk's leaf records (LeafCollector), so what is made
   * ahead is memory the records need anyway.
   */
  memory: Uint8Array;
  /** idsCheck over the chunk's ids: the leaf pass checks that its chunk holds the same users, in the same order. */
  ids: number;
  /** Made while the snapshot was still being read (else beside the leaf pass). */
  whileReading: boolean;
}

/**
 * Adds user i of a chunk (FNV-1a of its UTF-8 id, as the store's lookup keys) to an order-sensitive
 * check of the chunk's ids. A chunk hashed while reading that is not the leaf pass's chunk would
 * give users another user's salt: the leaf pass refuses it rather than build a wrong tree.
 */
export function idsCheck(acc: number, fnv: number, i: number): number {
  return (acc + Math.imul(fnv >>> 0, i + 1)) >>> 0;
}

/**
 * Most bytes of buffers made ahead. They become leaf records later (EarlyChunk.memory), so the
 * build's peak (at the end of the leaf pass) does not rise; this bounds only a build whose records
 * turn out full (a net past int64), which cannot take them.
 */
export const EARLY_MAX_BYTES = 2 ** 30;

/**
 * Share of the leaf chunks whose salts are made ahead, at most. A chunk made ahead leaves its
 * leaf job one hash, against the main thread's encoding of its sums: past ~3/4, the leaf pass
 * waited on the main thread with the workers idle (10M users, 5 assets, measured here), so the
 * last chunks are left to the leaf pass, which hashes them whole meanwhile.
 */
export const AHEAD_SHARE = 0.75;

/**
 * Watches the reading (src/ingest ReadWatcher) and hands full leaf chunks of new users to a worker;
 * once the reading is over (readOver), goes on beside the leaf pass, ahead of it, with every
 * worker, as background jobs (the leaf pass's own jobs go first), until the leaf pass catches up.
 */
export class EarlyHashing implements ReadWatcher {
  private ids: SeenIds | undefined;
  private generation = 0;
  /** Next id (first-seen index) to look at. */
  private cursor = 0;
  private fill: { ids: Uint8Array; idOff: Uint32Array; count: number; idLen: number; check: number } = { ids: new Uint8Array(0), idOff: new Uint32Array(0), count: 0, idLen: 0, check: 0 };
  /** Leaf chunk k's job, until the leaf pass takes it. */
  private readonly jobs: (Promise<EarlyChunk> | undefined)[] = [];
  private readonly busy = new Set<Promise<void>>();
  /** Chunks handed to a worker (each in a buffer of its own). */
  private dispatched = 0;
  /** Id buffers of chunks whose jobs are done, for the next chunks (see reset). */
  private readonly idBuffers: { ids: Uint8Array; idOff: Uint32Array }[] = [];
  private parallel: number;
  /** Every id is known: a last chunk that is not full is hashed too. */
  private over = false;
  /** Chunks to make ahead, at most (AHEAD_SHARE of all, once the user count is known). */
  private limit = Infinity;
  private stopped = false;
  private failure: unknown;

  /**
   * `chunk`: users per leaf chunk (LeafCollector's); `bytesPerUser`: of each buffer, at least 64 (a
   * salt and a user hash) and a compact leaf record's size, so it can hold a chunk of records
   * later; `parallel`: jobs at once while reading (1: one core stays with the reader); `after`:
   * jobs at once once the reading is over.
   */
  constructor(private readonly hashers: Hashers, private readonly chunk: number, readonly bytesPerUser = 2 * HASH_LEN, private readonly maxBytes = EARLY_MAX_BYTES, parallel = 1, private readonly after = hashers.threads) {
    this.parallel = parallel;
    this.reset();
  }

  start(ids: SeenIds): void {
    this.drop();
    this.ids = ids;
  }

  /** Forgets what was made (a failed or restarted read); jobs still out are let finish and ignored. */
  drop(): void {
    this.generation++;
    this.ids = undefined;
    this.jobs.length = 0;
    this.dispatched = 0;
    this.cursor = 0;
    this.over = false;
    this.reset();
  }

  poll(): void {
    while (this.ids && !this.stopped && this.dispatched < this.limit && this.busy.size < this.parallel && (this.dispatched + 1) * this.chunk * this.bytesPerUser <= this.maxBytes) {
      if (!this.gather(this.ids)) return;
      this.dispatch();
    }
  }

  /**
   * The reading is over (every id is met): goes on with every worker until the leaf pass catches up,
   * or AHEAD_SHARE of the `users` (once known) are done.
   */
  readOver(users?: number): void {
    this.over = true;
    if (users !== undefined) this.limit = Math.ceil(Math.ceil(users / this.chunk) * AHEAD_SHARE);
    this.parallel = this.after;
    this.poll();
  }

  /**
   * Leaf chunk k's salts and user hashes (the leaf pass asks for k = 0, 1, … in order), once made;
   * undefined from the first chunk not handed to a worker yet on: the leaf pass does the rest.
   */
  async take(k: number): Promise<EarlyChunk | undefined> {
    if (this.failure !== undefined) throw this.failure;
    const job = this.jobs[k];
    if (job === undefined) {
      this.stopped = true;
      return undefined;
    }
    this.jobs[k] = undefined;
    return job;
  }

  /** Chunks from k on that are made or being made: their buffers come free for records later. */
  madeFrom(k: number): number {
    return Math.max(0, this.dispatched - k);
  }

  /** Stops handing out work and waits for the jobs out (the leaf pass is over, or failed). */
  async close(): Promise<void> {
    this.stopped = true;
    this.ids = undefined;
    this.jobs.length = 0;
    while (this.busy.size > 0) await Promise.all(this.busy);
  }

  /**
   * A chunk's id buffers, from those its jobs are done with: fresh pages cost the reader ~17 µs
   * each here (docs/SCALE.md), ~0.8 s of its thread at 10M when each chunk had new ones and a copy.
   * Shared, so the job reads them where they are (it holds them until done).
   */
  private reset(): void {
    const b = this.idBuffers.pop() ?? { ids: new Uint8Array(new SharedArrayBuffer(this.chunk * 16 + 3 * MAX_ID_BYTES)), idOff: new Uint32Array(new SharedArrayBuffer(4 * (this.chunk + 1))) };
    this.fill = { ids: b.ids, idOff: b.idOff, count: 0, idLen: 0, check: 0 };
  }

  /** Adds the users met since the last call to the chunk being filled; true once it is full (or the last). */
  private gather(ids: SeenIds): boolean {
    const f = this.fill;
    const seen = ids.seen();
    while (f.count < this.chunk && this.cursor < seen) {
      const u = this.cursor++;
      if (!ids.isUser(u)) continue;
      if (f.ids.length - f.idLen < 3 * MAX_ID_BYTES) {
        const bigger = new Uint8Array(new SharedArrayBuffer(f.ids.length * 2));
        bigger.set(f.ids.subarray(0, f.idLen));
        f.ids = bigger;
      }
      const from = f.idLen;
      f.idLen += ids.idUtf8(u, f.ids, f.idLen);
      f.check = idsCheck(f.check, lookupKey(f.ids, from, f.idLen), f.count);
      f.idOff[++f.count] = f.idLen;
    }
    return f.count === this.chunk || (this.over && f.count > 0 && this.cursor === seen);
  }

  /** The chunk gathered to a worker, as a background job: salts and whole user hashes, no records. */
  private dispatch(): void {
    const f = this.fill;
    const check = f.check;
    const k = this.dispatched++;
    const memory = new Uint8Array(new SharedArrayBuffer(this.chunk * this.bytesPerUser));
    const salts = memory.subarray(0, this.chunk * HASH_LEN);
    const userHashes = memory.subarray(this.chunk * HASH_LEN, 2 * this.chunk * HASH_LEN);
    const job: LeafJob = { count: f.count, ids: f.ids.subarray(0, f.idLen), idOff: f.idOff, salts, userHashes, uhBytes: HASH_LEN };
    const idBuffers = { ids: f.ids, idOff: f.idOff };
    this.reset();
    const gen = this.generation;
    const whileReading = !this.over;
    const made = this.hashers.leaves(job, true).then((): EarlyChunk => ({ count: job.count, salts, userHashes, memory, ids: check, whileReading }));
    made.catch(() => {}); // observed by take(), or by failure below
    this.jobs[k] = made;
    const tracked = made.then(
      () => {},
      (err: unknown) => {
        if (gen === this.generation) this.failure ??= err;
      },
    ).finally(() => {
      this.idBuffers.push(idBuffers);
      this.busy.delete(tracked);
      this.poll();
    });
    this.busy.add(tracked);
  }
}

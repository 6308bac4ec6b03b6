// Salts and user hashes made while the snapshot is still being read. Node-only. The CSV read is
// one thread (the main one) and took a third of a 10M build with the other core idle; a user's
// salt and user hash depend only on its id (and the secret and snapshot id), so a hashing worker
// makes them as soon as the reader has met a leaf chunk's worth of new users, in the order that
// becomes the tree's input order (first seen, exchange-owned accounts left out). The leaf pass
// then only hashes the leaf for those chunks (LeafJob.known). docs/SPEC.md's bytes do not change.
import { HASH_LEN, MAX_ID_BYTES } from '../core/merkle/core.js';
import type { ReadWatcher, SeenIds } from '../ingest/types.js';
import type { Hashers } from './hashing.js';
import type { LeafJob } from './compute.js';
import { lookupKey } from './store-writer.js';

/** One leaf chunk's salts and whole user hashes (count × 32 bytes each), made early. */
export interface EarlyChunk {
  count: number;
  salts: Uint8Array;
  userHashes: Uint8Array;
  /** idsCheck over the chunk's ids: the leaf pass checks that its chunk holds the same users, in the same order. */
  ids: number;
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
 * Most bytes of early salts and user hashes held (64 per user): they wait for the leaf pass in
 * memory, which frees them chunk by chunk as its own records grow, so the build's peak (at the end
 * of the leaf pass) does not rise while this stays below the records still to come.
 */
export const EARLY_MAX_BYTES = 320 * 2 ** 20;

/** Watches the reading (src/ingest ReadWatcher) and hands full leaf chunks of new users to a worker. */
export class EarlyHashing implements ReadWatcher {
  private ids: SeenIds | undefined;
  private generation = 0;
  /** Next id (first-seen index) to look at. */
  private cursor = 0;
  private fill = { ids: new Uint8Array(0), idOff: new Uint32Array(0), count: 0, idLen: 0, check: 0 };
  private readonly done: EarlyChunk[] = [];
  private readonly busy = new Set<Promise<void>>();
  private dispatched = 0;
  private stopped = false;
  private failure: unknown;

  /** `chunk`: users per leaf chunk (LeafCollector's); `parallel`: jobs at once (1: one core stays with the reader). */
  constructor(private readonly hashers: Hashers, private readonly chunk: number, private readonly maxBytes = EARLY_MAX_BYTES, private readonly parallel = 1) {
    this.reset();
  }

  start(ids: SeenIds): void {
    this.drop();
    this.ids = ids;
  }

  drop(): void {
    this.generation++;
    this.ids = undefined;
    this.done.length = 0;
    this.dispatched = 0;
    this.cursor = 0;
    this.reset();
  }

  poll(): void {
    while (this.ids && !this.stopped && this.busy.size < this.parallel && (this.dispatched + 1) * this.chunk * 2 * HASH_LEN <= this.maxBytes) {
      if (!this.gather(this.ids)) return;
      this.dispatch();
    }
  }

  /**
   * Stops handing out work once the reading is over and waits for the jobs out: the chunks made,
   * from the first, in order. The leaf pass does the rest as before.
   */
  async finish(): Promise<EarlyChunk[]> {
    this.stopped = true;
    while (this.busy.size > 0) await Promise.all(this.busy);
    if (this.failure !== undefined) throw this.failure;
    const out: EarlyChunk[] = [];
    for (let k = 0; k < this.done.length && this.done[k] !== undefined; k++) out.push(this.done[k]!);
    this.done.length = 0;
    return out;
  }

  private reset(): void {
    this.fill = { ids: new Uint8Array(this.chunk * 16 + 3 * MAX_ID_BYTES), idOff: new Uint32Array(this.chunk + 1), count: 0, idLen: 0, check: 0 };
  }

  /** Adds the users met since the last call to the chunk being filled; true once it is full. */
  private gather(ids: SeenIds): boolean {
    const f = this.fill;
    const seen = ids.seen();
    while (f.count < this.chunk && this.cursor < seen) {
      const u = this.cursor++;
      if (!ids.isUser(u)) continue;
      if (f.ids.length - f.idLen < 3 * MAX_ID_BYTES) {
        const bigger = new Uint8Array(f.ids.length * 2);
        bigger.set(f.ids.subarray(0, f.idLen));
        f.ids = bigger;
      }
      const from = f.idLen;
      f.idLen += ids.idUtf8(u, f.ids, f.idLen);
      f.check = idsCheck(f.check, lookupKey(f.ids, from, f.idLen), f.count);
      f.idOff[++f.count] = f.idLen;
    }
    return f.count === this.chunk;
  }

  /** The full chunk to a worker: salts and whole user hashes, no records. */
  private dispatch(): void {
    const f = this.fill;
    const check = f.check;
    const k = this.dispatched++;
    const job: LeafJob = {
      count: f.count, ids: f.ids.slice(0, f.idLen), idOff: f.idOff,
      salts: new Uint8Array(new SharedArrayBuffer(f.count * HASH_LEN)), userHashes: new Uint8Array(new SharedArrayBuffer(f.count * HASH_LEN)), uhBytes: HASH_LEN,
    };
    this.reset();
    const gen = this.generation;
    const p = this.hashers.leaves(job).then(
      () => {
        if (gen === this.generation) this.done[k] = { count: job.count, salts: job.salts, userHashes: job.userHashes, ids: check };
      },
      (err: unknown) => {
        if (gen === this.generation) this.failure ??= err;
      },
    );
    const tracked = p.finally(() => {
      this.busy.delete(tracked);
      this.poll();
    });
    this.busy.add(tracked);
  }
}

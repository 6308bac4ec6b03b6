// The tree's parameters checked once, and the hashers (worker pool or inline) every build step
// uses: the one-machine build, a shard, and the combine. Node-only.
import { cpus } from 'node:os';
import { porError, PorError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { assetsHash, checkHeight, HASH_LEN, DEFAULT_HEIGHT, idBytes, leafBound, MIN_SECRET_BYTES, nobleSha256, paddingRecords, recordSize } from '../core/merkle/core.js';
import { makeBlockHasher, makeLeafHasher, makeLevelHasher, type BlockJob, type LeafJob, type LevelJob, type TreeParams } from './compute.js';
import { WorkerPool, type WorkerJob } from './pool.js';

/** Levels below this are not stored: a proof recomputes them from its 2^STORED_FROM-leaf block (FORMATS.md, Proof store). */
export const STORED_FROM = 6;
const PARALLEL_MIN = 8192; // levels smaller than this are hashed inline: messaging would cost more

export interface TreeShape {
  assets: { symbol: string; decimals: number }[];
  A: number;
  /** Bytes of one record: hash ‖ per asset equity ‖ debt. */
  R: number;
  height: number;
  storedFrom: number;
  /** Largest value one leaf may carry (docs/SPEC.md, Bounds). */
  bound: bigint;
  /** Most users this tree (and one store) can hold. */
  maxUsers: number;
  snapshotId: string;
  sid: Uint8Array;
}

/** Checks the registry, height, snapshot id and user count, and fixes the record layout. */
export function treeShape(registry: readonly { symbol: string; decimals: number }[], snapshotId: string, height = DEFAULT_HEIGHT, userCount?: number): TreeShape {
  checkHeight(height);
  const assets = registry.map((a) => ({ symbol: a.symbol, decimals: a.decimals }));
  const A = assets.length;
  if (A === 0 || A > 0xffff) throw porError('BAD_INPUT', `the asset registry must list 1 to 65535 assets, got ${A}`);
  const sid = idBytes(snapshotId, 'snapshot id');
  const maxUsers = Math.min(2 ** height, 0xffffffff);
  if (userCount !== undefined && userCount > maxUsers) {
    throw porError('OVERFLOW', `${userCount} users do not fit a tree of height ${height} (at most ${maxUsers}); raise --height`, { field: 'height' });
  }
  return { assets, A, R: recordSize(A), height, storedFrom: Math.min(STORED_FROM, height), bound: leafBound(height), maxUsers, snapshotId, sid };
}

export function checkSecret(secret: Uint8Array): void {
  if (secret.length < MIN_SECRET_BYTES) {
    throw porError('BAD_INPUT', `the secret is ${secret.length} bytes; at least ${MIN_SECRET_BYTES} are needed (e.g. openssl rand -hex 32)`, { field: 'secret' });
  }
}

/** Worker pool (or inline loops when there is one thread) plus the padding records. */
export class Hashers {
  readonly pads: Uint8Array[];
  private readonly inlineLeaves: (job: LeafJob) => void;
  private readonly inlineLevel: (job: LevelJob) => void;
  private readonly inlineBlocks: (job: BlockJob) => void;
  private constructor(readonly shape: TreeShape, readonly pool: WorkerPool | undefined, readonly threads: number, params: TreeParams) {
    this.inlineLeaves = makeLeafHasher(params);
    this.inlineLevel = makeLevelHasher(shape.A);
    this.inlineBlocks = makeBlockHasher(shape.A);
    this.pads = paddingRecords(nobleSha256, shape.height, shape.A);
  }

  /** `secret` may be empty when no leaf is hashed (the combine step). */
  static async start(shape: TreeShape, secret: Uint8Array, threadsWanted: number | undefined, workerUrl: URL | undefined, reporter: Reporter): Promise<Hashers> {
    const params: TreeParams = { secret, snapshotId: shape.sid, assetCount: shape.A, assetsHash: assetsHash(nobleSha256, shape.assets) };
    const threads = Math.max(1, Math.floor(threadsWanted ?? Math.min(2, cpus().length)));
    const pool = threads > 1 ? await WorkerPool.start(threads, params, workerUrl, reporter) : undefined;
    return new Hashers(shape, pool, pool ? threads : 1, params);
  }

  /** The whole user hash of one id, hashed here (a tie in the kept prefix of the user hashes: rare). */
  userHash(id: Uint8Array): Uint8Array {
    const userHashes = new Uint8Array(HASH_LEN);
    this.inlineLeaves({ count: 1, ids: id, idOff: Uint32Array.of(0, id.length), records: new Uint8Array(this.shape.R), salts: new Uint8Array(HASH_LEN), userHashes });
    return userHashes;
  }

  /** A leaf job; `background`: only when no other job waits (salts made ahead, ./early.ts). */
  leaves(job: LeafJob, background = false): Promise<void> {
    return this.pool ? this.pool.run({ kind: 'leaves', job }, background ? 'background' : 'now') : Promise.resolve(this.inlineLeaves(job));
  }

  /**
   * Fresh shared memory the main thread will fill, mapped meanwhile by a hashing thread (touchPages);
   * only a hint: nothing waits for it, and with one thread the filler maps its own pages.
   */
  touch(memory: Uint8Array): void {
    if (!this.pool || memory.byteLength === 0) return;
    this.pool.run({ kind: 'touch', job: { memory } }).catch(() => {});
  }

  /** A block job; its failure is observed (awaited later by the caller), never unhandled. */
  blocks(job: BlockJob): Promise<void> {
    let p: Promise<void>;
    if (this.pool) p = this.pool.run({ kind: 'blocks', job }, 'queued');
    else {
      try {
        this.inlineBlocks(job);
        p = Promise.resolve();
      } catch (err) {
        p = Promise.reject(err);
      }
    }
    p.catch(() => {});
    return p;
  }

  /** Parents [0, count) of one level, split over the threads when the level is big enough. */
  async level(count: number, job: (from: number, to: number) => LevelJob): Promise<void> {
    try {
      if (this.pool && count >= PARALLEL_MIN) {
        const parts: Promise<void>[] = [];
        for (let t = 0; t < this.threads; t++) parts.push(this.pool.run({ kind: 'level', job: job(Math.floor((count * t) / this.threads), Math.floor((count * (t + 1)) / this.threads)) } satisfies WorkerJob));
        await Promise.all(parts);
      } else this.inlineLevel(job(0, count));
    } catch (err) {
      throw asOverflow(err);
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/** A failure inside a hashing loop is a sum past 128 bits (the loops throw nothing else). */
export function asOverflow(err: unknown): PorError {
  if (err instanceof PorError) return err;
  return porError('OVERFLOW', `a sum overflowed 128 bits: ${(err as Error).message}`);
}

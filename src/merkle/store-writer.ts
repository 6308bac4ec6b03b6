// Writes the proof store's files (docs/FORMATS.md, Proof store) into a staged build folder.
// Node-only. Used by the one-machine build (leaves in input order + order.bin) and by the combine
// (leaves already in tree order, order.bin the identity).
import { leafRecordSize, write as writeStoreMeta } from '../core/documents/store-meta.js';
import { recordSize } from '../core/merkle/core.js';
import { write as writeRoot } from '../core/documents/root.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectAppender } from '../io/direct.js';
import { toJson, writeError, writeFileAtomic } from '../io/node.js';
import type { StagedFolder } from '../io/staged.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE, STORE_META } from './layout.js';
import { allSteps, sortByKey32Steps, turn, turnSteps } from './order.js';
import { STORE_FORMAT, STORE_VERSION, type LeafRecordLayout, type MerkleRoot, type RootDocument, type StoreMeta } from '../core/merkle/types.js';

export const APPEND_FILES = ['leaves.bin', 'salts.bin', 'ids.bin', 'levels.bin'] as const;
export type AppendFile = (typeof APPEND_FILES)[number];
const SECRET = { mode: 0o600 };
/**
 * The files written with direct I/O when the writer is direct: those the leaf pass writes (~1.2 GB
 * at 10^7 users). The indexes and levels.bin, written while the block jobs run, are buffered: there,
 * direct 1 MiB writes took ~55 ms each (~35 MB/s, against ~1 GB/s for dd alone on the same disk;
 * the cause was not found), so the indexes were written 4.1-5.4 s after the sort against 2.2-2.4 s
 * buffered, and the last step took 0.7 s longer (10^7 users, docs/SCALE.md).
 */
const DIRECT_FILES: ReadonlySet<string> = new Set(['leaves.bin', 'salts.bin', 'ids.bin']);

export class StoreWriter {
  /** Flushes started before finish (syncEarly); finish waits for them and reports their failure. */
  private readonly early: Promise<void>[] = [];
  private constructor(readonly dir: string, private readonly stage: StagedFolder, private readonly files: Map<AppendFile, DirectAppender>, private readonly direct: boolean) {}

  /**
   * Makes private/ (0700) and public/ in the staged folder and opens the files appended to, with
   * direct I/O where the file system takes it (src/io/direct.ts): the build does not read them back.
   * `direct` false: buffered writes. The disk-bound bucket pass of a build in parts (and the
   * combine) write 14 GB at 10^8 users while reading their buckets back: with direct writes, each
   * waiting for the disk, that pass took 175.5 s against 121.0 s buffered (docs/SCALE.md).
   */
  static async open(stage: StagedFolder, direct = true): Promise<StoreWriter> {
    const dir = join(stage.path, PRIVATE_DIR);
    try {
      await mkdir(dir, { mode: 0o700 });
      await mkdir(join(stage.path, PUBLIC_DIR));
    } catch (err) {
      throw writeError(dir, err);
    }
    const files = new Map<AppendFile, DirectAppender>();
    const w = new StoreWriter(dir, stage, files, direct);
    try {
      for (const name of APPEND_FILES) files.set(name, await w.appender(name));
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  /**
   * Appends to one of the store's files, after what was put before; a short write or a full disk
   * names the file (here or at a later put, syncEarly or finish). `data` may be reused once this resolves.
   */
  put(name: AppendFile, data: Uint8Array): Promise<void> {
    return this.files.get(name)!.append(data);
  }

  /** A whole file of the store (an index), written at once, atomically and buffered (see DIRECT_FILES). */
  whole(name: string, data: Uint8Array): Promise<void> {
    return writeFileAtomic(join(this.dir, name), data, SECRET);
  }

  /** Opens another file of the store to append to (finished by the caller: complete, sync, close). */
  appender(name: string): Promise<DirectAppender> {
    return DirectAppender.open(join(this.dir, name), { ...SECRET, ...(this.direct && DIRECT_FILES.has(name) ? {} : { direct: false }) });
  }

  /**
   * Files nothing more is appended to: resolves once their bytes are all written (they can be read
   * back), and starts flushing them, so their bytes go to disk while the build goes on (at 10^7
   * users ids, leaves and salts are ~1.2 GB). finish waits for these flushes and reports their failure.
   */
  async syncEarly(names: readonly AppendFile[]): Promise<void> {
    for (const name of names) await this.files.get(name)!.complete();
    for (const name of names) {
      const p = this.files.get(name)!.sync();
      p.catch(() => {}); // observed in finish
      this.early.push(p);
    }
  }

  /**
   * Completes and flushes the appended files, then writes store.json and public/root.json: the store is whole.
   * `leafRecord`: what was appended to leaves.bin (compact records when every net fits int64).
   */
  async finish(meta: { leafRecord: LeafRecordLayout; levelCounts: number[]; storedFrom: number; root: MerkleRoot }, root: RootDocument): Promise<void> {
    await Promise.all(this.early);
    for (const f of this.files.values()) {
      await f.complete();
      await f.sync();
    }
    await this.close();
    const A = meta.root.assets.length;
    const doc: StoreMeta = { format: STORE_FORMAT, version: STORE_VERSION, recordSize: recordSize(A), leafRecordSize: leafRecordSize(meta.leafRecord, A), ...meta };
    await writeFileAtomic(join(this.dir, STORE_META), toJson(writeStoreMeta(doc)), SECRET);
    await writeFileAtomic(join(this.stage.path, PUBLIC_DIR, ROOT_FILE), toJson(writeRoot(root)));
  }

  async close(): Promise<void> {
    for (const f of this.files.values()) await f.close();
    this.files.clear();
  }
}

/** ids.off: n + 1 offsets as (low u32, high u32) pairs, little-endian. */
export function idOffsetsFile(idOffsets: Float64Array, n: number): Uint8Array {
  const offsets = new Uint32Array(2 * (n + 1));
  // Offsets only grow: while they fit 32 bits the high words stay 0 (no float division per id).
  let i = 0;
  for (; i <= n && idOffsets[i]! < 2 ** 32; i++) offsets[2 * i] = idOffsets[i]!;
  for (; i <= n; i++) {
    offsets[2 * i] = idOffsets[i]! % 2 ** 32;
    offsets[2 * i + 1] = Math.floor(idOffsets[i]! / 2 ** 32);
  }
  return new Uint8Array(offsets.buffer);
}

/** A user's key in lookup.bin: FNV-1a (32-bit) of the UTF-8 id in bytes[from, to). */
export function lookupKey(bytes: Uint8Array, from: number, to: number): number {
  let fnv = 0x811c9dc5;
  for (let i = from; i < to; i++) fnv = Math.imul(fnv ^ bytes[i]!, 0x01000193);
  return fnv >>> 0;
}

/**
 * lookup.bin: (input index, FNV-1a of the id) pairs as u32 LE, sorted by key then index: a stable
 * radix sort on the key over indexes already ascending (./order.ts, sortByKey32), the same bytes as
 * sorting the pairs as u64, at a tenth of BigUint64Array.sort's time for 10^6 keys.
 */
export function lookupFile(lookupKeys: Uint32Array, n: number): Uint8Array {
  return allSteps(lookupFileSteps(lookupKeys, n));
}

/** lookupFile in sortByKey32Steps' steps; returns the file's bytes. */
function* lookupFileSteps(lookupKeys: Uint32Array, n: number): Generator<void, Uint8Array> {
  const out = new Uint32Array(2 * n);
  yield* sortByKey32Steps(lookupKeys.subarray(0, n), out, 1, 0, 2);
  return new Uint8Array(out.buffer);
}

/**
 * ids.off (as idOffsetsFile) written over idOffsets' own memory, which it consumes: each offset's
 * 8 bytes become its own (low, high) pair, so no second copy (80 MB at 10^7 users, whose fresh pages
 * cost more than the conversion) is made.
 */
export function idOffsetsInPlace(idOffsets: Float64Array, n: number): Uint8Array {
  const words = new Uint32Array(idOffsets.buffer, idOffsets.byteOffset, 2 * (n + 1));
  let i = 0;
  for (; i <= n && idOffsets[i]! < 2 ** 32; i++) {
    words[2 * i] = idOffsets[i]!; // read before either word of the same 8 bytes is written
    words[2 * i + 1] = 0;
  }
  for (; i <= n; i++) {
    const v = idOffsets[i]!;
    words[2 * i] = v % 2 ** 32;
    words[2 * i + 1] = Math.floor(v / 2 ** 32);
  }
  return new Uint8Array(idOffsets.buffer, idOffsets.byteOffset, 8 * (n + 1));
}

/**
 * order.bin, position.bin, lookup.bin and ids.off of a build whose leaves are in input order.
 * idOffsets is consumed (its memory becomes ids.off).
 */
export async function writeIndexes(w: StoreWriter, order: Uint32Array, lookupKeys: Uint32Array, idOffsets: Float64Array, n: number): Promise<void> {
  // Made beside the block jobs: the event loop gets turns (turnSteps), or the pool's queued
  // jobs wait and the workers idle (~1 s at 10^7 users when this ran at once).
  const position = new Uint32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  await turn();
  const lookup = await turnSteps(lookupFileSteps(lookupKeys, n));
  const offsets = idOffsetsInPlace(idOffsets, n);
  await w.whole('order.bin', Buffer.from(order.buffer, 0, 4 * n));
  await w.whole('position.bin', new Uint8Array(position.buffer));
  await w.whole('lookup.bin', lookup);
  await w.whole('ids.off', offsets);
}

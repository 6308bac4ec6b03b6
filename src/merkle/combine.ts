// `por combine`: shard folders (./shard.ts) → one build folder, the same root.json as a build on
// one machine. The shards' leaves, each sorted by user hash, are merged in one pass (a k-way merge,
// memory: a read buffer per shard, 16 bytes per user for the id index, and level storedFrom); the
// merged leaves are the tree's level 0 in order, hashed in blocks by the workers while the store is
// written in tree order. Node-only.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { porError, PorError } from '../core/errors/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { readJsonFile } from '../io/node.js';
import type { StagedFolder } from '../io/staged.js';
import { HASH_LEN, MAX_ID_BYTES } from '../core/merkle/core.js';
import { Hashers, treeShape, checkSecret, type TreeShape } from './hashing.js';
import { awaitBlocks, BLOCK_JOB, hashUpperLevels, lowerCounts, rootDocuments, startBlocks } from './levels.js';
import { StoreWriter, idOffsetsFile, lookupFile, lookupKey } from './store-writer.js';
import { withStage, type BuildResult } from './build.js';
import { secretCheck, SHARD_LEAVES, SHARD_META } from './shard.js';
import { read as readShardMeta, type ShardMeta } from '../core/documents/shard.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE } from './layout.js';
import { compareBytes } from './order.js';
import { asBuffer } from './compute.js';
import { compactRecords, totalsFitInt64, type LeafRecordLayout } from './leaf-records.js';
import { compactRecordSize } from './leaves.js';

export interface CombineOptions {
  /** The secret the shards were built with: checked through each shard's secretCheck, not used to hash. */
  secret: Uint8Array;
  snapshotId: string;
  height?: number;
  assets: readonly { symbol: string; decimals: number }[];
  outDir: string;
  stage?: StagedFolder;
  overwrite?: boolean;
  reporter?: Reporter;
  threads?: number;
  workerUrl?: URL;
}

interface Shard {
  dir: string;
  meta: ShardMeta;
}

export async function combineShards(dirs: readonly string[], options: CombineOptions): Promise<BuildResult> {
  const reporter = options.reporter ?? silentReporter;
  checkSecret(options.secret);
  const probe = treeShape(options.assets, options.snapshotId, options.height);
  const shards = await readShards(dirs, probe, secretCheck(options.secret, options.snapshotId));
  const n = shards.reduce((s, x) => s + x.meta.userCount, 0);
  const shape = treeShape(options.assets, options.snapshotId, options.height, n);
  return withStage(options, async (stage) => {
    const hashers = await Hashers.start(shape, options.secret, options.threads, options.workerUrl, reporter);
    let w: StoreWriter | undefined;
    try {
      w = await StoreWriter.open(stage, false); // buffered: see StoreWriter.open
      const docs = await combineInto(w, hashers, shards, n, reporter);
      return { ...docs, rootFile: join(stage.target, PUBLIC_DIR, ROOT_FILE), storeDir: join(stage.target, PRIVATE_DIR), threads: hashers.threads };
    } finally {
      await w?.close();
      await hashers.close();
    }
  });
}

/** Reads every shard.json and refuses (naming the shard) anything that is not one shard of this tree. */
export async function readShards(dirs: readonly string[], shape: TreeShape, check: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  for (const dir of dirs) {
    const file = join(dir, SHARD_META);
    let doc: unknown;
    try {
      doc = await readJsonFile(file);
    } catch (err) {
      const why = err instanceof PorError ? err.message : String(err);
      throw porError('BAD_INPUT', `not a finished shard: ${why} (a shard task that died leaves no ${SHARD_META}; run its por build --shard again)`, { file }, err);
    }
    shards.push({ dir, meta: checkShardMeta(doc, file, shape, check, dirs.length) });
  }
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const other = byIndex.get(s.meta.shard.index);
    if (other) throw porError('BAD_INPUT', `shard ${s.meta.shard.index}/${dirs.length} is given twice (also ${other.dir})`, { file: join(s.dir, SHARD_META), field: 'shard.index' });
    byIndex.set(s.meta.shard.index, s);
  }
  return shards.sort((a, b) => a.meta.shard.index - b.meta.shard.index);
}

function checkShardMeta(doc: unknown, file: string, shape: TreeShape, check: string, count: number): ShardMeta {
  const m = readShardMeta(doc, file);
  const name = `shard ${m.shard.index}/${m.shard.count}`;
  const refuse = (field: string, why: string): never => {
    throw porError('BAD_INPUT', `${name}: ${why}; re-run this shard (por build --shard) with the same inputs as the others`, { file, field });
  };
  if (m.shard.count !== count) refuse('shard.count', `built as one of ${m.shard.count} shards, but ${count} shard folders are given`);
  if (m.snapshotId !== shape.snapshotId) refuse('snapshotId', `built for snapshot "${m.snapshotId}", not "${shape.snapshotId}"`);
  if (m.height !== shape.height) refuse('height', `built for height ${m.height}, not ${shape.height}`);
  if (JSON.stringify(m.assets) !== JSON.stringify(shape.assets)) refuse('assets', 'built with another asset registry (symbols, decimals or order differ)');
  if (m.secretCheck !== check) refuse('secretCheck', 'built with another secret');
  return m;
}

/** Sequential reader of one shard's leaves.bin: entries ascending by user hash, checked as read. */
class ShardReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(4 << 20);
  private start = 0;
  private end = 0;
  private eof = false;
  private read = 0;
  private bytes = 0;
  /** The current entry: user hash at `at`, then record, salt, u16 id length, id. */
  at = -1;
  idLen = 0;
  private readonly prev = Buffer.alloc(HASH_LEN);
  private readonly file: string;

  constructor(readonly shard: Shard, readonly R: number) {
    this.file = join(shard.dir, SHARD_LEAVES);
    try {
      this.fd = openSync(this.file, 'r');
    } catch (err) {
      throw this.fault(`its ${SHARD_LEAVES} cannot be opened (${(err as Error).message})`);
    }
    if (fstatSync(this.fd).size !== shard.meta.leavesBytes) throw this.fault(`${SHARD_LEAVES} is ${fstatSync(this.fd).size} bytes, shard.json says ${shard.meta.leavesBytes}`);
  }

  private fault(why: string): PorError {
    const s = this.shard.meta.shard;
    return porError('BAD_INPUT', `shard ${s.index}/${s.count}: ${why}; re-run this shard`, { file: this.file });
  }

  /** Moves to the next entry; false at the end. */
  next(): boolean {
    if (this.at >= 0) this.start = this.at + 2 * HASH_LEN + this.R + 2 + this.idLen;
    const head = 2 * HASH_LEN + this.R + 2;
    if (this.end - this.start < head + MAX_ID_BYTES) this.fill();
    if (this.start === this.end) {
      if (this.read !== this.shard.meta.userCount) throw this.fault(`${SHARD_LEAVES} holds ${this.read} users, shard.json says ${this.shard.meta.userCount}`);
      this.at = -1;
      return false;
    }
    if (this.end - this.start < head) throw this.fault(`${SHARD_LEAVES} ends inside an entry`);
    this.at = this.start;
    this.idLen = this.buf.readUInt16BE(this.at + head - 2);
    if (this.idLen < 1 || this.idLen > MAX_ID_BYTES || this.end - this.start < head + this.idLen) throw this.fault(`${SHARD_LEAVES} has a bad entry after user ${this.read}`);
    if (this.read > 0 && compareBytes(this.prev, this.buf.subarray(this.at, this.at + HASH_LEN)) >= 0) throw this.fault(`${SHARD_LEAVES} is not in user-hash order at user ${this.read}`);
    this.buf.copy(this.prev, 0, this.at, this.at + HASH_LEN);
    this.read++;
    return true;
  }

  private fill(): void {
    if (this.eof) return;
    this.buf.copy(this.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.at = this.at >= 0 ? this.at - this.start : -1;
    this.start = 0;
    while (this.end < this.buf.length) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.bytes);
      if (got === 0) {
        this.eof = true;
        break;
      }
      this.end += got;
      this.bytes += got;
    }
  }

  /** Top 32 bits of the current user hash (the merge compares these first). */
  key(): number {
    return this.buf.readUInt32BE(this.at);
  }

  get data(): Buffer {
    return this.buf;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The merged leaves, in tree order, into the store and the block jobs; then the levels above. */
async function combineInto(w: StoreWriter, h: Hashers, shards: Shard[], n: number, reporter: Reporter): Promise<{ merkleRoot: BuildResult['merkleRoot']; root: BuildResult['root'] }> {
  const readers = shards.map((s) => new ShardReader(s, h.shape.R));
  const totals = h.shape.assets.map((_, a) => ({
    gross: shards.reduce((s, x) => s + BigInt(x.meta.totals[a]!.equityUnits), 0n),
    debt: shards.reduce((s, x) => s + BigInt(x.meta.totals[a]!.debtUnits), 0n),
  }));
  try {
    // Compact leaf records when the totals show every net fits int64 (the shards hold full records).
    const leafRecord = totalsFitInt64(totals) ? 'compact' : 'full';
    return await writeInTreeOrder(w, h, n, totals, reporter, `from ${shards.length} shards`, leafRecord, (out) => mergeLeaves(readers, (r) => out.add(r), () => out.ready()));
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * A store whose leaves come in tree order from `feed` (into the writer): leaves, salts and ids as
 * they come, level storedFrom hashed meanwhile, then the indexes, the levels above and the root.
 * The feed writes full records; leaves.bin gets them as `leafRecord` says (compact: the caller
 * knows every net fits int64).
 */
export async function writeInTreeOrder(
  w: StoreWriter, h: Hashers, n: number, totals: readonly { gross: bigint; debt: bigint }[], reporter: Reporter, from: string,
  leafRecord: LeafRecordLayout, feed: (out: TreeOrderWriter) => Promise<void>,
): Promise<{ merkleRoot: BuildResult['merkleRoot']; root: BuildResult['root'] }> {
  const { shape } = h;
  const level = new Uint8Array(new SharedArrayBuffer(Math.max(1, Math.ceil(n / 2 ** shape.storedFrom)) * shape.R));
  const out = new TreeOrderWriter(w, h, level, n, leafRecord === 'compact');
  out.progress = (done) => reporter.progress('combine leaves', done, n, 'users');
  await feed(out);
  await out.end();
  reporter.done('combine leaves', `${n.toLocaleString('en-US')} users ${from}, in tree order`);
  await writeIdentity(w, 'order.bin', n);
  await writeIdentity(w, 'position.bin', n);
  await w.whole('lookup.bin', lookupFile(out.lookupKeys, n));
  await w.whole('ids.off', idOffsetsFile(out.idOffsets, n));
  const count = Math.ceil(n / 2 ** shape.storedFrom);
  if (n > 0) await w.put('levels.bin', level.subarray(0, count * shape.R));
  const upper = await hashUpperLevels(h, level, count, (l) => w.put('levels.bin', l), reporter);
  const docs = rootDocuments(shape, n, upper.root, totals);
  await w.finish({ leafRecord, levelCounts: [...lowerCounts(n, shape.storedFrom), ...upper.counts], storedFrom: shape.storedFrom, root: docs.merkleRoot }, docs.root);
  return docs;
}

/**
 * k-way merge by user hash (shards are few: a linear scan of the heads, top 32 bits first). Two
 * equal user hashes are one user id in two shards: the input was not partitioned by user.
 */
async function mergeLeaves(readers: ShardReader[], emit: (r: ShardReader) => boolean, wait: () => Promise<void>): Promise<void> {
  const live = readers.filter((r) => r.next());
  const prev = Buffer.alloc(HASH_LEN);
  let prevShard: ShardReader | undefined;
  while (live.length > 0) {
    let best = 0;
    for (let k = 1; k < live.length; k++) {
      const a = live[k]!;
      const b = live[best]!;
      const ka = a.key();
      const kb = b.key();
      if (ka < kb || (ka === kb && a.data.compare(b.data, b.at, b.at + HASH_LEN, a.at, a.at + HASH_LEN) < 0)) best = k;
    }
    const r = live[best]!;
    if (prevShard && r.data.compare(prev, 0, HASH_LEN, r.at, r.at + HASH_LEN) === 0) {
      const id = r.data.toString('utf8', r.at + 2 * HASH_LEN + r.R + 2, r.at + 2 * HASH_LEN + r.R + 2 + r.idLen);
      const [a, b] = [prevShard.shard.meta.shard, r.shard.meta.shard];
      throw porError('DUPLICATE', `user id "${id}" is in shard ${a.index}/${a.count} and in shard ${b.index}/${b.count}: every row of a user must be in one part (partition by user id)`, { file: r.shard.dir, field: 'user_id' });
    }
    r.data.copy(prev, 0, r.at, r.at + HASH_LEN);
    prevShard = r;
    if (emit(r)) await wait();
    if (!r.next()) live.splice(best, 1);
  }
}

/**
 * Takes merged entries in tree order: records into block buffers (written to leaves.bin, compacted
 * first when `compact`, and hashed by a block job when full), salts and ids appended, the id index filled. A caller writes one leaf
 * in place (its whole record in slotRecords at recordAt, its salt in saltBuf at saltAt, its id in
 * idBuf at idAt), then commit()s it.
 */
export class TreeOrderWriter {
  readonly lookupKeys: Uint32Array;
  readonly idOffsets: Float64Array;
  readonly shape: TreeShape;
  private readonly per: number;
  /** Per slot: the full records (hashed), their compact form when leaves.bin holds compact records, and the slot's last write and hashing. */
  private readonly ring: { buf: Uint8Array; small?: Uint8Array; busy: Promise<void> }[] = [];
  private readonly order: Uint32Array;
  private slot = 0;
  private inBuf = 0;
  private p = 0;
  private idTotal = 0;
  readonly saltBuf = Buffer.from(new ArrayBuffer(HASH_LEN << 16));
  /** saltBuf as words. */
  readonly saltWords = new Uint32Array(this.saltBuf.buffer);
  private saltUsed = 0;
  readonly idBuf = Buffer.allocUnsafe(1 << 22);
  private idUsed = 0;
  private writes: Promise<void> = Promise.resolve();
  private readonly busy: Promise<void>[] = [];
  /** The current block buffer, as bytes and as words. */
  slotRecords: Buffer;
  slotWords: Uint32Array;

  constructor(private readonly w: StoreWriter, private readonly h: Hashers, private readonly level: Uint8Array, readonly n: number, private readonly compact = false) {
    const { R, storedFrom } = h.shape;
    this.shape = h.shape;
    this.lookupKeys = new Uint32Array(n);
    this.idOffsets = new Float64Array(n + 1);
    // Leaves per buffer: ≤ 16 MiB of records, a multiple of 2^storedFrom, at most one block job.
    let bits = Math.min(16, Math.max(storedFrom, Math.floor(Math.log2((1 << 24) / R))));
    this.per = Math.min(BLOCK_JOB, 2 ** bits);
    this.order = new Uint32Array(new SharedArrayBuffer(4 * this.per));
    for (let i = 0; i < this.per; i++) this.order[i] = i;
    for (let k = 0; k < 2 * h.threads + 1; k++) {
      const small = compact ? { small: new Uint8Array(this.per * compactRecordSize(h.shape.A)) } : {};
      this.ring.push({ buf: new Uint8Array(new SharedArrayBuffer(this.per * R)), ...small, busy: Promise.resolve() });
    }
    this.slotRecords = asBuffer(this.ring[0]!.buf);
    this.slotWords = new Uint32Array(this.ring[0]!.buf.buffer);
  }

  get done(): number {
    return this.p;
  }
  get recordAt(): number {
    return this.inBuf * this.shape.R;
  }
  get saltAt(): number {
    return this.saltUsed;
  }
  get idAt(): number {
    return this.idUsed;
  }

  /** Takes the reader's current entry; true when a buffer was handed off (then await ready()). */
  add(r: ShardReader): boolean {
    const { R } = this.h.shape;
    const d = r.data;
    const at = r.at + HASH_LEN;
    d.copy(this.slotRecords, this.inBuf * R, at, at + R);
    d.copy(this.saltBuf, this.saltUsed, at + R, at + R + HASH_LEN);
    const idAt = at + R + HASH_LEN + 2;
    d.copy(this.idBuf, this.idUsed, idAt, idAt + r.idLen);
    return this.commit(r.idLen, lookupKey(d, idAt, idAt + r.idLen));
  }

  /** The leaf written in place (its id of idLen bytes, FNV-1a key); true when a buffer was handed off (then await ready()). */
  commit(idLen: number, fnv: number): boolean {
    if (this.p >= this.n) throw porError('INTERNAL', `more than the ${this.n} users the parts listed`);
    this.lookupKeys[this.p] = fnv;
    this.idOffsets[this.p] = this.idTotal;
    this.idTotal += idLen;
    this.idUsed += idLen;
    this.saltUsed += HASH_LEN;
    this.p++;
    this.inBuf++;
    if (this.saltUsed === this.saltBuf.length || this.idUsed > this.idBuf.length - MAX_ID_BYTES) this.spill();
    if (this.inBuf < this.per) return false;
    this.flushBlock();
    if ((this.p & 0x3ffff) === 0 || this.p === this.n) this.progress?.(this.p);
    return true;
  }
  progress?: (done: number) => void;

  /** Salts and ids so far to their files (copied: the buffers are reused at once). */
  private spill(): void {
    const s = Buffer.from(this.saltBuf.subarray(0, this.saltUsed));
    const i = Buffer.from(this.idBuf.subarray(0, this.idUsed));
    this.saltUsed = 0;
    this.idUsed = 0;
    this.chain(async () => {
      await this.w.put('salts.bin', s);
      await this.w.put('ids.bin', i);
    });
  }

  private chain(f: () => Promise<void>): void {
    const prev = this.writes;
    this.writes = prev.then(f);
    this.writes.catch(() => {});
  }

  /** The full buffer: to leaves.bin, then a block job; the next buffer of the ring once its job is done. */
  private flushBlock(): void {
    const { R, storedFrom } = this.h.shape;
    const slot = this.ring[this.slot]!;
    const count = this.inBuf;
    const first = (this.p - count) / 2 ** storedFrom;
    let records = slot.buf.subarray(0, count * R);
    if (slot.small) {
      compactRecords(records, count, this.h.shape.A, slot.small);
      records = slot.small.subarray(0, count * compactRecordSize(this.h.shape.A));
    }
    // The block job starts now, beside the write (both only read the buffer): hashing it inside
    // the write chain ran one job at a time, one thread busy and the other idle (at 10^7 users in
    // parts the threads sat idle ~3/4 of this pass). Only the writes are kept in order.
    const hashed = awaitBlocks(startBlocks(this.h, { chunks: [slot.buf], chunkBits: 16, order: this.order, count }, this.level.subarray(first * R)));
    hashed.catch(() => {}); // observed in ready() or end()
    this.busy.push(hashed);
    this.chain(() => this.w.put('leaves.bin', records));
    // The buffer is reused once it is both written and hashed.
    const busy = Promise.all([this.writes, hashed]).then(() => {});
    busy.catch(() => {});
    slot.busy = busy;
    this.inBuf = 0;
    this.slot = (this.slot + 1) % this.ring.length;
    this.slotRecords = asBuffer(this.ring[this.slot]!.buf);
    this.slotWords = new Uint32Array(this.ring[this.slot]!.buf.buffer);
  }

  /** Waits until the next buffer is free (its leaves written and hashed); call between entries. */
  async ready(): Promise<void> {
    await this.ring[this.slot]!.busy;
  }

  async end(): Promise<void> {
    if (this.p !== this.n) throw porError('INTERNAL', `merged ${this.p} users, the shards list ${this.n}`);
    if (this.inBuf > 0) this.flushBlock();
    this.idOffsets[this.n] = this.idTotal;
    this.spill();
    await this.writes;
    await Promise.all(this.busy);
  }
}

/** order.bin / position.bin of a store whose leaves are in tree order: 0, 1, …, n − 1. */
async function writeIdentity(w: StoreWriter, name: string, n: number): Promise<void> {
  const a = await w.appender(name);
  try {
    const part = new Uint32Array(1 << 20);
    for (let s = 0; s < n; s += part.length) {
      const k = Math.min(part.length, n - s);
      for (let i = 0; i < k; i++) part[i] = s + i;
      await a.append(new Uint8Array(part.buffer, 0, 4 * k)); // copied or written: part is free again
    }
    await a.complete();
    await a.sync();
  } finally {
    await a.close();
  }
}

// The proof store written by buildTree: open it once, then a proof is ~height small reads.
// Node-only. File layout: docs/FORMATS.md, "Proof store".
import { read as readStoreMeta } from '../core/documents/store-meta.js';
import { closeSync, fstatSync, openSync, readSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { crashPoint, readJsonFile } from '../io/node.js';
import { checkBelongsTogether, locateStore, STORE_META } from './layout.js';
import { ExportWriter, USERS_DIR, type ExportedFile } from './export.js';
import { hash as hashOnce } from 'node:crypto';
import { makeLevelHasher } from './compute.js';
import { leafExpander } from './leaf-records.js';
import { lookupKey } from './store-writer.js';
import { AMOUNT_LEN, HASH_LEN, SPEC_VERSION, TAG_USER, paddingRecords, nobleSha256 } from '../core/merkle/core.js';
import { PROOF_FORMAT, PROOF_VERSION, type ProofDocument, type StoreMeta } from '../core/merkle/types.js';

/** A file read with positioned reads, or held in memory when asked to (bulk export). */
class Blob {
  private constructor(private readonly fd: number, private readonly mem: Buffer | undefined, readonly size: number) {}
  static open(file: string, load: boolean): Blob {
    const fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    // Buffers top out at 4 GiB; larger files stay on disk and are read piecewise.
    const mem = load && size < 2 ** 32 ? readFileSync(file) : undefined;
    return new Blob(fd, mem, size);
  }
  read(offset: number, length: number): Buffer {
    if (this.mem) return this.mem.subarray(offset, offset + length);
    const b = Buffer.allocUnsafe(length);
    const got = readSync(this.fd, b, 0, length, offset);
    if (got !== length) throw porError('BAD_INPUT', `proof store file is truncated (wanted ${length} bytes at ${offset})`);
    return b;
  }
  close(): void {
    closeSync(this.fd);
  }
}

export interface ExportOptions {
  /** "ndjson": shards of one proof per line (default); "files": one <user>.json per user. */
  layout?: 'ndjson' | 'files';
  /** Proofs per NDJSON shard. */
  shardSize?: number;
  reporter?: Reporter;
  /** Stop after this many proofs (benchmarks). */
  limit?: number;
}

const SHARD = 100_000;

export class ProofStore {
  readonly meta: StoreMeta;
  readonly dir: string;
  private readonly R: number;
  /** Bytes of a record in leaves.bin: R, or 32 + 8·assets for compact records. */
  private readonly leafR: number;
  /** Compact records → the SPEC's full records (undefined: leaves.bin holds full records). */
  private readonly expand: ((compact: Uint8Array) => Buffer) | undefined;
  private readonly n: number;
  private readonly height: number;
  private readonly lookup: Uint32Array; // pairs [input index, fnv] sorted by (fnv, index)
  private readonly files: Record<'leaves' | 'salts' | 'ids' | 'idsOff' | 'order' | 'position' | 'levels', Blob>;
  private readonly levelStart: number[] = [];
  private readonly storedFrom: number;
  private readonly levelHasher: ReturnType<typeof makeLevelHasher>;
  /** Levels 0 … storedFrom−1 of one block of 2^storedFrom leaves, recomputed on demand. */
  private block: { index: number; levels: Buffer[] } = { index: -1, levels: [] };
  private readonly pads: Buffer[];
  private readonly head: string;
  private readonly zeros: string[];
  /** "por.user" ‖ 0x01 ‖ u16 len ‖ id ‖ salt, rewritten per proof. */
  private readonly userScratch: Buffer;
  private readonly rootJson: string;

  private constructor(dir: string, meta: StoreMeta, bulk: boolean) {
    this.dir = dir;
    this.meta = meta;
    this.R = meta.recordSize;
    this.leafR = meta.leafRecordSize;
    this.expand = meta.leafRecord === 'compact' ? leafExpander(meta.root.assets.length) : undefined;
    this.n = meta.root.leafCount;
    this.height = meta.root.height;
    const f = (name: string, load = bulk) => Blob.open(join(dir, name), load);
    this.files = {
      leaves: f('leaves.bin'), salts: f('salts.bin'), ids: f('ids.bin'), idsOff: f('ids.off'),
      order: f('order.bin'), position: f('position.bin'), levels: f('levels.bin'),
    };
    const lk = readFileSync(join(dir, 'lookup.bin'));
    this.lookup = new Uint32Array(lk.buffer, lk.byteOffset, lk.byteLength / 4);
    let at = 0;
    this.storedFrom = meta.storedFrom;
    for (let k = Math.max(1, this.storedFrom); k <= this.height; k++) {
      this.levelStart[k] = at;
      at += (meta.levelCounts[k] ?? 0) * this.R;
    }
    this.levelHasher = makeLevelHasher(meta.root.assets.length);
    if (this.files.leaves.size !== this.n * this.leafR) {
      throw porError('BAD_INPUT', `leaves.bin is ${this.files.leaves.size} bytes; store.json says ${this.n} ${meta.leafRecord} leaf records of ${this.leafR} bytes (${this.n * this.leafR}): the store is damaged, rebuild it`, { file: join(dir, 'leaves.bin'), field: 'leafRecordSize' });
    }
    if (this.files.levels.size !== at || this.lookup.length !== 2 * this.n) {
      throw porError('BAD_INPUT', 'proof store files do not match store.json (sizes differ): rebuild the store', { file: dir });
    }
    const A = meta.root.assets.length;
    this.pads = paddingRecords(nobleSha256, this.height, A).map((p) => Buffer.from(p));
    this.zeros = meta.root.assets.map((a) => formatAmount(0n, a.decimals));
    this.userScratch = Buffer.alloc(11 + 4 * 1024 + HASH_LEN);
    this.userScratch.set(TAG_USER, 0);
    this.userScratch[8] = SPEC_VERSION;
    const r = meta.root;
    this.head = JSON.stringify({ format: PROOF_FORMAT, version: PROOF_VERSION, hashFunction: r.hashFunction, snapshotId: r.snapshotId, height: r.height, assets: r.assets }).slice(0, -1);
    this.rootJson = JSON.stringify({ hash: r.hash, equity: r.sums.map((s) => s.equityUnits), debt: r.sums.map((s) => s.debtUnits) });
  }

  /**
   * Opens DIR (a build folder, or its private/ store folder). `bulk` loads files in memory. The
   * published root.json and report.json beside the store must be for this very tree.
   */
  static async open(dir: string, options: { bulk?: boolean } = {}): Promise<ProofStore> {
    const loc = locateStore(dir);
    const metaFile = join(loc.storeDir, STORE_META);
    // Another version (a store written by another por) is refused naming the version found.
    const meta = readStoreMeta(await readJsonFile(metaFile), metaFile);
    await checkBelongsTogether(loc, meta.root);
    try {
      return new ProofStore(loc.storeDir, meta, options.bulk === true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw porError('BAD_INPUT', `proof store is incomplete: ${(err as Error).message}`, { file: loc.storeDir }, err);
      throw err;
    }
  }

  get leafCount(): number {
    return this.n;
  }

  close(): void {
    for (const b of Object.values(this.files)) b.close();
  }

  private idOf(i: number): string {
    const o = this.files.idsOff.read(i * 8, 16);
    const a = o.readUInt32LE(0) + o.readUInt32LE(4) * 2 ** 32;
    const b = o.readUInt32LE(8) + o.readUInt32LE(12) * 2 ** 32;
    return this.files.ids.read(a, b - a).toString('utf8');
  }

  /** Input index of a user, or undefined. Binary search on the FNV-1a of the id, then compare ids. */
  find(userId: string): number | undefined {
    const bytes = Buffer.from(userId, 'utf8');
    const fnv = lookupKey(bytes, 0, bytes.length);
    const L = this.lookup;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (L[2 * mid + 1]! < fnv) lo = mid + 1;
      else hi = mid;
    }
    for (let p = lo; p < this.n && L[2 * p + 1] === fnv; p++) {
      const i = L[2 * p]!;
      if (this.idOf(i) === userId) return i;
    }
    return undefined;
  }

  /** One user's proof as a document; throws BAD_INPUT when the user is not in the tree. */
  proof(userId: string): ProofDocument {
    return JSON.parse(this.proofText(userId)) as ProofDocument;
  }

  proofText(userId: string): string {
    const i = this.find(userId);
    if (i === undefined) throw porError('BAD_INPUT', `user "${userId}" is not in this tree (snapshot ${this.meta.root.snapshotId})`, { field: 'user' });
    const pos = this.files.position.read(i * 4, 4).readUInt32LE(0);
    return this.render(i, pos);
  }

  /** Input index i's leaf record as the SPEC has it (a compact record is expanded). */
  private leaf(i: number): Buffer {
    const rec = this.files.leaves.read(i * this.leafR, this.leafR);
    return this.expand ? this.expand(rec) : rec;
  }

  private record(level: number, idx: number): Buffer {
    if (idx >= (this.meta.levelCounts[level] ?? 0)) return this.pads[level]!;
    if (level === 0) return this.leaf(this.files.order.read(idx * 4, 4).readUInt32LE(0));
    if (level < this.storedFrom) {
      const levels = this.blockLevels(idx >>> (this.storedFrom - level));
      const local = idx - ((idx >>> (this.storedFrom - level)) << (this.storedFrom - level));
      return levels[level]!.subarray(local * this.R, (local + 1) * this.R);
    }
    return this.files.levels.read(this.levelStart[level]! + idx * this.R, this.R);
  }

  /** Recomputes levels 1 … storedFrom−1 of block b from its (contiguous) leaves. */
  private blockLevels(b: number): Buffer[] {
    if (this.block.index === b) return this.block.levels;
    const R = this.R;
    const size = 2 ** this.storedFrom;
    const first = b * size;
    const count = Math.min(size, this.n - first);
    // leaves.bin is in input order: gather the block's leaves through order.bin.
    const order = this.files.order.read(first * 4, count * 4);
    const leaves = Buffer.allocUnsafe(count * R);
    for (let q = 0; q < count; q++) this.leaf(order.readUInt32LE(q * 4)).copy(leaves, q * R);
    const levels: Buffer[] = [leaves];
    let prev = count;
    for (let k = 1; k < this.storedFrom; k++) {
      const c = Math.ceil(prev / 2);
      const out = Buffer.alloc(c * R);
      this.levelHasher({ chunks: [levels[k - 1]!], chunkBits: 32, order: null, srcCount: prev, pad: this.pads[k - 1]!, from: 0, to: c, out });
      levels.push(out);
      prev = c;
    }
    this.block = { index: b, levels };
    return levels;
  }

  private stepJson(level: number, idx: number): string {
    const rec = this.record(level, idx);
    const A = this.meta.root.assets.length;
    const equity: string[] = [];
    const debt: string[] = [];
    for (let a = 0; a < A; a++) {
      equity.push(u128(rec, HASH_LEN + a * 2 * AMOUNT_LEN));
      debt.push(u128(rec, HASH_LEN + a * 2 * AMOUNT_LEN + AMOUNT_LEN));
    }
    const side = idx & 1 ? 'right' : 'left';
    return `{"side":"${side}","hash":"${Buffer.from(rec.subarray(0, HASH_LEN)).toString('hex')}","equity":${JSON.stringify(equity)},"debt":${JSON.stringify(debt)}}`;
  }

  /** The proof up to and including `"path":[` (everything user-specific). */
  private prefix(i: number, pos: number): string {
    const R = this.R;
    const rec = this.leaf(i);
    const salt = this.files.salts.read(i * HASH_LEN, HASH_LEN);
    const id = this.idOf(i);
    const assets = this.meta.root.assets;
    // Written by hand (symbols, digits and hex need no escaping; the id goes through JSON.stringify):
    // this runs once per exported proof.
    let balances = '';
    for (let k = 0; k < assets.length; k++) {
      const e = u128(rec, HASH_LEN + k * 2 * AMOUNT_LEN);
      const d = u128(rec, HASH_LEN + k * 2 * AMOUNT_LEN + AMOUNT_LEN);
      const dec = assets[k]!.decimals;
      const et = e === '0' ? this.zeros[k]! : formatAmount(BigInt(e), dec);
      const dt = d === '0' ? this.zeros[k]! : formatAmount(BigInt(d), dec);
      balances += `${k ? ',' : ''}{"asset":"${assets[k]!.symbol}","equity":"${et}","debt":"${dt}","equityUnits":"${e}","debtUnits":"${d}"}`;
    }
    // The user hash is not stored: it is recomputed from the id and salt (one hash).
    const u = this.userScratch;
    const n = u.write(id, 11, 'utf8');
    u[9] = n >>> 8;
    u[10] = n & 0xff;
    salt.copy(u, 11 + n);
    const uh = hashOnce('sha256', u.subarray(0, 11 + n + HASH_LEN), 'hex');
    return `${this.head},"user":{"id":${JSON.stringify(id)},"salt":"${salt.toString('hex')}","hash":"${uh}","balances":[${balances}],"encoded":"${rec.toString('hex', HASH_LEN, R)}"},"leaf":{"position":${pos},"hash":"${rec.toString('hex', 0, HASH_LEN)}"},"path":[`;
  }

  private suffix(): string {
    return `],"root":${this.rootJson}}`;
  }

  private render(i: number, pos: number): string {
    let path = '';
    for (let k = 0; k < this.height; k++) path += (k ? ',' : '') + this.stepJson(k, Math.floor(pos / 2 ** k) ^ 1);
    return this.prefix(i, pos) + path + this.suffix();
  }

  /**
   * Writes every user's proof, in leaf order, streaming, into `outDir` (a staging folder: see
   * stageExport). Returns the count and every file written, with its size and SHA-256.
   */
  exportAll(outDir: string, options: ExportOptions = {}): { count: number; files: ExportedFile[] } {
    const reporter = options.reporter ?? silentReporter;
    const layout = options.layout ?? 'ndjson';
    const shardSize = options.shardSize ?? SHARD;
    const total = Math.min(this.n, options.limit ?? this.n);
    if (layout === 'files') mkdirSync(join(outDir, USERS_DIR), { recursive: true, mode: 0o700 });
    const w = new ExportWriter(outDir);
    const render = this.exportRenderer();
    let out = Buffer.allocUnsafe(8 << 20);
    let used = 0;
    try {
      for (let p = 0; p < total; p++) {
        const i = this.files.order.read(p * 4, 4).readUInt32LE(0);
        if (layout === 'ndjson' && p % shardSize === 0) {
          if (used > 0) w.write(out, 0, used);
          used = 0;
          w.open(`proofs-${String(p / shardSize).padStart(6, '0')}.ndjson`);
          if (p > 0) crashPoint('export:after-shard');
        }
        const parts = render(i, p);
        let need = 0;
        for (const b of parts) need += b.length;
        if (used + need > out.length) {
          if (used > 0) w.write(out, 0, used);
          used = 0;
          if (need > out.length) out = Buffer.allocUnsafe(need * 2);
        }
        const start = used;
        for (const b of parts) used += b.copy(out, used);
        if (layout === 'files') {
          w.userFile(this.idOf(i), out, start, used);
          used = start;
        }
        if ((p & 4095) === 0) reporter.progress('proof export', p, total, 'proofs');
      }
      if (used > 0) w.write(out, 0, used);
      w.close();
    } catch (err) {
      w.discard();
      throw err;
    }
    reporter.done('proof export', `${total.toLocaleString('en-US')} proofs in ${w.files.length.toLocaleString('en-US')} files`);
    return { count: total, files: w.files };
  }

  /**
   * Renders proof p (of input index i) as byte pieces. Sibling steps at level k are shared by 2^k
   * consecutive leaves: each is rendered once, kept as UTF-8 bytes (with its leading comma), and
   * reused; steps at levels ≥ 8 change once per 256 proofs and are kept as one buffer.
   */
  private exportRenderer(): (i: number, p: number) => Buffer[] {
    const cacheIdx = new Array<number>(this.height).fill(-1);
    const cacheBytes = new Array<Buffer>(this.height).fill(Buffer.alloc(0));
    const suffix = Buffer.from(this.suffix() + '\n', 'utf8');
    const low = Math.min(this.height, 8);
    let upperAt = -1;
    let upper = Buffer.alloc(0);
    const step = (k: number, p: number): Buffer => {
      const idx = Math.floor(p / 2 ** k) ^ 1;
      if (cacheIdx[k] !== idx) {
        cacheIdx[k] = idx;
        cacheBytes[k] = Buffer.from((k ? ',' : '') + this.stepJson(k, idx), 'utf8');
      }
      return cacheBytes[k]!;
    };
    return (i, p) => {
      const parts: Buffer[] = [Buffer.from(this.prefix(i, p), 'utf8')];
      for (let k = 0; k < low; k++) parts.push(step(k, p));
      if (Math.floor(p / 2 ** low) !== upperAt) {
        upperAt = Math.floor(p / 2 ** low);
        const up: Buffer[] = [];
        for (let k = low; k < this.height; k++) up.push(step(k, p));
        upper = Buffer.concat(up);
      }
      parts.push(upper, suffix);
      return parts;
    };
  }
}

function u128(rec: Buffer, off: number): string {
  // Most amounts fit 53 bits: print them without making a BigInt.
  if (rec.readUInt32BE(off) === 0 && rec.readUInt32BE(off + 4) === 0) {
    const hi = rec.readUInt32BE(off + 8);
    if (hi < 0x200000) return String(hi * 0x100000000 + rec.readUInt32BE(off + 12));
  }
  return ((rec.readBigUInt64BE(off) << 64n) | rec.readBigUInt64BE(off + 8)).toString();
}

export { fileNameFor } from './export.js';

// A build in parts on one machine (docs/SCALE.md): each part's users are scattered, as they come
// out of the hashing threads, into bucket files by the top bits of their user hash; user hashes
// are uniform (secret-derived), so bucket b holds the b-th slice of the tree, and the buckets in
// order are the tree in order. Each bucket is then read back, sorted in memory (a radix sort on
// the hash's top 32 bits) and handed to the store in tree order while the hashing threads hash its
// blocks. No k-way merge, and each bucket file is removed once read: the disk holds the buckets or
// the store, not both. A bucket holds about 2^17 users (16 MB): reading a bucket in sorted order
// jumps around it, and past a few MB every entry missed the CPU caches (measured: sorting and
// reading 10^6 users cost 0.25 s CPU in buckets of 8k users, 0.48 s in buckets of 125k, 1.4 s in
// one), while writing to more buckets costs more (0.35 s for 8 buckets, 1.3 s for 512). Node-only.
//
// A bucket file is temporary (written and read by this one process). An entry is 32-bit words
// (host order), so that it is written and read a word at a time:
//   user hash bytes 0..3 and 4..7 as numbers ‖ leaf hash (8 words) ‖ salt (8 words) ‖
//   id length | mask bits 0..15 << 16 ‖ mask bits 16.. (⌈(2A − 16)/32⌉ words, when 2A > 16) ‖
//   id (padded to a word) ‖ each non-zero 16-byte sum field (mask bit f = field f), in order
// A leaf record's sums are mostly zero (a user holds few of the assets): ~130 bytes per user at
// 5 assets, where the record alone is 192.
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { HASH_LEN, MAX_ID_BYTES, nobleSha256, userHash } from '../core/merkle/core.js';
import type { TreeShape } from './hashing.js';
import type { ChunkSink } from './leaves.js';
import type { TreeOrderWriter } from './combine.js';
import { lookupKey } from './store-writer.js';
import { compareBytes, radixSort, sortTieRuns } from './order.js';

/** Words before the id: keys (2), leaf hash (8), salt (8), id length and mask (1). */
const HEAD = 19;

/** Extra mask words after the head, for A assets (2A fields; 16 fit the head word). */
export function extraMaskWords(A: number): number {
  return Math.max(0, Math.ceil((2 * A - 16) / 32));
}

/** A buffer as bytes and as words over the same memory. */
interface Words {
  u8: Uint8Array;
  u32: Uint32Array;
}
const words = (bytes: number): Words => {
  const ab = new ArrayBuffer(bytes);
  return { u8: new Uint8Array(ab), u32: new Uint32Array(ab) };
};

/** Buckets for about `users` users from `parts` parts: ~2^17 users each, at least two per part, at most 1024. */
export function bucketCount(users: number, parts: number): number {
  return Math.max(1, Math.min(1024, Math.max(2 * parts, Math.ceil(users / 2 ** 17))));
}

/** Appends users to `count` bucket files in `dir` by the top bits of their user hash. */
export class BucketWriter {
  readonly files: string[];
  readonly counts: number[];
  readonly bytes: number[];
  private readonly bufs: Words[];
  /** Words used in each buffer. */
  private readonly used: Uint32Array;
  private readonly scale: number;
  private readonly X: number;

  constructor(dir: string, readonly count: number, private readonly shape: TreeShape) {
    this.files = Array.from({ length: count }, (_, b) => join(dir, `bucket-${b}.run`));
    this.counts = new Array<number>(count).fill(0);
    this.bytes = new Array<number>(count).fill(0);
    this.X = extraMaskWords(shape.A);
    const most = 4 * (HEAD + this.X) + MAX_ID_BYTES + 4 + 2 * shape.A * 16;
    const size = Math.max(2 * most, Math.max(1 << 16, Math.min(1 << 20, Math.floor((128 << 20) / count))));
    this.bufs = Array.from({ length: count }, () => words(size - (size % 4)));
    this.used = new Uint32Array(count);
    this.scale = count / 2 ** 32;
    this.fds = this.files.map((f) => openSync(f, 'w', 0o600));
  }
  private fds: number[];

  /** A LeafCollector sink: every user of a hashed chunk to its bucket. */
  readonly sink: ChunkSink = (c) => {
    const rw = new Uint32Array(c.records.buffer, c.records.byteOffset, c.records.byteLength >>> 2);
    const sw = new Uint32Array(c.salts.buffer, c.salts.byteOffset, c.salts.byteLength >>> 2);
    for (let j = 0; j < c.count; j++) this.addUser(c, rw, sw, j);
    return Promise.resolve();
  };

  private addUser(c: Parameters<ChunkSink>[0], rw: Uint32Array, sw: Uint32Array, j: number): void {
    const { R, A } = this.shape;
    const uh = c.userHashes;
    const u = j * HASH_LEN;
    const hi = ((uh[u]! << 24) | (uh[u + 1]! << 16) | (uh[u + 2]! << 8) | uh[u + 3]!) >>> 0;
    const b = Math.floor(hi * this.scale);
    const idA = c.idOff[j]!;
    const idLen = c.idOff[j + 1]! - idA;
    const buf = this.bufs[b]!;
    let w = this.used[b]!;
    if (4 * (w + HEAD + this.X + (idLen >>> 2) + 1 + 8 * A) > buf.u8.length) {
      this.flush(b);
      w = 0;
    }
    const o = buf.u32;
    o[w] = hi;
    o[w + 1] = ((uh[u + 4]! << 24) | (uh[u + 5]! << 16) | (uh[u + 6]! << 8) | uh[u + 7]!) >>> 0;
    const r = (j * R) >>> 2;
    for (let k = 0; k < 8; k++) o[w + 2 + k] = rw[r + k]!;
    for (let k = 0; k < 8; k++) o[w + 10 + k] = sw[(u >>> 2) + k]!;
    const maskAt = w + 18;
    for (let k = 0; k <= this.X; k++) o[maskAt + k] = 0;
    let mask = idLen;
    const ids = c.ids;
    const idW = maskAt + 1 + this.X;
    const idWords = (idLen + 3) >>> 2;
    o[idW + idWords - 1] = 0; // the padding bytes
    for (let k = 0, d = 4 * idW; k < idLen; k++) buf.u8[d + k] = ids[idA + k]!;
    let p = idW + idWords;
    for (let f = 0, s = r + 8; f < 2 * A; f++, s += 4) {
      if ((rw[s]! | rw[s + 1]! | rw[s + 2]! | rw[s + 3]!) === 0) continue;
      if (f < 16) mask |= 1 << (16 + f);
      else o[maskAt + 1 + ((f - 16) >>> 5)]! |= 1 << ((f - 16) & 31);
      o[p] = rw[s]!;
      o[p + 1] = rw[s + 1]!;
      o[p + 2] = rw[s + 2]!;
      o[p + 3] = rw[s + 3]!;
      p += 4;
    }
    o[maskAt] = mask >>> 0;
    this.used[b] = p;
    this.counts[b]!++;
  }

  private flush(b: number): void {
    const n = 4 * this.used[b]!;
    if (n === 0) return;
    writeSync(this.fds[b]!, this.bufs[b]!.u8, 0, n);
    this.bytes[b]! += n;
    this.used[b] = 0;
  }

  /** Writes what is buffered and closes the files: every bucket file is whole. */
  close(): void {
    try {
      for (let b = 0; b < this.count; b++) this.flush(b);
    } finally {
      this.dispose();
    }
  }

  /** Closes the files (on failure: the caller removes the folder). */
  dispose(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds = [];
  }
}

/** Entries of one bucket: where each starts (word index), its length in words and its sort key (user hash bits 0..31, 32..63). */
export interface Parsed {
  data: Words;
  n: number;
  at: Uint32Array;
  len: Uint32Array;
  hi: Uint32Array;
  lo: Uint32Array;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Checks and indexes the `n` entries of a bucket file's bytes. */
export function parseBucket(bytes: Buffer, n: number, A: number, file: string): Parsed {
  if (bytes.length % 4 !== 0) throw damaged(file, 0);
  if (bytes.byteOffset % 4 !== 0) bytes = Buffer.from(new Uint8Array(bytes)); // a copy of its own, word-aligned
  const data = { u8: bytes, u32: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2) };
  const X = extraMaskWords(A);
  const d = data.u32;
  const at = new Uint32Array(n);
  const len = new Uint32Array(n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (p + HEAD + X > d.length) throw damaged(file, i);
    at[i] = p;
    hi[i] = d[p]!;
    lo[i] = d[p + 1]!;
    const head = d[p + 18]!;
    const idLen = head & 0xffff;
    if (idLen < 1 || idLen > MAX_ID_BYTES) throw damaged(file, i);
    let fields = popcount(head >>> 16);
    for (let k = 0; k < X; k++) fields += popcount(d[p + HEAD + k]!);
    len[i] = HEAD + X + ((idLen + 3) >>> 2) + 4 * fields;
    p += len[i]!;
  }
  if (p !== d.length) throw damaged(file, n);
  return { data, n, at, len, hi, lo };
}

function damaged(file: string, i: number): Error {
  return porError('INTERNAL', `temporary bucket file is damaged at entry ${i} (changed or cut while the build ran?)`, { file });
}

/**
 * Tree order of entries [from, to) of a bucket: their indexes ascending by user hash (an LSD radix
 * sort on the top 32 bits relative to the group's least, two passes of half its bits; then ties).
 */
export function sortGroup(b: Parsed, from: number, to: number, A: number): Uint32Array {
  const m = to - from;
  let min = 0xffffffff;
  let max = 0;
  for (let i = from; i < to; i++) {
    const k = b.hi[i]!;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const bits = m === 0 ? 0 : 32 - Math.clz32(max - min);
  const digit = Math.max(1, Math.ceil(bits / 2));
  const key = new Uint32Array(m);
  const idx = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    key[i] = b.hi[from + i]! - min;
    idx[i] = from + i;
  }
  const sorted = radixSort(key, idx, bits, digit);
  // Runs of equal top 32 bits: by bits 32..63, then by the whole user hash (equal: one user twice).
  sortTieRuns(sorted.idx, sorted.key, (x, y) => b.lo[x]! - b.lo[y]! || compareFull(b, x, y, A));
  return sorted.idx;
}

/** Entry i's id and salt (bytes). */
function idAndSalt(b: Parsed, i: number, A: number): { id: Uint8Array; salt: Uint8Array } {
  const w = b.at[i]!;
  const idLen = b.data.u32[w + 18]! & 0xffff;
  const idAt = 4 * (w + HEAD + extraMaskWords(A));
  return { id: b.data.u8.subarray(idAt, idAt + idLen), salt: b.data.u8.subarray(4 * (w + 10), 4 * (w + 18)) };
}

/** The whole user hashes of entries x and y (recomputed from id and salt: an entry keeps only 8 bytes). */
function compareFull(b: Parsed, x: number, y: number, A: number): number {
  const ex = idAndSalt(b, x, A);
  const ey = idAndSalt(b, y, A);
  const c = compareBytes(userHash(nobleSha256, ex.id, ex.salt), userHash(nobleSha256, ey.id, ey.salt));
  if (c === 0) {
    throw porError('DUPLICATE', `user id "${Buffer.from(ex.id).toString('utf8')}" appears twice in the snapshot; every user must be one leaf`, { field: 'user_id' });
  }
  return c;
}

/**
 * Every bucket, in order, into the tree-order writer: bucket b + 1 is read from disk while bucket b
 * is sorted and written; each file is removed once read.
 */
export async function emitBuckets(buckets: BucketWriter, out: TreeOrderWriter, reporter: Reporter): Promise<void> {
  const { A } = out.shape;
  const load = (b: number) => {
    const p = readFile(buckets.files[b]!);
    p.catch(() => {});
    return p;
  };
  let next = buckets.count > 0 ? load(0) : undefined;
  for (let b = 0; b < buckets.count; b++) {
    const bytes = await next!;
    await rm(buckets.files[b]!, { force: true });
    next = b + 1 < buckets.count ? load(b + 1) : undefined;
    if (bytes.length !== buckets.bytes[b]) throw damaged(buckets.files[b]!, 0);
    const parsed = parseBucket(bytes, buckets.counts[b]!, A, buckets.files[b]!);
    const order = sortGroup(parsed, 0, parsed.n, A);
    for (let p = 0; p < order.length; p++) {
      if (decodeInto(parsed.data, parsed.at[order[p]!]!, A, out)) await out.ready();
    }
    reporter.progress('combine leaves', out.done, out.n, 'users');
  }
}

/** Entry at word w into the writer's current leaf: record (leaf hash, sums: absent fields zero), salt, id. */
function decodeInto(d: Words, w: number, A: number, out: TreeOrderWriter): boolean {
  const src = d.u32;
  const rec = out.slotWords;
  const r = out.recordAt >>> 2;
  for (let k = 0; k < 8; k++) rec[r + k] = src[w + 2 + k]!;
  const salts = out.saltWords;
  const s = out.saltAt >>> 2;
  for (let k = 0; k < 8; k++) salts[s + k] = src[w + 10 + k]!;
  const head = src[w + 18]!;
  const idLen = head & 0xffff;
  const X = extraMaskWords(A);
  const ids = out.idBuf;
  const i0 = out.idAt;
  for (let k = 0, a = 4 * (w + HEAD + X); k < idLen; k++) ids[i0 + k] = d.u8[a + k]!;
  let p = w + HEAD + X + ((idLen + 3) >>> 2);
  for (let f = 0, o = r + 8; f < 2 * A; f++, o += 4) {
    const set = f < 16 ? (head >>> (16 + f)) & 1 : (src[w + HEAD + ((f - 16) >>> 5)]! >>> ((f - 16) & 31)) & 1;
    if (set === 0) {
      rec[o] = rec[o + 1] = rec[o + 2] = rec[o + 3] = 0;
      continue;
    }
    rec[o] = src[p]!;
    rec[o + 1] = src[p + 1]!;
    rec[o + 2] = src[p + 2]!;
    rec[o + 3] = src[p + 3]!;
    p += 4;
  }
  return out.commit(idLen, lookupKey(ids, i0, i0 + idLen));
}

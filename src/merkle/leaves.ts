// Step 1 of a build: read users, encode their sums into leaf records and hash them (salt, user
// hash, leaf) in jobs of one chunk each. Node-only. docs/SPEC.md has the byte rules.
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import type { Reporter } from '../core/progress/index.js';
import { AMOUNT_LEN, HASH_LEN, idBytes, MAX_ID_BYTES } from '../core/merkle/core.js';
import type { LeafJob } from './compute.js';
import type { Hashers, TreeShape } from './hashing.js';
import { idsCheck, type EarlyChunk } from './early.js';

/** Salts and user hashes made ahead of the leaf pass (./early.ts EarlyHashing), taken chunk by chunk in order. */
export interface EarlySupply {
  take(k: number): Promise<EarlyChunk | undefined>;
  /** Chunks from k on made (or being made) ahead: each one's memory comes free once it is written. */
  madeFrom(k: number): number;
  /** Bytes of each chunk's memory (EarlyChunk.memory) per user. */
  readonly bytesPerUser: number;
}
import { lookupKey } from './store-writer.js';
import type { UserEncoder } from '../ingest/types.js';

export type UserSource = Iterable<{ userId: string; net: readonly bigint[] }> | AsyncIterable<{ userId: string; net: readonly bigint[] }>;

// Leaf records are held in chunks of 2^chunkBits users (one hashing job each) carved from slabs of
// up to SLAB chunks. A chunk holds at most CHUNK_BYTES of records, so its user count shrinks as
// assets grow (65,536 users at 5 assets, 512 at 1,000, 8 at 65,535), and a slab is only as many
// chunks as the users still to come need: memory follows the users and assets actually present.
const CHUNK_BYTES = 1 << 24;
const MAX_CHUNK_BITS = 16;
const SLAB = 16; // chunks per shared allocation, at most
const utf8 = new TextEncoder();
const M64 = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
/**
 * Bytes of each user hash kept for the sort with compact records: two users share 64 leading bits
 * about once in 10^6 builds of 10^7 users, and such a tie is settled by the whole hash, recomputed.
 */
export const UH_PREFIX = 8;
const I64_MIN = -(1n << 63n);

/** Bytes of a compact leaf record: the hash and one int64 net per asset. */
export function compactRecordSize(assetCount: number): number {
  return HASH_LEN + 8 * assetCount;
}

/** log2 of the users per leaf chunk for records of `recordBytes`: as many as fit CHUNK_BYTES, at most 2^16. */
export function chunkBitsFor(recordBytes: number): number {
  let bits = MAX_CHUNK_BITS;
  while (bits > 0 && 2 ** bits * recordBytes > CHUNK_BYTES) bits--;
  return bits;
}

/** Every user's leaf, hashed, in input order (index i lives in chunk i >>> chunkBits). */
export interface LeafSet {
  n: number;
  chunkBits: number;
  /**
   * Compact records (hash ‖ per asset the net as int64, low word first: 32 + 8·assets bytes) when
   * every net fits int64, else full records (hash ‖ 128-bit equity ‖ debt per asset, as stored).
   */
  compact: boolean;
  /** Bytes per record in `records`. */
  stride: number;
  records: Uint8Array[];
  /** Per chunk, each user hash's first uhBytes bytes (the sort key). */
  userHashes: Uint8Array[];
  /** 32, or UH_PREFIX with compact records: ties in the prefix are settled by fullUserHash. */
  uhBytes: number;
  /** The whole user hash of input index i (given by the builder when uhBytes < 32). */
  fullUserHash?: (i: number) => Uint8Array;
  /** The id of input index i, when `ids` is not kept (compact records: the ids went to the sink). */
  idOf?: (i: number) => string;
  /** Per chunk, when the caller asked to keep them (a shard writes them sorted). */
  salts: Uint8Array[];
  /** Per chunk, except with compact records (see idOf). */
  ids: { ids: Uint8Array; off: Uint32Array }[];
  /** Byte offset of each user id in the concatenated ids (n + 1 entries). */
  idOffsets: Float64Array;
  /** FNV-1a of each user id, for the store's id index. */
  lookupKeys: Uint32Array;
}

/** Where hashed chunks go, strictly in chunk order (the store writes leaves, salts and ids). */
export type ChunkSink = (chunk: { records: Uint8Array; salts: Uint8Array; ids: Uint8Array; idOff: Uint32Array; userHashes: Uint8Array; count: number }) => Promise<void>;

/** One chunk being filled. */
interface Chunk {
  rec: Uint8Array;
  dv: DataView;
  words: Int32Array;
  uhs: Uint8Array;
  salts: Uint8Array;
  ids: Uint8Array;
  idOff: Uint32Array;
  count: number;
  idLen: number;
}

export class LeafCollector {
  readonly set: LeafSet;
  private readonly CHUNK: number;
  /** Bytes per record held: shape.R, or 32 + 8·assets when compact. */
  private readonly stride: number;
  /** Salt buffers the sink has written, reused: a hashing thread keeps a shared buffer it was handed until its own GC. */
  private readonly spareSalts: Uint8Array[] = [];
  /** A written chunk's id buffers, reused (compact records only: full ones keep their ids). */
  private readonly spareIds: { ids: Uint8Array; idOff: Uint32Array }[] = [];
  /** Memory of chunks made ahead (EarlyChunk.memory) that are hashed and written: records of later chunks. */
  private readonly freeMemory: Uint8Array[] = [];
  /** Chunks made ahead that are taken but not yet written (their memory comes free after). */
  private earlyOut = 0;
  private cur!: Chunk;
  private slab: { rec: Uint8Array; uh: Uint8Array; chunks: number; used: number; recUsed: number } = { rec: new Uint8Array(0), uh: new Uint8Array(0), chunks: 0, used: 0, recUsed: 0 };
  private idBytesTotal = 0;
  private readonly pending: Promise<void>[] = [];
  /** Users whose salts and user hashes were made ahead: while the input was read, and after. */
  readonly ahead = { reading: 0, after: 0 };
  private writeChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly shape: TreeShape,
    private readonly hashers: Hashers,
    private readonly reporter: Reporter,
    private readonly sink: ChunkSink | undefined,
    private readonly userCount: number | undefined,
    /** Hold compact records (every net fits int64; the input's encoder has encodeNets); the sink gets them compact. */
    compact = false,
    /** Salts and user hashes made ahead (./early.ts), while the input was read and beside this pass. */
    private readonly early?: EarlySupply,
  ) {
    const chunkBits = chunkBitsFor(shape.R);
    this.CHUNK = 2 ** chunkBits;
    this.stride = compact ? compactRecordSize(shape.A) : shape.R;
    // Sized once when the user count is known: doubling held the old and new copy at once.
    const cap = (userCount ?? 1023) + 1;
    const idOffsets = new Float64Array(new SharedArrayBuffer(8 * cap));
    const lookupKeys = new Uint32Array(new SharedArrayBuffer(4 * cap));
    hashers.touch(new Uint8Array(idOffsets.buffer));
    hashers.touch(new Uint8Array(lookupKeys.buffer));
    this.set = { n: 0, chunkBits, compact, stride: this.stride, uhBytes: compact ? UH_PREFIX : HASH_LEN, records: [], userHashes: [], salts: [], ids: [], idOffsets, lookupKeys };
    this.newChunk();
  }

  /**
   * Reads every user from `input` (through its encoder when it has one), hashing chunk by chunk;
   * resolves when all are hashed and sunk.
   */
  async collect(input: { users(): UserSource; encoder?: UserEncoder }): Promise<LeafSet> {
    const enc = input.encoder;
    if (enc !== undefined && this.set.compact) {
      for (let i = 0; i < enc.count; i++) if (this.addNets(enc, i)) await this.flush();
    } else if (enc !== undefined) {
      for (let i = 0; i < enc.count; i++) if (this.addEncoded(enc, i)) await this.flush();
    } else {
      const source = input.users();
      // A sync iterable is walked without a promise per user; awaits only per chunk.
      if (Symbol.iterator in source) {
        for (const u of source) if (this.add(u)) await this.flush();
      } else {
        for await (const u of source) if (this.add(u)) await this.flush();
      }
    }
    await this.flush(false);
    this.set.idOffsets[this.set.n] = this.idBytesTotal;
    await Promise.all(this.pending);
    this.freeMemory.length = 0; // any left over (a few, or all when records are full) may go
    return this.set;
  }

  private newChunk(): void {
    const R = this.stride;
    const CHUNK = this.CHUNK;
    const s = this.slab;
    // Chunks are views into slabs of SLAB chunks: few large shared buffers keep V8 from running a
    // full GC for every external allocation once gigabytes are held.
    if (s.used === s.chunks) {
      s.chunks = Math.max(1, Math.min(SLAB, this.chunksLeft()));
      s.uh = new Uint8Array(new SharedArrayBuffer(s.chunks * CHUNK * this.set.uhBytes));
      s.used = 0;
    }
    const uhs = s.uh.subarray(s.used * CHUNK * this.set.uhBytes, (s.used + 1) * CHUNK * this.set.uhBytes);
    s.used++;
    const rec = this.reusedMemory() ?? this.slabRecords();
    this.cur = {
      rec, uhs, dv: new DataView(rec.buffer, rec.byteOffset, rec.byteLength), words: new Int32Array(rec.buffer, rec.byteOffset, rec.byteLength >>> 2),
      salts: this.spareSalts.pop() ?? new Uint8Array(new SharedArrayBuffer(CHUNK * HASH_LEN)),
      ...(this.spareIds.pop() ?? { ids: new Uint8Array(new SharedArrayBuffer(Math.max(CHUNK * 16, 4 * MAX_ID_BYTES))), idOff: new Uint32Array(new SharedArrayBuffer(4 * (CHUNK + 1))) }),
      count: 0, idLen: 0,
    };
  }

  /**
   * Chunks of record memory to make when the slab runs out: those still to come, less those the
   * memory of chunks made ahead will hold (freed as they are written: their salts and user hashes
   * are used up), at most SLAB, at least this one.
   */
  private recordChunksToMake(): number {
    const k = this.set.records.length;
    const coming = !this.early || this.early.bytesPerUser < this.stride ? 0 : this.freeMemory.length + this.earlyOut + this.early.madeFrom(k);
    return Math.max(1, Math.min(SLAB, this.chunksLeft() - coming));
  }

  /** Chunks the users still to come need, when their number is known (else a slab's worth). */
  private chunksLeft(): number {
    return this.userCount === undefined ? SLAB : Math.ceil((this.userCount - this.set.n) / this.CHUNK);
  }

  /**
   * Record memory for the next chunk from the record slab, made when it runs out (only then: chunks
   * made ahead may hold the rest). A hashing thread maps a new slab's pages meanwhile.
   */
  private slabRecords(): Uint8Array {
    const s = this.slab;
    const size = this.CHUNK * this.stride;
    if ((s.recUsed + 1) * size > s.rec.length) {
      s.rec = new Uint8Array(new SharedArrayBuffer(this.recordChunksToMake() * size));
      s.recUsed = 0;
      this.hashers.touch(s.rec.subarray(size)); // the first chunk is filled at once
    }
    return s.rec.subarray(s.recUsed * size, ++s.recUsed * size);
  }

  /**
   * A written chunk's memory made ahead, when one is free and large enough for a chunk of records;
   * zeroed for full records (written sparsely: zeros elsewhere). Compact records are written whole
   * (the hash by the leaf job, every net by addNets or encodeNets), so their memory is not.
   */
  private reusedMemory(): Uint8Array | undefined {
    const size = this.CHUNK * this.stride;
    for (let m = this.freeMemory.pop(); m !== undefined; m = this.freeMemory.pop()) {
      if (m.length >= size) return this.set.compact ? m.subarray(0, size) : m.subarray(0, size).fill(0);
    }
    return undefined;
  }

  /** Hands the full (or last) chunk to a hashing job and starts the next. */
  private async flush(more = true): Promise<void> {
    const c = this.cur;
    if (c.count === 0) return;
    const set = this.set;
    const early = await this.takeEarly(set.records.length, c.count);
    // Compact records keep no ids (they go to the sink): the chunk's id buffers are used in place
    // and reused once written (fresh pages cost more than the bytes here, docs/SCALE.md).
    const reuseIds = set.compact && this.sink !== undefined;
    const ids = reuseIds ? { ids: c.ids.subarray(0, c.idLen), off: c.idOff.subarray(0, c.count + 1) } : { ids: c.ids.slice(0, c.idLen), off: c.idOff.slice(0, c.count + 1) };
    const salts = early?.salts ?? c.salts;
    // A chunk whose salts and user hashes are made only hashes its leaves: no ids sent to the worker.
    const job: LeafJob = {
      count: c.count, ids: early ? new Uint8Array(0) : ids.ids, idOff: early ? new Uint32Array(0) : ids.off, records: c.rec, salts, userHashes: c.uhs, uhBytes: set.uhBytes,
      ...(early ? { known: early.userHashes } : {}), compact: set.compact,
    };
    set.records.push(c.rec);
    set.userHashes.push(c.uhs);
    if (!set.compact) set.ids.push(ids);
    if (!this.sink) set.salts.push(salts);
    const done = this.hashers.leaves(job);
    const prev = this.writeChain;
    const sink = this.sink;
    // The sink sees chunks strictly in order, whichever worker finishes first.
    this.writeChain = (async () => {
      await done;
      await prev;
      // Records as held: compact (stride 32 + 8·assets) when set.compact. A sink that reads
      // userHashes (the build in parts) takes them whole: it builds without compact records.
      if (early) this.earlyOut--;
      if (!sink) return; // the caller keeps the salts (in early.memory too)
      await sink({ records: c.rec.subarray(0, c.count * this.stride), salts: salts.subarray(0, c.count * HASH_LEN), ids: ids.ids, idOff: ids.off, userHashes: c.uhs.subarray(0, c.count * this.set.uhBytes), count: c.count });
      this.spareSalts.push(c.salts);
      if (reuseIds) this.spareIds.push({ ids: c.ids, idOff: c.idOff });
      if (early) this.freeMemory.push(early.memory);
    })();
    this.pending.push(this.writeChain);
    const t = this.hashers.threads;
    if (this.hashers.pool && this.pending.length >= t * 2) await this.pending[this.pending.length - t * 2];
    this.reporter.progress('merkle leaves', set.n, this.userCount, 'users');
    if (more) this.newChunk();
  }

  /** Chunk k's salts and user hashes if they were made ahead, checked to be this chunk's users in order. */
  private async takeEarly(k: number, count: number): Promise<EarlyChunk | undefined> {
    const e = await this.early?.take(k);
    if (e === undefined) return undefined;
    if (e.count !== count) throw porError('INTERNAL', `leaf chunk ${k}: ${count} users, but ${e.count} were hashed ahead`);
    const first = this.set.n - count;
    let check = 0;
    for (let i = 0; i < count; i++) check = idsCheck(check, this.set.lookupKeys[first + i]!, i);
    if (check !== e.ids) throw porError('INTERNAL', `leaf chunk ${k}: its users are not the ones hashed ahead`);
    this.earlyOut++;
    if (e.whileReading) this.ahead.reading += count;
    else this.ahead.after += count;
    return e;
  }

  /** Encodes one user into the current chunk; true when the chunk is full. */
  private add(u: { userId: string; net: readonly bigint[] }): boolean {
    const { A } = this.shape;
    const set = this.set;
    this.fitsOneMore();
    if (u.net.length !== A) throw porError('INTERNAL', `user ${u.userId} has ${u.net.length} balances for ${A} assets`);
    this.addId(u.userId);
    if (this.set.compact) this.encodeNets(u, this.cur.count * this.stride + HASH_LEN);
    else this.encodeSums(u, this.cur.count * this.shape.R + HASH_LEN);
    set.n++;
    this.cur.count++;
    return this.cur.count === this.CHUNK;
  }

  /**
   * User i of `enc` written in place (id bytes and sums, no object or bigint); users the encoder
   * cannot write (−1) go through add(). True when the chunk is full.
   */
  private addEncoded(enc: UserEncoder, i: number): boolean {
    const { R } = this.shape;
    this.fitsOneMore();
    this.idRoom();
    const c = this.cur;
    const w = enc.encode(i, c.ids, c.idLen, c.dv, c.count * R + HASH_LEN);
    if (w < 0) {
      // The encoder may have written some sums before it stopped: clear the record first.
      c.rec.fill(0, c.count * R, (c.count + 1) * R);
      return this.add(enc.user(i));
    }
    return this.placed(i, w);
  }

  /**
   * addEncoded() for compact records: user i's id and its nets as int64 words. A user the encoder
   * cannot write (a non-ASCII id) goes through add(). True when the chunk is full.
   */
  private addNets(enc: UserEncoder, i: number): boolean {
    this.fitsOneMore();
    this.idRoom();
    const c = this.cur;
    const word = (c.count * this.stride + HASH_LEN) >>> 2;
    // The encoder writes the assets the user holds; the rest are zeroed here, as the record is
    // written (reused memory is not zeroed whole first: that cost ~1 s of this thread at 10^7 users).
    for (let k = 0; k < 2 * this.shape.A; k++) c.words[word + k] = 0;
    const w = enc.encodeNets!(i, c.ids, c.idLen, c.words, word);
    if (w < 0) {
      c.rec.fill(0, c.count * this.stride, (c.count + 1) * this.stride);
      return this.add(enc.user(i));
    }
    return this.placed(i, w);
  }

  /** Refuses the user past the tree's capacity (2^height). */
  private fitsOneMore(): void {
    const { maxUsers, height } = this.shape;
    if (this.set.n >= maxUsers) throw porError('OVERFLOW', `more than ${maxUsers} users do not fit a tree of height ${height}; raise --height`, { field: 'height' });
  }

  /** User i's id of `w` bytes and its sums are in the chunk: counts it; true when the chunk is full. */
  private placed(i: number, w: number): boolean {
    if (w === 0 || w > MAX_ID_BYTES) throw porError('INTERNAL', `user ${i}: an id of ${w} bytes reached the tree`);
    this.recordId(w);
    this.set.n++;
    return ++this.cur.count === this.CHUNK;
  }

  /** Room in the chunk's id buffer for one more id of the longest kind. */
  private idRoom(): void {
    const c = this.cur;
    if (c.ids.length - c.idLen < MAX_ID_BYTES * 3 + 3) {
      const bigger = new Uint8Array(Math.max(c.ids.length * 2, c.idLen + MAX_ID_BYTES * 3 + 3));
      bigger.set(c.ids.subarray(0, c.idLen));
      c.ids = bigger;
    }
  }

  /** Appends the id's UTF-8 bytes to the chunk and its offset and FNV key to the store's indexes. */
  private addId(userId: string): void {
    this.idRoom();
    const c = this.cur;
    const w = utf8.encodeInto(userId, c.ids.subarray(c.idLen)).written;
    if (w === 0 || w > MAX_ID_BYTES) idBytes(userId, 'user id'); // throws the located error
    this.recordId(w);
  }

  /** The id of `w` bytes just written at the chunk's idLen: its offset and FNV key for the store's indexes. */
  private recordId(w: number): void {
    const c = this.cur;
    const set = this.set;
    const n = set.n;
    if (n + 1 >= set.idOffsets.length) {
      set.idOffsets = widen(set.idOffsets, set.idOffsets.length * 2);
      set.lookupKeys = widen(set.lookupKeys, set.lookupKeys.length * 2);
    }
    set.lookupKeys[n] = lookupKey(c.ids, c.idLen, c.idLen + w);
    set.idOffsets[n] = this.idBytesTotal;
    this.idBytesTotal += w;
    c.idOff[c.count] = c.idLen;
    c.idLen += w;
    c.idOff[c.count + 1] = c.idLen;
  }

  /** Per asset the net as a little-endian int64 at `base` (compact records: every net fits, or the build is wrong). */
  private encodeNets(u: { userId: string; net: readonly bigint[] }, base: number): void {
    for (let a = 0; a < this.shape.A; a++) {
      const v = u.net[a]!;
      if (v < I64_MIN || v > I64_MAX) throw porError('INTERNAL', `user ${u.userId}: a net past int64 reached compact leaf records`);
      this.cur.dv.setBigInt64(base + 8 * a, v, true);
    }
  }

  /** Per asset max(net, 0) and max(−net, 0) as 128-bit fields at `base`; refuses a value above the bound. */
  private encodeSums(u: { userId: string; net: readonly bigint[] }, base: number): void {
    const { A, bound, height, assets } = this.shape;
    const dv = this.cur.dv;
    for (let a = 0; a < A; a++) {
      const v = u.net[a]!;
      if (v === 0n) continue;
      const abs = v > 0n ? v : -v;
      const off = base + a * 2 * AMOUNT_LEN + (v > 0n ? 0 : AMOUNT_LEN);
      // The bound is ≥ 2^64 − 1 (height ≤ 64), so values that fit 64 bits need no further check.
      if (abs <= M64) {
        dv.setBigUint64(off + 8, abs);
        continue;
      }
      if (abs > bound) {
        throw porError('OVERFLOW', `user ${u.userId}: ${assets[a]!.symbol} ${v > 0n ? 'balance' : 'debt'} ${formatAmount(abs, assets[a]!.decimals)} is above the leaf bound 2^${128 - height}−1 base units of a height-${height} tree (docs/SPEC.md, Bounds)`, { field: `${u.userId}.${assets[a]!.symbol}` });
      }
      dv.setBigUint64(off, abs >> 64n);
      dv.setBigUint64(off + 8, abs & M64);
    }
  }
}

function widen<T extends Float64Array | Uint32Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a as never);
  return b;
}

/** The id of input index i, as text (for messages). */
export function idText(set: LeafSet, i: number): string {
  const c = set.ids[i >>> set.chunkBits];
  if (c === undefined) return set.idOf ? set.idOf(i) : `#${i + 1}`;
  const j = i & (2 ** set.chunkBits - 1);
  return new TextDecoder().decode(c.ids.subarray(c.off[j], c.off[j + 1]));
}

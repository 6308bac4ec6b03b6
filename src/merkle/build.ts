// Builds the Merkle sum tree from a liabilities snapshot and writes the root document and the proof
// store. Node-only. Memory: one record (32 + 32·assets bytes) per user for the leaves plus the
// level above; levels go to disk as they are made. docs/SPEC.md has the byte rules.
import { existsSync } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { porError, PorError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { toJson, writeAll, writeError, writeFileAtomic } from '../io/node.js';
import type { StagedFolder } from '../io/staged.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE, STORE_META, stageBuild } from './layout.js';
import {
  AMOUNT_LEN, assetsHash, DEFAULT_HEIGHT, HASH_LEN, MAX_ID_BYTES, MIN_SECRET_BYTES, checkHeight, decodeSums, idBytes, leafBound,
  nobleSha256, paddingRecords, recordSize, toHex,
} from '../core/merkle/core.js';
import { asBuffer, makeBlockHasher, makeLeafHasher, makeLevelHasher, type BlockJob, type LeafJob, type LevelJob } from './compute.js';

type WorkerJob = { kind: 'leaves'; job: LeafJob } | { kind: 'level'; job: LevelJob } | { kind: 'blocks'; job: BlockJob };
import type { WorkerReply, WorkerRequest } from './worker.js';
import { ROOT_FORMAT, ROOT_VERSION, STORE_FORMAT, STORE_VERSION, type MerkleRoot, type RootDocument, type StoreMeta } from '../core/merkle/types.js';

/** What the builder needs from a snapshot (src/ingest's Snapshot fits). */
export interface TreeInput {
  registry: { assets: readonly { symbol: string; decimals: number }[] };
  /** Known up front when the snapshot is already read; checked against the height before building. */
  userCount?: number;
  /** Per asset Σ max(net,0) and Σ max(−net,0); when given, the root sums are asserted equal. */
  totals?: readonly { gross: bigint; debt: bigint }[];
  users(): Iterable<{ userId: string; net: readonly bigint[] }> | AsyncIterable<{ userId: string; net: readonly bigint[] }>;
}

export interface BuildOptions {
  /** The exchange's secret (≥ 32 bytes): salts and the leaf order derive from it. */
  secret: Uint8Array;
  snapshotId: string;
  height?: number;
  /** The build folder: public/root.json and private/ (the store); see src/merkle/layout.ts. */
  outDir: string;
  /**
   * A staged build folder to write into and leave uncommitted (the CLI adds the report to it and
   * switches it in). Without it, buildTree stages outDir itself and switches it in when done.
   */
  stage?: StagedFolder;
  reporter?: Reporter;
  /** Hashing threads (worker_threads); default min(2, cores). 1 hashes inline. */
  threads?: number;
  /** Replace a tree already in outDir. */
  overwrite?: boolean;
  /** Where the bundled worker lives; default next to this module, then ../../dist. */
  workerUrl?: URL;
}

export interface BuildResult {
  /** The published root: what report.json embeds as `merkleRoot`. */
  merkleRoot: MerkleRoot;
  /** The same with format and version: the content of root.json. */
  root: RootDocument;
  rootFile: string;
  storeDir: string;
  threads: number;
}

// Leaf records are held in chunks of 2^chunkBits users (one hashing job each) carved from slabs of
// up to SLAB chunks. A chunk holds at most CHUNK_BYTES of records, so its user count shrinks as
// assets grow (65,536 users at 5 assets, 512 at 1,000, 8 at 65,535), and a slab is only as many
// chunks as the users still to come need: memory follows the users and assets actually present.
const CHUNK_BYTES = 1 << 24;
const MAX_CHUNK_BITS = 16;
const SLAB = 16; // chunks per shared allocation, at most
/** Levels below this are not stored: a proof recomputes them from its 2^STORED_FROM-leaf block (FORMATS.md, Proof store). */
export const STORED_FROM = 6;
const PARALLEL_MIN = 8192; // levels smaller than this are hashed inline: messaging would cost more
const utf8 = new TextEncoder();
const M64 = (1n << 64n) - 1n;

/** log2 of the users per leaf chunk for records of `recordBytes`: as many as fit CHUNK_BYTES, at most 2^16. */
export function chunkBitsFor(recordBytes: number): number {
  let bits = MAX_CHUNK_BITS;
  while (bits > 0 && 2 ** bits * recordBytes > CHUNK_BYTES) bits--;
  return bits;
}

export async function buildTree(input: TreeInput, options: BuildOptions): Promise<BuildResult> {
  const reporter = options.reporter ?? silentReporter;
  const height = options.height ?? DEFAULT_HEIGHT;
  checkHeight(height);
  const assets = input.registry.assets.map((a) => ({ symbol: a.symbol, decimals: a.decimals }));
  const A = assets.length;
  if (A === 0 || A > 0xffff) throw porError('BAD_INPUT', `the asset registry must list 1 to 65535 assets, got ${A}`);
  const R = recordSize(A);
  const CHUNK_BITS = chunkBitsFor(R);
  const CHUNK = 2 ** CHUNK_BITS;
  if (options.secret.length < MIN_SECRET_BYTES) {
    throw porError('BAD_INPUT', `the secret is ${options.secret.length} bytes; at least ${MIN_SECRET_BYTES} are needed (e.g. openssl rand -hex 32)`, { field: 'secret' });
  }
  const sid = idBytes(options.snapshotId, 'snapshot id');
  const capacity = 2 ** height;
  const maxUsers = Math.min(capacity, 0xffffffff);
  if (input.userCount !== undefined && input.userCount > maxUsers) {
    throw porError('OVERFLOW', `${input.userCount} users do not fit a tree of height ${height} (at most ${maxUsers}); raise --height`, { field: 'height' });
  }
  const bound = leafBound(height);

  // Everything is written into a staged copy of the build folder, switched in only when complete.
  const stage = options.stage ?? (await stageBuild(options.outDir, options.overwrite === true));
  const rootFile = join(stage.target, PUBLIC_DIR, ROOT_FILE);
  const storeDir = join(stage.target, PRIVATE_DIR);
  const tmpDir = join(stage.path, PRIVATE_DIR);
  try {
    await mkdir(tmpDir, { mode: 0o700 });
    await mkdir(join(stage.path, PUBLIC_DIR));
  } catch (err) {
    await stage.abort();
    throw writeError(tmpDir, err);
  }
  /** Appends to one of the store's files; a short write or a full disk names the file. */
  const put = (name: string, data: Uint8Array) => writeAll(files[name]!, data, join(tmpDir, name));

  const params = { secret: options.secret, snapshotId: sid, assetCount: A, assetsHash: assetsHash(nobleSha256, assets) };
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, cpus().length)));
  const pool = threads > 1 ? await WorkerPool.start(threads, params, options.workerUrl, reporter) : undefined;
  const inlineLeaves = makeLeafHasher(params);
  const inlineLevel = makeLevelHasher(A);
  const inlineBlocks = makeBlockHasher(A);
  const pads = paddingRecords(nobleSha256, height, A);

  const files: Record<string, FileHandle> = {};
  try {
    for (const name of ['leaves.bin', 'salts.bin', 'ids.bin', 'levels.bin']) files[name] = await open(join(tmpDir, name), 'w', 0o600).catch((err: unknown) => Promise.reject(writeError(join(tmpDir, name), err)));

    // ---- Leaves: read users, encode sums, hash in jobs of CHUNK users; write in input order. ----
    const recordChunks: Uint8Array[] = [];
    const userHashChunks: Uint8Array[] = [];
    const idChunks: { ids: Uint8Array; off: Uint32Array }[] = [];
    let idOffsets = new Float64Array(1024); // byte offset of each user id in ids.bin (N + 1 entries)
    let lookupKeys = new Uint32Array(1024); // FNV-1a of each user id, for the store's id index
    let n = 0;
    let idBytesTotal = 0;
    const pending: Promise<void>[] = [];
    let writeChain: Promise<void> = Promise.resolve();

    let rec!: Uint8Array;
    let dv!: DataView;
    let salts!: Uint8Array;
    let uhs!: Uint8Array;
    let ids!: Uint8Array;
    let idOff!: Uint32Array;
    let inChunk = 0;
    let idLen = 0;
    let slabRec: Uint8Array = new Uint8Array(0);
    let slabUh: Uint8Array = new Uint8Array(0);
    let slabChunks = 0;
    let slabUsed = 0;
    const newChunk = () => {
      // Chunks are views into slabs of SLAB chunks: few large shared buffers keep V8 from running a
      // full GC for every external allocation once gigabytes are held.
      if (slabUsed === slabChunks) {
        // Only as many chunks as the users still to come need, when their number is known.
        const left = input.userCount === undefined ? SLAB : Math.ceil((input.userCount - n) / CHUNK);
        slabChunks = Math.max(1, Math.min(SLAB, left));
        slabRec = new Uint8Array(new SharedArrayBuffer(slabChunks * CHUNK * R));
        slabUh = new Uint8Array(new SharedArrayBuffer(slabChunks * CHUNK * HASH_LEN));
        slabUsed = 0;
      }
      rec = slabRec.subarray(slabUsed * CHUNK * R, (slabUsed + 1) * CHUNK * R);
      uhs = slabUh.subarray(slabUsed * CHUNK * HASH_LEN, (slabUsed + 1) * CHUNK * HASH_LEN);
      slabUsed++;
      dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      salts = new Uint8Array(new SharedArrayBuffer(CHUNK * HASH_LEN));
      ids = new Uint8Array(Math.max(CHUNK * 16, 4 * MAX_ID_BYTES));
      idOff = new Uint32Array(CHUNK + 1);
      inChunk = 0;
      idLen = 0;
    };
    const flushChunk = async () => {
      if (inChunk === 0) return;
      const job: LeafJob = { count: inChunk, ids: ids.slice(0, idLen), idOff: idOff.slice(0, inChunk + 1), records: rec, salts, userHashes: uhs };
      recordChunks.push(rec);
      userHashChunks.push(uhs);
      idChunks.push({ ids: job.ids, off: job.idOff });
      const count = inChunk;
      const done = pool ? pool.run({ kind: 'leaves', job }) : Promise.resolve(inlineLeaves(job));
      const { salts: s, records } = job;
      // Files are appended strictly in chunk order, whichever worker finishes first.
      const prev = writeChain;
      writeChain = (async () => {
        await done;
        await prev;
        // Leaves go to disk in input order now, while hashing goes on, rather than after the sort.
        await put('leaves.bin', Buffer.from(records.buffer, records.byteOffset, count * R));
        await put('salts.bin', Buffer.from(s.buffer, s.byteOffset, count * HASH_LEN));
      })();
      pending.push(writeChain);
      await put('ids.bin', job.ids);
      if (pool && pending.length >= threads * 2) await pending[pending.length - threads * 2];
      reporter.progress('merkle leaves', n, input.userCount, 'users');
    };

    /** Encodes one user into the current chunk; true when the chunk is full. */
    const add = (u: { userId: string; net: readonly bigint[] }): boolean => {
      if (n >= maxUsers) throw porError('OVERFLOW', `more than ${maxUsers} users do not fit a tree of height ${height}; raise --height`, { field: 'height' });
      if (u.net.length !== A) throw porError('INTERNAL', `user ${u.userId} has ${u.net.length} balances for ${A} assets`);
      if (ids.length - idLen < MAX_ID_BYTES * 3 + 3) {
        const bigger = new Uint8Array(Math.max(ids.length * 2, idLen + MAX_ID_BYTES * 3 + 3));
        bigger.set(ids.subarray(0, idLen));
        ids = bigger;
      }
      const w = utf8.encodeInto(u.userId, ids.subarray(idLen)).written;
      if (w === 0 || w > MAX_ID_BYTES) idBytes(u.userId, 'user id'); // throws the located error
      let fnv = 0x811c9dc5;
      for (let i = idLen; i < idLen + w; i++) fnv = Math.imul(fnv ^ ids[i]!, 0x01000193);
      if (n + 1 >= idOffsets.length) {
        const g = new Float64Array(idOffsets.length * 2);
        g.set(idOffsets);
        idOffsets = g;
        const k = new Uint32Array(lookupKeys.length * 2);
        k.set(lookupKeys);
        lookupKeys = k;
      }
      lookupKeys[n] = fnv >>> 0;
      idOffsets[n] = idBytesTotal;
      idBytesTotal += w;
      idOff[inChunk] = idLen;
      idLen += w;
      idOff[inChunk + 1] = idLen;
      const base = inChunk * R + HASH_LEN;
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
      n++;
      inChunk++;
      return inChunk === CHUNK;
    };
    newChunk();
    const source = input.users();
    // A sync iterable (src/ingest's) is walked without a promise per user; awaits only per chunk.
    if (Symbol.iterator in source) {
      for (const u of source) {
        if (add(u)) {
          await flushChunk();
          newChunk();
        }
      }
    } else {
      for await (const u of source) {
        if (add(u)) {
          await flushChunk();
          newChunk();
        }
      }
    }
    await flushChunk();
    idOffsets[n] = idBytesTotal;
    await Promise.all(pending);
    reporter.done('merkle leaves', `${n.toLocaleString('en-US')} users hashed`);

    // ---- Order: ascending by user hash (secret-derived). Sort on its top 32 bits, then fix ties. ----
    // Shared, so level jobs hand it to workers without copying.
    const order = new Uint32Array(new SharedArrayBuffer(Math.max(4, 4 * n)), 0, n);
    {
      // LSD radix sort (2 × 16 bits) of the top 32 bits, carrying the input index: stable, so ties
      // stay in input order like the comparator sort it replaced, at half its time for 10M keys.
      let hi = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const c = userHashChunks[i >>> CHUNK_BITS]!;
        const o = (i & (CHUNK - 1)) * HASH_LEN;
        hi[i] = ((c[o]! << 24) | (c[o + 1]! << 16) | (c[o + 2]! << 8) | c[o + 3]!) >>> 0;
      }
      // Two passes write idx2 then idx: the sorted indexes end up in `order`.
      let idx: Uint32Array = order;
      for (let i = 0; i < n; i++) idx[i] = i;
      let hi2 = new Uint32Array(n);
      let idx2: Uint32Array = new Uint32Array(n);
      for (let shift = 0; shift < 32; shift += 16) {
        const cnt = new Uint32Array(65537);
        for (let i = 0; i < n; i++) cnt[((hi[i]! >>> shift) & 0xffff) + 1]!++;
        for (let d = 0; d < 65536; d++) cnt[d + 1]! += cnt[d]!;
        for (let i = 0; i < n; i++) {
          const d = cnt[(hi[i]! >>> shift) & 0xffff]!++;
          hi2[d] = hi[i]!;
          idx2[d] = idx[i]!;
        }
        [hi, hi2] = [hi2, hi];
        [idx, idx2] = [idx2, idx];
      }
      // hi[p] is now the key at tree position p.
      const uhOf = (i: number) => userHashChunks[i >>> CHUNK_BITS]!.subarray((i & (CHUNK - 1)) * HASH_LEN, ((i & (CHUNK - 1)) + 1) * HASH_LEN);
      for (let p = 1; p < n; ) {
        if (hi[p] !== hi[p - 1]) {
          p++;
          continue;
        }
        let e = p + 1;
        while (e < n && hi[e] === hi[p - 1]) e++;
        const run = Array.from(order.subarray(p - 1, e)).sort((x, y) => compareBytes(uhOf(x), uhOf(y)) || x - y);
        for (let q = 1; q < run.length; q++) {
          if (compareBytes(uhOf(run[q - 1]!), uhOf(run[q]!)) === 0) {
            throw porError('DUPLICATE', `user id "${idText(idChunks, CHUNK_BITS, run[q]!)}" appears twice in the snapshot (users ${run[q - 1]! + 1} and ${run[q]! + 1}); every user must be one leaf`, { field: 'user_id' });
          }
        }
        order.set(run, p - 1);
        p = e;
      }
    }
    userHashChunks.length = 0;

    // The store's indexes: built and written while the workers hash the blocks (started below).
    const writeIndexes = async () => {
      const position = new Uint32Array(n);
      for (let p = 0; p < n; p++) position[order[p]!] = p;
      const lookup = new BigUint64Array(n);
      {
        const l32 = new Uint32Array(lookup.buffer);
        for (let i = 0; i < n; i++) {
          l32[2 * i] = i;
          l32[2 * i + 1] = lookupKeys[i]!;
        }
        lookup.sort();
      }
      const offsets = new Uint32Array(2 * (n + 1));
      for (let i = 0; i <= n; i++) {
        offsets[2 * i] = idOffsets[i]! % 2 ** 32;
        offsets[2 * i + 1] = Math.floor(idOffsets[i]! / 2 ** 32);
      }
      const secret = { mode: 0o600 };
      await writeFileAtomic(join(tmpDir, 'order.bin'), Buffer.from(order.buffer, 0, 4 * n), secret);
      await writeFileAtomic(join(tmpDir, 'position.bin'), new Uint8Array(position.buffer), secret);
      await writeFileAtomic(join(tmpDir, 'lookup.bin'), new Uint8Array(lookup.buffer), secret);
      await writeFileAtomic(join(tmpDir, 'ids.off'), new Uint8Array(offsets.buffer), secret);
    };

    // ---- Levels: 1 … storedFrom in blocks of 2^storedFrom leaves (only the block roots are kept),
    // then each level from the one below; levels ≥ storedFrom go to levels.bin as they are made. ----
    const storedFrom = Math.min(STORED_FROM, height);
    const levelCounts: number[] = [n];
    for (let k = 1; k <= storedFrom; k++) levelCounts.push(Math.ceil(n / 2 ** k));
    const parallel = async (count: number, nodesEach: number, job: (from: number, to: number) => WorkerJob, inline: (j: WorkerJob) => void) => {
      try {
        if (pool && count * nodesEach >= PARALLEL_MIN) {
          const parts: Promise<void>[] = [];
          for (let t = 0; t < threads; t++) parts.push(pool.run(job(Math.floor((count * t) / threads), Math.floor((count * (t + 1)) / threads))));
          await Promise.all(parts);
        } else inline(job(0, count));
      } catch (err) {
        if (err instanceof PorError) throw err;
        throw porError('OVERFLOW', `a sum overflowed 128 bits: ${(err as Error).message}`);
      }
    };
    let rootRecord: Uint8Array = pads[height]!;
    let srcCount = levelCounts[storedFrom]!;
    let src = new Uint8Array(new SharedArrayBuffer(Math.max(1, srcCount) * R));
    let indexes: Promise<void> = Promise.resolve();
    let indexing = false;
    if (n > 0) {
      // Blocks of 2^storedFrom leaves in tree order, hashed up to level storedFrom by the workers,
      // which read each leaf record where the leaf pass put it (through `order`): no gather here.
      const blockPads = pads.slice(0, storedFrom);
      const size = 2 ** storedFrom;
      const JOB = 1 << 16; // leaves per job, a multiple of 2^storedFrom
      const busy: Promise<void>[] = [];
      for (let p = 0; p < n; p += JOB) {
        const from = p / size;
        const to = from + Math.ceil(Math.min(JOB, n - p) / size);
        const job: BlockJob = { chunks: recordChunks, chunkBits: CHUNK_BITS, order, srcCount: n, levels: storedFrom, pads: blockPads, from, to, out: src.subarray(from * R, to * R) };
        let hashed: Promise<void>;
        if (pool) hashed = pool.run({ kind: 'blocks', job });
        else {
          try {
            inlineBlocks(job);
            hashed = Promise.resolve();
          } catch (err) {
            hashed = Promise.reject(err);
          }
        }
        hashed.catch(() => {}); // awaited below; an early failure must not count as unhandled
        busy.push(hashed);
      }
      indexes = writeIndexes();
      indexing = true;
      indexes.catch(() => {});
      try {
        await Promise.all(busy);
      } catch (err) {
        await indexes.catch(() => {}); // finished before the folder is removed
        if (err instanceof PorError) throw err;
        throw porError('OVERFLOW', `a sum overflowed 128 bits: ${(err as Error).message}`);
      }
      recordChunks.length = 0; // the leaves are on disk now; let the memory go
      await indexes;
      await put('levels.bin', Buffer.from(src.buffer, 0, srcCount * R));
      if (storedFrom === height) rootRecord = src.slice(0, R);
    }
    await (indexing ? indexes : writeIndexes());
    reporter.progress('merkle levels', storedFrom, height, 'levels');
    for (let k = storedFrom + 1; k <= height; k++) {
      if (srcCount === 0) {
        levelCounts.push(0);
        continue;
      }
      const count = Math.ceil(srcCount / 2);
      const out = new Uint8Array(new SharedArrayBuffer(count * R));
      const prev = src;
      const prevCount = srcCount;
      await parallel(
        count,
        1,
        (from, to) => ({ kind: 'level', job: { chunks: [prev], chunkBits: 32, order: null, srcCount: prevCount, pad: pads[k - 1]!, from, to, out: out.subarray(from * R, to * R) } }),
        (j) => inlineLevel((j as { job: LevelJob }).job),
      );
      await put('levels.bin', Buffer.from(out.buffer, 0, count * R));
      levelCounts.push(count);
      reporter.progress('merkle levels', k, height, 'levels');
      src = out;
      srcCount = count;
      if (k === height) rootRecord = out.slice(0, R);
    }
    reporter.done('merkle levels', `${height} levels`);

    const { equity, debt } = decodeSums(rootRecord.subarray(HASH_LEN), A);
    if (input.totals) {
      for (let a = 0; a < A; a++) {
        const t = input.totals[a];
        if (!t || t.gross !== equity[a] || t.debt !== debt[a]) {
          throw porError('INTERNAL', `root sums for ${assets[a]!.symbol} (equity ${equity[a]}, debt ${debt[a]}) differ from the liabilities totals (gross ${t?.gross}, debt ${t?.debt})`);
        }
      }
    }
    const merkleRoot: MerkleRoot = {
      snapshotId: options.snapshotId,
      height,
      leafCount: n,
      hashFunction: 'sha256',
      hash: toHex(rootRecord.subarray(0, HASH_LEN)),
      assets,
      sums: assets.map((a, i) => ({
        asset: a.symbol,
        equity: formatAmount(equity[i]!, a.decimals),
        debt: formatAmount(debt[i]!, a.decimals),
        equityUnits: equity[i]!.toString(),
        debtUnits: debt[i]!.toString(),
      })),
    };
    const root: RootDocument = { format: ROOT_FORMAT, version: ROOT_VERSION, ...merkleRoot };
    const meta: StoreMeta = { format: STORE_FORMAT, version: STORE_VERSION, recordSize: R, levelCounts, storedFrom, root: merkleRoot };
    for (const [name, f] of Object.entries(files)) {
      await f.sync().catch((err: unknown) => Promise.reject(writeError(join(tmpDir, name), err)));
      await f.close();
    }
    for (const k of Object.keys(files)) delete files[k];
    await writeFileAtomic(join(tmpDir, STORE_META), toJson(meta), { mode: 0o600 });
    await writeFileAtomic(join(stage.path, PUBLIC_DIR, ROOT_FILE), toJson(root));
    if (!options.stage) await stage.commit();
    return { merkleRoot, root, rootFile, storeDir, threads: pool ? threads : 1 };
  } catch (err) {
    for (const f of Object.values(files)) await f.close().catch(() => {});
    if (!options.stage) await stage.abort();
    throw err;
  } finally {
    await pool?.close();
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function idText(chunks: { ids: Uint8Array; off: Uint32Array }[], chunkBits: number, i: number): string {
  const c = chunks[i >>> chunkBits]!;
  const j = i & (2 ** chunkBits - 1);
  return new TextDecoder().decode(c.ids.subarray(c.off[j], c.off[j + 1]));
}

/** A fixed set of worker threads running leaf and level jobs over shared memory. */
class WorkerPool {
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: WorkerReply) => {
        const p = this.waiting.get(m.id);
        if (!p) return;
        this.waiting.delete(m.id);
        if (m.ok) p.resolve();
        else p.reject(m.overflow ? porError('OVERFLOW', m.message) : new Error(m.message));
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
    }
  }

  static async start(n: number, params: unknown, url: URL | undefined, reporter: Reporter): Promise<WorkerPool | undefined> {
    const candidates = url ? [url] : [new URL('./merkle-worker.mjs', import.meta.url), new URL('../../dist/merkle-worker.mjs', import.meta.url)];
    for (const c of candidates) {
      if (!existsSync(c) || !(await stat(c)).isFile()) continue;
      return new WorkerPool(Array.from({ length: n }, () => new Worker(c, { workerData: params })));
    }
    reporter.warn('the worker bundle (dist/merkle-worker.mjs) is missing; hashing on one thread (run npm run build)');
    return undefined;
  }

  run(req: WorkerJob): Promise<void> {
    const id = this.seq++;
    const w = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, ...req } as WorkerRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

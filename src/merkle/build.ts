// Builds the Merkle sum tree from a liabilities snapshot and writes the root document and the proof
// store. Node-only. Memory: one record (32 + 8·assets bytes when every net fits int64, else
// 32 + 32·assets) per user for the leaves plus the level above; levels go to disk as they are
// made. docs/SPEC.md has the byte rules. The steps: leaves (./leaves.ts), order (./order.ts),
// levels and root (./levels.ts), store (./store-writer.ts).
// For inputs larger than memory, and for builds spread over machines, see ./shard.ts.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import type { StagedFolder } from '../io/staged.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE, stageBuild } from './layout.js';
import { Hashers, checkSecret, treeShape, type TreeShape } from './hashing.js';
import { chunkBitsFor, compactRecordSize, LeafCollector, type LeafSet } from './leaves.js';
import { HASH_LEN } from '../core/merkle/core.js';
import { EarlyHashing } from './early.js';
import { turn, userHashSorter } from './order.js';
import { awaitBlocks, blockStarter, hashUpperLevels, lowerCounts, rootDocuments } from './levels.js';
import { StoreWriter, writeIndexes } from './store-writer.js';
import type { MerkleRoot, RootDocument } from '../core/merkle/types.js';
import type { ReadWatcher, UserEncoder } from '../ingest/types.js';

export { chunkBitsFor } from './leaves.js';
export { STORED_FROM } from './hashing.js';

/** What the builder needs from a snapshot (src/ingest's Snapshot fits). */
export interface TreeInput {
  registry: { assets: readonly { symbol: string; decimals: number }[] };
  /** Known up front when the snapshot is already read; checked against the height before building. */
  userCount?: number;
  /** Per asset Σ max(net,0) and Σ max(−net,0); when given, the root sums are asserted equal. */
  totals?: readonly { gross: bigint; debt: bigint }[];
  users(): Iterable<{ userId: string; net: readonly bigint[] }> | AsyncIterable<{ userId: string; net: readonly bigint[] }>;
  /** The same users by index, written straight into leaf records (src/ingest's Snapshot has it). */
  encoder?: UserEncoder;
  /**
   * Lets the input's per-user memory go once every leaf is hashed (src/ingest's Snapshot: the
   * aggregator's tables); called only with BuildOptions.releaseInput. users() is unusable after.
   */
  release?(): void;
}

/**
 * A snapshot read once the hashing threads are up: while it is read, they make the salts and user
 * hashes of the users met (./early.ts), given `watcher` (undefined with one thread).
 */
export interface ReadInput {
  registry: TreeInput['registry'];
  read(watcher: ReadWatcher | undefined): Promise<TreeInput>;
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
  /** The caller reads no user from the input after the build: its memory may go once the leaves are hashed. */
  releaseInput?: boolean;
  /**
   * Full leaf records in the store even when every net fits int64 (the default then is compact
   * records: docs/FORMATS.md, "Proof store"). Tests build the same tree both ways to compare proofs.
   */
  fullLeafRecords?: boolean;
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

export async function buildTree(input: TreeInput | ReadInput, options: BuildOptions): Promise<BuildResult> {
  const reporter = options.reporter ?? silentReporter;
  const shape = treeShape(input.registry.assets, options.snapshotId, options.height, 'read' in input ? undefined : input.userCount);
  checkSecret(options.secret);
  // Everything is written into a staged copy of the build folder, switched in only when complete.
  return withStage(options, async (stage) => {
    const hashers = await Hashers.start(shape, options.secret, options.threads, options.workerUrl, reporter);
    let w: StoreWriter | undefined;
    try {
      const { tree, early } = 'read' in input ? await readHashing(input, hashers, options) : { tree: input, early: undefined };
      w = await StoreWriter.open(stage);
      const docs = await buildInto(w, hashers, tree, reporter, options.releaseInput === true, early, options.fullLeafRecords === true);
      return { ...docs, rootFile: join(stage.target, PUBLIC_DIR, ROOT_FILE), storeDir: join(stage.target, PRIVATE_DIR), threads: hashers.threads };
    } finally {
      await w?.close();
      await hashers.close();
    }
  });
}

/**
 * Reads the input while a hashing thread makes the salts and user hashes of the users met; what
 * it made is dropped when the reading fails (nothing of it was written anywhere). After the read it
 * goes on with every thread beside the leaf pass (EarlyHashing.readOver).
 */
async function readHashing(input: ReadInput, h: Hashers, options: BuildOptions): Promise<{ tree: TreeInput; early: EarlyHashing | undefined }> {
  // Each chunk's buffer holds its salts and user hashes, then a later chunk's compact records.
  const early = h.pool ? new EarlyHashing(h, 2 ** chunkBitsFor(h.shape.R), Math.max(2 * HASH_LEN, compactRecordSize(h.shape.A))) : undefined;
  let tree: TreeInput;
  try {
    tree = await input.read(early);
    treeShape(tree.registry.assets, options.snapshotId, options.height, tree.userCount);
  } catch (err) {
    early?.drop();
    await early?.close().catch(() => {});
    throw err;
  }
  early?.readOver(tree.userCount);
  return { tree, early };
}

/** Runs `body` in options.stage, or in a stage of outDir it commits on success and removes on failure. */
export async function withStage<T>(options: { stage?: StagedFolder; outDir: string; overwrite?: boolean }, body: (stage: StagedFolder) => Promise<T>): Promise<T> {
  const stage = options.stage ?? (await stageBuild(options.outDir, options.overwrite === true));
  try {
    const out = await body(stage);
    if (!options.stage) await stage.commit();
    return out;
  } catch (err) {
    if (!options.stage) await stage.abort();
    throw err;
  }
}

/** Leaves → order → levels → store, for users held in memory. */
async function buildInto(w: StoreWriter, h: Hashers, input: TreeInput, reporter: Reporter, releaseInput: boolean, early: EarlyHashing | undefined, fullLeaves: boolean): Promise<{ merkleRoot: MerkleRoot; root: RootDocument }> {
  const { shape } = h;
  // Leaves go to disk in input order as they are hashed, rather than after the sort.
  const sink = async (c: { records: Uint8Array; salts: Uint8Array; ids: Uint8Array }) => {
    await w.put('ids.bin', c.ids);
    await w.put('leaves.bin', c.records);
    await w.put('salts.bin', c.salts);
  };
  // Compact records (int64 nets, 72 bytes a user at 5 assets instead of 192) when every net fits,
  // in memory and in leaves.bin (the sink writes the records as held).
  const compact = !fullLeaves && input.encoder?.narrow === true && input.encoder.encodeNets !== undefined;
  const leaves = new LeafCollector(shape, h, reporter, sink, input.userCount, compact, early);
  const set = await leaves.collect(input).finally(() => early?.close());
  reporter.done('merkle leaves', `${set.n.toLocaleString('en-US')} users hashed${saltedAhead(leaves.ahead)}`);
  await w.syncEarly(['ids.bin', 'leaves.bin', 'salts.bin']); // ids.bin may be read back below
  if (releaseInput) input.release?.();
  const ids = set.compact ? idsOnDisk(join(w.dir, 'ids.bin'), set.idOffsets) : undefined;
  if (ids) {
    set.idOf = (i) => new TextDecoder().decode(ids(i));
    set.fullUserHash = (i) => h.userHash(ids(i));
  }
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, Math.ceil(set.n / 2 ** shape.storedFrom)) * shape.R));
  let sorted: { order: Uint32Array; busy: Promise<void>[] };
  try {
    sorted = await sortStartingBlocks(h, set, out);
  } finally {
    ids?.close();
  }
  set.userHashes.length = 0;
  await lowerLevels(w, set, sorted, out);
  const upper = await hashUpperLevels(h, out, Math.ceil(set.n / 2 ** shape.storedFrom), (l) => w.put('levels.bin', l), reporter);
  const docs = rootDocuments(shape, set.n, upper.root, input.totals);
  await w.finish({ leafRecord: set.compact ? 'compact' : 'full', levelCounts: [...lowerCounts(set.n, shape.storedFrom), ...upper.counts], storedFrom: shape.storedFrom, root: docs.merkleRoot }, docs.root);
  return docs;
}

/** How many users' salts were made ahead of their leaves, for the leaf pass's summary line. */
function saltedAhead(a: { reading: number; after: number }): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (a.reading + a.after === 0) return '';
  return ` (salts made ahead: ${n(a.reading)} while reading${a.after > 0 ? `, ${n(a.after)} beside the leaf pass` : ''})`;
}

/**
 * Input index i's id bytes, read back from ids.bin (compact records keep no ids in memory; only a
 * tie in the kept user-hash prefix, or a message, needs one).
 */
function idsOnDisk(file: string, idOffsets: Float64Array): ((i: number) => Uint8Array) & { close(): void } {
  let fd: number | undefined;
  const read = (i: number) => {
    fd ??= openSync(file, 'r');
    const b = new Uint8Array(idOffsets[i + 1]! - idOffsets[i]!);
    readSync(fd, b, 0, b.length, idOffsets[i]!);
    return b;
  };
  return Object.assign(read, { close: () => fd !== undefined && closeSync(fd) });
}

/**
 * The leaf order, with the block jobs (level storedFrom from the leaves, into `out`) started as its
 * runs are sorted: started after the whole sort, they left the workers idle for it (~1.3 s at 10^7
 * users). The event loop gets a turn every 8 runs, so the pool sends queued jobs as workers answer.
 */
async function sortStartingBlocks(h: Hashers, set: LeafSet, out: Uint8Array): Promise<{ order: Uint32Array; busy: Promise<void>[] }> {
  const sorter = userHashSorter(set);
  const blocks = blockStarter(h, { chunks: set.records, chunkBits: set.chunkBits, order: sorter.order, count: set.n, compact: set.compact }, out);
  let k = 0;
  for (const upto of sorter.steps()) {
    blocks.upTo(upto);
    if (++k % 8 === 0) await turn();
  }
  return { order: sorter.order, busy: blocks.busy };
}

/**
 * Level storedFrom into `out`: the block jobs started by sortStartingBlocks (blocks of 2^storedFrom
 * leaves in tree order, each leaf read where the leaf pass put it, through `order`: no gather here)
 * are waited for while the store's indexes are built and written; then the level goes to levels.bin.
 */
async function lowerLevels(w: StoreWriter, set: LeafSet, sorted: { order: Uint32Array; busy: Promise<void>[] }, out: Uint8Array): Promise<void> {
  const { order, busy } = sorted;
  const indexes = writeIndexes(w, order, set.lookupKeys, set.idOffsets, set.n);
  indexes.catch(() => {});
  await awaitBlocks(busy, indexes);
  set.records.length = 0; // the leaves are on disk now; let the memory go
  await indexes;
  if (set.n > 0) await w.put('levels.bin', out);
}

export type { TreeShape };

// The scale paths of `por build`: one shard of a build spread over machines (--shard I/N), and the
// liabilities reading + tree building that partitions to disk when the snapshot would not fit the
// memory budget (--memory, --tmp-dir). src/merkle/shard.ts, src/merkle/combine.ts, src/ingest/partition.ts.
import { write as writeShardMeta } from '../../core/documents/shard.js';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadAssetRegistry } from '../../assets/load.js';
import type { AssetRegistry } from '../../core/assets/index.js';
import { partitionSnapshot, readPart, readSnapshotInParts } from '../../ingest/partition.js';
import { statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { buildFromParts } from '../../merkle/parts.js';
import type { BuildResult } from '../../merkle/build.js';
import type { StagedFolder } from '../../io/staged.js';
import { crashPoint, processAlive, readFault } from '../../io/node.js';
import { readSnapshot, type Snapshot, type SnapshotFormat, type SnapshotSummary } from '../../ingest/index.js';
import { originalLines } from '../../ingest/part-sums.js';
import { readSecretFile } from '../../merkle/secret.js';
import { buildShard, parseShardSpec } from '../../merkle/shard.js';
import { porError } from '../../core/errors/index.js';
import { EXIT, type Context, type ExitCode } from '../context.js';

/** What every command that writes a tree folder takes: build, a shard of it, and combine. */
export interface TreeArgs {
  assets: string;
  secretFile: string;
  snapshotId: string;
  out: string;
  height: number;
  threads?: number;
  force: boolean;
}

export interface ShardArgs extends TreeArgs {
  snapshot: string;
  shard: string;
  wallets?: string;
}

/** `por build PART --shard I/N --out SHARD_DIR`: this part's leaves, sorted, for `por combine`. */
export async function runShard(args: ShardArgs, ctx: Context): Promise<ExitCode> {
  const shard = parseShardSpec(args.shard);
  if (args.wallets !== undefined) throw porError('BAD_USAGE', '--shard builds one part of a tree; publish (--wallets) from the combined build with por report', { field: 'shard' });
  const secret = await readSecretFile(args.secretFile, ctx.reporter);
  const registry = await loadAssetRegistry(args.assets);
  const snapshot = await readSnapshot(args.snapshot, registry, { reporter: ctx.reporter, height: args.height });
  const meta = await buildShard(snapshot, {
    secret, snapshotId: args.snapshotId, height: args.height, shard, outDir: args.out, overwrite: args.force, reporter: ctx.reporter,
    ...(args.threads !== undefined ? { threads: args.threads } : {}),
  });
  if (ctx.json) ctx.printJson(writeShardMeta(meta));
  else ctx.print(`shard ${shard.index}/${shard.count} of snapshot "${args.snapshotId}": ${meta.userCount.toLocaleString('en-US')} users, written to ${args.out}\nnext: when all ${shard.count} shards are done, por combine SHARD_DIRS... --out DIR`);
  return EXIT.OK;
}

/** "2G", "1536M", "500000000": bytes. */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[(m?.[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = m ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes >= 256 * 2 ** 20)) throw porError('BAD_USAGE', `--memory must be a size of at least 256M (e.g. 2G, 1536M), got "${text}"`, { field: 'memory' });
  return bytes;
}

/** Default memory budget of por build: what issue 17 asks at 10^7 users. */
export const DEFAULT_MEMORY = 2 * 2 ** 30;
/**
 * Peak RSS of the in-memory build, measured (por build, 2 hashing threads, no --wallets, compact
 * leaf records): 0.39 GB for the 0.10 GB 1M-user CSV of scripts/gen-snapshot.mjs and 1.94 GB for
 * the 1.0 GB 10M-user one, i.e. about 0.22 GB (node, the workers, buffers) plus 1.72 bytes per
 * byte of file (the aggregator's tables, then per user a 72-byte compact record, an 8-byte sort
 * key and the id indexes), rounded up to 0.25 GiB + 1.75 per byte. A snapshot with a user net past
 * int64 (seen only once read) holds full records: 120 bytes more per user at 5 assets.
 */
const BUILD_FIXED_BYTES = 2 ** 28;
const BUILD_BYTES_PER_FILE_BYTE = 1.75;

/**
 * A part is built with full records and whole user hashes and ids (its hashed users go to bucket
 * files, src/merkle/buckets.ts): 3.8 GB for the 1.0 GB file's 10M users held at once (measured
 * before compact records), rounded up.
 */
const SHARD_BYTES_PER_FILE_BYTE = 4;

/** Parts needed so that one part's build (and the combine) stays within `budget`; 1 = in memory. */
export function partsFor(fileBytes: number, budget: number): number {
  if (BUILD_FIXED_BYTES + fileBytes * BUILD_BYTES_PER_FILE_BYTE <= budget) return 1;
  // A quarter of the budget per part: two parts are in memory at once (the next one is read while
  // this one is hashed, and the last one's memory is freed only at the next major GC); the rest is
  // node itself, the worker threads and the store's indexes.
  return Math.max(2, Math.ceil((fileBytes * SHARD_BYTES_PER_FILE_BYTE) / (budget * 0.25)));
}

/**
 * Peak memory of reading a snapshot for its totals (por liabilities, por solvency) per byte of file,
 * measured: 0.92 GB peak RSS for the 1.0 GB 10M-user CSV of scripts/gen-snapshot.mjs (the
 * aggregator's tables, sized once from the file), rounded up.
 */
const READER_BYTES_PER_FILE_BYTE = 1.2;

/** The options `por liabilities` and `por solvency` take to stay within a memory budget. */
export interface BoundedReadArgs {
  memory?: string;
  parts?: number;
  tmpDir?: string;
  format?: SnapshotFormat;
}

/** Adds --memory, --parts and --tmp-dir to a command that reads a whole snapshot. */
export function boundedReadOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('memory', { type: 'string', describe: 'Memory budget (default 2G): a snapshot that would not fit is read in parts by user id, through temporary files; same figures' })
    .option('parts', { type: 'number', describe: 'Read the snapshot in this many parts (default: as --memory needs; 1 = all in memory)' })
    .option('tmp-dir', { type: 'string', describe: "Folder for the parts' temporary files (default: the snapshot's folder); removed afterwards, also on error or Ctrl-C" }) as Argv<T>;
}

/**
 * The snapshot's totals, modes, exchange-owned accounts and debtors, within the memory budget: in
 * memory when it fits, else in parts (src/ingest/partition.ts). The same figures either way.
 */
export async function readSnapshotBounded(file: string, registry: AssetRegistry, args: BoundedReadArgs, ctx: Context): Promise<SnapshotSummary> {
  if (args.parts !== undefined && (!Number.isInteger(args.parts) || args.parts < 1 || args.parts > 4096)) throw porError('BAD_USAGE', '--parts must be an integer from 1 to 4096', { field: 'parts' });
  const budget = args.memory !== undefined ? parseMemory(args.memory) : DEFAULT_MEMORY;
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  const need = size * READER_BYTES_PER_FILE_BYTE;
  const parts = args.parts ?? (need <= budget * 0.6 ? 1 : Math.ceil(need / (budget * 0.5)));
  const options = { reporter: ctx.reporter, ...(args.format !== undefined ? { format: args.format } : {}) };
  if (parts === 1) return readSnapshot(file, registry, options);
  return withTmpDir(args.tmpDir ?? dirname(resolve(file)), (tmp) => {
    ctx.note(`the snapshot is read in ${parts} parts to stay within the memory budget (temporary files in ${tmp}, removed afterwards)`);
    return readSnapshotInParts(file, registry, parts, tmp, options);
  });
}

export interface PartitionedArgs {
  snapshot: string;
  snapshotId: string;
  out: string;
  height: number;
  threads?: number;
  tmpDir?: string;
}

/**
 * Each part as it is read, before it is hashed, with the map from its line numbers to the original
 * file's: `por build --wallets` sums the liabilities here (src/ingest/part-sums.ts).
 */
export type PartSink = (part: Snapshot, original: (local: number) => number) => void;

/**
 * The snapshot in `parts` parts by user id (temporary files in --tmp-dir, removed afterwards, also
 * on error, SIGINT or SIGTERM), each read and hashed in turn into bucket files by user hash, which
 * are then sorted into the store (src/merkle/parts.ts): the same root and proofs as the in-memory
 * build, in memory bounded by one part. Each part's files are removed as soon as it is read.
 * `sink` sees every part once, as it is read.
 */
export async function buildPartitioned(args: PartitionedArgs, ctx: Context, stage: StagedFolder, secret: Uint8Array, registry: AssetRegistry, parts: number, sink?: PartSink): Promise<BuildResult> {
  return withTmpDir(args.tmpDir ?? dirname(resolve(args.out)), async (tmp) => {
    ctx.note(`the snapshot is read in ${parts} parts to stay within the memory budget (temporary files in ${tmp}, removed afterwards)`);
    const files = await partitionSnapshot(args.snapshot, parts, tmp, ctx.reporter);
    crashPoint('build:parts-written');
    const read = async (i: number) => {
      const snapshot = await readPart(files[i]!, args.snapshot, registry, { reporter: ctx.reporter, height: args.height });
      if (sink !== undefined) sink(snapshot, originalLines(readFileSync(files[i]!.lines)));
      await rm(files[i]!.file, { force: true });
      await rm(files[i]!.lines, { force: true });
      return snapshot;
    };
    return buildFromParts(registry, parts, read, {
      secret, snapshotId: args.snapshotId, height: args.height, outDir: args.out, stage, reporter: ctx.reporter, tmpDir: tmp,
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
    });
  });
}

const TMP_PREFIX = '.por-build-tmp-';

/** A private folder `.por-build-tmp-PID` in `base` for the run; dead runs' folders are removed first. */
export async function withTmpDir<T>(base: string, body: (dir: string) => Promise<T>): Promise<T> {
  try {
    mkdirSync(base, { recursive: true });
    for (const name of readdirSync(base)) {
      if (name.startsWith(TMP_PREFIX) && !processAlive(Number(name.slice(TMP_PREFIX.length)))) await rm(join(base, name), { recursive: true, force: true });
    }
  } catch (err) {
    throw porError('BAD_USAGE', `cannot use this folder for temporary files: ${readFault(err)}`, { file: base, field: 'tmp-dir' }, err);
  }
  const dir = join(base, `${TMP_PREFIX}${process.pid}`);
  mkdirSync(dir, { mode: 0o700 });
  const onSignal = (sig: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, sig); // the default action now: the handlers are gone
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.once(s, onSignal);
  try {
    return await body(dir);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await rm(dir, { recursive: true, force: true });
  }
}

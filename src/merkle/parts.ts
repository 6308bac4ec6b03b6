// The one-machine build in parts (docs/SCALE.md, "One machine, bounded memory"): parts (every row
// of a user in one part) are read one after the other, the next one while the hashing threads hash
// the current one; each part's hashed users go to bucket files by user hash (./buckets.ts); the
// buckets, sorted one at a time, are the tree in order. Node-only.
import { join } from 'node:path';
import { porError } from '../core/errors/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE } from './layout.js';
import { Hashers, checkSecret, treeShape, type TreeShape } from './hashing.js';
import { LeafCollector } from './leaves.js';
import { StoreWriter } from './store-writer.js';
import { withStage, type BuildOptions, type BuildResult, type TreeInput } from './build.js';
import { writeInTreeOrder } from './combine.js';
import { BucketWriter, bucketCount, emitBuckets } from './buckets.js';
import { totalsFitInt64 } from './leaf-records.js';

export interface PartsOptions extends BuildOptions {
  /** A private folder for the bucket files (removed by the caller). */
  tmpDir: string;
  /** Bucket files; default from the users of part 0 (./buckets.ts, bucketCount). */
  buckets?: number;
}

type Totals = { gross: bigint; debt: bigint }[];

/** Builds the tree of the users of `count` parts; readPart(i) reads part i (called once each, in order). */
export async function buildFromParts(registry: TreeInput['registry'], count: number, readPart: (i: number) => Promise<TreeInput>, options: PartsOptions): Promise<BuildResult> {
  const reporter = options.reporter ?? silentReporter;
  const shape = treeShape(registry.assets, options.snapshotId, options.height);
  checkSecret(options.secret);
  // A pool of hashing threads per part, and one for the store: a thread keeps the shared buffers it
  // was handed until its own (rare) garbage collection, so one pool for the whole build held every
  // part's leaf records (2.4 GB at 10^7 users in 8 parts, growing with the parts).
  const start = () => Hashers.start(shape, options.secret, options.threads, options.workerUrl, reporter);
  return withStage(options, async (stage) => {
    let hashers: Hashers | undefined;
    let w: StoreWriter | undefined;
    try {
      const { n, totals, buckets } = await hashParts(count, readPart, shape, start, (users) => new BucketWriter(options.tmpDir, options.buckets ?? bucketCount(users, count), shape), reporter);
      treeShape(registry.assets, options.snapshotId, options.height, n); // the users fit the height
      hashers = await start();
      w = await StoreWriter.open(stage, false); // buffered: see StoreWriter.open
      // Compact leaf records when the totals show every net fits int64 (the buckets hold full sums).
      const leafRecord = options.fullLeafRecords !== true && totalsFitInt64(totals) ? 'compact' : 'full';
      const docs = await writeInTreeOrder(w, hashers, n, totals, reporter, `from ${count} parts`, leafRecord, (out) => emitBuckets(buckets, out, reporter));
      return { ...docs, rootFile: join(stage.target, PUBLIC_DIR, ROOT_FILE), storeDir: join(stage.target, PRIVATE_DIR), threads: hashers.threads };
    } finally {
      await w?.close();
      await hashers?.close();
    }
  });
}

/**
 * Part after part into the buckets (made once part 0's users are known: about that many per part);
 * part i + 1 is read while part i is hashed. Returns users, totals and the closed bucket files.
 */
async function hashParts(count: number, readPart: (i: number) => Promise<TreeInput>, shape: TreeShape, startHashers: () => Promise<Hashers>, makeBuckets: (users: number) => BucketWriter, reporter: Reporter): Promise<{ n: number; totals: Totals; buckets: BucketWriter }> {
  if (count < 1) throw porError('INTERNAL', 'a build in parts needs at least one part');
  const totals: Totals = shape.assets.map(() => ({ gross: 0n, debt: 0n }));
  let n = 0;
  const start = (i: number) => {
    const p = readPart(i);
    p.catch(() => {}); // observed now, awaited in its turn: a bad row in part i + 1 is reported after part i
    return p;
  };
  let next = start(0);
  let buckets: BucketWriter | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const input = await next;
      if (i + 1 < count) next = start(i + 1);
      buckets ??= makeBuckets((input.userCount ?? 0) * count);
      const h = await startHashers();
      const set = await new LeafCollector(shape, h, reporter, buckets.sink, input.userCount).collect(input).finally(() => h.close());
      addTotals(totals, input, shape);
      n += set.n;
      reporter.done('build parts', `part ${i + 1}/${count}: ${set.n.toLocaleString('en-US')} users hashed`);
    }
    buckets ??= makeBuckets(0);
    buckets.close();
  } catch (err) {
    buckets?.dispose();
    throw err;
  }
  return { n, totals, buckets };
}

function addTotals(totals: Totals, input: TreeInput, shape: TreeShape): void {
  if (!input.totals || input.totals.length !== shape.A) throw porError('INTERNAL', 'a part needs its snapshot totals');
  input.totals.forEach((t, a) => {
    totals[a]!.gross += t.gross;
    totals[a]!.debt += t.debt;
  });
}

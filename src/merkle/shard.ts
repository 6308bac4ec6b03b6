// A build past one machine: each shard task hashes the leaves of its users (rows pre-partitioned so
// that every row of a user is in one part) and writes them sorted by user hash into a shard folder;
// `combine` (./combine.ts) merges the shard folders into one build folder whose root.json is byte
// for byte the one-machine root. Node-only. docs/FORMATS.md, "Shard folder".
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { porError } from '../core/errors/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { toJson, writeAll, writeError, writeFileAtomic } from '../io/node.js';
import { StagedFolder } from '../io/staged.js';
import { HASH_LEN } from '../core/merkle/core.js';
import { Hashers, checkSecret, treeShape, type TreeShape } from './hashing.js';
import { LeafCollector, type LeafSet } from './leaves.js';
import { sortByUserHash } from './order.js';
import type { TreeInput } from './build.js';
import { FORMAT, VERSION, write as writeShardMeta, type ShardMeta } from '../core/documents/shard.js';

export { FORMAT as SHARD_FORMAT, VERSION as SHARD_VERSION, type ShardMeta } from '../core/documents/shard.js';
export const SHARD_META = 'shard.json';
export const SHARD_LEAVES = 'leaves.bin';

export interface ShardOptions {
  secret: Uint8Array;
  snapshotId: string;
  height?: number;
  shard: { index: number; count: number };
  outDir: string;
  overwrite?: boolean;
  reporter?: Reporter;
  threads?: number;
  workerUrl?: URL;
}

export function secretCheck(secret: Uint8Array, snapshotId: string): string {
  return createHmac('sha256', secret).update('por-shard secret check\0').update(snapshotId, 'utf8').digest('hex');
}

/** Parses "i/N" (0 ≤ i < N ≤ 65,536), as given to --shard. */
export function parseShardSpec(text: string): { index: number; count: number } {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 65536 || index >= count) throw porError('BAD_USAGE', `--shard must be I/N with 0 ≤ I < N ≤ 65536 (e.g. 0/4 … 3/4), got "${text}"`, { field: 'shard' });
  return { index, count };
}

export function stageShard(outDir: string, replace: boolean): Promise<StagedFolder> {
  return StagedFolder.begin(outDir, {
    replace,
    isOurs: (d) => existsSync(join(d, SHARD_META)) || existsSync(join(d, SHARD_LEAVES)),
    what: 'a shard (shard.json)',
    field: 'out',
    replaceHint: 'choose another folder, or --force to replace it',
    crashName: 'shard',
    mode: 0o700,
  });
}

/** Hashes one part's users and writes the shard folder (staged: whole or absent). */
export async function buildShard(input: TreeInput, options: ShardOptions): Promise<ShardMeta> {
  const reporter = options.reporter ?? silentReporter;
  const shape = treeShape(input.registry.assets, options.snapshotId, options.height, input.userCount);
  checkSecret(options.secret);
  const stage = await stageShard(options.outDir, options.overwrite === true);
  const hashers = await Hashers.start(shape, options.secret, options.threads, options.workerUrl, reporter);
  try {
    const set = await new LeafCollector(shape, hashers, reporter, undefined, input.userCount).collect(input);
    reporter.done('merkle leaves', `${set.n.toLocaleString('en-US')} users hashed`);
    const order = sortByUserHash(set);
    const bytes = await writeSortedLeaves(join(stage.path, SHARD_LEAVES), set, order, shape, reporter);
    const meta = shardMeta(shape, options, set, bytes, input.totals);
    await writeFileAtomic(join(stage.path, SHARD_META), toJson(writeShardMeta(meta)), { mode: 0o600 });
    await stage.commit();
    return meta;
  } catch (err) {
    await stage.abort();
    throw err;
  } finally {
    await hashers.close();
  }
}

function shardMeta(shape: TreeShape, o: ShardOptions, set: LeafSet, bytes: number, totals: TreeInput['totals']): ShardMeta {
  if (!totals) throw porError('INTERNAL', 'a shard needs the snapshot totals');
  return {
    format: FORMAT,
    version: VERSION,
    shard: { index: o.shard.index, count: o.shard.count },
    snapshotId: o.snapshotId,
    height: shape.height,
    assets: shape.assets,
    secretCheck: secretCheck(o.secret, o.snapshotId),
    userCount: set.n,
    totals: shape.assets.map((a, i) => ({ asset: a.symbol, equityUnits: totals[i]!.gross.toString(), debtUnits: totals[i]!.debt.toString() })),
    leavesBytes: bytes,
  };
}

/** leaves.bin in tree order: user hash, record, salt, id per entry. Returns its size. */
async function writeSortedLeaves(file: string, set: LeafSet, order: Uint32Array, shape: TreeShape, reporter: Reporter): Promise<number> {
  const { R } = shape;
  const mask = 2 ** set.chunkBits - 1;
  const fh = await open(file, 'w', 0o600).catch((err: unknown) => Promise.reject(writeError(file, err)));
  const buf = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let total = 0;
  try {
    for (let p = 0; p < set.n; p++) {
      const i = order[p]!;
      const c = i >>> set.chunkBits;
      const j = i & mask;
      const ids = set.ids[c]!;
      const idLen = ids.off[j + 1]! - ids.off[j]!;
      if (used + 2 * HASH_LEN + R + 2 + idLen > buf.length) {
        await writeAll(fh, buf.subarray(0, used), file);
        total += used;
        used = 0;
      }
      buf.set(set.userHashes[c]!.subarray(j * HASH_LEN, (j + 1) * HASH_LEN), used);
      buf.set(set.records[c]!.subarray(j * R, (j + 1) * R), used + HASH_LEN);
      buf.set(set.salts[c]!.subarray(j * HASH_LEN, (j + 1) * HASH_LEN), used + HASH_LEN + R);
      used = buf.writeUInt16BE(idLen, used + 2 * HASH_LEN + R);
      buf.set(ids.ids.subarray(ids.off[j], ids.off[j + 1]), used);
      used += idLen;
      if ((p & 0xffff) === 0) reporter.progress('shard leaves', p, set.n, 'users');
    }
    await writeAll(fh, buf.subarray(0, used), file);
    total += used;
    await fh.sync(); // a shard handed to por combine on another machine must survive a crash
  } finally {
    await fh.close();
  }
  reporter.done('shard leaves', `${set.n.toLocaleString('en-US')} users written in tree order`);
  return total;
}

// The scale paths of `por build`: one shard of a build spread over machines (--shard I/N), and the
// liabilities reading + tree building that partitions to disk when the snapshot would not fit the
// memory budget (--memory, --tmp-dir). src/merkle/shard.ts, src/merkle/combine.ts, src/ingest/partition.ts.
import { loadAssetRegistry } from '../../assets/load.js';
import { readSnapshot } from '../../ingest/index.js';
import { readSecretFile } from '../../merkle/secret.js';
import { buildShard, parseShardSpec } from '../../merkle/shard.js';
import { porError } from '../../errors/index.js';
import { EXIT, type Context, type ExitCode } from '../context.js';

export interface ShardArgs {
  snapshot: string;
  assets: string;
  secretFile: string;
  snapshotId: string;
  out: string;
  height: number;
  threads?: number;
  force: boolean;
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
  if (ctx.json) ctx.printJson(meta);
  else ctx.print(`shard ${shard.index}/${shard.count} of snapshot "${args.snapshotId}": ${meta.userCount.toLocaleString('en-US')} users, written to ${args.out}\nnext: when all ${shard.count} shards are done, por combine SHARD_DIRS... --out DIR`);
  return EXIT.OK;
}

// `por combine`: shard folders written by `por build --shard I/N` → one build folder (root.json and
// the proof store), byte for byte the root a one-machine `por build` makes from the same rows.
import { write as writeRoot } from '../../core/documents/root.js';
import { join } from 'node:path';
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { readSecretFile } from '../../merkle/secret.js';
import { DEFAULT_HEIGHT, MAX_HEIGHT } from '../../core/merkle/core.js';
import { combineShards } from '../../merkle/combine.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE } from '../../merkle/layout.js';
import { porError } from '../../core/errors/index.js';
import type { TreeArgs } from './build-scale.js';

interface CombineArgs extends TreeArgs {
  shards: string[];
}

export const combineCommand = defineCommand<CombineArgs>({
  command: 'combine <shards..>',
  describe: 'Combine shard folders (por build --shard I/N) into one build folder: the same root as one por build',
  builder: (y) =>
    y
      .usage(
        'por combine SHARD_DIR... --assets ASSETS.json --secret-file SECRET --snapshot-id ID --out DIR\n\n' +
          'A build spread over machines: split the snapshot so that every row of a user is in one part (e.g. ' +
          '`WHERE hash(user_id) % N = I`), run `por build PART_I --shard I/N --out SHARD_I ...` for each part (any ' +
          'batch engine: deploy/ has a Kubernetes Indexed Job and a Slurm array job), then this command on all N ' +
          'shard folders. root.json is byte for byte what `por build` makes from the whole snapshot with the same ' +
          'secret, and `por proof DIR` answers from the combined store.\n\n' +
          'Refuses (exit 2), naming the shard, a shard folder that is missing or unfinished (its task died), or built ' +
          'for another snapshot id, secret, height, asset registry or shard count, a shard given twice, or a user in ' +
          'two shards; re-running that one shard is enough. DIR is written whole or not at all, as por build does.',
      )
      .positional('shards', { type: 'string', array: true, demandOption: true, describe: 'The N shard folders (any order)' })
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry the shards were built with' })
      .option('secret-file', { type: 'string', demandOption: true, describe: 'The secret the shards were built with (checked, not used to hash)' })
      .option('snapshot-id', { type: 'string', demandOption: true, describe: 'Snapshot id the shards were built with' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Build folder: DIR/public/root.json and DIR/private/ (the proof store)' })
      .option('height', { type: 'number', default: DEFAULT_HEIGHT, describe: 'Tree height the shards were built with' })
      .option('threads', { type: 'number', describe: 'Hashing threads (default: 2, or 1 on a one-core machine)' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace the build DIR already holds' })
      .example('por combine shards/0 shards/1 --assets samples/assets.json --secret-file secret.key --snapshot-id 2026-11-24 --out combined/', 'after `por build part-0.csv --shard 0/2 --out shards/0 …` and the same for part 1 (docs/SCALE.md)') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    if (!Number.isInteger(args.height) || args.height < 1 || args.height > MAX_HEIGHT) throw porError('BAD_USAGE', `--height must be an integer from 1 to ${MAX_HEIGHT}, got ${args.height}`, { field: 'height' });
    if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1 || args.threads > 64)) throw porError('BAD_USAGE', '--threads must be an integer from 1 to 64');
    const secret = await readSecretFile(args.secretFile, ctx.reporter);
    const registry = await loadAssetRegistry(args.assets);
    const res = await combineShards(args.shards, {
      secret, snapshotId: args.snapshotId, height: args.height, assets: registry.assets, outDir: args.out, overwrite: args.force, reporter: ctx.reporter,
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
    });
    if (ctx.json) {
      ctx.printJson(writeRoot(res.root));
      return EXIT.OK;
    }
    ctx.print(
      [
        `Merkle sum tree for snapshot "${res.root.snapshotId}" from ${args.shards.length} shards: ${res.root.leafCount.toLocaleString('en-US')} users, height ${res.root.height}`,
        `root hash  ${res.root.hash}`,
        `wrote ${join(args.out, PUBLIC_DIR, ROOT_FILE)} (publish) and ${join(args.out, PRIVATE_DIR)}/ (the proof store: private)`,
        `next: por proof ${args.out} --user ID, or --all --out DIR`,
      ].join('\n'),
    );
    return EXIT.OK;
  },
});

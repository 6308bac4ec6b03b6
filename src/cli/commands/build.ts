// `por build`: liabilities snapshot + asset registry + secret → Merkle sum tree root and proof store.
import { solvencySummary } from '../../core/report/summary.js';
import { write as writeRoot } from '../../core/documents/root.js';
import { write as writeBuild } from '../../core/documents/build.js';
import { join } from 'node:path';
import { defineCommand, EXIT, type Context, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { readSnapshot, snapshotFormatOf, type ReadWatcher, type Snapshot, type SnapshotSummary } from '../../ingest/index.js';
import { buildTree, type BuildResult } from '../../merkle/build.js';
import { PartSums } from '../../ingest/part-sums.js';
import { badDebtSorter, type BadDebt, type HaircutTable, type Prices } from '../../solvency/index.js';
import { readSecretFile } from '../../merkle/secret.js';
import { DEFAULT_HEIGHT, MAX_HEIGHT } from '../../core/merkle/core.js';
import { porError } from '../../core/errors/index.js';
// --- publish (report.json, signature, report.html): see src/report/publish.ts ---
import { publishFromBuild, TOOL_VERSION, readSigningKey, checkExchangeName, REPORT_FILE, SIGNATURE_FILE, HTML_FILE } from '../../report/publish.js';
import { reportVerdict } from '../../report/html.js';
import { parseChainBlocks, parseChainUrls } from '../../reserves/load.js';
import { parseWalletManifest } from '../../reserves/index.js';
import { readPrices, readHaircuts } from '../../solvency/load.js';
import { crashPoint, readJsonFile, writeFileAtomic } from '../../io/node.js';
import type { StagedFolder } from '../../io/staged.js';
import { PRIVATE_DIR, PUBLIC_DIR, ROOT_FILE, stageBuild } from '../../merkle/layout.js';
import { readBuiltPage } from './verify-page.js';
import { buildPartitioned, DEFAULT_MEMORY, parseMemory, partsFor, runShard, type TreeArgs } from './build-scale.js';
import { statSync } from 'node:fs';

const VERIFY_PAGE = 'verify.html';
import type { AssetRegistry } from '../../core/assets/index.js';
import { checkNodes, manifestNodes, networkOptions, networkSettings } from '../network.js';

export interface BuildArgs extends TreeArgs {
  snapshot: string;
  /** I/N: build one shard of a tree spread over machines (src/cli/commands/build-scale.ts). */
  shard?: string;
  /** Memory budget ("2G"); a snapshot that would not fit is partitioned to disk. */
  memory?: string;
  tmpDir?: string;
  /** Force this many parts (tests, or a known-large snapshot); default from --memory. */
  parts?: number;
  // --- publish options (all optional; --wallets turns publishing on) ---
  wallets?: string;
  rpc: string[];
  block: string[];
  confirmations?: number;
  prices?: string;
  haircuts?: string;
  signKeyFile?: string;
  exchange?: string;
  timeoutMs: number;
  retries: number;
}

export const buildCommand = defineCommand<BuildArgs>({
  command: 'build <snapshot>',
  describe: 'Build the Merkle sum tree of all users: the root to publish and a store to export proofs from',
  builder: (y) =>
    networkOptions(y, 'Publish: ')
      .usage(
        'por build SNAPSHOT.csv --assets ASSETS.json --secret-file SECRET --snapshot-id ID --out DIR\n\n' +
          'Reads the liabilities snapshot (CSV or NDJSON, as `por liabilities` does) and makes one leaf per user. ' +
          "A leaf commits the user's per-asset equity and debt and H(user id ‖ salt), where the salt is derived from " +
          'your secret and the snapshot id: users cannot be linked across snapshots, and proofs can be re-exported ' +
          'from the secret alone. Users are placed in a secret-derived order; the tree has a fixed height so the proof ' +
          'length does not tell how many users there are. docs/SPEC.md has the byte rules.\n\n' +
          'Writes DIR/public/ — what you publish: root.json (format por-root) and, with --wallets, report.json, ' +
          'report.sig.json, report.html and verify.html — and DIR/private/ — the proof store `por proof` reads, which holds ' +
          "every user's salt and balances: never publish it (mode 0700, files 0600). The root sums are checked equal to the " +
          'snapshot totals.\n\n' +
          'All or nothing: DIR is written as a hidden sibling (.DIR.partial-PID) and switched in only when complete, so ' +
          'a failed or killed run leaves DIR as it was (the next run removes its leftovers). DIR must be new, empty, or ' +
          'hold an earlier build (replaced with --force); it must not be a mount point.',
      )
      .positional('snapshot', { type: 'string', demandOption: true, describe: 'Liabilities snapshot (.csv, or .ndjson/.jsonl)' })
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry (format por-assets): the leaf has one equity and one debt per asset, in this order' })
      .option('secret-file', { type: 'string', demandOption: true, describe: 'File holding your secret (≥ 32 bytes; trailing newline ignored). Keep it private and keep it: `openssl rand -hex 32 > secret.key`' })
      .option('snapshot-id', { type: 'string', demandOption: true, describe: 'Name of this snapshot (e.g. 2026-11-24): in every leaf, every proof and the root' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Build folder: DIR/public/ (publish) and DIR/private/ (the proof store: never publish)' })
      .option('height', { type: 'number', default: DEFAULT_HEIGHT, describe: 'Tree height: room for 2^height users; every proof has this many steps' })
      .option('threads', { type: 'number', describe: 'Hashing threads (default: 2, or 1 on a one-core machine); the root is the same for any number' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace the build DIR already holds (all at once, only when the new one is complete)' })
      .option('memory', { type: 'string', describe: 'Memory budget (default 2G): a snapshot whose build would not fit is read in parts by user id, through temporary files; same root, proofs and report' })
      .option('tmp-dir', { type: 'string', describe: "Folder for the parts' temporary files (default: the folder holding --out); removed afterwards, also on error or Ctrl-C" })
      .option('parts', { type: 'number', describe: 'Read the snapshot in this many parts (default: as --memory needs; 1 = all in memory)' })
      .option('shard', { type: 'string', describe: 'I/N: SNAPSHOT is part I of N (every row of a user in one part); write a shard folder to --out for `por combine` (docs/SCALE.md)' })
      // --- publish: with --wallets, also read reserves and write report.json, report.sig.json, report.html ---
      .option('wallets', { type: 'string', describe: 'Publish: wallet manifest (format por-wallets) of the reserve addresses and their ownership proofs; writes the report and pages into DIR/public/' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'Publish: CHAIN=URL node for each chain of the manifest (repeatable)' })
      .option('block', { type: 'string', array: true, default: [] as string[], describe: 'Publish: CHAIN=NUMBER block to read reserves at (default: latest − --confirmations)' })
      .option('confirmations', { type: 'number', describe: 'Publish: depth below the head when no --block is given (default 0)' })
      .option('prices', { type: 'string', describe: 'Publish: prices CSV (asset,usd_price) to value collateral and assess bad debt at snapshot prices; without it no debt is netted' })
      .option('haircuts', { type: 'string', describe: 'Publish, with --prices: haircut table (por-haircuts) valuing collateral; published in report.json; without it no debt is netted' })
      .option('sign-key-file', { type: 'string', describe: "Publish: file holding the exchange's hex private key; signs report.json (EIP-191) into report.sig.json" })
      .option('exchange', { type: 'string', describe: "Publish: the exchange's name; default and only allowed value: the wallet manifest's `exchange`" })
      .example('por build samples/liabilities.csv --assets samples/assets.json --secret-file secret.key --snapshot-id 2026-11-24 --out tree/', 'the tree only: tree/public/root.json and the proof store tree/private/')
      .example('por build samples/liabilities.csv --assets samples/assets.json --secret-file secret.key --snapshot-id demo-2026-11-24 --out out/ --wallets samples/wallets.json --rpc ethereum=http://127.0.0.1:8545 --rpc bitcoin=http://127.0.0.1:3000 --block ethereum=8 --block bitcoin=870000 --prices samples/prices.csv --haircuts samples/haircuts.json --sign-key-file exchange.key', 'and publish: out/public/report.json, report.sig.json, report.html and verify.html')
      .epilogue('Exit codes: 0 built; 1 built and published, but the report finds an asset not covered; 2 bad input (a duplicate user, a balance above the leaf bound, an unreadable file), an output that could not be written (disk full), or with --wallets a reserve balance, chain or ownership check that could not be read (a node fault): then DIR is left as it was, no report written or signed.') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    // Same bound as the tree's own check, but before minutes of reading the snapshot.
    if (!Number.isInteger(args.height) || args.height < 1 || args.height > MAX_HEIGHT) throw porError('BAD_USAGE', `--height must be an integer from 1 to ${MAX_HEIGHT}, got ${args.height}`, { field: 'height' });
    if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1 || args.threads > 64)) throw porError('BAD_USAGE', '--threads must be an integer from 1 to 64');
    if (args.shard !== undefined) return runShard({ ...args, shard: args.shard }, ctx);
    if (args.parts !== undefined && (!Number.isInteger(args.parts) || args.parts < 1 || args.parts > 4096)) throw porError('BAD_USAGE', '--parts must be an integer from 1 to 4096', { field: 'parts' });
    if (args.memory !== undefined) parseMemory(args.memory);
    // --- publish usage, checked before any work (owned by the report stage) ---
    if (args.wallets === undefined && (args.rpc.length || args.block.length || args.prices !== undefined || args.haircuts !== undefined || args.signKeyFile !== undefined)) {
      throw porError('BAD_USAGE', '--rpc, --block, --prices, --haircuts and --sign-key-file publish a report: give --wallets too');
    }
    if (args.haircuts !== undefined && args.prices === undefined) throw porError('BAD_USAGE', '--haircuts values collateral at prices: give --prices PRICES.csv too', { field: 'haircuts' });
    if (args.wallets !== undefined && args.rpc.length === 0) throw porError('BAD_USAGE', '--wallets needs --rpc CHAIN=URL for each chain of the manifest');
    parseChainUrls(args.rpc); // malformed --rpc fails now, not after the tree is built
    // --out checked (and a killed run's leftovers cleaned) before the snapshot is read (minutes at
    // exchange scale). Everything is written into a staged copy of --out and switched in at the end.
    const stage = await stageBuild(args.out, args.force);
    let built: Built;
    try {
      built = await buildAndPublish(args, ctx, stage);
      await stage.commit();
    } catch (err) {
      await stage.abort();
      throw err;
    }
    const { res, pub } = built;
    // --- publish block (owned by the report stage) ---
    let publishExit: ExitCode = EXIT.OK;
    if (pub !== undefined) {
      const v = reportVerdict(pub.report);
      const files = publishedFiles(args.out, pub);
      if (ctx.json) {
        ctx.printJson(writeBuild({ root: res.root, report: { file: files.report, signature: files.signature ?? null, html: files.html, signer: pub.signature?.signer ?? null, verdict: v.level, solvency: pub.report.solvency } }));
        return v.level === 'fail' ? EXIT.CHECK_FAILED : EXIT.OK;
      }
      // The verdict, then the per-asset table just published (figures for people; exact ones in report.json).
      ctx.print([v.title, '', ...solvencySummary(pub.report), ''].join('\n'));
      ctx.print(`wrote ${files.report}${files.signature ? `, ${files.signature} (signer ${pub.signature!.signer})` : ' (unsigned: give --sign-key-file)'}, ${files.html} and ${files.page}`);
      // The tree summary follows as usual; the exit code says whether every asset is covered.
      if (v.level === 'fail') publishExit = EXIT.CHECK_FAILED;
    }
    // --- end publish block ---
    if (ctx.json) {
      ctx.printJson(writeRoot(res.root));
      return EXIT.OK;
    }
    const r = res.root;
    const w = Math.max(...r.sums.map((s) => s.asset.length), 5);
    ctx.print(
      [
        `Merkle sum tree for snapshot "${r.snapshotId}": ${r.leafCount.toLocaleString('en-US')} users, height ${r.height} (room for 2^${r.height})`,
        `root hash  ${r.hash}`,
        `root sums  (equals the snapshot totals)`,
        ...r.sums.map((s) => `  ${s.asset.padEnd(w)}  equity ${s.equity}   debt ${s.debt}`),
        `wrote ${join(args.out, PUBLIC_DIR)}/ (publish this folder: ${ROOT_FILE}${pub ? ', the report and its pages' : ''}) and ${join(args.out, PRIVATE_DIR)}/ (the proof store: private, never publish; ${res.threads} hashing thread${res.threads > 1 ? 's' : ''})`,
        `next: por proof ${args.out} --user ID, or --all --out DIR`,
      ].join('\n'),
    );
    return publishExit;
  },
});

/**
 * The publish inputs (manifest, --block chains, prices, signing key) read and checked before the
 * tree is built and the chains are read: a typo there must not cost the whole run, nor leave a
 * tree in --out that the next attempt has to --force over.
 */
async function checkPublishInputs(args: BuildArgs, registry: AssetRegistry, ctx: Context): Promise<PublishInputs> {
  const walletsFile = args.wallets as string;
  const wallets = parseWalletManifest(await readJsonFile(walletsFile), walletsFile, registry);
  if (wallets.snapshot.id !== args.snapshotId) {
    throw porError('BAD_INPUT', `the wallet manifest is for snapshot "${wallets.snapshot.id}", but --snapshot-id is "${args.snapshotId}": ownership signatures must bind this snapshot`, { file: walletsFile, field: 'snapshot.id' });
  }
  checkExchangeName(wallets.exchange, args.exchange, walletsFile);
  for (const chain of Object.keys(parseChainBlocks(args.block))) {
    if (!wallets.chains.some((c) => c.name === chain)) throw porError('BAD_USAGE', `--block names chain ${chain}, which the manifest does not list`, { chain, field: 'block' });
  }
  if (args.confirmations !== undefined && (!Number.isSafeInteger(args.confirmations) || args.confirmations < 0)) {
    throw porError('BAD_USAGE', '--confirmations must be a whole number ≥ 0', { field: 'confirmations' });
  }
  // Read once: the debtors are sorted at these (in parts, as each part is read) and the report states them.
  const pricing = args.prices !== undefined ? { prices: await readPrices(args.prices, registry), haircuts: args.haircuts !== undefined ? await readHaircuts(args.haircuts, registry) : [] } : undefined;
  // Every node asked one question now: a mistyped or dead --rpc is exit 2 in a second, not after
  // the whole snapshot was read and hashed.
  await checkNodes(manifestNodes(wallets, parseChainUrls(args.rpc)), networkSettings(args), { reporter: ctx.reporter });
  if (args.signKeyFile !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(await readSigningKey(args.signKeyFile))) {
    throw porError('BAD_INPUT', 'the signing key is not a 32-byte hex private key (64 hex digits, 0x optional)', { file: args.signKeyFile, field: 'sign-key-file' });
  }
  return { page: (await readBuiltPage()).html, ...(pricing !== undefined ? { pricing } : {}) };
}

/** What publishing takes from its inputs, read and checked before the tree: the verifier page, prices and haircuts. */
interface PublishInputs {
  page: Buffer;
  pricing?: { prices: Prices; haircuts: HaircutTable };
}

/** What the tree's reading of the snapshot gives publishing: its figures, and in parts the debtors already sorted. */
interface ReadForPublish {
  liabilities?: SnapshotSummary;
  badDebt?: BadDebt;
}

type Built = { res: BuildResult; pub?: Awaited<ReturnType<typeof publishFromBuild>> };

/** Reads the inputs, builds the tree into the staged folder and, with --wallets, publishes beside it. */
async function buildAndPublish(args: BuildArgs, ctx: Context, stage: StagedFolder): Promise<Built> {
  const secret = await readSecretFile(args.secretFile, ctx.reporter);
  const registry = await loadAssetRegistry(args.assets);
  const inputs = args.wallets !== undefined ? await checkPublishInputs(args, registry, ctx) : undefined;
  const { res, ...read } = await buildWithinBudget(args, ctx, stage, secret, registry, inputs);
  crashPoint('build:tree-written');
  if (inputs === undefined) return { res };
  return { res, pub: await publish(args, ctx, stage, registry, inputs, read, res) };
}

/**
 * The tree, in memory or in parts by user id as --memory (or --parts) says; when publishing, also
 * the liabilities figures the report needs, from the same reading of the snapshot: in parts, each
 * part is summed (src/ingest/part-sums.ts) and its debtors sorted at the prices (DebtorSorter)
 * just before it is hashed, so the snapshot is split and read once, and memory holds one part's
 * users, never the debtors of all.
 */
async function buildWithinBudget(args: BuildArgs, ctx: Context, stage: StagedFolder, secret: Uint8Array, registry: AssetRegistry, publishing?: PublishInputs): Promise<{ res: BuildResult } & ReadForPublish> {
  const parts = args.parts ?? partsFor(statSync(args.snapshot, { throwIfNoEntry: false })?.size ?? 0, args.memory !== undefined ? parseMemory(args.memory) : DEFAULT_MEMORY);
  if (parts > 1 && publishing === undefined) return { res: await buildPartitioned(args, ctx, stage, secret, registry, parts) };
  if (parts > 1) {
    const p = publishing?.pricing;
    const sorter = p && badDebtSorter(registry, p.prices, p.haircuts);
    // Without prices no debtor is looked at (nothing is netted): none is kept.
    const sums = new PartSums(registry, sorter ? (user, line) => sorter.add(user, line) : () => undefined);
    const res = await buildPartitioned(args, ctx, stage, secret, registry, parts, (part, original) => sums.add(part, original));
    return { res, liabilities: sums.result(args.snapshot, snapshotFormatOf(args.snapshot)), ...(sorter ? { badDebt: sorter.result() } : {}) };
  }
  const opts: Parameters<typeof buildTree>[1] = { secret, snapshotId: args.snapshotId, height: args.height, outDir: args.out, stage, reporter: ctx.reporter, overwrite: args.force };
  if (args.threads !== undefined) opts.threads = args.threads;
  // Without --wallets nothing reads a user after the tree: its memory goes once the leaves are hashed.
  if (publishing === undefined) opts.releaseInput = true;
  // Read once the hashing threads are up: they hash salts and user hashes as users are met. The
  // tree's height bounds every balance: a row above it is refused at its line, before hashing.
  let snapshot: Snapshot | undefined;
  const read = async (watcher: ReadWatcher | undefined) => (snapshot = await readSnapshot(args.snapshot, registry, { reporter: ctx.reporter, height: args.height, ...(watcher ? { watcher } : {}) }));
  const res = await buildTree({ registry, read }, opts);
  return publishing === undefined || snapshot === undefined ? { res } : { res, liabilities: snapshot };
}

/** report.json, its signature, report.html and verify.html into the staged public folder, beside root.json. */
async function publish(args: BuildArgs, ctx: Context, stage: StagedFolder, registry: AssetRegistry, inputs: PublishInputs, read: ReadForPublish, res: BuildResult): Promise<Awaited<ReturnType<typeof publishFromBuild>>> {
  if (read.liabilities === undefined) throw porError('INTERNAL', 'the snapshot was not summed for publishing');
  const publicDir = join(stage.path, PUBLIC_DIR);
  // The verifier page goes in first, so report.html links to it.
  await writeFileAtomic(join(publicDir, VERIFY_PAGE), inputs.page);
  const { pricing } = inputs;
  return publishFromBuild({
    outDir: publicDir,
    registry,
    snapshot: read.liabilities,
    snapshotId: args.snapshotId,
    root: res.root as unknown as Record<string, unknown>,
    walletsFile: args.wallets as string,
    rpc: parseChainUrls(args.rpc),
    blocks: parseChainBlocks(args.block),
    ...(args.confirmations !== undefined ? { confirmations: args.confirmations } : {}),
    ...(pricing !== undefined ? { pricing: { ...pricing, ...(read.badDebt !== undefined ? { badDebt: read.badDebt } : {}) } } : {}),
    ...(args.signKeyFile !== undefined ? { signKeyFile: args.signKeyFile } : {}),
    ...(args.exchange !== undefined ? { exchange: args.exchange } : {}),
    toolVersion: TOOL_VERSION,
    reporter: ctx.reporter,
    ...networkSettings(args),
  });
}

/** Where the published files are once the build folder is switched in (not the staging paths). */
function publishedFiles(out: string, pub: { signatureFile?: string }): { report: string; signature?: string; html: string; page: string } {
  const dir = join(out, PUBLIC_DIR);
  return {
    report: join(dir, REPORT_FILE),
    ...(pub.signatureFile !== undefined ? { signature: join(dir, SIGNATURE_FILE) } : {}),
    html: join(dir, HTML_FILE),
    page: join(dir, VERIFY_PAGE),
  };
}

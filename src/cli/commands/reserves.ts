// `por reserves`: every exchange address read at one pinned block per chain, ownership checked.
import { write as writeReserves } from '../../core/documents/reserves.js';
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { writeFileAtomic, toJson } from '../../io/node.js';
import { formatAmount } from '../../core/money/index.js';
import { porError } from '../../core/errors/index.js';
import { reservesDocument, type ReservesResult } from '../../reserves/index.js';
import { readReservesFromFiles } from '../../reserves/load.js';
import { inputArgument } from '../inputs.js';
import { networkOptions, networkSettings } from '../network.js';

export interface ReservesArgs {
  /** The wallet manifest: the first argument (or the deprecated --wallets). */
  manifest: string;
  assets: string;
  rpc: string[];
  block: string[];
  confirmations: number;
  out?: string;
  includeUnproven: boolean;
  timeoutMs: number;
  retries: number;
  batchSize: number;
}

export const reservesCommand = defineCommand<ReservesArgs>({
  command: 'reserves [manifest]',
  describe: 'Read every exchange address at a pinned block per chain and check its ownership signature',
  builder: (y) =>
    inputArgument(networkOptions(y), {
      key: 'manifest',
      label: 'WALLETS.json',
      describe: 'Wallet manifest (format por-wallets, see docs/FORMATS.md)',
      usage: 'por reserves WALLETS.json --assets ASSETS.json --rpc CHAIN=URL',
      old: { name: 'wallets' },
    })
      .usage(
        'por reserves WALLETS.json --assets ASSETS.json --rpc CHAIN=URL [--rpc …] [--block CHAIN=N] [--out reserves.json]\n\n' +
          "Reads each address in the wallet manifest (its native coin and tokens named through the asset registry) at one block per chain: the --block given, or the node's latest block minus --confirmations. Records that block's number, hash and time.\n\n" +
          "Checks each address's ownership proof. The signed message must name the manifest's snapshot id. EVM: an EIP-191 signature by the address, or EIP-1271 isValidSignature for contract wallets, called at the pinned block. Bitcoin: BIP-322 (simple) or BIP-137. Addresses whose proof fails are listed but left out of the totals unless --include-unproven.\n\n" +
          'Bitcoin balances come from an Esplora HTTP API (--rpc bitcoin=URL, e.g. https://mempool.space/api). A balance that cannot be read is an error for that address (or chain), never a zero.',
      )
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry (format por-assets): symbols, token contracts, decimals' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=URL of a node for each chain (repeatable): EVM JSON-RPC, or an Esplora base URL for bitcoin' })
      .option('block', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=NUMBER: read that chain at this block (height) (repeatable)' })
      .option('confirmations', { type: 'number', default: 0, describe: 'Without --block: read this many blocks below the latest' })
      .option('out', { alias: 'o', type: 'string', describe: 'Write reserves.json (format por-reserves) here' })
      .option('include-unproven', { type: 'boolean', default: false, describe: 'Count addresses whose ownership proof fails (they stay marked)' })
      .option('batch-size', { type: 'number', default: 1000, describe: 'JSON-RPC calls per HTTP request' })
      .example('por reserves samples/wallets.json --assets samples/assets.json --rpc ethereum=http://127.0.0.1:8545 --rpc bitcoin=http://127.0.0.1:3000 --block ethereum=8 --block bitcoin=870000 --out reserves.json', 'your nodes: an EVM JSON-RPC node, and an Esplora server (electrs) for bitcoin')
      .epilogue('Exit codes: 0 every balance read and every ownership proven; 1 some ownership proof failed (see the output);\n2 bad input, or some balance, chain or ownership check could not be read (a node fault): such an address is in no total, and the totals of its assets are "could not read".') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    if (!Number.isSafeInteger(args.confirmations) || args.confirmations < 0) throw porError('BAD_USAGE', '--confirmations must be a whole number ≥ 0');
    const net = networkSettings(args);
    if (!Number.isSafeInteger(args.batchSize) || args.batchSize < 1) throw porError('BAD_USAGE', '--batch-size must be a whole number ≥ 1');
    const registry = await loadAssetRegistry(args.assets);
    const result = await readReservesFromFiles({
      walletsFile: args.manifest,
      registry,
      rpcArgs: args.rpc,
      blockArgs: args.block,
      confirmations: args.confirmations,
      includeUnproven: args.includeUnproven,
      ...net,
      batchSize: args.batchSize,
      reporter: ctx.reporter,
    });
    if (result.addresses.length === 0) throw porError('BAD_INPUT', 'the wallet manifest lists no addresses: nothing to read', { file: args.manifest });
    const doc = writeReserves(reservesDocument(result));
    if (args.out) await writeFileAtomic(args.out, toJson(doc));
    if (ctx.json) ctx.printJson(doc);
    else ctx.print(describe(result, args.out));
    return exitCode(result);
  },
});

/** 2 when anything could not be read (it decides nothing either way), else 1 when a proof failed. */
export function exitCode(r: ReservesResult): ExitCode {
  const used = r.chains.filter((c) => r.addresses.some((a) => a.chain === c.name));
  if (used.some((c) => c.error !== undefined) || r.addresses.some((a) => a.unread) || r.totals.some((t) => !t.complete)) return EXIT.BAD_INPUT;
  const failed = r.addresses.some((a) => a.duplicateOf === undefined && a.ownership.status !== 'proven');
  return failed ? EXIT.CHECK_FAILED : EXIT.OK;
}

const SHOW_ADDRESSES = 20;

function describe(r: ReservesResult, out?: string): string {
  const lines: string[] = [`Reserves for snapshot ${r.snapshot.id} (${r.snapshot.time})`];
  for (const c of r.chains) {
    if (c.error !== undefined) lines.push(`  ${c.name}: could not read: ${c.error}`);
    else if (c.block) lines.push(`  ${c.name}: block ${c.block.number} ${c.block.hash} (${new Date(c.block.timestamp * 1000).toISOString()})`);
  }
  const problems = r.addresses.filter((a) => a.duplicateOf !== undefined || a.ownership.status !== 'proven' || a.balances.some((b) => b.error !== undefined));
  const proven = r.addresses.filter((a) => a.duplicateOf === undefined && a.ownership.status === 'proven').length;
  lines.push(`  ${r.addresses.length} addresses: ${proven} ownership proven, ${problems.length} with problems`);
  for (const a of problems.slice(0, 50)) {
    const what: string[] = [];
    if (a.duplicateOf !== undefined) what.push(`duplicate of entry ${a.duplicateOf}, counted once`);
    else if (a.ownership.nodeError) what.push(`ownership unchecked (node error): ${a.ownership.reason}`);
    else if (a.ownership.status !== 'proven') what.push(`ownership ${a.ownership.status}: ${a.ownership.reason}${a.unprovenCounted ? ' (COUNTED: --include-unproven)' : ' (not counted)'}`);
    for (const b of a.balances) if (b.error !== undefined) what.push(`${b.asset}: could not read: ${b.error}`);
    lines.push(`    ${a.chain} ${a.address} [${a.label}]: ${what.join('; ')}`);
  }
  if (problems.length > 50) lines.push(`    … and ${problems.length - 50} more (see --json or --out)`);
  // Small manifests: every address with what it holds (large ones: see --out / --json).
  if (r.addresses.length <= SHOW_ADDRESSES) {
    lines.push('', 'Addresses (on-chain precision):');
    for (const a of r.addresses) {
      const mark = a.duplicateOf !== undefined ? 'dup' : a.unread ? 'UNREAD' : a.counted ? (a.unprovenCounted ? 'UNPROVEN, counted' : 'proven') : 'not counted';
      const held = a.balances.map((b) => (b.balance === undefined ? `${b.asset} ?` : `${formatAmount(b.balance, b.decimals, { trim: true })} ${b.asset}`)).join(', ');
      lines.push(`  ${a.chain} ${a.address} [${a.label}] (${mark}${a.ownership.scheme ? `, ${a.ownership.scheme}` : ''}): ${held || '—'}`);
    }
  }
  lines.push('', 'Totals (ledger precision):');
  const w = Math.max(5, ...r.totals.map((t) => t.asset.length));
  for (const t of r.totals) {
    // A sum missing unread addresses is not the reserves: no figure is printed for it.
    let line = t.complete
      ? `  ${t.asset.padEnd(w)} ${formatAmount(t.balance, t.decimals).padStart(28)}  from ${t.addresses} address(es)`
      : `  ${t.asset.padEnd(w)} ${'could not read'.padStart(28)}  ${t.unread.length} address(es) unread (${t.unread.slice(0, 3).map((u) => `${u.chain} ${u.address}`).join(', ')}${t.unread.length > 3 ? ', …' : ''})`;
    if (t.unprovenIncluded > 0n) line += `  includes ${formatAmount(t.unprovenIncluded, t.decimals)} unproven`;
    if (t.unprovenExcluded > 0n) line += `  excludes ${formatAmount(t.unprovenExcluded, t.decimals)} at unproven addresses`;
    lines.push(line);
  }
  if (out) lines.push('', `wrote ${out}`);
  return lines.join('\n');
}

// `por solvency`: per-asset reserves against liabilities, exact, no netting across assets.
import { Decimal } from 'decimal.js';
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { readSnapshot, type SnapshotFormat } from '../../ingest/index.js';
import { assessBadDebt, computeSolvency, formatRatio, solvencyDocument, type SolvencyInput } from '../../solvency/index.js';
import { readPrices, readReserveBalances } from '../../solvency/load.js';
import { formatAmount } from '../../money/index.js';
import { table } from './liabilities.js';
import { readReservesFromFiles } from '../../reserves/load.js';
import { toReserveRows } from '../../reserves/index.js';
import { porError } from '../../errors/index.js';
import { networkOptions, networkSettings } from '../network.js';

export interface SolvencyArgs {
  liabilities: string;
  assets: string;
  reserves?: string;
  /** Instead of --reserves: read the wallet manifest's addresses from the chains (src/reserves). */
  wallets?: string;
  rpc: string[];
  block: string[];
  confirmations: number;
  includeUnproven: boolean;
  prices?: string;
  format?: SnapshotFormat;
  timeoutMs: number;
  retries: number;
}

/** USD for people: 2 decimals (rounded down), thousands grouped. JSON keeps the exact text. */
const usd = (text: string) => {
  const [int, frac] = new Decimal(text).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2).split('.');
  return `${int!.replace(/\B(?=(\d{3})+$)/g, ',')}.${frac}`;
};

export const solvencyCommand = defineCommand<SolvencyArgs>({
  command: 'solvency',
  describe: 'Per-asset solvency: reserves against what users are owed, exactly, one asset at a time',
  builder: (y) =>
    networkOptions(y, 'With --wallets: ')
      .usage(
        'por solvency --liabilities SNAPSHOT --assets ASSETS.json --reserves BALANCES.csv [--prices PRICES.csv] [--json]\n' +
          '   or: por solvency … --wallets WALLETS.json --rpc CHAIN=URL [--rpc …] [--block CHAIN=N]   (reserves read from the chains, as `por reserves` does)\n\n' +
          'For each asset: reserves (Σ of BALANCES.csv `chain,address,asset,balance`), gross liabilities, user debt, ' +
          'net liabilities, and the amount reserves must cover:\n' +
          '  covered = (gross − bad-debt users\' holdings) − (debt − bad-debt users\' debt), at least 0\n' +
          'A healthy margin user\'s debt is a loan backed by their other assets, so it nets within its asset; a bad-debt ' +
          "user's (total equity below zero at --prices) does not. Then surplus or shortfall = reserves − covered, and " +
          'ratio = reserves / covered. One asset\'s surplus never covers another\'s shortfall. With --prices, a USD summary ' +
          "follows, shown apart (reserves in the exchange's own token apart again); it decides nothing. Without --prices, " +
          'bad debt cannot be assessed and all debt is netted: the output says so.',
      )
      .option('liabilities', { alias: 'l', type: 'string', demandOption: true, describe: 'Liabilities snapshot: .csv, or .ndjson/.jsonl (as for `por liabilities`)' })
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry (format por-assets)' })
      .option('reserves', { alias: 'r', type: 'string', describe: 'Reserve balances CSV `chain,address,asset,balance` (on-chain precision allowed; truncated to the ledger\'s), or reserves.json from `por reserves`' })
      .option('wallets', { type: 'string', describe: 'Instead of --reserves: a wallet manifest (por-wallets) read from the chains at pinned blocks (needs --rpc); only addresses with proven ownership count' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'With --wallets: CHAIN=URL of a node per chain (repeatable; Esplora base URL for bitcoin)' })
      .option('block', { type: 'string', array: true, default: [] as string[], describe: 'With --wallets: CHAIN=NUMBER block (height) to read at (repeatable)' })
      .option('confirmations', { type: 'number', default: 0, describe: 'With --wallets and no --block: read this many blocks below the latest' })
      .option('include-unproven', { type: 'boolean', default: false, describe: 'With --wallets: also count addresses whose ownership proof fails' })
      .option('prices', { type: 'string', describe: 'Prices CSV `asset,usd_price[,time]`: assess bad debt and add a USD summary' })
      .option('format', { choices: ['csv', 'ndjson'] as const, describe: 'Snapshot format (default: from the extension)' })
      .example('por solvency -l samples/liabilities.csv --assets samples/assets.json -r samples/reserves.csv --prices samples/prices.csv', '')
      .epilogue('Exit codes: 0 every asset has reserves ≥ what they must cover; 1 at least one asset falls short; 2 bad usage or input, or a reserve balance (or an ownership check) could not be read — never counted as zero.') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    const registry = await loadAssetRegistry(args.assets);
    if ((args.reserves === undefined) === (args.wallets === undefined)) throw porError('BAD_USAGE', `give either --reserves FILE or --wallets WALLETS.json with --rpc CHAIN=URL${args.reserves !== undefined ? ', not both' : ''}`);
    if (!Number.isSafeInteger(args.confirmations) || args.confirmations < 0) throw porError('BAD_USAGE', '--confirmations must be a whole number ≥ 0', { field: 'confirmations' });
    // Chain options only mean something with --wallets; ignored silently they would look used.
    if (args.wallets === undefined && (args.rpc.length > 0 || args.block.length > 0 || args.includeUnproven)) {
      throw porError('BAD_USAGE', '--rpc, --block and --include-unproven read reserves from the chains: give --wallets WALLETS.json (not --reserves)');
    }
    const net = networkSettings(args);
    // From the chains: any balance that could not be read stops here (NETWORK, exit 2), never a zero.
    const reserves =
      args.wallets !== undefined
        ? toReserveRows(
            await readReservesFromFiles({ walletsFile: args.wallets, registry, rpcArgs: args.rpc, blockArgs: args.block, confirmations: args.confirmations, includeUnproven: args.includeUnproven, reporter: ctx.reporter, ...net }),
            registry,
          )
        : await readReserveBalances(args.reserves!, registry);
    const reservesSource = args.reserves ?? `${args.wallets} (read from the chains)`;
    const prices = args.prices !== undefined ? await readPrices(args.prices, registry) : undefined;
    const opts: Parameters<typeof readSnapshot>[2] = { reporter: ctx.reporter };
    if (args.format !== undefined) opts.format = args.format;
    const snap = await readSnapshot(args.liabilities, registry, opts);
    const input: SolvencyInput = { registry, totals: snap.totals, reserves, exchangeOwned: snap.exchangeOwned };
    if (prices) {
      input.prices = prices;
      input.badDebt = assessBadDebt(snap.debtors(), registry, prices);
    }
    const s = computeSolvency(input);
    const code = s.solvent ? EXIT.OK : EXIT.CHECK_FAILED;
    if (ctx.json) {
      ctx.printJson(solvencyDocument(s, { liabilities: { file: snap.file, users: snap.userCount, rows: snap.rows }, reservesFile: reservesSource, pricesFile: args.prices ?? null }));
      return code;
    }
    const out: string[] = [];
    out.push(`Solvency of ${snap.userCount.toLocaleString('en-US')} users' balances (${snap.file}) against ${reserves.length} reserve balances (${reservesSource})`);
    out.push('');
    const withBad = s.badDebt.assessed;
    const head = ['asset', 'reserves', 'gross liab.', 'user debt', 'net liab.', ...(withBad ? ['bad debt adj.'] : []), 'to cover', 'surplus', 'ratio', ''];
    const rows = s.assets.map((a) => {
      const f = (v: bigint) => formatAmount(v, a.decimals);
      const adj = a.badDebt ? a.badDebt.debt - a.badDebt.gross : 0n;
      return [
        a.asset + (a.exchangeToken ? ' *' : ''),
        f(a.reserves),
        f(a.gross),
        f(a.debt),
        f(a.net),
        ...(withBad ? [adj === 0n ? '0' : (adj > 0n ? '+' : '') + f(adj)] : []),
        f(a.liabilities),
        (a.surplus > 0n ? '+' : '') + f(a.surplus),
        formatRatio(a.ratio),
        a.solvent ? 'ok' : 'SHORT',
      ];
    });
    out.push(table(head, rows));
    if (s.assets.some((a) => a.exchangeToken)) out.push('* the exchange\'s own token');
    out.push('');
    if (s.badDebt.assessed) {
      const b = s.badDebt;
      out.push(
        b.users === 0
          ? 'Bad debt: none (every user\'s total equity at the given prices is ≥ 0)'
          : `Bad debt: ${b.users} user${b.users === 1 ? '' : 's'} with total equity below zero, ${usd(b.usd)} USD short (e.g. ${b.sample.slice(0, 5).join(', ')}); ` +
              'their holdings count as zero liability and their debt is not netted (the "bad debt adj." column)',
      );
    } else out.push(`Bad debt: not assessed — ${s.badDebt.reason}.`);
    const fund = s.assets.filter((a) => a.exchangeOwned !== 0n).map((a) => `${formatAmount(a.exchangeOwned, a.decimals)} ${a.asset}`);
    if (fund.length) out.push(`Exchange-owned (insurance fund etc.), not a liability: ${fund.join(', ')}`);
    if (s.usd) {
      out.push('');
      out.push(`USD summary${s.usd.time ? ` at ${s.usd.time}` : ''} (informational: solvency is decided per asset above):`);
      out.push(`  reserves            ${usd(s.usd.reserves)} USD (excluding the exchange's own token)`);
      out.push(`  own-token reserves  ${usd(s.usd.exchangeTokenReserves)} USD (reported apart)`);
      out.push(`  to cover            ${usd(s.usd.liabilities)} USD`);
      out.push(`  exchange-owned      ${usd(s.usd.exchangeOwned)} USD`);
    }
    out.push('');
    out.push(s.solvent ? `SOLVENT: every asset's reserves cover what users are owed in it (${s.assets.length} assets).` : `NOT SOLVENT in ${s.shortfalls.join(', ')}: reserves fall short of what users are owed in ${s.shortfalls.length === 1 ? 'that asset' : 'those assets'}.`);
    ctx.print(out.join('\n'));
    return code;
  },
});

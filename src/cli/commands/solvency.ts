// `por solvency`: per-asset reserves against liabilities, exact, no netting across assets.
import { amountText, usdText } from '../../core/money/display.js';
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import type { SnapshotFormat } from '../../ingest/index.js';
import { boundedReadOptions, readSnapshotBounded, type BoundedReadArgs } from './build-scale.js';
import { assessBadDebt, computeSolvency, formatRatio, solvencyDocument, type Solvency, type SolvencyInput } from '../../solvency/index.js';
import { readHaircuts, readPrices, readReserveBalances } from '../../solvency/load.js';
import { table } from './liabilities.js';
import { readReservesFromFiles } from '../../reserves/load.js';
import { toReserveRows } from '../../reserves/index.js';
import { porError } from '../../core/errors/index.js';
import { networkOptions, networkSettings } from '../network.js';
import { inputArgument } from '../inputs.js';

export interface SolvencyArgs extends BoundedReadArgs {
  /** The liabilities snapshot: the first argument (or the deprecated -l/--liabilities). */
  snapshot: string;
  assets: string;
  reserves?: string;
  /** Instead of --reserves: read the wallet manifest's addresses from the chains (src/reserves). */
  wallets?: string;
  rpc: string[];
  block: string[];
  confirmations: number;
  includeUnproven: boolean;
  prices?: string;
  haircuts?: string;
  format?: SnapshotFormat;
  timeoutMs: number;
  retries: number;
}


export const solvencyCommand = defineCommand<SolvencyArgs>({
  command: 'solvency [snapshot]',
  describe: 'Per-asset solvency: reserves against what users are owed, exactly, one asset at a time',
  builder: (y) =>
    inputArgument(boundedReadOptions(networkOptions(y, 'With --wallets: ')), {
      key: 'snapshot',
      label: 'SNAPSHOT',
      describe: 'Liabilities snapshot: .csv, or .ndjson/.jsonl (as for `por liabilities`)',
      usage: 'por solvency SNAPSHOT --assets ASSETS.json --reserves BALANCES.csv',
      old: { name: 'liabilities', short: 'l' },
    })
      .usage(
        'por solvency SNAPSHOT --assets ASSETS.json --reserves BALANCES.csv [--prices PRICES.csv [--haircuts HAIRCUTS.json]] [--json]\n' +
          '   or: por solvency SNAPSHOT … --wallets WALLETS.json --rpc CHAIN=URL [--rpc …] [--block CHAIN=N]   (reserves read from the chains, as `por reserves` does)\n\n' +
          'For each asset: reserves (Σ of BALANCES.csv `chain,address,asset,balance`), gross liabilities (what users own), ' +
          'the gross ratio = reserves / gross (nothing netted: no stated figure moves it), user debt, and what reserves must cover ' +
          'after netting:\n' +
          '  to cover = gross − bad-debt users\' holdings − netted debt, at least 0\n' +
          'Debt nets only where the user\'s holdings, valued at --prices and cut by the --haircuts table, cover it. A user whose ' +
          'total equity is below zero is bad debt (holdings count as nothing owed, debt not netted); one whose haircut collateral ' +
          'falls short keeps their holdings owed and their debt is not netted. Without --haircuts nothing counts as collateral; ' +
          'without --prices nothing is netted. Then surplus or shortfall = reserves − to cover, ratio = reserves / to cover. ' +
          "One asset's surplus never covers another's shortfall; the exchange's own token (marked *) is checked like any asset. " +
          "With --prices a USD summary follows, apart (own-token reserves apart again); it decides nothing.",
      )
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry (format por-assets)' })
      .option('reserves', { alias: 'r', type: 'string', describe: 'Reserve balances CSV `chain,address,asset,balance` (on-chain precision allowed; truncated to the ledger\'s), or reserves.json from `por reserves`' })
      .option('wallets', { type: 'string', describe: 'Instead of --reserves: a wallet manifest (por-wallets) read from the chains at pinned blocks (needs --rpc); only addresses with proven ownership count' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'With --wallets: CHAIN=URL of a node per chain (repeatable; Esplora base URL for bitcoin)' })
      .option('block', { type: 'string', array: true, default: [] as string[], describe: 'With --wallets: CHAIN=NUMBER block (height) to read at (repeatable)' })
      .option('confirmations', { type: 'number', default: 0, describe: 'With --wallets and no --block: read this many blocks below the latest' })
      .option('include-unproven', { type: 'boolean', default: false, describe: 'With --wallets: also count addresses whose ownership proof fails' })
      .option('prices', { type: 'string', describe: 'Prices CSV `asset,usd_price[,time]`: assess bad debt and add a USD summary' })
      .option('haircuts', { type: 'string', describe: 'With --prices: haircut table (por-haircuts, see docs/FORMATS.md) valuing collateral; without it no debt is netted' })
      .option('format', { choices: ['csv', 'ndjson'] as const, describe: 'Snapshot format (default: from the extension)' })
      .example('por solvency samples/liabilities.csv --assets samples/assets.json -r samples/reserves.csv --prices samples/prices.csv --haircuts samples/haircuts.json', '')
      .epilogue('Exit codes: 0 every asset (the exchange\'s own token included) has reserves ≥ what they must cover after netting; 1 at least one falls short; 2 bad usage or input, or a reserve balance (or an ownership check) could not be read — never counted as zero. The last line says which assets are under 100 % of what users own (gross).') as never,
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
    if (args.haircuts !== undefined && args.prices === undefined) throw porError('BAD_USAGE', '--haircuts values collateral at prices: give --prices PRICES.csv too', { field: 'haircuts' });
    const prices = args.prices !== undefined ? await readPrices(args.prices, registry) : undefined;
    const haircuts = args.haircuts !== undefined ? await readHaircuts(args.haircuts, registry) : undefined;
    const snap = await readSnapshotBounded(args.snapshot, registry, args, ctx);
    const input: SolvencyInput = { registry, totals: snap.totals, reserves, exchangeOwned: snap.exchangeOwned };
    if (prices) {
      input.prices = prices;
      input.badDebt = assessBadDebt(snap.debtors(), registry, prices, haircuts ?? []);
      input.haircuts = haircuts ?? [];
    }
    const s = computeSolvency(input);
    const code = s.solvent ? EXIT.OK : EXIT.CHECK_FAILED;
    if (ctx.json) {
      ctx.printJson(solvencyDocument(s, { liabilities: { file: snap.file, users: snap.userCount, rows: snap.rows }, reservesFile: reservesSource, pricesFile: args.prices ?? null, haircutsFile: args.haircuts ?? null }));
      return code;
    }
    const out: string[] = [];
    out.push(`Solvency of ${snap.userCount.toLocaleString('en-US')} users' balances (${snap.file}) against ${reserves.length} reserve balances (${reservesSource})`);
    out.push('');
    out.push(...solvencyTableText(s));
    const fund = s.assets.filter((a) => a.exchangeOwned !== 0n).map((a) => `${amountText(a.exchangeOwned, a.decimals)} ${a.asset}`);
    if (fund.length) out.push(`Exchange-owned (insurance fund etc.), not a liability: ${fund.join(', ')}`);
    if (s.usd) {
      out.push('');
      out.push(`USD summary${s.usd.time ? ` at ${s.usd.time}` : ''} (informational: solvency is decided per asset above):`);
      out.push(`  reserves            ${usdText(s.usd.reserves)} USD (excluding the exchange's own token)`);
      out.push(`  own-token reserves  ${usdText(s.usd.exchangeTokenReserves)} USD (reported apart)`);
      out.push(`  to cover            ${usdText(s.usd.liabilities)} USD`);
      out.push(`  exchange-owned      ${usdText(s.usd.exchangeOwned)} USD`);
    }
    out.push('');
    out.push(headline(s));
    ctx.print(out.join('\n'));
    return code;
  },
});

/** The per-asset table (gross ratio beside the netted one) and the bad-debt lines under it. */
function solvencyTableText(s: Solvency): string[] {
  const out: string[] = [];
  const head = ['asset', 'reserves', 'gross liab.', 'gross ratio', 'user debt', 'debt netted', 'to cover', 'surplus', 'ratio', ''];
  const rows = s.assets.map((a) => {
    const f = (v: bigint) => amountText(v, a.decimals);
    return [
      a.asset + (a.exchangeToken ? ' *' : ''),
      f(a.reserves),
      f(a.gross),
      formatRatio(a.grossRatio),
      f(a.debt),
      f(a.nettedDebt),
      f(a.liabilities),
      (a.surplus > 0n ? '+' : '') + f(a.surplus),
      formatRatio(a.ratio),
      !a.solvent ? 'SHORT' : a.grossCovered ? 'ok' : 'ok after netting',
    ];
  });
  out.push(table(head, rows));
  if (s.assets.some((a) => a.exchangeToken)) out.push("* the exchange's own token (checked like any asset)");
  out.push('');
  if (s.badDebt.assessed) {
    const b = s.badDebt;
    out.push(
      b.users === 0
        ? "Bad debt: none (every user's total equity at the given prices is ≥ 0)"
        : `Bad debt: ${b.users} user${b.users === 1 ? '' : 's'} with total equity below zero, ${usdText(b.usd)} USD short (e.g. ${b.sample.slice(0, 5).join(', ')}); ` +
            'their holdings count as nothing owed and their debt is not netted',
    );
    const u = b.uncollateralised;
    out.push(
      u.users === 0
        ? `Collateral: every other debtor's haircut collateral covers their debt${s.haircuts?.length ? '' : ' (no haircut table given: nothing counts as collateral)'}`
        : `Collateral short: ${u.users} user${u.users === 1 ? '' : 's'} whose haircut collateral does not cover their debt (e.g. ${u.sample.slice(0, 5).join(', ')}): their debt is not netted${s.haircuts?.length ? '' : ' (no haircut table given: nothing counts as collateral)'}`,
    );
  } else out.push(`Netting: none — ${s.badDebt.reason}.`);
  return out;
}

/** Netted verdict first (it decides the exit code), then which assets are under 100 % gross. */
function headline(s: Solvency): string {
  const gross = s.grossShortfalls.length ? ` Under 100 % of what users own (gross, nothing netted): ${s.grossShortfalls.join(', ')}.` : ' Gross coverage (nothing netted): every asset at 100 % or more.';
  if (!s.solvent) return `NOT SOLVENT in ${s.shortfalls.join(', ')}: reserves fall short of what users are owed after netting in ${s.shortfalls.length === 1 ? 'that asset' : 'those assets'}.${gross}`;
  return `SOLVENT after netting: every asset's reserves cover what they must (${s.assets.length} assets).${gross}`;
}

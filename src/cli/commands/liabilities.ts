// `por liabilities`: what the exchange owes its users, per asset, from a liabilities snapshot.
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { loadAssetRegistry } from '../../assets/load.js';
import { ACCOUNT_MODES, ACCOUNT_TYPES, EXCHANGE_ACCOUNT_PREFIX, type SnapshotSummary, type SnapshotFormat } from '../../ingest/index.js';
import { boundedReadOptions, readSnapshotBounded, type BoundedReadArgs } from './build-scale.js';
import { assessBadDebt, type BadDebt, type Prices } from '../../solvency/index.js';
import { readPrices } from '../../solvency/load.js';
import { formatAmount } from '../../core/money/index.js';
import type { AssetRegistry } from '../../core/assets/index.js';
import { write as writeLiabilities } from '../../core/documents/liabilities.js';

export interface LiabilitiesArgs extends BoundedReadArgs {
  snapshot: string;
  assets: string;
  format?: SnapshotFormat;
  prices?: string;
}

/** Plain text table: first column left-aligned, the rest right-aligned (numbers line up). */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export { FORMAT as LIABILITIES_FORMAT, VERSION as LIABILITIES_VERSION } from '../../core/documents/liabilities.js';

export function liabilitiesDocument(s: SnapshotSummary, registry: AssetRegistry, badDebt: BadDebt | undefined, prices: Prices | undefined): Record<string, unknown> {
  const f = (i: number, v: bigint) => formatAmount(v, registry.assets[i]!.decimals);
  return writeLiabilities({
    snapshot: { file: s.file, format: s.format, rows: s.rows },
    users: s.userCount,
    modes: s.modes,
    assets: s.totals.map((t, i) => ({
      asset: t.asset,
      decimals: registry.assets[i]!.decimals,
      grossLiabilities: f(i, t.gross),
      userDebt: f(i, t.debt),
      netLiabilities: f(i, t.net),
      users: t.users,
      exchangeOwned: f(i, s.exchangeOwned.totals[i]!),
    })),
    exchangeOwned: s.exchangeOwned.accounts.map((a) => ({
      userId: a.userId,
      label: a.label,
      balances: Object.fromEntries(a.balances.flatMap((b, i) => (b === 0n ? [] : [[registry.assets[i]!.symbol, f(i, b)]]))),
    })),
    badDebt: badDebt
      ? {
          assessed: true,
          pricesTime: prices?.time ?? null,
          users: badDebt.users,
          usd: badDebt.usd,
          sample: badDebt.sample,
          assets: registry.assets.map((a, i) => ({ asset: a.symbol, holdings: f(i, badDebt.gross[i]!), debt: f(i, badDebt.debt[i]!) })),
        }
      : { assessed: false, reason: 'no --prices given: bad debt (users whose total equity is below zero) needs prices to assess' },
  });
}

export const liabilitiesCommand = defineCommand<LiabilitiesArgs>({
  command: 'liabilities <snapshot>',
  describe: 'Per-asset totals of what the exchange owes its users, from a liabilities snapshot',
  builder: (y) =>
    boundedReadOptions(y)
      .usage(
        'por liabilities SNAPSHOT --assets ASSETS.json [--prices PRICES.csv] [--json]\n\n' +
          'Reads a liabilities snapshot (CSV `user_id,account,asset,balance[,mode]`, or NDJSON with the same keys), ' +
          "streaming, in any row order, and sums each user's sub-accounts per asset into a net balance. Prints per asset:\n" +
          '  gross  Σ of users\' positive net balances (what users own)\n' +
          '  debt   Σ of users\' negative net balances, as a positive number (what users owe: margin loans)\n' +
          '  net    gross − debt\n' +
          'plus users per account mode and exchange-owned accounts (insurance fund) on their own line, never as user liabilities.\n\n' +
          `Accounts: ${ACCOUNT_TYPES.join(', ')}, or ${EXCHANGE_ACCOUNT_PREFIX}<label> for the exchange's own. ` +
          `Modes: ${ACCOUNT_MODES.join(', ')} (default simple; only margin modes may be negative). ` +
          'With --prices, users whose total equity is below zero are reported as bad debt (count and USD value). ' +
          'Any bad row stops the run with file:line:column and exit 2; nothing partial is printed. docs/FORMATS.md has the formats.',
      )
      .positional('snapshot', { type: 'string', demandOption: true, describe: 'Liabilities snapshot: .csv, or .ndjson/.jsonl' })
      .option('assets', { type: 'string', demandOption: true, describe: 'Asset registry (format por-assets): symbols and ledger decimals' })
      .option('format', { choices: ['csv', 'ndjson'] as const, describe: 'Snapshot format (default: from the extension)' })
      .option('prices', { type: 'string', describe: 'Prices CSV `asset,usd_price[,time]`: assess bad debt' })
      .example('por liabilities samples/liabilities.csv --assets samples/assets.json --prices samples/prices.csv', '')
      .epilogue('Exit codes: 0 read and summed; 2 bad usage or input (the message names file, line, column and field).') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    const registry = await loadAssetRegistry(args.assets);
    const prices = args.prices !== undefined ? await readPrices(args.prices, registry) : undefined;
    const s = await readSnapshotBounded(args.snapshot, registry, args, ctx);
    const badDebt = prices ? assessBadDebt(s.debtors(), registry, prices) : undefined;
    if (ctx.json) {
      ctx.printJson(liabilitiesDocument(s, registry, badDebt, prices));
      return EXIT.OK;
    }
    const f = (i: number, v: bigint) => formatAmount(v, registry.assets[i]!.decimals);
    const out: string[] = [];
    out.push(`Liabilities in ${s.file}: ${s.userCount.toLocaleString('en-US')} users, ${s.rows.toLocaleString('en-US')} rows`);
    out.push(`Modes: ${ACCOUNT_MODES.map((m) => `${m} ${s.modes[m].toLocaleString('en-US')}`).join(', ')}`);
    out.push('');
    out.push(
      table(
        ['asset', 'gross liabilities', 'user debt', 'net liabilities', 'users'],
        s.totals.map((t, i) => [t.asset, f(i, t.gross), f(i, t.debt), f(i, t.net), t.users.toLocaleString('en-US')]),
      ),
    );
    out.push('');
    if (s.exchangeOwned.accounts.length === 0) out.push('Exchange-owned accounts: none (not counted as liabilities either way)');
    for (const a of s.exchangeOwned.accounts) {
      const held = a.balances.flatMap((b, i) => (b === 0n ? [] : [`${f(i, b)} ${registry.assets[i]!.symbol}`]));
      out.push(`Exchange-owned, not a user liability: ${a.userId} (${EXCHANGE_ACCOUNT_PREFIX}${a.label}): ${held.join(', ') || 'empty'}`);
    }
    if (badDebt) {
      const when = prices?.time ? ` at prices of ${prices.time}` : '';
      out.push(
        badDebt.users === 0
          ? `Bad debt${when}: none (every user's total equity is ≥ 0)`
          : `Bad debt${when}: ${badDebt.users} user${badDebt.users === 1 ? '' : 's'} with total equity below zero, ${badDebt.usd} USD short (e.g. ${badDebt.sample.slice(0, 5).join(', ')})`,
      );
    } else out.push('Bad debt: not assessed (needs --prices)');
    ctx.print(out.join('\n'));
    return EXIT.OK;
  },
});

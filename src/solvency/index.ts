// Per-asset solvency: reserves against what users are owed, asset by asset, exactly. Pure (no Node
// builtins): the CLI and the report hand in parsed inputs. One asset's surplus never covers another's
// shortfall; USD values are a summary shown apart and decide nothing.
import { write as writeSolvency, type SolvencyDocument } from '../core/documents/solvency.js';
import { Decimal } from 'decimal.js';
import { porError } from '../core/errors/index.js';
import { formatAmount, parseAmount, rescale } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import type { AssetLiability, ExchangeOwned } from '../ingest/aggregate.js';
import type { UserBalances } from '../ingest/types.js';
import { atField, parseStrictCsv } from '../core/solvency/csv.js';
import { coverage, percentText, RatioDecimal } from '../core/solvency/coverage.js';
import { classifyDebtors, DebtorSorter, type DebtorClasses } from './debtors.js';
import { addressKey } from '../core/reserves/identity.js';
import type { HaircutTable } from '../core/solvency/haircuts.js';

export { parseStrictCsv, type CsvRow, type CsvTable } from '../core/solvency/csv.js';
export { coverage, percentText, ratioText, RATIO_PRECISION, type Coverage, type Netting } from '../core/solvency/coverage.js';
export { parseHaircutsDocument, type HaircutTable, type HaircutTier } from '../core/solvency/haircuts.js';

/** USD figures at the ratios' precision (40 significant digits, rounded down: src/core/solvency/coverage.ts). */
const D = RatioDecimal;

// ---------------------------------------------------------------------------------------------
// Reserve balances

/** One reserve balance, in LEDGER base units of `asset` (on-chain precision truncated with rescale). */
export interface ReserveRow {
  chain: string;
  address: string;
  asset: string;
  balance: bigint;
}

const RESERVE_COLUMNS = ['chain', 'address', 'asset', 'balance'] as const;

/**
 * Reads reserve balances CSV text (`chain,address,asset,balance`). A balance may carry the asset's
 * on-chain precision on that chain (e.g. 18 decimals for ETH): it is parsed at those decimals, then
 * truncated to the ledger's decimals, so reserves are never rounded up. Negative balances, unknown
 * assets, a chain the registry does not list for the asset, and a (chain, address, asset) given twice
 * are errors.
 */
export function parseReserveBalances(text: string, registry: AssetRegistry, file = 'reserves.csv'): ReserveRow[] {
  const table = parseStrictCsv(text, file, RESERVE_COLUMNS);
  const seen = new Map<string, number>();
  return table.rows.map((row) => {
    const { chain, address, asset: symbol, balance } = row.values as Record<(typeof RESERVE_COLUMNS)[number], string>;
    if (chain === '') atField(porError('BAD_INPUT', 'empty chain'), file, row, 'chain');
    if (address === '') atField(porError('BAD_INPUT', 'empty address'), file, row, 'address');
    const a = registry.index.get(symbol);
    if (a === undefined) atField(porError('UNKNOWN_ASSET', `unknown asset "${symbol}"; the asset registry lists ${[...registry.index.keys()].join(', ')}`), file, row, 'asset');
    const asset = registry.assets[a!]!;
    let decimals = asset.decimals;
    if (asset.onchain.length > 0) {
      const here = asset.onchain.filter((o) => o.chain === chain);
      if (here.length === 0) {
        atField(porError('BAD_INPUT', `the asset registry does not list ${symbol} on chain "${chain}" (it lists: ${[...new Set(asset.onchain.map((o) => o.chain))].join(', ')})`), file, row, 'chain');
      }
      decimals = Math.max(...here.map((o) => o.decimals));
    }
    let units: bigint;
    try {
      units = rescale(parseAmount(balance, decimals), decimals, asset.decimals);
    } catch (err) {
      return atField(err, file, row, 'balance');
    }
    // One address, however it is spelt (EVM and bech32 are case-insensitive): the one key,
    // src/core/reserves/identity.ts. The file names chains, so the key is by name here.
    const key = `${addressKey(chain, address)}\u0000${symbol}`;
    const first = seen.get(key);
    if (first !== undefined) atField(porError('DUPLICATE', `duplicate row: ${symbol} at ${address} on ${chain} is already on line ${first}`), file, row, 'address');
    seen.set(key, row.line);
    return { chain, address, asset: symbol, balance: units };
  });
}

// ---------------------------------------------------------------------------------------------
// Prices

export interface Prices {
  /** The snapshot time the prices were taken at, if the file gives one (its `time` column). */
  time?: string;
  /** Decimal text of the USD price, per asset symbol. */
  usd: Map<string, string>;
}

const PRICE_COLUMNS = ['asset', 'usd_price'] as const;
const PRICE = /^\d+(\.\d+)?$/;

/** Reads prices CSV text (`asset,usd_price`, optional `time`): one non-negative price per registry asset. */
export function parsePrices(text: string, registry: AssetRegistry, file = 'prices.csv'): Prices {
  const table = parseStrictCsv(text, file, PRICE_COLUMNS, ['time']);
  const usd = new Map<string, string>();
  let time: string | undefined;
  for (const row of table.rows) {
    const { asset, usd_price: price } = row.values as Record<string, string>;
    if (!registry.index.has(asset!)) atField(porError('UNKNOWN_ASSET', `unknown asset "${asset}"; the asset registry lists ${[...registry.index.keys()].join(', ')}`), file, row, 'asset');
    if (usd.has(asset!)) atField(porError('DUPLICATE', `asset ${asset} has a second price`), file, row, 'asset');
    if (!PRICE.test(price!)) {
      atField(porError('BAD_AMOUNT', `price "${price}" must be a plain non-negative decimal like 64250.5 (no exponent, sign or separators)`), file, row, 'usd_price');
    }
    usd.set(asset!, price!);
    if (table.header.includes('time')) {
      const t = row.values.time!;
      if (Number.isNaN(Date.parse(t))) atField(porError('BAD_INPUT', `time "${t}" is not an ISO 8601 date-time (e.g. 2026-11-24T00:00:00Z)`), file, row, 'time');
      if (time !== undefined && t !== time) atField(porError('BAD_INPUT', `every price must share one snapshot time; line 2 says ${time}`), file, row, 'time');
      time = t;
    }
  }
  const missing = registry.assets.filter((a) => !usd.has(a.symbol)).map((a) => a.symbol);
  if (missing.length > 0) throw porError('BAD_INPUT', `no price for ${missing.join(', ')}; give every asset in the registry a price`, { file });
  return time === undefined ? { usd } : { time, usd };
}

/** USD value of `units` of asset `a`, as exact decimal text. */
function usdOf(units: bigint, decimals: number, price: string): Decimal {
  return new D(formatAmount(units, decimals)).times(price);
}

// ---------------------------------------------------------------------------------------------
// Bad debt and uncollateralised debt (src/solvency/debtors.ts)

export type BadDebt = DebtorClasses;

/**
 * Sorts the snapshot's `debtors()` into bad debt (total equity below zero), uncollateralised (haircut
 * collateral below their debt) and healthy (debt may be netted). Without a haircut table nothing
 * counts as collateral, so no debt is netted.
 */
export function assessBadDebt(debtors: Iterable<UserBalances>, registry: AssetRegistry, prices: Prices, haircuts: HaircutTable = []): BadDebt {
  return classifyDebtors(debtors, registry.assets, priceOf(prices), haircuts);
}

/** The same sorting, one debtor at a time (`add(user, line of its first row)`), for a snapshot read in parts. */
export function badDebtSorter(registry: AssetRegistry, prices: Prices, haircuts: HaircutTable = []): DebtorSorter {
  return new DebtorSorter(registry.assets, priceOf(prices), haircuts);
}

function priceOf(prices: Prices): (symbol: string) => string {
  return (s) => {
    const p = prices.usd.get(s);
    if (p === undefined) throw porError('BAD_INPUT', `no price for ${s}`);
    return p;
  };
}

// ---------------------------------------------------------------------------------------------
// Solvency

export interface AssetSolvency {
  asset: string;
  decimals: number;
  /** The exchange's own token: a label, and its reserves apart in the USD summary; checked like any asset. */
  exchangeToken: boolean;
  /** Σ reserve balances, ledger base units. */
  reserves: bigint;
  /** Reserve rows (addresses) counted for this asset. */
  addresses: number;
  /** From the snapshot: Σ users' positive nets, Σ users' negative nets (positive), gross − debt. */
  gross: bigint;
  debt: bigint;
  net: bigint;
  users: number;
  /** Reserves against gross (what users own, nothing netted): no stated figure moves these. */
  grossSurplus: bigint;
  grossRatio: string | null;
  grossCovered: boolean;
  /** Positions of bad-debt users in this asset (null when prices were not given). */
  badDebt: { gross: bigint; debt: bigint } | null;
  /** Debt of uncollateralised users in this asset, not netted (null when prices were not given). */
  uncollateralised: bigint | null;
  /** Debt netted against other users' holdings: healthy users' debt (0 without prices). */
  nettedDebt: bigint;
  /** What reserves must cover after netting (src/core/solvency/coverage.ts). */
  liabilities: bigint;
  /** reserves − liabilities: negative is a shortfall. */
  surplus: bigint;
  /** reserves / liabilities, 40 significant digits, rounded down; null when liabilities are 0. */
  ratio: string | null;
  /** reserves ≥ liabilities. */
  solvent: boolean;
  /** Insurance fund and other exchange-owned balances: never part of liabilities. */
  exchangeOwned: bigint;
  usd: { price: string; reserves: string; liabilities: string; surplus: string } | null;
}

export interface Solvency {
  assets: AssetSolvency[];
  /** Every asset covered after netting (the exchange's own token included). */
  solvent: boolean;
  /** Symbols of assets whose reserves fall short of what they must cover after netting. */
  shortfalls: string[];
  /** Symbols of assets whose reserves fall short of gross liabilities (nothing netted). */
  grossShortfalls: string[];
  badDebt:
    | ({ assessed: true; uncollateralised: { users: number; sample: string[] } } & Omit<BadDebt, 'gross' | 'debt' | 'uncollateralised'>)
    | { assessed: false; reason: string };
  /** The haircut table collateral was valued with (empty: nothing counts); null without prices. */
  haircuts: HaircutTable | null;
  /** With prices: totals in USD. Informational: solvency is decided per asset above. */
  usd: {
    time: string | null;
    /** Reserves in assets other than the exchange's own token. */
    reserves: string;
    /** Reserves held in the exchange's own token, reported apart. */
    exchangeTokenReserves: string;
    liabilities: string;
    exchangeOwned: string;
  } | null;
}

export interface SolvencyInput {
  registry: AssetRegistry;
  /** Snapshot totals, indexed like registry.assets. */
  totals: AssetLiability[];
  reserves: ReserveRow[];
  exchangeOwned?: ExchangeOwned;
  /** Give prices and bad debt together (bad debt is assessed at those prices). */
  prices?: Prices;
  badDebt?: BadDebt;
  /** The haircut table the bad debt was assessed with (shown in the output). */
  haircuts?: HaircutTable;
}

export function computeSolvency(input: SolvencyInput): Solvency {
  const { registry, totals, prices, badDebt } = input;
  if (totals.length !== registry.assets.length || totals.some((t, i) => t.asset !== registry.assets[i]!.symbol)) {
    throw porError('INTERNAL', 'snapshot totals are not indexed like the asset registry');
  }
  if ((prices === undefined) !== (badDebt === undefined)) throw porError('INTERNAL', 'give prices and bad debt together');
  const { reserves, addresses } = reserveTotals(registry, input.reserves);
  const assets: AssetSolvency[] = registry.assets.map((asset, i) => {
    const t = totals[i]!;
    const bad = badDebt ? { gross: badDebt.gross[i]!, debt: badDebt.debt[i]! } : null;
    const uncollateralised = badDebt ? badDebt.uncollateralised.debt[i]! : null;
    const held = reserves[i]!;
    const c = coverage({ reserves: held, gross: t.gross, debt: t.debt, netting: bad ? { badDebtHoldings: bad.gross, badDebt: bad.debt, uncollateralised: uncollateralised! } : null });
    let usd: AssetSolvency['usd'] = null;
    if (prices) {
      const price = prices.usd.get(asset.symbol)!;
      usd = {
        price,
        reserves: usdOf(held, asset.decimals, price).toFixed(),
        liabilities: usdOf(c.mustCover, asset.decimals, price).toFixed(),
        surplus: usdOf(c.surplus, asset.decimals, price).toFixed(),
      };
    }
    return {
      asset: asset.symbol,
      decimals: asset.decimals,
      exchangeToken: asset.exchangeToken === true,
      reserves: held,
      addresses: addresses[i]!,
      gross: t.gross,
      debt: t.debt,
      net: t.net,
      users: t.users,
      grossSurplus: c.grossSurplus,
      grossRatio: c.grossRatio,
      grossCovered: c.grossCovered,
      badDebt: bad,
      uncollateralised,
      nettedDebt: c.nettedDebt,
      liabilities: c.mustCover,
      surplus: c.surplus,
      ratio: c.ratio,
      solvent: c.covered,
      exchangeOwned: input.exchangeOwned?.totals[i] ?? 0n,
      usd,
    };
  });
  const shortfalls = assets.filter((a) => !a.solvent).map((a) => a.asset);
  return {
    assets,
    solvent: shortfalls.length === 0,
    shortfalls,
    grossShortfalls: assets.filter((a) => !a.grossCovered).map((a) => a.asset),
    badDebt: badDebt
      ? { assessed: true, users: badDebt.users, usd: badDebt.usd, sample: badDebt.sample, uncollateralised: { users: badDebt.uncollateralised.users, sample: badDebt.uncollateralised.sample } }
      : { assessed: false, reason: 'no prices given: no collateral could be valued, so no user debt was netted (what reserves must cover is gross liabilities)' },
    haircuts: prices ? (input.haircuts ?? []) : null,
    usd: prices ? usdSummary(assets, prices) : null,
  };
}

function reserveTotals(registry: AssetRegistry, rows: readonly ReserveRow[]): { reserves: bigint[]; addresses: number[] } {
  const reserves = registry.assets.map(() => 0n);
  const addresses = registry.assets.map(() => 0);
  for (const r of rows) {
    const a = registry.index.get(r.asset);
    if (a === undefined) throw porError('UNKNOWN_ASSET', `reserve row for unknown asset "${r.asset}"`, { chain: r.chain, address: r.address });
    if (r.balance < 0n) throw porError('BAD_AMOUNT', `negative reserve balance for ${r.asset}`, { chain: r.chain, address: r.address });
    reserves[a]! += r.balance;
    addresses[a]!++;
  }
  return { reserves, addresses };
}

function usdSummary(assets: readonly AssetSolvency[], prices: Prices): NonNullable<Solvency['usd']> {
  const sum = (pick: (a: AssetSolvency) => string, only: (a: AssetSolvency) => boolean) =>
    assets.filter(only).reduce((s, a) => s.plus(pick(a)), new D(0)).toFixed();
  return {
    time: prices.time ?? null,
    reserves: sum((a) => a.usd!.reserves, (a) => !a.exchangeToken),
    exchangeTokenReserves: sum((a) => a.usd!.reserves, (a) => a.exchangeToken),
    liabilities: sum((a) => a.usd!.liabilities, () => true),
    exchangeOwned: assets.reduce((s, a) => s.plus(usdOf(a.exchangeOwned, a.decimals, a.usd!.price)), new D(0)).toFixed(),
  };
}

/** A ratio as a percentage with 2 decimals, rounded down (the one rule: src/core/solvency/coverage.ts). */
export const formatRatio = percentText;

export { FORMAT as SOLVENCY_FORMAT, VERSION as SOLVENCY_VERSION } from '../core/documents/solvency.js';

/** The JSON document (`por-solvency` v2): amounts as exact decimal strings at ledger precision. */
export function solvencyDocument(s: Solvency, inputs: Pick<SolvencyDocument, 'liabilities' | 'reservesFile' | 'pricesFile' | 'haircutsFile'> = {}): Record<string, unknown> {
  const amt = (a: AssetSolvency, v: bigint) => formatAmount(v, a.decimals);
  return writeSolvency({
    ...inputs,
    solvent: s.solvent,
    shortfalls: s.shortfalls,
    grossShortfalls: s.grossShortfalls,
    assets: s.assets.map((a) => ({
      asset: a.asset,
      decimals: a.decimals,
      exchangeToken: a.exchangeToken,
      reserves: amt(a, a.reserves),
      addresses: a.addresses,
      grossLiabilities: amt(a, a.gross),
      userDebt: amt(a, a.debt),
      netLiabilities: amt(a, a.net),
      users: a.users,
      grossSurplus: amt(a, a.grossSurplus),
      grossRatio: a.grossRatio,
      grossCovered: a.grossCovered,
      badDebt: a.badDebt && { holdings: amt(a, a.badDebt.gross), debt: amt(a, a.badDebt.debt) },
      uncollateralisedDebt: a.uncollateralised === null ? null : amt(a, a.uncollateralised),
      nettedDebt: amt(a, a.nettedDebt),
      liabilities: amt(a, a.liabilities),
      surplus: amt(a, a.surplus),
      ratio: a.ratio,
      solvent: a.solvent,
      exchangeOwned: amt(a, a.exchangeOwned),
      usd: a.usd,
    })),
    badDebt: s.badDebt,
    haircuts: s.haircuts,
    usd: s.usd,
  });
}

// Per-asset solvency: reserves against what users are owed, asset by asset, exactly. Pure (no Node
// builtins): the CLI and the report hand in parsed inputs. One asset's surplus never covers another's
// shortfall; USD values are a summary shown apart and decide nothing.
import { Decimal } from 'decimal.js';
import { porError } from '../errors/index.js';
import { formatAmount, parseAmount, rescale } from '../money/index.js';
import type { AssetRegistry } from '../assets/index.js';
import type { AssetLiability, ExchangeOwned } from '../ingest/aggregate.js';
import type { UserBalances } from '../ingest/types.js';
import { atField, parseStrictCsv } from './csv.js';

export { parseStrictCsv, type CsvRow, type CsvTable } from './csv.js';

/** Ratios carry 40 significant digits: far past any decimals an amount has, so nothing rounds that matters. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_DOWN });

// ---------------------------------------------------------------------------------------------
// Reserve balances

/** One reserve balance, in LEDGER base units of `asset` (on-chain precision truncated with rescale). */
export interface ReserveRow {
  chain: string;
  address: string;
  asset: string;
  balance: bigint;
}

export const RESERVE_COLUMNS = ['chain', 'address', 'asset', 'balance'] as const;

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
    // EVM addresses are case-insensitive (checksums are only a typing aid).
    const key = `${chain}\u0000${/^0x[0-9a-fA-F]{40}$/.test(address) ? address.toLowerCase() : address}\u0000${symbol}`;
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

export const PRICE_COLUMNS = ['asset', 'usd_price'] as const;
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

/** Prices as exact integers at one common scale (10^scale), for summing users' equity exactly. */
function scaledPrices(registry: AssetRegistry, prices: Prices): { units: bigint[]; scale: number } {
  const texts = registry.assets.map((a) => prices.usd.get(a.symbol));
  const scale = Math.max(0, ...texts.map((t) => (t && t.includes('.') ? t.length - t.indexOf('.') - 1 : 0)));
  const units = texts.map((t, i) => {
    if (t === undefined) throw porError('BAD_INPUT', `no price for ${registry.assets[i]!.symbol}`);
    return parseAmount(t, scale);
  });
  return { units, scale };
}

/** USD value of `units` of asset `a`, as exact decimal text. */
function usdOf(units: bigint, decimals: number, price: string): Decimal {
  return new D(formatAmount(units, decimals)).times(price);
}

// ---------------------------------------------------------------------------------------------
// Bad debt

export interface BadDebt {
  /** Users whose total equity at snapshot prices is below zero. */
  users: number;
  /** Their combined negative equity in USD, as a positive decimal string (exact). */
  usd: string;
  /** Per asset, indexed like the registry: what those users hold (counted as zero liability) … */
  gross: bigint[];
  /** … and what they owe (not netted against other users' balances: it cannot be collected). */
  debt: bigint[];
  /** Up to 20 of their ids, for follow-up. */
  sample: string[];
}

/**
 * Finds bad debt: users whose equity Σ net_i × price_i is below zero. Pass the snapshot's
 * `debtors()` (only a user who owes something can have negative equity). Exact: equity is summed
 * as an integer at a common scale, never in floating point.
 */
export function assessBadDebt(debtors: Iterable<UserBalances>, registry: AssetRegistry, prices: Prices): BadDebt {
  const { units, scale } = scaledPrices(registry, prices);
  const maxDec = Math.max(...registry.assets.map((a) => a.decimals));
  // value_i = net_i × price_i × 10^(maxDec − dec_i), in units of 10^−(scale + maxDec) USD
  const factor = units.map((p, i) => p * 10n ** BigInt(maxDec - registry.assets[i]!.decimals));
  const n = registry.assets.length;
  const gross = new Array<bigint>(n).fill(0n);
  const debt = new Array<bigint>(n).fill(0n);
  let users = 0;
  let total = 0n;
  const sample: string[] = [];
  for (const u of debtors) {
    let equity = 0n;
    for (let i = 0; i < n; i++) equity += u.net[i]! * factor[i]!;
    if (equity >= 0n) continue;
    users++;
    total -= equity;
    if (sample.length < 20) sample.push(u.userId);
    for (let i = 0; i < n; i++) {
      const v = u.net[i]!;
      if (v > 0n) gross[i]! += v;
      else if (v < 0n) debt[i]! -= v;
    }
  }
  return { users, usd: formatAmount(total, scale + maxDec, { trim: true }), gross, debt, sample };
}

// ---------------------------------------------------------------------------------------------
// Solvency

export interface AssetSolvency {
  asset: string;
  decimals: number;
  /** The exchange's own token: its reserves are reported apart in the USD summary. */
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
  /** Positions of bad-debt users in this asset (null when prices were not given). */
  badDebt: { gross: bigint; debt: bigint } | null;
  /**
   * What reserves must cover: (gross − bad-debt users' holdings) − (debt − bad-debt users' debt),
   * at least 0. Healthy users' debt is a receivable backed by their other assets; bad debt is not.
   */
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
  /** Every asset solvent on its own. */
  solvent: boolean;
  /** Symbols of assets whose reserves fall short. */
  shortfalls: string[];
  badDebt: ({ assessed: true } & Omit<BadDebt, 'gross' | 'debt'>) | { assessed: false; reason: string };
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
}

export function computeSolvency(input: SolvencyInput): Solvency {
  const { registry, totals, prices, badDebt } = input;
  if (totals.length !== registry.assets.length || totals.some((t, i) => t.asset !== registry.assets[i]!.symbol)) {
    throw porError('INTERNAL', 'snapshot totals are not indexed like the asset registry');
  }
  if ((prices === undefined) !== (badDebt === undefined)) throw porError('INTERNAL', 'give prices and bad debt together');
  const reserves = registry.assets.map(() => 0n);
  const addresses = registry.assets.map(() => 0);
  for (const r of input.reserves) {
    const a = registry.index.get(r.asset);
    if (a === undefined) throw porError('UNKNOWN_ASSET', `reserve row for unknown asset "${r.asset}"`, { chain: r.chain, address: r.address });
    if (r.balance < 0n) throw porError('BAD_AMOUNT', `negative reserve balance for ${r.asset}`, { chain: r.chain, address: r.address });
    reserves[a]! += r.balance;
    addresses[a]!++;
  }
  const assets: AssetSolvency[] = registry.assets.map((asset, i) => {
    const t = totals[i]!;
    const bad = badDebt ? { gross: badDebt.gross[i]!, debt: badDebt.debt[i]! } : null;
    const owed = t.gross - (bad?.gross ?? 0n) - (t.debt - (bad?.debt ?? 0n));
    const liabilities = owed > 0n ? owed : 0n;
    const held = reserves[i]!;
    const ratio = liabilities === 0n ? null : new D(held.toString()).div(liabilities.toString()).toFixed();
    const exchangeOwned = input.exchangeOwned?.totals[i] ?? 0n;
    let usd: AssetSolvency['usd'] = null;
    if (prices) {
      const price = prices.usd.get(asset.symbol)!;
      usd = {
        price,
        reserves: usdOf(held, asset.decimals, price).toFixed(),
        liabilities: usdOf(liabilities, asset.decimals, price).toFixed(),
        surplus: usdOf(held - liabilities, asset.decimals, price).toFixed(),
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
      badDebt: bad,
      liabilities,
      surplus: held - liabilities,
      ratio,
      solvent: held >= liabilities,
      exchangeOwned,
      usd,
    };
  });
  const shortfalls = assets.filter((a) => !a.solvent).map((a) => a.asset);
  let usd: Solvency['usd'] = null;
  if (prices) {
    const sum = (pick: (a: AssetSolvency) => string, only: (a: AssetSolvency) => boolean) =>
      assets.filter(only).reduce((s, a) => s.plus(pick(a)), new D(0)).toFixed();
    usd = {
      time: prices.time ?? null,
      reserves: sum((a) => a.usd!.reserves, (a) => !a.exchangeToken),
      exchangeTokenReserves: sum((a) => a.usd!.reserves, (a) => a.exchangeToken),
      liabilities: sum((a) => a.usd!.liabilities, () => true),
      exchangeOwned: assets.reduce((s, a) => s.plus(usdOf(a.exchangeOwned, a.decimals, a.usd!.price)), new D(0)).toFixed(),
    };
  }
  return {
    assets,
    solvent: shortfalls.length === 0,
    shortfalls,
    badDebt: badDebt
      ? { assessed: true, users: badDebt.users, usd: badDebt.usd, sample: badDebt.sample }
      : { assessed: false, reason: 'no prices given: bad debt (users whose total equity is below zero) could not be assessed, so all user debt was netted' },
    usd,
  };
}

/** A ratio as a percentage with 2 decimals, rounded down so that 99.999 % never shows as 100.00 %. */
export function formatRatio(ratio: string | null): string {
  if (ratio === null) return 'n/a';
  return `${new D(ratio).times(100).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2)} %`;
}

export const SOLVENCY_FORMAT = 'por-solvency';
export const SOLVENCY_VERSION = 1;

/** The JSON document (`por-solvency` v1): amounts as exact decimal strings at ledger precision. */
export function solvencyDocument(s: Solvency, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const amt = (a: AssetSolvency, v: bigint) => formatAmount(v, a.decimals);
  return {
    format: SOLVENCY_FORMAT,
    version: SOLVENCY_VERSION,
    ...extra,
    solvent: s.solvent,
    shortfalls: s.shortfalls,
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
      badDebt: a.badDebt && { holdings: amt(a, a.badDebt.gross), debt: amt(a, a.badDebt.debt) },
      liabilities: amt(a, a.liabilities),
      surplus: amt(a, a.surplus),
      ratio: a.ratio,
      solvent: a.solvent,
      exchangeOwned: amt(a, a.exchangeOwned),
      usd: a.usd,
    })),
    badDebt: s.badDebt,
    usd: s.usd,
  };
}


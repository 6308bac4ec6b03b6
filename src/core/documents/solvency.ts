// `por solvency --json`: `por-solvency` v2, per-asset coverage of a liabilities snapshot by reserve
// balances (src/solvency; the coverage rule is src/core/solvency/coverage.ts). Amounts are exact
// decimal text at ledger precision; ratios 40 significant digits rounded down. The four input
// fields (liabilities, reservesFile, pricesFile, haircutsFile) are written by the CLI; a library
// caller may leave them out. Pure.
import { DECIMAL_TEXT, JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { readHaircutTable, type HaircutTable } from './haircuts.js';

export const FORMAT = 'por-solvency';
/** v2: gross coverage beside the netted figure; netting only against haircut collateral. */
export const VERSION = 2;
export const FIELDS = [
  'format', 'version', 'liabilities', 'reservesFile', 'pricesFile', 'haircutsFile',
  'solvent', 'shortfalls', 'grossShortfalls', 'assets', 'badDebt', 'haircuts', 'usd',
] as const;
const INPUTS = ['liabilities', 'reservesFile', 'pricesFile', 'haircutsFile'] as const;
const ASSET_FIELDS = [
  'asset', 'decimals', 'exchangeToken', 'reserves', 'addresses', 'grossLiabilities', 'userDebt', 'netLiabilities', 'users',
  'grossSurplus', 'grossRatio', 'grossCovered', 'badDebt', 'uncollateralisedDebt', 'nettedDebt', 'liabilities', 'surplus',
  'ratio', 'solvent', 'exchangeOwned', 'usd',
] as const;
const USD_FIELDS = ['time', 'reserves', 'exchangeTokenReserves', 'liabilities', 'exchangeOwned'] as const;

export interface SolvencyAssetRow {
  asset: string;
  decimals: number;
  exchangeToken: boolean;
  reserves: string;
  addresses: number;
  grossLiabilities: string;
  userDebt: string;
  netLiabilities: string;
  users: number;
  grossSurplus: string;
  grossRatio: string | null;
  grossCovered: boolean;
  badDebt: { holdings: string; debt: string } | null;
  uncollateralisedDebt: string | null;
  nettedDebt: string;
  /** What reserves must cover after netting. */
  liabilities: string;
  surplus: string;
  ratio: string | null;
  solvent: boolean;
  exchangeOwned: string;
  usd: { price: string; reserves: string; liabilities: string; surplus: string } | null;
}

export type SolvencyBadDebt =
  | { assessed: true; users: number; usd: string; sample: string[]; uncollateralised: { users: number; sample: string[] } }
  | { assessed: false; reason: string };

export interface SolvencyDocument {
  /** The snapshot read (CLI only). */
  liabilities?: { file: string; users: number; rows: number };
  reservesFile?: string;
  pricesFile?: string | null;
  haircutsFile?: string | null;
  solvent: boolean;
  shortfalls: string[];
  grossShortfalls: string[];
  assets: SolvencyAssetRow[];
  badDebt: SolvencyBadDebt;
  haircuts: HaircutTable | null;
  usd: { time: string | null; reserves: string; exchangeTokenReserves: string; liabilities: string; exchangeOwned: string } | null;
}

export function write(v: SolvencyDocument): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...v, assets: v.assets.map((a) => inOrder(ASSET_FIELDS, a)) });
}

const ratio = (a: JsonAt) => a.nullable((r) => r.string(DECIMAL_TEXT, 'decimal text'));

function readAsset(a: JsonAt): SolvencyAssetRow {
  a.exact(ASSET_FIELDS);
  const amount = (k: string) => a.get(k).decimalText();
  const bd = a.get('badDebt').nullable((b) => {
    b.exact(['holdings', 'debt']);
    return { holdings: b.get('holdings').decimalText(), debt: b.get('debt').decimalText() };
  });
  const usd = a.get('usd').nullable((u) => {
    u.exact(['price', 'reserves', 'liabilities', 'surplus']);
    return { price: u.get('price').decimalText(), reserves: u.get('reserves').decimalText(), liabilities: u.get('liabilities').decimalText(), surplus: u.get('surplus').decimalText() };
  });
  return {
    asset: a.get('asset').string(), decimals: a.get('decimals').int(0, 255), exchangeToken: a.get('exchangeToken').bool(), reserves: amount('reserves'),
    addresses: a.get('addresses').int(), grossLiabilities: amount('grossLiabilities'), userDebt: amount('userDebt'), netLiabilities: amount('netLiabilities'),
    users: a.get('users').int(), grossSurplus: amount('grossSurplus'), grossRatio: ratio(a.get('grossRatio')), grossCovered: a.get('grossCovered').bool(),
    badDebt: bd, uncollateralisedDebt: a.get('uncollateralisedDebt').nullable((u) => u.decimalText()), nettedDebt: amount('nettedDebt'),
    liabilities: amount('liabilities'), surplus: amount('surplus'), ratio: ratio(a.get('ratio')), solvent: a.get('solvent').bool(),
    exchangeOwned: amount('exchangeOwned'), usd,
  };
}

function readBadDebt(b: JsonAt): SolvencyBadDebt {
  if (b.get('assessed').bool() === false) {
    b.exact(['assessed', 'reason']);
    return { assessed: false, reason: b.get('reason').string() };
  }
  b.exact(['assessed', 'users', 'usd', 'sample', 'uncollateralised']);
  const u = b.get('uncollateralised');
  u.exact(['users', 'sample']);
  const strings = (x: JsonAt) => x.array().map((s) => s.string());
  return { assessed: true, users: b.get('users').int(), usd: b.get('usd').decimalText(), sample: strings(b.get('sample')), uncollateralised: { users: u.get('users').int(), sample: strings(u.get('sample')) } };
}

function readInputs(doc: JsonAt, out: SolvencyDocument): void {
  const l = doc.opt('liabilities');
  if (l !== undefined) {
    l.exact(['file', 'users', 'rows']);
    out.liabilities = { file: l.get('file').string(), users: l.get('users').int(), rows: l.get('rows').int() };
  }
  if (doc.opt('reservesFile') !== undefined) out.reservesFile = doc.get('reservesFile').string();
  if (doc.opt('pricesFile') !== undefined) out.pricesFile = doc.get('pricesFile').nullable((f) => f.string());
  if (doc.opt('haircutsFile') !== undefined) out.haircutsFile = doc.get('haircutsFile').nullable((f) => f.string());
}

export function read(json: unknown, where: string | Where = {}): SolvencyDocument {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS.filter((f) => !(INPUTS as readonly string[]).includes(f)), INPUTS);
  const strings = (x: JsonAt) => x.array().map((s) => s.string());
  const out: SolvencyDocument = {
    solvent: doc.get('solvent').bool(), shortfalls: strings(doc.get('shortfalls')), grossShortfalls: strings(doc.get('grossShortfalls')),
    assets: doc.get('assets').array().map(readAsset), badDebt: readBadDebt(doc.get('badDebt')),
    haircuts: doc.get('haircuts').nullable((h) => readHaircutTable(h)),
    usd: doc.get('usd').nullable((u) => {
      u.exact(USD_FIELDS);
      return { time: u.get('time').nullable((t) => t.string()), reserves: u.get('reserves').decimalText(), exchangeTokenReserves: u.get('exchangeTokenReserves').decimalText(), liabilities: u.get('liabilities').decimalText(), exchangeOwned: u.get('exchangeOwned').decimalText() };
    }),
  };
  readInputs(doc, out);
  return inOrder(FIELDS, out) as unknown as SolvencyDocument;
}

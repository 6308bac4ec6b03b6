// `por liabilities --json`: `por-liabilities` v1, what an exchange owes its users per asset, from a
// liabilities snapshot (docs/FORMATS.md). Amounts are exact decimal text at ledger precision. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-liabilities';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'snapshot', 'users', 'modes', 'assets', 'exchangeOwned', 'badDebt'] as const;
const ASSET_FIELDS = ['asset', 'decimals', 'grossLiabilities', 'userDebt', 'netLiabilities', 'users', 'exchangeOwned'] as const;

export interface LiabilitiesAsset {
  asset: string;
  decimals: number;
  grossLiabilities: string;
  userDebt: string;
  netLiabilities: string;
  /** Users with a non-zero net balance in this asset. */
  users: number;
  exchangeOwned: string;
}

export type LiabilitiesBadDebt =
  | { assessed: false; reason: string }
  | { assessed: true; pricesTime: string | null; users: number; usd: string; sample: string[]; assets: { asset: string; holdings: string; debt: string }[] };

export interface Liabilities {
  snapshot: { file: string; format: string; rows: number };
  users: number;
  /** Users per account mode. */
  modes: Record<string, number>;
  assets: LiabilitiesAsset[];
  /** The exchange's own accounts (insurance fund …), never counted as user liabilities. */
  exchangeOwned: { userId: string; label: string; balances: Record<string, string> }[];
  badDebt: LiabilitiesBadDebt;
}

export function write(v: Liabilities): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...v });
}

function readAsset(a: JsonAt): LiabilitiesAsset {
  a.exact(ASSET_FIELDS);
  const amount = (k: string, signed = false) => a.get(k).decimalText({ signed });
  return {
    asset: a.get('asset').string(), decimals: a.get('decimals').int(0, 255), grossLiabilities: amount('grossLiabilities'), userDebt: amount('userDebt'),
    netLiabilities: amount('netLiabilities', true), users: a.get('users').int(), exchangeOwned: amount('exchangeOwned', true),
  };
}

function readBadDebt(b: JsonAt): LiabilitiesBadDebt {
  if (b.get('assessed').bool() === false) {
    b.exact(['assessed', 'reason']);
    return { assessed: false, reason: b.get('reason').string() };
  }
  b.exact(['assessed', 'pricesTime', 'users', 'usd', 'sample', 'assets']);
  return {
    assessed: true, pricesTime: b.get('pricesTime').nullable((t) => t.string()), users: b.get('users').int(), usd: b.get('usd').decimalText({ signed: false }),
    sample: b.get('sample').array().map((s) => s.string()),
    assets: b.get('assets').array().map((x) => {
      x.exact(['asset', 'holdings', 'debt']);
      return { asset: x.get('asset').string(), holdings: x.get('holdings').decimalText(), debt: x.get('debt').decimalText() };
    }),
  };
}

export function read(json: unknown, where: string | Where = {}): Liabilities {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const s = doc.get('snapshot');
  s.exact(['file', 'format', 'rows']);
  const m = doc.get('modes');
  const modes = Object.fromEntries(Object.keys(m.object()).map((k) => [k, m.get(k).int()]));
  const exchangeOwned = doc.get('exchangeOwned').array().map((e) => {
    e.exact(['userId', 'label', 'balances']);
    const b = e.get('balances');
    return { userId: e.get('userId').string(), label: e.get('label').string(), balances: Object.fromEntries(Object.keys(b.object()).map((k) => [k, b.get(k).decimalText()])) };
  });
  return {
    snapshot: { file: s.get('file').string(), format: s.get('format').string(), rows: s.get('rows').int() }, users: doc.get('users').int(), modes,
    assets: doc.get('assets').array().map(readAsset), exchangeOwned, badDebt: readBadDebt(doc.get('badDebt')),
  };
}

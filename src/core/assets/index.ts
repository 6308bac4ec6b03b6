// The asset registry: which assets exist, the precision the exchange's ledger keeps for each, and
// how each is represented on-chain. Pure: callers hand in parsed JSON.
import { porError } from '../errors/index.js';
import { MAX_DECIMALS } from '../money/index.js';
import { isObject } from '../json/index.js';

export const ASSETS_FORMAT = 'por-assets';
export const ASSETS_VERSION = 1;

export interface OnchainAsset {
  /** Chain name, as the wallet manifest names it (e.g. "ethereum", "bitcoin"). */
  chain: string;
  /** Native coin of the chain (ETH on ethereum, BTC on bitcoin). */
  native: boolean;
  /** Token contract for non-native assets (EVM: 0x… address, checksummed or not). */
  contract?: string;
  /** Decimals of the on-chain representation (e.g. 18 for ETH, 6 for USDT on Ethereum). */
  decimals: number;
}

export interface Asset {
  symbol: string;
  /** Fractional digits the exchange's ledger keeps: liabilities are integers at this precision. */
  decimals: number;
  name?: string;
  /** Set for a token the exchange issues itself: reserves held in it are reported apart. */
  exchangeToken?: boolean;
  onchain: OnchainAsset[];
}

export interface AssetRegistry {
  assets: Asset[];
  /** symbol → index in `assets`; the index is the asset's column in sums and Merkle leaves. */
  index: Map<string, number>;
}

const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

export function parseAssetRegistry(json: unknown, file = 'assets'): AssetRegistry {
  const fail = (message: string, field?: string): never => {
    throw porError('BAD_INPUT', message, field === undefined ? { file } : { file, field });
  };
  if (!isObject(json)) return fail('asset registry must be a JSON object');
  if (json.format !== undefined && json.format !== ASSETS_FORMAT) fail(`format must be "${ASSETS_FORMAT}"; ${typeof json.format === 'string' ? `this file is "${json.format}"` : 'this file has no "format"'}`, 'format');
  if (json.version !== undefined && json.version !== ASSETS_VERSION) fail(`unsupported version ${String(json.version)}; this por reads version ${ASSETS_VERSION}`, 'version');
  const list = json.assets;
  if (!Array.isArray(list) || list.length === 0) return fail('"assets" must be a non-empty array', 'assets');
  // A leaf commits the count as u16 (docs/SPEC.md): refused here, before a snapshot is read.
  if (list.length > 0xffff) return fail(`"assets" lists ${list.length} assets; at most 65,535 are allowed`, 'assets');
  const assets: Asset[] = [];
  const index = new Map<string, number>();
  // (chain, native-or-contract) → where it was first listed: one holding backs one asset.
  const holders = new Map<string, string>();
  list.forEach((raw: unknown, i: number) => {
    const at = `assets[${i}]`;
    if (!isObject(raw)) return fail('must be an object', at);
    const symbol = raw.symbol;
    if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) return fail('symbol must be upper-case letters, digits, ".", "_" or "-" (max 32)', `${at}.symbol`);
    if (index.has(symbol)) return fail(`asset ${symbol} is listed twice`, `${at}.symbol`);
    const decimals = raw.decimals;
    if (!isDecimals(decimals)) return fail(`decimals must be an integer from 0 to ${MAX_DECIMALS}`, `${at}.decimals`);
    const onchainRaw = raw.onchain ?? [];
    if (!Array.isArray(onchainRaw)) return fail('onchain must be an array', `${at}.onchain`);
    const onchain: OnchainAsset[] = onchainRaw.map((o: unknown, j: number) => {
      const of = `${at}.onchain[${j}]`;
      if (!isObject(o)) return fail('must be an object', of);
      if (typeof o.chain !== 'string' || o.chain === '') return fail('chain must be a non-empty string', `${of}.chain`);
      const native = o.native === true;
      if (!native && (typeof o.contract !== 'string' || o.contract === '')) return fail('give "native": true or a token "contract"', of);
      if (native && o.contract !== undefined) return fail('a native coin has no contract', `${of}.contract`);
      if (!isDecimals(o.decimals)) return fail(`decimals must be an integer from 0 to ${MAX_DECIMALS}`, `${of}.decimals`);
      const entry: OnchainAsset = { chain: o.chain, native, decimals: o.decimals };
      if (typeof o.contract === 'string') entry.contract = o.contract;
      claimHolding(holders, entry, `${symbol} (${of})`, fail, native ? `${of}.native` : `${of}.contract`);
      return entry;
    });
    const asset: Asset = { symbol, decimals, onchain };
    if (typeof raw.name === 'string') asset.name = raw.name;
    if (raw.exchangeToken === true) asset.exchangeToken = true;
    index.set(symbol, assets.length);
    assets.push(asset);
  });
  return { assets, index };
}

export function assetIndex(registry: AssetRegistry, symbol: string): number | undefined {
  return registry.index.get(symbol);
}

/**
 * The same coins cannot back two assets: a (chain, native coin or token contract) listed under a
 * second symbol (or twice under one) would count one balance as both. Contracts compare
 * case-insensitively (EVM hex). Chain names are compared here; the wallet manifest makes sure two
 * names are never the same chain.
 */
function claimHolding(holders: Map<string, string>, o: OnchainAsset, where: string, fail: (m: string, f?: string) => never, field: string): void {
  const key = `${o.chain}\u0000${o.native ? 'native' : /^0x[0-9a-fA-F]{40}$/.test(o.contract!) ? o.contract!.toLowerCase() : o.contract}`;
  const first = holders.get(key);
  if (first !== undefined) {
    fail(`${o.native ? `the native coin of ${o.chain}` : `token contract ${o.contract} on ${o.chain}`} is already listed as ${first}: one on-chain holding can back only one asset, or its balance would count twice`, field);
  }
  holders.set(key, where);
}

function isDecimals(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DECIMALS;
}

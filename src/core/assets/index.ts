// The asset registry: which assets exist, the precision the exchange's ledger keeps for each, and
// how each is represented on-chain. Pure: callers hand in parsed JSON.
import { MAX_DECIMALS } from '../money/index.js';
import { isObject } from '../json/index.js';
import { JsonAt } from '../json/read.js';

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

/**
 * Reads an asset registry (`por-assets` v1; `format` and `version` may be left out) through the
 * located reader: every refusal names the file, the field path and, for a parsed file, line:column.
 */
export function parseAssetRegistry(json: unknown, file = 'assets'): AssetRegistry {
  const doc = JsonAt.root(json, file);
  if (!isObject(json)) return doc.fail('asset registry must be a JSON object');
  if (json.format !== undefined && json.format !== ASSETS_FORMAT) doc.get('format').fail(`format must be "${ASSETS_FORMAT}"; ${typeof json.format === 'string' ? `this file is "${json.format}"` : 'this file has no "format"'}`);
  if (json.version !== undefined && json.version !== ASSETS_VERSION) doc.get('version').fail(`unsupported version ${String(json.version)}; this por reads version ${ASSETS_VERSION}`);
  const list = doc.get('assets');
  if (!Array.isArray(list.value) || list.value.length === 0) return list.fail('"assets" must be a non-empty array');
  // A leaf commits the count as u16 (docs/SPEC.md): refused here, before a snapshot is read.
  if (list.value.length > 0xffff) return list.fail(`"assets" lists ${list.value.length} assets; at most 65,535 are allowed`);
  const assets: Asset[] = [];
  const index = new Map<string, number>();
  // (chain, native-or-contract) → where it was first listed: one holding backs one asset.
  const holders = new Map<string, string>();
  for (const at of list.array()) {
    const asset = readAsset(at, index, holders);
    index.set(asset.symbol, assets.length);
    assets.push(asset);
  }
  return { assets, index };
}

function readAsset(at: JsonAt, index: Map<string, number>, holders: Map<string, string>): Asset {
  const raw = isObject(at.value) ? at.value : at.fail('must be an object');
  const symbol = raw.symbol;
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) return at.get('symbol').fail('symbol must be upper-case letters, digits, ".", "_" or "-" (max 32)');
  if (index.has(symbol)) return at.get('symbol').fail(`asset ${symbol} is listed twice`);
  const decimals = raw.decimals;
  if (!isDecimals(decimals)) return at.get('decimals').fail(`decimals must be an integer from 0 to ${MAX_DECIMALS}`);
  const onchainAt = at.get('onchain');
  const none = raw.onchain === undefined || raw.onchain === null;
  if (!none && !Array.isArray(raw.onchain)) return onchainAt.fail('onchain must be an array');
  const onchain = none ? [] : onchainAt.array().map((of) => readOnchain(of, symbol, holders));
  const asset: Asset = { symbol, decimals, onchain };
  if (typeof raw.name === 'string') asset.name = raw.name;
  if (raw.exchangeToken === true) asset.exchangeToken = true;
  return asset;
}

function readOnchain(of: JsonAt, symbol: string, holders: Map<string, string>): OnchainAsset {
  const o = isObject(of.value) ? of.value : of.fail('must be an object');
  if (typeof o.chain !== 'string' || o.chain === '') return of.get('chain').fail('chain must be a non-empty string');
  const native = o.native === true;
  if (!native && (typeof o.contract !== 'string' || o.contract === '')) return of.fail('give "native": true or a token "contract"');
  if (native && o.contract !== undefined) return of.get('contract').fail('a native coin has no contract');
  if (!isDecimals(o.decimals)) return of.get('decimals').fail(`decimals must be an integer from 0 to ${MAX_DECIMALS}`);
  const entry: OnchainAsset = { chain: o.chain, native, decimals: o.decimals };
  if (typeof o.contract === 'string') entry.contract = o.contract;
  claimHolding(holders, entry, `${symbol} (${of.field})`, of.get(native ? 'native' : 'contract'));
  return entry;
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
function claimHolding(holders: Map<string, string>, o: OnchainAsset, where: string, field: JsonAt): void {
  const key = `${o.chain}\u0000${o.native ? 'native' : /^0x[0-9a-fA-F]{40}$/.test(o.contract!) ? o.contract!.toLowerCase() : o.contract}`;
  const first = holders.get(key);
  if (first !== undefined) {
    field.fail(`${o.native ? `the native coin of ${o.chain}` : `token contract ${o.contract} on ${o.chain}`} is already listed as ${first}: one on-chain holding can back only one asset, or its balance would count twice`);
  }
  holders.set(key, where);
}

function isDecimals(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DECIMALS;
}

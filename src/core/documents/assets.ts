// The asset registry (assets.json): `por-assets` v1, input. Its reader lives with the registry
// (src/core/assets, on the located reader); this module gives it the shape every document has. Pure.
import { inOrder, type Where } from '../json/read.js';
import { ASSETS_FORMAT, ASSETS_VERSION, parseAssetRegistry, type AssetRegistry } from '../assets/index.js';

export const FORMAT = ASSETS_FORMAT;
export const VERSION = ASSETS_VERSION;
export type { AssetRegistry };
export const FIELDS = ['format', 'version', 'assets'] as const;
export const ASSET_FIELDS = ['symbol', 'decimals', 'name', 'exchangeToken', 'onchain'] as const;
export const ONCHAIN_FIELDS = ['chain', 'native', 'contract', 'decimals'] as const;

export function read(json: unknown, where: string | Where = {}): AssetRegistry {
  return parseAssetRegistry(json, typeof where === 'string' ? where : where.file);
}

export function write(r: AssetRegistry): Record<string, unknown> {
  const assets = r.assets.map((a) => inOrder(ASSET_FIELDS, { ...a, onchain: a.onchain.map((o) => inOrder(ONCHAIN_FIELDS, o)) }));
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, assets });
}

import { readJsonFile } from '../io/node.js';
import { parseAssetRegistry, type AssetRegistry } from '../core/assets/index.js';

export async function loadAssetRegistry(file: string): Promise<AssetRegistry> {
  return parseAssetRegistry(await readJsonFile(file), file);
}

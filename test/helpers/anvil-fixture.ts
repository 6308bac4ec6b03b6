// Builds manifests and registries over the chain test/setup/anvil.ts prepared.
import { inject } from 'vitest';
import { hashMessage, SigningKey } from 'ethers';
import { parseAssetRegistry, type AssetRegistry } from '../../src/core/assets/index.js';
import { ownershipMessage, parseWalletManifest, type WalletManifest } from '../../src/reserves/index.js';

export const SNAPSHOT = { id: 'test-2026-11-24', time: '2026-11-24T00:00:00Z' };
export const EXCHANGE = 'Test Exchange';

/** The message an address on the test chain signs for `snapshot` (por's template). */
export function testMessage(address: string, snapshot = SNAPSHOT, chain = `eip155:${fixture().chainId}`): string {
  return ownershipMessage({ exchange: EXCHANGE, snapshot, chain, address });
}

export function fixture() {
  return inject('anvil');
}

/** ETH and TKB keep 8 decimals in the ledger (on-chain 18), TKA 6 as on-chain. */
export function testRegistry(over: { tkaDecimals?: number } = {}): AssetRegistry {
  const f = fixture();
  return parseAssetRegistry({
    format: 'por-assets',
    version: 1,
    assets: [
      { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
      { symbol: 'TKA', decimals: 6, onchain: [{ chain: 'ethereum', contract: f.tka, decimals: over.tkaDecimals ?? 6 }] },
      { symbol: 'TKB', decimals: 8, onchain: [{ chain: 'ethereum', contract: f.tkb, decimals: 18 }] },
    ],
  });
}

/** EIP-191 signature of `message` by `key` (synchronous, 0x r‖s‖v). */
export function sign(key: string, message: string): string {
  return new SigningKey(key).sign(hashMessage(message)).serialized;
}

export interface EntryJson {
  chain: string;
  address: string;
  label: string;
  assets: string[];
  ownership?: { message: string; signature: string };
}

/** Every funded wallet (and the contract wallet), each signing this snapshot's message. */
export function goodEntries(): EntryJson[] {
  const f = fixture();
  const out: EntryJson[] = f.wallets.map((w, i) => {
    const message = testMessage(w.address);
    return { chain: 'ethereum', address: w.address, label: `hot-${i}`, assets: ['ETH', 'TKA', 'TKB'], ownership: { message, signature: sign(w.key, message) } };
  });
  const cw = f.contractWallet;
  const message = testMessage(cw.address);
  out.push({ chain: 'ethereum', address: cw.address, label: 'custody (EIP-1271)', assets: ['ETH', 'TKA'], ownership: { message, signature: sign(cw.ownerKey, message) } });
  return out;
}

export function manifestJson(entries: EntryJson[], chainId = fixture().chainId) {
  return { format: 'por-wallets', version: 2, exchange: EXCHANGE, snapshot: SNAPSHOT, chains: [{ name: 'ethereum', kind: 'evm', chainId }], addresses: entries };
}

export function manifest(entries: EntryJson[], registry: AssetRegistry, chainId?: number): WalletManifest {
  return parseWalletManifest(manifestJson(entries, chainId), 'wallets.json', registry);
}

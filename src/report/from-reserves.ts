// Turns the reserves stage's result (src/reserves) into the report's chains and addresses. Pure.
import { porError } from '../core/errors/index.js';
import type { ReservesResult, WalletManifest } from '../reserves/index.js';
import type { AddressInput } from './assemble.js';
import type { ReportChain } from '../core/report/types.js';

export function chainsFromReserves(result: ReservesResult): ReportChain[] {
  const used = new Set(result.addresses.map((a) => a.chain));
  return result.chains
    .filter((c) => used.has(c.name))
    .map((c) => {
      if (c.error !== undefined || c.block === undefined) {
        throw porError('NETWORK', `chain ${c.name} could not be read: ${c.error ?? 'no block pinned'}; the report would be incomplete`, { chain: c.name });
      }
      const out: ReportChain = {
        chain: c.name,
        id: c.id,
        kind: c.kind,
        block: { number: c.block.number.toString(), hash: c.block.hash, time: new Date(c.block.timestamp * 1000).toISOString() },
      };
      if (c.chainId !== undefined) out.chainId = String(c.chainId);
      if (c.network !== undefined) out.network = c.network;
      return out;
    });
}

/** Every address read, with its balances and proof; a repeated entry is listed once. */
export function addressesFromReserves(result: ReservesResult, manifest: WalletManifest): AddressInput[] {
  const out: AddressInput[] = [];
  for (const a of result.addresses) {
    if (a.duplicateOf !== undefined) continue;
    const entry = manifest.addresses[a.index];
    const proof = entry?.ownership;
    const balances = a.balances.map((b) => {
      if (b.balance === undefined) {
        throw porError('NETWORK', `balance of ${b.asset} could not be read: ${b.error ?? 'unknown error'}; the report would be incomplete`, { chain: a.chain, address: a.address });
      }
      return { asset: b.asset, source: b.contract ?? 'native', units: b.balance, decimals: b.decimals };
    });
    const item: AddressInput = {
      chain: a.chain,
      address: a.address,
      balances,
      ownership: proof
        ? { scheme: a.ownership.scheme ?? proof.scheme ?? 'unknown', message: proof.message, signature: proof.signature, valid: a.ownership.status === 'proven', reason: a.ownership.reason }
        : null,
      counted: a.counted,
    };
    if (a.label) item.label = a.label;
    out.push(item);
  }
  return out;
}

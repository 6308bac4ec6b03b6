// reserves.json ("por-reserves" v1): the reserves result as a document. Amounts are decimal
// strings of base units plus a human decimal; block numbers are strings (they outgrow 2^53 on
// some chains' timestamps-as-heights). See docs/FORMATS.md.
import { formatAmount } from '../money/index.js';
import type { ReservesResult } from './types.js';

export const RESERVES_FORMAT = 'por-reserves';
export const RESERVES_VERSION = 1;

export function reservesDocument(r: ReservesResult, generatedAt: Date = new Date()) {
  const blockOf = new Map(r.chains.filter((c) => c.block).map((c) => [c.name, c.block!.number.toString()]));
  return {
    format: RESERVES_FORMAT,
    version: RESERVES_VERSION,
    snapshot: r.snapshot,
    generatedAt: generatedAt.toISOString(),
    includeUnproven: r.includeUnproven,
    chains: r.chains.map((c) => ({
      name: c.name,
      kind: c.kind,
      ...(c.chainId !== undefined ? { chainId: c.chainId } : {}),
      ...(c.network !== undefined ? { network: c.network } : {}),
      ...(c.block
        ? { block: { number: c.block.number.toString(), hash: c.block.hash, timestamp: c.block.timestamp, time: new Date(c.block.timestamp * 1000).toISOString() } }
        : {}),
      ...(c.error !== undefined ? { error: c.error } : {}),
    })),
    addresses: r.addresses.map((a) => ({
      chain: a.chain,
      address: a.address,
      label: a.label,
      // The block these balances were read at (the chain's pinned block), repeated for convenience.
      ...(blockOf.get(a.chain) !== undefined ? { block: blockOf.get(a.chain) } : {}),
      ownership: a.ownership,
      ...(a.duplicateOf !== undefined ? { duplicateOf: a.duplicateOf } : {}),
      counted: a.counted,
      ...(a.unprovenCounted ? { unprovenCounted: true } : {}),
      balances: a.balances.map((b) => ({
        asset: b.asset,
        ...(b.contract !== undefined ? { contract: b.contract } : {}),
        decimals: b.decimals,
        ...(b.balance !== undefined ? { balance: b.balance.toString(), amount: formatAmount(b.balance, b.decimals) } : {}),
        ...(b.error !== undefined ? { error: b.error } : {}),
      })),
    })),
    totals: r.totals.map((t) => ({
      asset: t.asset,
      decimals: t.decimals,
      balance: t.balance.toString(),
      amount: formatAmount(t.balance, t.decimals),
      addresses: t.addresses,
      complete: t.complete,
      unprovenIncluded: t.unprovenIncluded.toString(),
      unprovenExcluded: t.unprovenExcluded.toString(),
    })),
  };
}

export type ReservesDocument = ReturnType<typeof reservesDocument>;

// reserves.json ("por-reserves" v2): the reserves result as a document. Amounts are decimal
// strings of base units plus a human decimal; block numbers are strings (they outgrow 2^53 on
// some chains' timestamps-as-heights). See docs/FORMATS.md.
import { formatAmount } from '../money/index.js';
import type { ReservesResult } from './types.js';

export const RESERVES_FORMAT = 'por-reserves';
/** v2: unread addresses are marked (`unread`, `ownership.nodeError`) and a total with any unread
 *  address has no `balance`/`amount`, only `complete: false` and the `unread` list (v1 wrote the
 *  partial sum, e.g. "0" for a chain that could not be read). */
export const RESERVES_VERSION = 2;

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
      ...(a.unread ? { unread: true } : {}),
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
      // A sum missing unread addresses is not the reserves: no figure at all rather than a wrong one.
      ...(t.complete ? { balance: t.balance.toString(), amount: formatAmount(t.balance, t.decimals) } : {}),
      addresses: t.addresses,
      complete: t.complete,
      ...(t.unread.length ? { unread: t.unread } : {}),
      unprovenIncluded: t.unprovenIncluded.toString(),
      unprovenExcluded: t.unprovenExcluded.toString(),
    })),
  };
}

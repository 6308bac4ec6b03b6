// Result types of the reserves stage, shared by readers, the CLI, the report and the audit.
import type { BitcoinNetwork } from './identity.js';

/** The two chain families por reads. */
export type ChainKind = 'evm' | 'bitcoin';

export interface BlockRef {
  number: bigint;
  hash: string;
  /** Unix seconds, as the block header says. */
  timestamp: number;
}

export interface ChainResult {
  name: string;
  kind: ChainKind;
  /** What the chain is (CAIP-2, e.g. eip155:1): names are labels, this is what compares. */
  id: string;
  chainId?: number;
  network?: BitcoinNetwork;
  /** The pinned block; absent when the chain could not be read at all. */
  block?: BlockRef;
  /** Why this chain could not be read (node down, wrong chain id, block not served…). */
  error?: string;
}

export interface OwnershipResult {
  /** proven: the signature checks out for this snapshot; failed: it does not (reason says why);
   *  unchecked: por could not check it (this kind of signature, or a node fault: see nodeError);
   *  accepts-anything: a contract wallet whose isValidSignature also accepted a random hash with a
   *  junk signature, so its "yes" proves nothing. Only "proven" counts by default. */
  status: 'proven' | 'failed' | 'unchecked' | 'accepts-anything';
  scheme?: string;
  reason: string;
  /** Unchecked because a node call failed (eth_getCode error, eth_call answering 0x, timeout,
   *  chain not read): not a verdict on the signature, so the address can be neither counted nor
   *  left out; it blocks every verdict (exit 2). */
  nodeError?: true;
}

export interface AddressBalance {
  asset: string;
  /** On-chain decimals of this asset on this chain. */
  decimals: number;
  contract?: string;
  /** On-chain base units at the pinned block; absent when it could not be read (see error). */
  balance?: bigint;
  error?: string;
}

export interface AddressResult {
  chain: string;
  address: string;
  label: string;
  /** Position in the manifest's addresses array. */
  index: number;
  ownership: OwnershipResult;
  /** Set when this entry repeats an earlier one (its index); it is not read or counted again. */
  duplicateOf?: number;
  /** Whether this address's balances count in the totals. */
  counted: boolean;
  /** Some balance of it could not be read (that asset's total is incomplete), or its ownership could
   *  not be checked for a node fault (all its assets' totals are incomplete): see AssetTotal.unread. */
  unread?: true;
  /** Counted although its ownership is not proven (--include-unproven). */
  unprovenCounted?: boolean;
  balances: AddressBalance[];
}

export interface AssetTotal {
  asset: string;
  /** Ledger decimals (from the registry): totals are truncated per address to this precision. */
  decimals: number;
  /** Sum over counted addresses, ledger base units. */
  balance: bigint;
  /** Part of `balance` from addresses whose ownership is not proven (only with --include-unproven). */
  unprovenIncluded: bigint;
  /** Held at addresses whose ownership failed and that were left out (ledger base units). */
  unprovenExcluded: bigint;
  /** Addresses contributing to `balance`. */
  addresses: number;
  /** False when some address's balance of this asset could not be read, or its ownership could
   *  not be checked for a node fault (listed in `unread`): `balance` is then NOT the reserves. */
  complete: boolean;
  /** Addresses holding this asset that could not be read or checked, with the error. */
  unread: UnreadBalance[];
}

export interface UnreadBalance {
  chain: string;
  address: string;
  error: string;
}

export interface ReservesResult {
  snapshot: { id: string; time: string };
  chains: ChainResult[];
  addresses: AddressResult[];
  totals: AssetTotal[];
  includeUnproven: boolean;
}

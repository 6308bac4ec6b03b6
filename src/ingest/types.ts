// The contract between ingest and the stages that consume it (solvency, merkle).

export const ACCOUNT_TYPES = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const ACCOUNT_MODES = ['simple', 'single-currency-margin', 'multi-currency-margin'] as const;
export type AccountMode = (typeof ACCOUNT_MODES)[number];

/** One user's position after summing their sub-accounts. */
export interface UserBalances {
  userId: string;
  mode: AccountMode;
  /**
   * Net balance per asset, in ledger base units, indexed like the asset registry
   * (`registry.assets[i]`). Negative means the user owes that asset (margin debt).
   * The Merkle leaf commits equity = max(net, 0) and debt = max(-net, 0) per asset.
   */
  net: bigint[];
}

/**
 * Users by index (0 … count − 1, first-seen order), for the tree builder's fast path: `encode`
 * writes user i's UTF-8 id at ids[at..] and its sums into a zeroed leaf record at `base` (layout of
 * docs/SPEC.md, Leaves) and returns the id's byte length, or −1 when that user must be read through
 * `user(i)` instead (a non-ASCII id, a net past int64).
 */
export interface UserEncoder {
  count: number;
  encode(i: number, ids: Uint8Array, at: number, dv: DataView, base: number): number;
  user(i: number): UserBalances;
  /** Every user net fits int64 (none spilled to the exact table): `encodeNets` may be used. */
  narrow?: boolean;
  /**
   * The compact form of `encode` (src/merkle/leaves.ts): user i's id at ids[at..] and asset a's net
   * as an int64 in words[word + 2a] (low) and words[word + 2a + 1] (high), zeroed by the caller.
   * Same return value; only when `narrow`.
   */
  encodeNets?(i: number, ids: Uint8Array, at: number, words: Int32Array, word: number): number;
}

/**
 * The ids a reading has met so far, in first-seen order (users and exchange-owned accounts), for a
 * consumer that works on them while the file is still being read (src/merkle/early.ts: salts and
 * user hashes). Users, in this order, are the tree's input order (UserEncoder's indexes).
 */
export interface SeenIds {
  /** Ids met so far; id u < seen() is fixed once met. */
  seen(): number;
  /** Whether id u is a user (not an exchange-owned account): known from its first row. */
  isUser(u: number): boolean;
  /** Id u's UTF-8 bytes written at dst[at..] (room for 3 · 1,024 bytes needed); returns their count. */
  idUtf8(u: number, dst: Uint8Array, at: number): number;
}

/** Told by the snapshot reader what it has met, as it reads (ReadOptions.watcher). */
export interface ReadWatcher {
  /** A reading starts, into a fresh table `ids` grows in. */
  start(ids: SeenIds): void;
  /** Between chunks of the file: ids met since the last call may be handed on. */
  poll(): void;
  /** The reading that started failed or starts over: everything made from its ids is dropped. */
  drop(): void;
  /** Every row is read (the totals are made next): every id is met, the last chunk may go too. */
  readOver?(): void;
}

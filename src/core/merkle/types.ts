// Documents the Merkle stage writes (docs/FORMATS.md describes each). Pure types and constants.

export const ROOT_FORMAT = 'por-root';
export const ROOT_VERSION = 1;
export const PROOF_FORMAT = 'por-proof';
export const PROOF_VERSION = 1;
export const STORE_FORMAT = 'por-proof-store';
export const STORE_VERSION = 2;

export interface RootSum {
  asset: string;
  /** Σ equity over all leaves, decimal text at the asset's ledger decimals. */
  equity: string;
  /** Σ debt over all leaves, decimal text. */
  debt: string;
  /** The same in base units (integer text): what the root hash commits to. */
  equityUnits: string;
  debtUnits: string;
}

/** The published root; report.json embeds exactly this as `merkleRoot`. */
export interface MerkleRoot {
  snapshotId: string;
  height: number;
  leafCount: number;
  hashFunction: 'sha256';
  /** Root hash, 64 lower-case hex digits. */
  hash: string;
  assets: { symbol: string; decimals: number }[];
  sums: RootSum[];
}

/** root.json */
export interface RootDocument extends MerkleRoot {
  format: typeof ROOT_FORMAT;
  version: typeof ROOT_VERSION;
}

/**
 * A leaf record in the proof store's leaves.bin: "full" is the SPEC's record (hash ‖ per asset
 * 128-bit equity ‖ debt, recordSize bytes); "compact" is hash ‖ per asset the net as an int64
 * little-endian (32 + 8·assets bytes), written when every net fits int64 and expanded to the full
 * record by every reader.
 */
export type LeafRecordLayout = 'full' | 'compact';

/** private/store.json: what the proof store holds; the binary files are described in FORMATS.md. */
export interface StoreMeta {
  format: typeof STORE_FORMAT;
  /** 2 is written; 1 (no leafRecord: leaves.bin holds full records) is still read. */
  version: 1 | 2;
  /** Bytes of a node record (levels.bin): 32 + 32·assets. */
  recordSize: number;
  /** What leaves.bin holds (version 1: always "full"). */
  leafRecord: LeafRecordLayout;
  /** Bytes of one record in leaves.bin: recordSize when full, 32 + 8·assets when compact. */
  leafRecordSize: number;
  /** Records per level, level 0 (leaves) to `height` (root). */
  levelCounts: number[];
  /** levels.bin holds levels storedFrom … height; lower levels are recomputed from leaves.bin. */
  storedFrom: number;
  root: MerkleRoot;
}

export interface ProofBalance {
  asset: string;
  /** Decimal text at the asset's decimals. */
  equity: string;
  debt: string;
  /** Base units (integer text): what the leaf commits to. */
  equityUnits: string;
  debtUnits: string;
}

export interface ProofStep {
  /** Where the sibling sits: "left" means H(sibling ‖ ours), "right" means H(ours ‖ sibling). */
  side: 'left' | 'right';
  hash: string;
  /** Sibling sums in base units (integer text), one per asset, in `assets` order. */
  equity: string[];
  debt: string[];
}

/** A user's inclusion proof: everything needed to recompute the root, nothing else. */
export interface ProofDocument {
  format: typeof PROOF_FORMAT;
  version: typeof PROOF_VERSION;
  hashFunction: 'sha256';
  snapshotId: string;
  height: number;
  assets: { symbol: string; decimals: number }[];
  user: {
    id: string;
    /** 32 bytes, hex: HMAC-SHA256(secret, snapshot id ‖ user id). */
    salt: string;
    /** H("por.user" ‖ 0x01 ‖ id ‖ salt), hex. */
    hash: string;
    balances: ProofBalance[];
    /** The leaf's sums field exactly as hashed: per asset equity ‖ debt, 16 bytes each, hex. */
    encoded: string;
  };
  leaf: { position: number; hash: string };
  /** Siblings from the leaf's level up to the root's children: exactly `height` steps. */
  path: ProofStep[];
  root: { hash: string; equity: string[]; debt: string[] };
}

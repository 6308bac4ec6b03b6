// The verdict every verifier returns (por's own proofs and foreign formats alike), so the CLI and
// the web page print them the same way. Pure types.

import type { Check } from '../checks/index.js';

/** A verifier's check (the one check vocabulary: src/core/checks). */
export type { Check } from '../checks/index.js';

export interface AssetAmount {
  asset: string;
  /** Decimal text, exact (e.g. "1.50000000"). */
  amount: string;
  /** The user's debt in this asset, when the format carries it. */
  debt?: string;
}

export interface Verdict {
  valid: boolean;
  /** "por", "okx-v1", "okx-user", … */
  format: string;
  checks: Check[];
  /** Limits of the scheme the user should know, even when valid. */
  warnings: string[];
  user: { id?: string; balances: AssetAmount[] };
  root: { hash: string; sums: AssetAmount[]; height?: number; snapshotId?: string };
  /**
   * Optional: the walk from the user's leaf up to the root, one entry per level, lowest first, so
   * the web page (and `--json` readers) can show it. Verifiers that do not fill it stay valid.
   */
  path?: PathStep[];
}

/** One level of the walk from leaf to root. */
export interface PathStep {
  /** Height of the node this step produces (1 = the leaf's parent). */
  level: number;
  /** Which side the sibling sits on: 'left' means sibling ‖ ours, 'right' means ours ‖ sibling. */
  side: 'left' | 'right';
  /** The sibling's hash, hex, as given in the proof. */
  hash: string;
  /** The sibling's per-asset sums, when the scheme carries them. */
  sums?: AssetAmount[];
  /** The node hash the verifier computed at this level (the last one is the computed root). */
  computed?: string;
}

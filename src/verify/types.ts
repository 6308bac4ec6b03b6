// The verdict every verifier returns (por's own proofs and foreign formats alike), so the CLI and
// the web page print them the same way. Pure types.

export interface Check {
  /** Stable, machine-readable name, e.g. "leaf-hash", "root-sums", "sibling-sum-non-negative". */
  name: string;
  ok: boolean;
  /** One plain sentence of evidence: what was compared with what. */
  detail: string;
}

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
}

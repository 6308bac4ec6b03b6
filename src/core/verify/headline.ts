// What a proof's verdict may claim, shared by `por verify` and verify.html so both say the same.
// A file that ties to no published root (OKX's per-user breakdown: its "root" is the user's own
// hash) can be consistent, but it is not checked against anything the exchange published: neither
// a green "checks out" nor exit 0, which means "everything checked holds" — it is "not checked"
// (exit 2), in these words. Pure.
import type { Verdict } from './types.js';

export const NOT_TIED_TITLE = 'consistent; not checked against any published root';

/**
 * The sentence for a verdict that holds but ties to no published root, or null when the verdict
 * is about a root (or failed: a failure is a failure whatever the format).
 */
export function notTiedToRoot(v: Verdict): string | null {
  if (!v.valid || v.format !== 'okx-user') return null;
  return (
    `the OKX breakdown of user hash ${v.user.id ?? v.root.hash} is ${NOT_TIED_TITLE}: its nodes hash correctly and add up to its total, ` +
    "but the file holds no tree root to compare with OKX's published one. Check your path proof (merkle_proof_file.json) against the published root, " +
    'or this file with the full tree (--tree full-liabilities-merkle-tree.txt)'
  );
}

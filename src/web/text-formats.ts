// The text formats `por verify` reads (whole published trees and liabilities files), read by the
// page through the SAME core functions the CLI calls (src/cli/commands/verify.ts): recognised by
// their first line, never by the file name.
import { looksLikeOkxTree, verifyOkxTree } from '../core/formats/okx-tree.js';
import { looksLikeBitmexTree, verifyBitmexTree } from '../core/formats/bitmex.js';
import { looksLikeSummaCsv, verifySumma } from '../core/formats/summa.js';
import { withPublishedRootHash } from '../core/verify/any.js';
import { isObject } from '../core/json/index.js';
import type { Verdict } from '../core/verify/types.js';

export type TextFormat = 'bitmex-tree' | 'summa-v1' | 'okx-tree';

/** The CLI's order: BitMEX, then Summa, then OKX's tree. */
export function detectTextFormat(text: string): TextFormat | undefined {
  if (looksLikeBitmexTree(text)) return 'bitmex-tree';
  if (looksLikeSummaCsv(text)) return 'summa-v1';
  if (looksLikeOkxTree(text)) return 'okx-tree';
  return undefined;
}

/** Summa's commitment_solidity_calldata.json: root_hash and root_balances. */
export function looksLikeSummaCommitment(json: unknown): boolean {
  return isObject(json) && 'root_hash' in json && 'root_balances' in json;
}

/** A BitMEX account as the user types it; the same rules as `--account N --nonce HEX`. */
export function bitmexAccount(account: string, nonce: string): { account: bigint; nonce: string } | { message: string } | undefined {
  const a = account.trim();
  const n = nonce.trim().replace(/^0x/i, '');
  if (a === '' && n === '') return undefined;
  if (a === '' || n === '') return { message: 'The account number and the nonce go together: enter both (or neither, to check the whole tree only).' };
  if (!/^\d{1,20}$/.test(a)) return { message: `The account number is digits only; got “${a}”.` };
  return { account: BigInt(a), nonce: n };
}

/** BitMEX's whole tree, with the user's account when given (verifyBitmexTree, as the CLI). */
export function verifyBitmexText(text: string, name: string, who: { account: bigint; nonce: string } | undefined): Verdict {
  return verifyBitmexTree(text, who, name);
}

/** Summa v1: the CSV against the commitment and/or a pasted root (verifySumma, as the CLI). */
export function verifySummaText(text: string, name: string, commitment: unknown, rootHash: string | undefined): Verdict {
  const published: { commitment?: unknown; rootHash?: string } = {};
  if (commitment !== undefined) published.commitment = commitment;
  if (rootHash !== undefined) published.rootHash = rootHash;
  return verifySumma(text, published, name);
}

/** OKX's full tree, alone or with the user's user_info_file.json (verifyOkxTree, as the CLI). */
export function verifyOkxTreeText(treeText: string, treeName: string, user: unknown, rootHash: string | undefined): Verdict {
  return withPublishedRootHash(verifyOkxTree(treeText, user, treeName), rootHash);
}

// BitMEX's published liabilities tree (BitMEX/proof-of-reserves-liabilities, MPL-2.0): first line
// `block_height:N`, then `hex_digest,sats` per node, root first, each level left to right, the
// leaves a power of two. Each child's value is committed separately:
//   node = SHA-256(left.digest ‖ u64le(left.sats) ‖ right.digest ‖ u64le(right.sats)), sats summed;
//   leaf = HMAC-SHA256(key = sub_nonce, u64le(sats) ‖ u64le(leaf_index)),
//   sub_nonce = SHA-256(account_nonce ‖ u64le(block_height) ‖ u64le(account)).
// An account's balance is split over several leaves; por finds them all with the account number
// and nonce, adds them up, and recomputes EVERY parent (BitMEX's validator only walks the user's
// paths). Pure: the web page can bundle it.
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { porError } from '../errors/index.js';
import { formatAmount } from '../money/index.js';
import type { Check, Verdict } from '../verify/types.js';

const U64_MAX = (1n << 64n) - 1n;

export interface BitmexNode {
  line: number;
  digest: string;
  sats: bigint;
}

export interface BitmexTree {
  blockHeight: bigint;
  /** levels[0] = the leaves, last = [root]; each left to right. */
  levels: BitmexNode[][];
}

export function looksLikeBitmexTree(text: string): boolean {
  return /^\ufeff?block_height:\d+\s*$/.test(text.split(/\r?\n/, 1)[0] ?? '');
}

function u64le(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

function readNode(l: string, line: number, file?: string): BitmexNode {
  const m = /^([0-9a-f]{64}),(\d+)$/.exec(l.trim());
  if (!m) throw porError('BAD_INPUT', 'not a tree node: expected hex_digest (64 lower-case hex),sats', { file, line, column: 1 });
  const sats = BigInt(m[2] as string);
  if (sats > U64_MAX) throw porError('BAD_INPUT', `${m[2]} sats does not fit the 64-bit field BitMEX hashes`, { file, line, column: 66, field: 'sats' });
  return { line, digest: m[1] as string, sats };
}

/** Reads the tree; a malformed line, or levels that do not make a full binary tree, are exit-2 errors. */
export function parseBitmexTree(text: string, file?: string): BitmexTree {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const head = /^block_height:(\d+)\s*$/.exec(lines[0] ?? '');
  if (!head) throw porError('BAD_INPUT', 'the first line must be block_height:N', { file, line: 1, column: 1 });
  const blockHeight = BigInt(head[1] as string);
  if (blockHeight > U64_MAX) throw porError('BAD_INPUT', 'block height does not fit 64 bits', { file, line: 1, column: 14 });
  const nodes = lines.slice(1).flatMap((l, i) => (l.trim() === '' ? [] : [readNode(l, i + 2, file)]));
  const levels: BitmexNode[][] = [];
  let at = 0;
  for (let size = 1; at < nodes.length; size *= 2) {
    if (at + size > nodes.length) throw porError('BAD_INPUT', `the last level has ${nodes.length - at} nodes; a full level here has ${size} (BitMEX's leaves are a power of two)`, { file, line: nodes[at]!.line, column: 1 });
    levels.unshift(nodes.slice(at, at + size));
    at += size;
  }
  if (levels.length === 0) throw porError('BAD_INPUT', 'the tree has no nodes', { file, line: 2, column: 1 });
  return { blockHeight, levels };
}

function parentOf(l: BitmexNode, r: BitmexNode): { digest: string; sats: bigint } {
  const digest = bytesToHex(sha256(concatBytes(hexToBytes(l.digest), u64le(l.sats), hexToBytes(r.digest), u64le(r.sats))));
  return { digest, sats: l.sats + r.sats };
}

/** Every parent from its two children: digests and sums (a sum past 64 bits is a failure). */
function treeChecks(t: BitmexTree): Check[] {
  const hashErr: string[] = [];
  const sumErr: string[] = [];
  let parents = 0;
  for (let h = 1; h < t.levels.length; h++) {
    t.levels[h]!.forEach((p, i) => {
      const [l, r] = [t.levels[h - 1]![2 * i]!, t.levels[h - 1]![2 * i + 1]!];
      const want = parentOf(l, r);
      parents++;
      if (want.digest !== p.digest) hashErr.push(`line ${p.line}: SHA-256 of lines ${l.line} and ${r.line} with their values is ${want.digest}, the file says ${p.digest}`);
      if (want.sats !== p.sats) sumErr.push(`line ${p.line}: ${l.sats} + ${r.sats} = ${want.sats} sats, the file says ${p.sats}`);
      else if (want.sats > U64_MAX) sumErr.push(`line ${p.line}: ${want.sats} sats overflows 64 bits`);
    });
  }
  return [
    { name: 'parent-hashes', ok: hashErr.length === 0, detail: hashErr.length === 0 ? `all ${parents} parents recompute from their children's digests and values` : hashErr.join('; ') },
    { name: 'parent-sums', ok: sumErr.length === 0, detail: sumErr.length === 0 ? `all ${parents} parents hold their children's sum; the root's total is ${t.levels[t.levels.length - 1]![0]!.sats} sats` : sumErr.join('; ') },
  ];
}

/** SHA-256(account_nonce ‖ u64le(block_height) ‖ u64le(account)): the HMAC key of the account's leaves. */
export function bitmexSubNonce(accountNonce: string, blockHeight: bigint, account: bigint): Uint8Array {
  return sha256(concatBytes(hexToBytes(accountNonce), u64le(blockHeight), u64le(account)));
}

/** The account's leaves: those whose digest is the HMAC of their own value and index under the sub-nonce. */
export function bitmexAccountLeaves(t: BitmexTree, subNonce: Uint8Array): { index: number; node: BitmexNode }[] {
  return t.levels[0]!.flatMap((node, index) => (bytesToHex(hmac(sha256, subNonce, concatBytes(u64le(node.sats), u64le(BigInt(index))))) === node.digest ? [{ index, node }] : []));
}

const btc = (sats: bigint) => formatAmount(sats, 8);

export const BITMEX_WARNINGS = [
  "BitMEX's parents commit to each child's value separately, so a sibling cannot be shown with a made-up sum (the totals-only forgery of ePrint 2018/1139 does not apply); por recomputed every parent of the whole tree.",
  'The tree says nothing of accounts left out of it; accounts with a zero balance have no leaf. It is BTC only, and it is liabilities only: reserves are a separate proof.',
  'Your balance is split over several leaves at random positions: the leaves found with your nonce are yours, but anyone holding your nonce can find them too — keep it private.',
];

export interface BitmexAccount {
  account: bigint;
  /** The account nonce, 64 hex digits, as BitMEX gives it to the user. */
  nonce: string;
}

/** Verifies the whole tree and, given an account and its nonce, finds and adds up its leaves. */
export function verifyBitmexTree(text: string, who?: BitmexAccount, file?: string): Verdict {
  const t = parseBitmexTree(text, file);
  const root = t.levels[t.levels.length - 1]![0]!;
  const checks = treeChecks(t);
  const verdict: Verdict = { valid: false, format: 'bitmex-tree', checks, warnings: [...BITMEX_WARNINGS], user: { balances: [] }, root: { hash: root.digest, sums: [{ asset: 'BTC', amount: btc(root.sats) }], height: t.levels.length, snapshotId: `block ${t.blockHeight}` } };
  if (who) {
    if (!/^[0-9a-fA-F]{64}$/.test(who.nonce)) throw porError('BAD_USAGE', 'the account nonce must be 64 hex digits', { field: 'nonce' });
    const leaves = bitmexAccountLeaves(t, bitmexSubNonce(who.nonce.toLowerCase(), t.blockHeight, who.account));
    const total = leaves.reduce((a, l) => a + l.node.sats, 0n);
    checks.push({ name: 'account-leaves', ok: leaves.length > 0, detail: leaves.length > 0
      ? `${leaves.length} leaves of account ${who.account} (indexes ${leaves.map((l) => l.index).join(', ')}: ${leaves.map((l) => `${l.node.sats}`).join(' + ')} sats) = ${total} sats`
      : `no leaf of the tree is account ${who.account}'s under this nonce at block ${t.blockHeight}: the account is not in the tree (or the nonce or account number is wrong)` });
    verdict.user = { id: `account ${who.account}`, balances: [{ asset: 'BTC', amount: btc(total) }] };
  } else {
    verdict.warnings.push('No account was given: the tree is consistent, but no balance of yours was looked for in it (give --account N --nonce HEX).');
  }
  verdict.valid = checks.every((c) => c.ok);
  return verdict;
}

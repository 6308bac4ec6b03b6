// OKX's user proof formats, checked by OKX's own rules exactly (see docs/OKX.md):
//  - okx-v1: `self` (the user's leaf) and `path` (siblings, root last), 2022 scheme;
//  - okx-user: a user's breakdown into sub-account nodes (`hash`, `nodes`, `totalBalances`).
// Pure: no Node builtins, so the web page bundles this module.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { JsonAt } from '../json/read.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../verify/types.js';
import { addDec, cmpDec, decAt, formatDec, okxSum, parseDec, type Dec } from './okx-decimal.js';
import { isObject } from '../json/index.js';

/** The three assets of OKX's 2022 tree, in the order its hashes write them. */
export const OKX_ASSETS = ['BTC', 'ETH', 'USDT'] as const;
export type OkxBalances = Record<(typeof OKX_ASSETS)[number], string>;

/** Said with every OKX verdict: what a valid proof under these rules does not show. */
export const OKX_TOTALS_ONLY_WARNING =
  "OKX's scheme commits each parent to its children's TOTAL only, not to each child's sums. " +
  'An exchange can show each user a sibling of (parent − user) and so leave balances out of the root total ' +
  '(sibling-sum forgery, ePrint 2018/1139). A proof that is valid under these rules is not evidence against that.';

export function okxDepthWarning(levels: number): string {
  return `The proof has ${levels} levels: the tree holds at most 2^${Math.max(levels - 1, 0)} leaves, so its length reveals roughly how many accounts OKX has; sibling sums reveal the totals of neighbouring accounts.`;
}

export const OKX_BREAKDOWN_WARNING =
  'This breakdown only shows that your total splits into these sub-account nodes. It does not tie them to a published root: ' +
  'that needs a path proof for each node, which this file does not contain. ' +
  "OKX's tree commits parents to totals only (ePrint 2018/1139), so even with path proofs a sibling-sum forgery is not excluded.";

const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

/** Leaf text: nonce ‖ {"BTC":"…","ETH":"…","USDT":"…"} with the amounts exactly as written. */
export function okxBalancesJson(b: OkxBalances): string {
  return `{"BTC":"${b.BTC}","ETH":"${b.ETH}","USDT":"${b.USDT}"}`;
}

export function okxLeafHash(nonce: string, b: OkxBalances): string {
  return sha256Hex(nonce + okxBalancesJson(b));
}

/** Parent hash: left ‖ right ‖ BTC ‖ ETH ‖ USDT ‖ height, sums as OKX's canonical 8-decimal text. */
export function okxParentHash(left: string, right: string, sums: OkxBalances, height: number): string {
  return sha256Hex(`${left}${right}${sums.BTC}${sums.ETH}${sums.USDT}${height}`);
}

export function okxAddBalances(a: OkxBalances, b: OkxBalances): OkxBalances {
  return { BTC: okxSum(a.BTC, b.BTC), ETH: okxSum(a.ETH, b.ETH), USDT: okxSum(a.USDT, b.USDT) };
}

// ---------------------------------------------------------------------------------------------
// Reading the JSON: malformed structure is bad input (exit 2); wrong values are failed checks.

const HEX64 = /^[0-9a-f]{64}$/;

function readBalances(at: JsonAt): OkxBalances {
  if (!isObject(at.value)) at.fail('must be an object with BTC, ETH and USDT');
  const out = {} as OkxBalances;
  for (const a of OKX_ASSETS) {
    out[a] = decAt(at.get(a));
  }
  return out;
}

const readHash = (at: JsonAt): string => at.string(HEX64, '64 lower-case hex digits');

function readInt(at: JsonAt): number {
  if (typeof at.value !== 'number' || !Number.isSafeInteger(at.value)) at.fail('must be an integer');
  return at.value as number;
}

/** Non-empty text: a leaf's or a breakdown's nonce. */
function readNonce(at: JsonAt, what: string): string {
  if (typeof at.value !== 'string' || at.value === '') at.fail(`${what} needs its nonce`);
  return at.value as string;
}

interface V1Node {
  hash: string;
  balances: OkxBalances;
  type: number;
  height: number;
  nonce?: string;
  auditId?: string;
}

function readNode(at: JsonAt, leaf: boolean): V1Node {
  const v = at.object();
  const node: V1Node = { hash: readHash(at.get('hash')), balances: readBalances(at.get('balances')), type: readInt(at.get('type')), height: readInt(at.get('height')) };
  if (leaf) node.nonce = readNonce(at.get('nonce'), 'the leaf');
  if (typeof v.auditId === 'string') node.auditId = v.auditId;
  return node;
}

const amounts = (b: OkxBalances): AssetAmount[] => OKX_ASSETS.map((asset) => ({ asset, amount: b[asset] }));

function negatives(b: OkxBalances): string[] {
  return OKX_ASSETS.filter((a) => b[a].startsWith('-') && parseDec(b[a]).units !== 0n);
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

// ---------------------------------------------------------------------------------------------

interface V1Proof {
  self: V1Node;
  /** Every `path` entry, the root last. */
  entries: V1Node[];
  root: V1Node;
  siblings: V1Node[];
}

function readV1Proof(json: unknown): V1Proof {
  const doc = JsonAt.root(json);
  if (!isObject(json)) doc.fail('an OKX path proof must be a JSON object with "self" and "path"');
  const self = readNode(doc.get('self'), true);
  const path = doc.get('path');
  if (!Array.isArray(path.value) || path.value.length < 2) path.fail('must list the siblings and, last, the root');
  const entries = path.array().map((p) => readNode(p, false));
  const root = entries[entries.length - 1] as V1Node;
  return { self, entries, root, siblings: entries.slice(0, -1) };
}

function leafHashCheck(self: V1Node): Check {
  const leaf = okxLeafHash(self.nonce ?? '', self.balances);
  return check('leaf-hash', leaf === self.hash, leaf === self.hash
    ? `SHA-256(nonce ‖ balances JSON) = ${leaf}, as in the file`
    : `SHA-256(nonce ‖ balances JSON) = ${leaf}, but the file says ${self.hash}`);
}

/**
 * OKX's rules on types: the leaf is 1 (left) or 2 (right), its first sibling the other side;
 * siblings are 1, 2 or 4 (4: the node paired with itself at an odd level).
 */
function nodeTypesCheck(self: V1Node, siblings: V1Node[]): Check {
  const typeProblems: string[] = [];
  if (self.type !== 1 && self.type !== 2) typeProblems.push(`self.type is ${self.type}, not 1 or 2`);
  if (siblings[0] && siblings[0].type === self.type) typeProblems.push(`self and path[0] are both type ${self.type}: both on the same side`);
  siblings.forEach((s, i) => {
    if (s.type !== 1 && s.type !== 2 && s.type !== 4) typeProblems.push(`path[${i}].type is ${s.type}; siblings are 1, 2 or 4`);
  });
  return check('node-types', typeProblems.length === 0, typeProblems.length === 0
    ? `leaf is the ${self.type === 1 ? 'left' : 'right'} child; ${siblings.length} siblings typed 1 (left), 2 (right) or 4 (self-copy)`
    : typeProblems.join('; '));
}

interface V1Walk {
  hash: string;
  sums: OkxBalances;
  height: number;
  path: PathStep[];
  /** Type-4 entries that are not a zero-sum copy of the node they pair with. */
  padding: string[];
}

/** The walk from the leaf to the root, exactly as OKX's validator does it. */
function walkV1(self: V1Node, siblings: V1Node[]): V1Walk {
  let hash = self.hash;
  let sums = self.balances;
  let height = 1;
  const path: PathStep[] = [];
  const padding: string[] = [];
  siblings.forEach((s, i) => {
    let siblingLeft: boolean;
    if (i === 0) siblingLeft = self.type !== 1;
    else siblingLeft = s.type === 1;
    if (s.type === 4 && (s.hash !== hash || OKX_ASSETS.some((a) => parseDec(s.balances[a]).units !== 0n))) {
      padding.push(`path[${i}] (type 4) should repeat the node ${hash} with zero sums`);
    }
    const parentSums = okxAddBalances(sums, s.balances);
    height = i === 0 ? 2 : s.height + 1;
    const parent = siblingLeft ? okxParentHash(s.hash, hash, parentSums, height) : okxParentHash(hash, s.hash, parentSums, height);
    path.push({ level: height - 1, side: siblingLeft ? 'left' : 'right', hash: s.hash, sums: amounts(s.balances), computed: parent });
    hash = parent;
    sums = parentSums;
  });
  return { hash, sums, height, path, padding };
}

/** The walk's end against the file's root: hash, sums, height. */
function rootChecks(walk: V1Walk, root: V1Node): Check[] {
  const { hash, sums, height } = walk;
  const sumDiffs = OKX_ASSETS.filter((a) => sums[a] !== root.balances[a]);
  return [
    check('root-hash', hash === root.hash, hash === root.hash
      ? `the walk ends at ${hash}, the root in the file`
      : `the walk ends at ${hash}, but the file's root is ${root.hash}`),
    check('root-sums', sumDiffs.length === 0, sumDiffs.length === 0
      ? `computed root totals ${OKX_ASSETS.map((a) => `${a} ${sums[a]}`).join(', ')} match the file`
      : sumDiffs.map((a) => `${a}: computed ${sums[a]}, file says ${root.balances[a]}`).join('; ')),
    check('root-height', height === root.height, height === root.height
      ? `root height ${height} matches`
      : `computed root height ${height}, file says ${root.height}`),
  ];
}

/** por's stricter readings, which OKX's validator does not make. */
function strictV1Checks(proof: V1Proof, padding: string[]): Check[] {
  const { self, entries, root, siblings } = proof;
  const neg: string[] = [];
  if (negatives(self.balances).length) neg.push(`self: ${negatives(self.balances).join(', ')}`);
  entries.forEach((e, i) => {
    const n = negatives(e.balances);
    if (n.length) neg.push(`path[${i}]: ${n.join(', ')}`);
  });
  const badHeights = siblings.map((s, i) => (s.height === i + 1 ? '' : `path[${i}].height is ${s.height}, expected ${i + 1}`)).filter(Boolean);
  if (self.height !== 1) badHeights.unshift(`self.height is ${self.height}, expected 1`);
  return [
    check('balances-non-negative', neg.length === 0, neg.length === 0
      ? 'no negative amount on the path'
      : `negative amounts (a fake account cancelling real ones; OKX's validator accepts them): ${neg.join('; ')}`),
    check('padding-nodes', padding.length === 0, padding.length === 0
      ? `${siblings.filter((s) => s.type === 4).length} type-4 entries, each a zero-sum copy of the node it pairs with`
      : `${padding.join('; ')} (OKX's validator does not check this)`),
    check('path-heights', badHeights.length === 0, badHeights.length === 0
      ? `heights run 1 to ${root.height} without a gap`
      : badHeights.join('; ')),
  ];
}

/**
 * Verifies an OKX 2022 path proof by OKX's published rules: the leaf hash; for each level, the
 * parent hash from left ‖ right ‖ sums ‖ height with `type` 1 = sibling on the left, 2 (and 4) = on
 * the right; and the last entry (the root): hash, sums and height. Adds por's own stricter checks
 * (no negative amount anywhere, padding entries that really are the node's own copy).
 */
export function verifyOkxV1Proof(json: unknown): Verdict {
  const proof = readV1Proof(json);
  const { self, root, siblings } = proof;
  const walk = walkV1(self, siblings);
  const checks: Check[] = [
    leafHashCheck(self),
    nodeTypesCheck(self, siblings),
    ...rootChecks(walk, root),
    ...strictV1Checks(proof, walk.padding),
  ];
  const verdict: Verdict = {
    valid: checks.every((c) => c.ok),
    format: 'okx-v1',
    checks,
    warnings: [OKX_TOTALS_ONLY_WARNING, okxDepthWarning(root.height)],
    user: { balances: amounts(self.balances) },
    root: { hash: root.hash, sums: amounts(root.balances), height: root.height },
    path: walk.path,
  };
  // auditId is the same on every entry: it names OKX's audit (snapshot), not the user.
  if (self.auditId !== undefined) verdict.root.snapshotId = self.auditId;
  return verdict;
}

/**
 * Verifies an OKX per-user breakdown: user hash = SHA-256(nonce ‖ totalBalances JSON), each node's
 * hash = SHA-256(user hash ‖ BTC ‖ ETH ‖ USDT), and the nodes add up to totalBalances exactly.
 */
export function verifyOkxUserProof(json: unknown): Verdict {
  const doc = JsonAt.root(json);
  if (!isObject(json)) doc.fail('an OKX breakdown must be a JSON object with "hash", "nodes" and "totalBalances"');
  const userHash = readHash(doc.get('hash'));
  const nonce = readNonce(doc.get('nonce'), 'the breakdown');
  const total = readBalances(doc.get('totalBalances'));
  const nodes = doc.get('nodes').array({ min: 1 }).map((n) => {
    n.object();
    return { hash: readHash(n.get('hash')), balances: readBalances(n.get('balances')) };
  });
  const checks: Check[] = [];
  const computed = sha256Hex(nonce + okxBalancesJson(total));
  checks.push(check('user-hash', computed === userHash, computed === userHash
    ? `SHA-256(nonce ‖ totalBalances JSON) = ${computed}, as in the file`
    : `SHA-256(nonce ‖ totalBalances JSON) = ${computed}, but the file says ${userHash}`));
  nodes.forEach((n, i) => {
    const h = sha256Hex(userHash + n.balances.BTC + n.balances.ETH + n.balances.USDT);
    checks.push(check('node-hash', h === n.hash, h === n.hash
      ? `node ${i + 1} of ${nodes.length}: SHA-256(user hash ‖ BTC ‖ ETH ‖ USDT) = ${h}, as in the file`
      : `node ${i + 1} of ${nodes.length}: SHA-256(user hash ‖ BTC ‖ ETH ‖ USDT) = ${h}, but the file says ${n.hash}`));
  });
  const diffs: string[] = [];
  for (const a of OKX_ASSETS) {
    let sum: Dec = { units: 0n, scale: 0 };
    for (const n of nodes) sum = addDec(sum, parseDec(n.balances[a]));
    if (cmpDec(sum, parseDec(total[a])) !== 0) diffs.push(`${a}: nodes add up to ${formatDec(sum)}, totalBalances says ${total[a]}`);
  }
  checks.push(check('nodes-sum', diffs.length === 0, diffs.length === 0
    ? `the ${nodes.length} nodes add up exactly to totalBalances`
    : diffs.join('; ')));
  const neg = [total, ...nodes.map((n) => n.balances)].flatMap((b, i) => (negatives(b).length ? [`${i === 0 ? 'totalBalances' : `nodes[${i - 1}]`}: ${negatives(b).join(', ')}`] : []));
  checks.push(check('balances-non-negative', neg.length === 0, neg.length === 0 ? 'no negative amount' : `negative amounts: ${neg.join('; ')}`));
  return {
    valid: checks.every((c) => c.ok),
    format: 'okx-user',
    checks,
    warnings: [OKX_BREAKDOWN_WARNING],
    user: { id: userHash, balances: amounts(total) },
    // No tree root in this file: the hash shown is the user's own, and there are no root totals
    // (printing the user's totals as "root totals" would mislead).
    root: { hash: userHash, sums: [] },
  };
}

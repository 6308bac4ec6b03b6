// OKX's zk-STARK (Plonky2) proofs of reserves, since 2024 (okx/proof-of-reserves-v2): a user's
// `*_inclusion_proof.json` checked against the root OKX publishes in `sum_proof_data.json`
// (proof.public_inputs: [0] total equity, [1] total debt, [2..6) root) or given as hex.
// The hash is plonky2's Poseidon over Goldilocks (src/core/crypto/poseidon-goldilocks.ts).
// Pure: no Node builtins, so the web page bundles this module.
import { porError } from '../errors/index.js';
import { isObject } from '../json/index.js';
import { JsonAt } from '../json/read.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../verify/types.js';
import {
  GOLDILOCKS_P, glHashFromHex, glHashNoPad, glHashToHex, type GlHash,
} from '../crypto/poseidon-goldilocks.js';

export const OKX_ZK_FORMAT = 'okx-zk';

/** Said with every verdict: what por did not check, and what the leaf does not commit to. */
export const OKX_ZK_STARK_WARNING =
  "OKX's zk-STARK (the Plonky2 proof in sum_proof_data.json) is NOT verified by por: no JavaScript verifier for it exists. " +
  "That the tree's equity and debt add up, that no account is negative and that the published totals are the sum of all accounts are claims of that proof; " +
  "por only shows that your leaf is under the published root. Run OKX's own verifier (zk-por-cli verify-global) for the STARK.";
export const OKX_ZK_LEAF_WARNING =
  'Your leaf commits only to the SUM of your equity and the SUM of your debt over all tokens (modulo the Goldilocks prime), not to per-token amounts: ' +
  'the per-token numbers in the file are not covered by the root, and any file with the same two sums gives the same leaf.';
export const OKX_ZK_NODES_WARNING =
  "The tree's inner nodes hash only their children's hashes, not their sums: the path shows membership, not totals.";

/** A user proof: the account, its position, and the siblings of the binary and the recursive tree. */
export function isOkxZkProof(json: unknown): boolean {
  return isObject(json) && isObject(json.account) && Array.isArray(json.sum_tree_siblings) && Array.isArray(json.recursive_tree_siblings);
}

/** OKX's published sum_proof_data.json: `general` and the Plonky2 proof with its public inputs. */
export function isOkxSumProofData(json: unknown): boolean {
  return isObject(json) && isObject(json.general) && isObject(json.proof) && Array.isArray(json.proof.public_inputs);
}

interface OkxZkProof {
  id: string;
  equity: bigint[];
  debt: bigint[];
  index: number;
  sumSiblings: GlHash[];
  sumSiblingHex: string[];
  recursive: { left: GlHash[]; right: GlHash[] }[];
}

export interface OkxPublishedRoot {
  root: GlHash;
  equity: bigint;
  debt: bigint;
  round?: string;
  batchSize?: number;
  branchout?: number;
}

/** A Goldilocks element as OKX writes one: decimal text (or a JSON integer), canonical (< p). */
function readElement(at: JsonAt): bigint {
  const v = at.value;
  let x: bigint | undefined;
  if (typeof v === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(v)) x = BigInt(v);
  else if (typeof v === 'bigint') x = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) x = BigInt(v);
  else if (typeof v === 'number') at.fail(`the integer ${v} was read inexactly (beyond 2^53); read the file with exact integers`);
  if (x === undefined) return at.fail('must be a non-negative integer (decimal text)');
  if (x < 0n || x >= GOLDILOCKS_P) at.fail(`${x} is not a Goldilocks field element (0 ≤ x < 2^64 − 2^32 + 1)`);
  return x;
}

function readHash(at: JsonAt): GlHash {
  const h = typeof at.value === 'string' ? glHashFromHex(at.value) : undefined;
  if (h === undefined) return at.fail('must be 64 hex digits: four canonical Goldilocks elements, little-endian');
  return h;
}

function readHashes(at: JsonAt): GlHash[] {
  if (!Array.isArray(at.value)) at.fail('must be an array of 64-hex-digit hashes');
  return at.array().map(readHash);
}

function readAmounts(at: JsonAt): bigint[] {
  if (!Array.isArray(at.value) || at.value.length === 0) at.fail('must be a non-empty array of amounts, one per token');
  return at.array().map(readElement);
}

export function parseOkxZkProof(json: unknown): OkxZkProof {
  const doc = JsonAt.root(json);
  if (!isObject(json)) return doc.fail('an OKX inclusion proof must be a JSON object with "account", "index", "sum_tree_siblings" and "recursive_tree_siblings"');
  const a = doc.get('account');
  if (!isObject(a.value)) a.fail('must be an object with "id", "equity" and "debt"');
  const id = a.get('id').string(/^[0-9a-fA-F]{64}$/, '64 hex digits (OKX\'s hashed account id)');
  const equity = readAmounts(a.get('equity'));
  const debt = readAmounts(a.get('debt'));
  if (equity.length !== debt.length) a.get('debt').fail(`lists ${debt.length} tokens, account.equity ${equity.length}`);
  if (typeof json.index !== 'number' || !Number.isSafeInteger(json.index) || json.index < 0) doc.get('index').fail('must be a non-negative integer');
  const sumSiblingHex = Array.isArray(json.sum_tree_siblings) ? json.sum_tree_siblings : [];
  const sumSiblings = readHashes(doc.get('sum_tree_siblings'));
  const rec = doc.get('recursive_tree_siblings');
  if (!Array.isArray(rec.value)) rec.fail('must be an array of {left_hashes, right_hashes}');
  const recursive = rec.array().map((r) => {
    if (!isObject(r.value)) r.fail('must be an object with "left_hashes" and "right_hashes"');
    return { left: readHashes(r.get('left_hashes')), right: readHashes(r.get('right_hashes')) };
  });
  return { id, equity, debt, index: json.index as number, sumSiblings, sumSiblingHex: sumSiblingHex as string[], recursive };
}

function readSmallInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

/** Reads OKX's sum_proof_data.json: the root and totals are the public inputs of the Plonky2 proof. */
export function parseOkxSumProofData(json: unknown): OkxPublishedRoot {
  const piAt = JsonAt.root(json).get('proof').get('public_inputs');
  if (!isOkxSumProofData(json)) piAt.fail("not OKX's sum_proof_data.json: it needs \"general\" and \"proof\" with \"public_inputs\"");
  const doc = json as { general: Record<string, unknown>; proof: { public_inputs: unknown[] } };
  const pi = doc.proof.public_inputs;
  if (pi.length < 6) piAt.fail(`has ${pi.length} values; OKX's root proof has at least 6 (equity, debt, 4 root elements)`);
  const el = (i: number) => readElement(piAt.get(i));
  const out: OkxPublishedRoot = { equity: el(0), debt: el(1), root: [el(2), el(3), el(4), el(5)] };
  const g = doc.general;
  if (typeof g.round_num === 'number' || typeof g.round_num === 'bigint') out.round = String(g.round_num);
  const batch = readSmallInt(g.batch_size);
  const branch = readSmallInt(g.recursion_branchout_num);
  if (batch !== undefined) out.batchSize = batch;
  if (branch !== undefined) out.branchout = branch;
  return out;
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });
const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

/** OKX's Account::get_hash: hash_no_pad(id as 5 elements ‖ Σequity ‖ Σdebt), sums in the field. */
export function okxZkLeaf(id: string, equitySum: bigint, debtSum: bigint): GlHash {
  const cuts = [[0, 14], [14, 28], [28, 42], [42, 56], [56, 64]] as const;
  const idElements = cuts.map(([a, b]) => BigInt(`0x${id.slice(a, b)}`));
  return glHashNoPad([...idElements, equitySum % GOLDILOCKS_P, debtSum % GOLDILOCKS_P]);
}

/** The binary batch tree: bit i of the index says which side our node is on at level i. */
function walkBatchTree(p: OkxZkProof, leaf: GlHash): { node: GlHash; steps: PathStep[] } {
  let node = leaf;
  let index = p.index;
  const steps: PathStep[] = p.sumSiblings.map((s, i) => {
    const ours = index % 2 === 0;
    node = glHashNoPad(ours ? [...node, ...s] : [...s, ...node]);
    index = Math.floor(index / 2);
    return { level: i + 1, side: ours ? 'right' : 'left', hash: p.sumSiblingHex[i]!, computed: glHashToHex(node) };
  });
  return { node, steps };
}

/** The recursive tree above the batches: hash_no_pad(left hashes ‖ ours ‖ right hashes). */
function walkRecursiveTree(p: OkxZkProof, start: GlHash): GlHash {
  return p.recursive.reduce<GlHash>((node, r) => glHashNoPad([...r.left.flat(), ...node, ...r.right.flat()]), start);
}

/**
 * por's stricter reading (OKX's verifier only uses the index inside the batch): every recursive
 * level has the same arity B, and the user's position at level k is the batch number's k-th
 * base-B digit, so the index, the batch tree and the recursive tree describe one place.
 */
function positionCheck(p: OkxZkProof, pub: OkxPublishedRoot | undefined): Check {
  const problems: string[] = [];
  const arity = p.recursive.length ? p.recursive[0]!.left.length + p.recursive[0]!.right.length + 1 : undefined;
  if (pub?.branchout !== undefined && arity !== undefined && arity !== pub.branchout) problems.push(`the recursive levels have ${arity} children, sum_proof_data.json says ${pub.branchout}`);
  if (pub?.batchSize !== undefined && 2 ** p.sumSiblings.length !== pub.batchSize) problems.push(`${p.sumSiblings.length} batch-tree levels hold ${2 ** p.sumSiblings.length} accounts, sum_proof_data.json says batch_size ${pub.batchSize}`);
  let batch = Math.floor(p.index / 2 ** p.sumSiblings.length);
  p.recursive.forEach((r, k) => {
    const b = r.left.length + r.right.length + 1;
    if (b !== arity) problems.push(`recursive level ${k} has ${b} children, level 0 has ${arity}`);
    if (r.left.length !== batch % b) problems.push(`at recursive level ${k} the index puts the node at position ${batch % b}, the proof at ${r.left.length}`);
    batch = Math.floor(batch / b);
  });
  if (batch !== 0) problems.push(`the index ${p.index} is beyond the tree the path describes`);
  return check('path-position', problems.length === 0, problems.length === 0
    ? `index ${p.index}: ${p.sumSiblings.length} batch-tree levels, ${p.recursive.length} recursive levels of ${arity ?? 0} children, each at the position the index gives`
    : `${problems.join('; ')} (OKX's verifier does not check this)`);
}

function expectedRoot(rootHash: string | undefined, pub: OkxPublishedRoot | undefined): { root: GlHash; hex: string; checks: Check[] } {
  const checks: Check[] = [];
  let given: GlHash | undefined;
  if (rootHash !== undefined) {
    given = glHashFromHex(rootHash.trim().replace(/^0x/i, '').toLowerCase());
    if (given === undefined) throw porError('BAD_USAGE', `--root for an OKX zk-STARK proof is 64 hex digits holding four canonical Goldilocks elements (little-endian); got "${rootHash}"`, { field: 'root' });
  }
  if (given && pub) {
    const same = glHashToHex(given) === glHashToHex(pub.root);
    checks.push(check('root-sources-agree', same, same
      ? `the root given (${glHashToHex(given)}) is the one in sum_proof_data.json`
      : `the root given (${glHashToHex(given)}) is not the one in sum_proof_data.json (${glHashToHex(pub.root)})`));
  }
  const root = pub?.root ?? given;
  if (root === undefined) {
    throw porError('BAD_USAGE', "an OKX zk-STARK inclusion proof holds no root: give OKX's sum_proof_data.json (--report) or the root hash (--root HEX)", { field: 'root' });
  }
  return { root, hex: glHashToHex(root), checks };
}

function userBalances(p: OkxZkProof): AssetAmount[] {
  const rows: AssetAmount[] = [];
  p.equity.forEach((e, i) => {
    const d = p.debt[i]!;
    if (e !== 0n || d !== 0n) rows.push({ asset: `token #${i}`, amount: e.toString(), debt: d.toString() });
  });
  rows.push({ asset: 'sum (in leaf)', amount: sum(p.equity).toString(), debt: sum(p.debt).toString() });
  return rows;
}

/**
 * Verifies an OKX zk-STARK user inclusion proof by OKX's rules (MerkleProof::verify_merkle_proof):
 * leaf = hash_no_pad(id ‖ Σequity ‖ Σdebt); up the batch tree by the index's bits; up the recursive
 * tree with the left and right sibling lists; the result must be the published root. Adds por's
 * stricter checks: sums that do not wrap the field, and an index that agrees with the whole path.
 */
export function verifyOkxZkProof(json: unknown, published: { rootHash?: string; sumProofData?: unknown }): Verdict {
  const p = parseOkxZkProof(json);
  const pub = published.sumProofData === undefined ? undefined : parseOkxSumProofData(published.sumProofData);
  const want = expectedRoot(published.rootHash, pub);
  const eqSum = sum(p.equity);
  const dbSum = sum(p.debt);
  const checks: Check[] = [...want.checks];
  const wraps = eqSum >= GOLDILOCKS_P || dbSum >= GOLDILOCKS_P;
  checks.push(check('sums-within-field', !wraps, !wraps
    ? `Σequity ${eqSum} and Σdebt ${dbSum} are below the field's prime: the leaf commits to them exactly`
    : `Σequity ${eqSum} or Σdebt ${dbSum} reaches the Goldilocks prime, so the leaf commits to the sum modulo p, not to your total (OKX's verifier does not check this)`));
  const leaf = okxZkLeaf(p.id, eqSum, dbSum);
  checks.push(check('leaf', true, `leaf = Poseidon(id ‖ Σequity ‖ Σdebt) = ${glHashToHex(leaf)}`));
  checks.push(positionCheck(p, pub));
  const batch = walkBatchTree(p, leaf);
  const computed = glHashToHex(walkRecursiveTree(p, batch.node));
  checks.push(check('published-root-hash', computed === want.hex, computed === want.hex
    ? `the walk (${p.sumSiblings.length} batch-tree and ${p.recursive.length} recursive levels) ends at ${computed}, the published root`
    : `the walk ends at ${computed}, but the published root is ${want.hex}`));
  const verdict: Verdict = {
    valid: checks.every((c) => c.ok),
    format: OKX_ZK_FORMAT,
    checks,
    warnings: [OKX_ZK_STARK_WARNING, OKX_ZK_LEAF_WARNING, OKX_ZK_NODES_WARNING],
    user: { id: p.id, balances: userBalances(p) },
    root: { hash: want.hex, sums: pub ? [{ asset: 'all accounts (STARK public inputs)', amount: pub.equity.toString(), debt: pub.debt.toString() }] : [] },
    path: batch.steps,
  };
  if (pub?.round !== undefined) verdict.root.snapshotId = `round ${pub.round}`;
  if (!pub) verdict.warnings.push("Only the root hash was compared: without OKX's sum_proof_data.json there are no totals to show.");
  return verdict;
}

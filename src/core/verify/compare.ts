// Equivocation check (threats.md row 14): an exchange that shows different users different trees
// for the same snapshot is caught when their proofs are put side by side. Each proof fixes, at every
// level, the node on its path (recomputed from the leaf up by verifyPorProof) and its sibling (as
// stated); two proofs that fix the same (level, position) must agree on its hash and sums.
// Pure: no Node builtins, so the web page can bundle it too.
import { porError } from '../errors/index.js';
import { formatAmount } from '../money/index.js';
import type { ProofDocument } from '../merkle/types.js';
import { verifyPorProof } from './por.js';
import type { AssetAmount, Check } from './types.js';
import { isObject } from '../json/index.js';

/** One proof's value for one node. */
export interface NodeClaim {
  /** Index of the proof in the list given, and its name (file name in the CLI). */
  proof: number;
  name: string;
  /** The proof's user, and how the proof fixes this node: on the user's path (recomputed), as a stated sibling, or as the root. */
  user: string;
  role: 'leaf' | 'path' | 'sibling' | 'root';
  hash: string;
  sums: AssetAmount[];
}

export type Conflict =
  /** Two values for one node position: level 0 = leaves, `height` = root. */
  | { kind: 'node'; level: number; position: number; a: NodeClaim; b: NodeClaim }
  /** Two different users claim the same leaf position. */
  | { kind: 'leaf-position'; level: 0; position: number; a: NodeClaim; b: NodeClaim }
  /** The same user at two different leaf positions (two trees, or the user twice). */
  | { kind: 'user-position'; user: string; a: { proof: number; name: string; position: number }; b: { proof: number; name: string; position: number } }
  /** The proofs do not even describe the same tree shape: snapshot id, height or assets differ. */
  | { kind: 'header'; field: 'snapshotId' | 'height' | 'assets'; a: { proof: number; name: string; value: string }; b: { proof: number; name: string; value: string } }
  /** A proof that does not verify against its own stated root: the exchange handed out a broken proof. */
  | { kind: 'invalid'; proof: number; name: string; check: string; detail: string };

export interface Comparison {
  consistent: boolean;
  checks: Check[];
  /** Node conflicts first by level (lowest first, the first place the trees part), then position. */
  conflicts: Conflict[];
  /** Number of (level, position) pairs fixed by two or more proofs: what was actually compared. */
  sharedNodes: number;
}

const HEX32_LC = /^[0-9a-f]{64}$/;

/** What every step adds to: the checks and conflicts found so far, and how proofs are named. */
interface Ctx {
  name: (i: number) => string;
  checks: Check[];
  conflicts: Conflict[];
}

/** A proof that verified against its own root, with the node hashes its walk computed. */
interface ValidProof {
  i: number;
  doc: ProofDocument;
  computed: string[];
}

type NodeConflict = Extract<Conflict, { kind: 'node' | 'leaf-position' }>;

/** Every node the comparable proofs fix, keyed "level:position" (first claim kept), and where they disagree. */
interface NodeMap {
  seen: Map<string, NodeClaim>;
  /** Keys fixed by two or more proofs. */
  shared: Set<string>;
  nodeConflicts: NodeConflict[];
}

/**
 * Compares por inclusion proofs of one snapshot. Throws BAD_INPUT (field `proofs[i]`) for a file
 * that is not a well-formed por proof, BAD_USAGE for fewer than two proofs; everything else is a
 * check or a conflict.
 */
export function compareProofs(proofs: unknown[], opts: { names?: string[] } = {}): Comparison {
  if (proofs.length < 2) throw porError('BAD_USAGE', `compare needs at least two proofs, got ${proofs.length}`);
  const ctx: Ctx = { name: (i) => opts.names?.[i] ?? `proof ${i + 1}`, checks: [], conflicts: [] };
  const valid = verifyEach(proofs, ctx);
  if (ctx.conflicts.length === 0) refuseSnapshotMix(valid, ctx.name);
  const comparable = sameTreeShape(valid, ctx);
  const nodes = mapNodes(comparable, ctx);
  nodes.nodeConflicts.sort((x, y) => x.level - y.level || x.position - y.position);
  ctx.conflicts.unshift(...nodes.nodeConflicts);
  if (comparable.length > 1) agreementChecks(valid[0]!, nodes, ctx);
  return { consistent: ctx.conflicts.length === 0, checks: ctx.checks, conflicts: ctx.conflicts, sharedNodes: nodes.shared.size };
}

/** 1. Each proof on its own, against the root it states. Shape faults are bad input (exit 2). */
function verifyEach(proofs: unknown[], { name, checks, conflicts }: Ctx): ValidProof[] {
  const valid: ValidProof[] = [];
  proofs.forEach((p, i) => {
    const stated = isObject(p) && isObject(p.root) && typeof p.root.hash === 'string' && HEX32_LC.test(p.root.hash) ? p.root.hash : '0'.repeat(64);
    const v = verifyPorProof(p, { rootHash: stated });
    const bad = v.checks.find((c) => !c.ok);
    if (bad && (bad.name === 'format' || bad.name === 'well-formed')) {
      throw porError('BAD_INPUT', `${name(i)} is not a por proof: ${bad.detail}`, { field: `proofs[${i}]`, proof: i });
    }
    if (bad) {
      conflicts.push({ kind: 'invalid', proof: i, name: name(i), check: bad.name, detail: bad.detail });
      checks.push({ name: 'proof-valid', ok: false, detail: `${name(i)} (user "${v.user.id ?? '?'}") does not verify against its own root: check "${bad.name}" failed: ${bad.detail}` });
      return;
    }
    valid.push({ i, doc: p as ProofDocument, computed: (v.path ?? []).map((s) => s.computed ?? '') });
  });
  if (valid.length === proofs.length) checks.push({ name: 'proof-valid', ok: true, detail: `all ${proofs.length} proofs verify against the roots they state` });
  return valid;
}

/**
 * 1b. Proofs of different snapshots are a usage mistake, not evidence: the tree is rebuilt for every
 * snapshot, so their nodes differ for honest reasons (BAD_USAGE, exit 2). Checked only when every
 * proof verified: a proof that does not is a conflict whatever else was given with it.
 */
function refuseSnapshotMix(valid: ValidProof[], name: (i: number) => string): void {
  const first = valid[0];
  const other = valid.find((v) => v.doc.snapshotId !== first?.doc.snapshotId);
  if (!first || !other) return;
  throw porError(
    'BAD_USAGE',
    `these proofs are of different snapshots (${name(first.i)}: "${first.doc.snapshotId}", ${name(other.i)}: "${other.doc.snapshotId}"): ` +
      'the exchange builds a new tree for every snapshot, so proofs of two snapshots differ for honest reasons and comparing them shows nothing. ' +
      'Compare proofs of one snapshot, and check each proof against the report published for its own snapshot (por verify PROOF --report REPORT)',
    { field: 'proofs' },
  );
}

/**
 * 2. Same tree shape: snapshot, height, assets. A proof that differs is not compared node by node
 * (its positions would mean something else), but the difference itself is reported.
 */
function sameTreeShape(valid: ValidProof[], { name, checks, conflicts }: Ctx): ValidProof[] {
  const base = valid[0];
  const comparable = base ? [base] : [];
  for (const cur of valid.slice(1)) {
    const b = base!;
    const fields = [
      ['snapshotId', JSON.stringify(b.doc.snapshotId), JSON.stringify(cur.doc.snapshotId)],
      ['height', String(b.doc.height), String(cur.doc.height)],
      ['assets', b.doc.assets.map((a) => `${a.symbol}/${a.decimals}`).join(', '), cur.doc.assets.map((a) => `${a.symbol}/${a.decimals}`).join(', ')],
    ] as const;
    let same = true;
    for (const [field, x, y] of fields) {
      if (x === y) continue;
      same = false;
      conflicts.push({ kind: 'header', field, a: { proof: b.i, name: name(b.i), value: x }, b: { proof: cur.i, name: name(cur.i), value: y } });
    }
    if (same) comparable.push(cur);
  }
  const headerOk = comparable.length === valid.length;
  if (base) {
    checks.push({
      name: 'same-tree-shape', ok: headerOk,
      detail: headerOk ? `all name snapshot ${JSON.stringify(base.doc.snapshotId)}, height ${base.doc.height}, assets ${base.doc.assets.map((a) => a.symbol).join(', ')}` : 'the proofs name different snapshots, heights or assets (listed below); those are not compared node by node',
    });
  }
  return comparable;
}

/** 3. Every node each proof fixes, keyed by (level, position); the first claim is kept, later ones compared with it. */
function mapNodes(comparable: ValidProof[], ctx: Ctx): NodeMap {
  const nodes: NodeMap = { seen: new Map(), shared: new Set(), nodeConflicts: [] };
  const leafOf = new Map<string, { proof: number; name: string; position: number }>();
  for (const proof of comparable) {
    const { i, doc } = proof;
    const pos = doc.leaf.position;
    const other = leafOf.get(doc.user.id);
    if (!other) leafOf.set(doc.user.id, { proof: i, name: ctx.name(i), position: pos });
    else if (other.position !== pos) ctx.conflicts.push({ kind: 'user-position', user: doc.user.id, a: other, b: { proof: i, name: ctx.name(i), position: pos } });
    for (const [level, position, claim] of claimsOf(proof, ctx.name(i))) putClaim(nodes, level, position, claim);
  }
  return nodes;
}

/** The nodes one proof fixes, lowest first: its leaf, then per level its sibling (as stated) and its own node (as computed). */
function claimsOf({ i, doc, computed }: ValidProof, name: string): [level: number, position: number, claim: NodeClaim][] {
  const fmt = (eq: bigint[], dt: bigint[]): AssetAmount[] => doc.assets.map((a, k) => ({ asset: a.symbol, amount: formatAmount(eq[k]!, a.decimals), debt: formatAmount(dt[k]!, a.decimals) }));
  const claim = (role: NodeClaim['role'], hash: string, eq: bigint[], dt: bigint[]): NodeClaim => ({ proof: i, name, user: doc.user.id, role, hash, sums: fmt(eq, dt) });
  // The verifier has checked every field, so the unit strings are non-negative integers here.
  let eq = doc.user.balances.map((b) => BigInt(b.equityUnits));
  let dt = doc.user.balances.map((b) => BigInt(b.debtUnits));
  const pos = doc.leaf.position;
  const out: [number, number, NodeClaim][] = [[0, pos, claim('leaf', doc.leaf.hash, eq, dt)]];
  for (let k = 0; k < doc.height; k++) {
    const s = doc.path[k]!;
    const sEq = s.equity.map((v) => BigInt(v));
    const sDt = s.debt.map((v) => BigInt(v));
    // Arithmetic, not `^ 1`: positions may exceed 2^31, where JS bit operators wrap.
    const j = Math.floor(pos / 2 ** k);
    out.push([k, j % 2 === 0 ? j + 1 : j - 1, claim('sibling', s.hash, sEq, sDt)]);
    eq = eq.map((v, a) => v + sEq[a]!);
    dt = dt.map((v, a) => v + sDt[a]!);
    out.push([k + 1, Math.floor(pos / 2 ** (k + 1)), claim(k + 1 === doc.height ? 'root' : 'path', computed[k]!, eq, dt)]);
  }
  return out;
}

/** Records one claim; a second claim on the same node is compared with the first. */
function putClaim(nodes: NodeMap, level: number, position: number, c: NodeClaim): void {
  const key = `${level}:${position}`;
  const prev = nodes.seen.get(key);
  if (!prev) return void nodes.seen.set(key, c);
  nodes.shared.add(key);
  if (prev.role === 'leaf' && c.role === 'leaf' && prev.user !== c.user) {
    nodes.nodeConflicts.push({ kind: 'leaf-position', level: 0, position, a: prev, b: c });
  } else if (prev.hash !== c.hash || JSON.stringify(prev.sums) !== JSON.stringify(c.sums)) {
    nodes.nodeConflicts.push({ kind: 'node', level, position, a: prev, b: c });
  }
}

/** 4. What the shared nodes say together: one root, agreeing nodes, one position per user and per leaf. */
function agreementChecks(base: ValidProof, { seen, shared, nodeConflicts }: NodeMap, { checks, conflicts }: Ctx): void {
  const rootKey = `${base.doc.height}:0`;
  const rootConflict = nodeConflicts.some((c) => `${c.level}:${c.position}` === rootKey);
  checks.push({ name: 'same-root', ok: !rootConflict, detail: rootConflict ? 'the proofs lead to different roots for the same snapshot: the exchange published more than one tree' : `all lead to root ${seen.get(rootKey)?.hash ?? '?'} with the same sums` });
  const n = nodeConflicts.filter((c) => c.kind === 'node').length;
  checks.push({ name: 'shared-nodes', ok: n === 0, detail: n === 0 ? `${shared.size} node positions are fixed by two or more proofs, and all agree` : `${n} of ${shared.size} shared node positions have two different values; the lowest is level ${nodeConflicts.find((c) => c.kind === 'node')!.level}` });
  const lp = nodeConflicts.filter((c) => c.kind === 'leaf-position').length;
  const up = conflicts.filter((c) => c.kind === 'user-position').length;
  checks.push({ name: 'leaf-positions', ok: lp + up === 0, detail: lp + up === 0 ? 'no leaf position claimed by two users, no user at two positions' : `${lp} leaf position(s) claimed by two different users, ${up} user(s) at two positions` });
}

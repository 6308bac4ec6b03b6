// Verification of por's own inclusion proofs (docs/SPEC.md). Pure: no Node builtins, so the web
// page bundles this very module. Every check is recorded, so a user sees what was compared.
import { formatAmount } from '../money/index.js';
import {
  HASH_LEN, MAX_HEIGHT, MIN_HEIGHT, SUM_WIDTH_BITS, assetsHash, encodeSums, fromHex, idBytes, leafBound, leafHash,
  nobleSha256, nodeBound, nodeHash, toHex, userHash, type Sha256,
} from '../merkle/core.js';
import { PROOF_FORMAT, PROOF_VERSION, type ProofDocument } from '../merkle/types.js';
import { read as readProof } from '../documents/proof.js';
import { isPorError } from '../errors/index.js';
import type { AssetAmount, Check, PathStep, Verdict } from './types.js';
import { isObject } from '../json/index.js';
import { parsePublished, type Asset, type Published, type PublishedRoot } from './published.js';

export type { Published } from './published.js';

const UNITS = /^(0|[1-9][0-9]*)$/;

interface ParsedProof {
  snapshotId: string;
  height: number;
  assets: Asset[];
  userId: string;
  salt: Uint8Array;
  userHash: string;
  balances: { equity: string; debt: string; equityUnits: string; debtUnits: string }[];
  encoded: string;
  position: number;
  leafHash: string;
  path: { side: string; hash: string; equity: string[]; debt: string[] }[];
  root: { hash: string; equity: string[]; debt: string[] };
}

/** Shape checks through the proof's document module: every field present, of its type, nothing else. */
function parseProof(p: unknown): { ok: true; proof: ParsedProof } | { ok: false; why: string } {
  let d: ProofDocument;
  try {
    d = readProof(p);
  } catch (err) {
    if (isPorError(err)) return { ok: false, why: err.info.field !== undefined && err.info.field !== '(document)' ? `${err.info.field}: ${err.message}` : err.message };
    throw err;
  }
  return {
    ok: true,
    proof: {
      snapshotId: d.snapshotId, height: d.height, assets: d.assets, userId: d.user.id, salt: fromHex(d.user.salt, HASH_LEN)!,
      userHash: d.user.hash, balances: d.user.balances, encoded: d.user.encoded, position: d.leaf.position, leafHash: d.leaf.hash,
      path: d.path, root: d.root,
    },
  };
}

const WARNINGS = [
  'A valid proof shows that your balances are in the tree whose root was published, with no negative or overflowing sums on your path. It cannot show that other users were not left out: that is caught only when enough users check.',
  'The sibling sums on your path are totals of other groups of users; the tree hides who they are, not those totals.',
];

/** One verification's record: the published root it is held to, and every check made so far. */
interface Run {
  pub: PublishedRoot;
  checks: Check[];
  /** Records a check; returns whether it holds. */
  check(name: string, ok: boolean, detail: string): boolean;
}

/** The walk's outcome: the computed root and its sums, and each level on the way. */
interface Walked {
  hash: Uint8Array;
  equity: bigint[];
  debt: bigint[];
  steps: PathStep[];
}

/**
 * Verifies a por inclusion proof against the published root (or report). The steps run in order and
 * the first that fails ends the walk: what was not reached is not listed, never passed.
 */
export function verifyPorProof(proof: unknown, published: Published, h: Sha256 = nobleSha256): Verdict {
  const checks: Check[] = [];
  const run: Run = {
    pub: parsePublished(published),
    checks,
    check: (name, ok, detail) => {
      checks.push({ name, ok, detail });
      return ok;
    },
  };
  const stop = (user: Verdict['user'] = { balances: [] }) => verdictOf(run, user, publishedRoot(run.pub));

  if (!checkFormat(run, proof)) return stop();
  // A report is checked against its own root before anything in it is trusted.
  const consistency = run.pub.consistency;
  if (consistency && !run.check(consistency.name, consistency.ok, consistency.detail)) return stop();
  const parsed = parseProof(proof);
  if (!run.check('well-formed', parsed.ok, parsed.ok ? 'every field present with its type, no unknown fields' : parsed.why)) return stop();
  const p = (parsed as { ok: true; proof: ParsedProof }).proof;
  const userOut: Verdict['user'] = { id: p.userId, balances: p.assets.map((a, i) => ({ asset: a.symbol, amount: p.balances[i]!.equity, debt: p.balances[i]!.debt })) };

  if (!checkAgainstPublished(run, p)) return stop(userOut);
  const leaf = checkLeafValues(run, p);
  if (!leaf) return stop(userOut);
  const hash = checkLeafHash(run, p, leaf.sums, h);
  if (!hash) return stop(userOut);
  if (!checkPosition(run, p)) return stop(userOut);
  const walked = walkPath(run, p, { hash, equity: leaf.equity, debt: leaf.debt, steps: [] }, h);
  if (!walked) return stop(userOut);
  checkRoot(run, p, walked);
  const rootOut: Verdict['root'] = { hash: toHex(walked.hash), sums: fmtSums(p.assets, walked.equity, walked.debt), height: p.height, snapshotId: p.snapshotId };
  return verdictOf(run, userOut, rootOut, walked.steps);
}

function verdictOf(run: Run, user: Verdict['user'], root: Verdict['root'], path?: PathStep[]): Verdict {
  const v: Verdict = { valid: run.checks.every((c) => c.ok), format: 'por', checks: run.checks, warnings: [...WARNINGS], user, root };
  if (run.pub.equity === undefined) v.warnings.push('Only the root hash was compared: the root sums above come from the proof. Compare them with the totals the exchange published.');
  if (path) v.path = path;
  return v;
}

function fmtSums(assets: Asset[], eq: bigint[], dt: bigint[]): AssetAmount[] {
  return assets.map((a, i) => ({ asset: a.symbol, amount: formatAmount(eq[i]!, a.decimals), debt: formatAmount(dt[i]!, a.decimals) }));
}

/** The root as published, for a verdict that stopped before computing one. */
function publishedRoot(pub: PublishedRoot): Verdict['root'] {
  const r: Verdict['root'] = { hash: pub.hash, sums: pub.assets && pub.equity && pub.debt ? fmtSums(pub.assets, pub.equity, pub.debt) : [] };
  if (pub.height !== undefined) r.height = pub.height;
  if (pub.snapshotId !== undefined) r.snapshotId = pub.snapshotId;
  return r;
}

/** The document says it is a por proof of this version, hashed with SHA-256. */
function checkFormat(run: Run, proof: unknown): boolean {
  const o = isObject(proof) ? proof : {};
  const ok = o.format === PROOF_FORMAT && o.version === PROOF_VERSION && o.hashFunction === 'sha256';
  return run.check('format', ok, ok
    ? `${PROOF_FORMAT} version ${PROOF_VERSION}, SHA-256`
    : `expected format "${PROOF_FORMAT}", version ${PROOF_VERSION}, hashFunction "sha256"; got ${JSON.stringify(o.format)}, ${JSON.stringify(o.version)}, ${JSON.stringify(o.hashFunction)}`);
}

/** Against the published document (when there is one): snapshot, assets, and the tree's height. */
function checkAgainstPublished(run: Run, p: ParsedProof): boolean {
  const { pub, check } = run;
  const A = p.assets.length;
  if (pub.snapshotId !== undefined && !check('snapshot', p.snapshotId === pub.snapshotId, p.snapshotId === pub.snapshotId ? `snapshot "${p.snapshotId}" is the published one` : `proof is for snapshot "${p.snapshotId}", the published root is for "${pub.snapshotId}"`)) return false;
  if (pub.assets) {
    const same = pub.assets.length === A && pub.assets.every((a, i) => a.symbol === p.assets[i]!.symbol && a.decimals === p.assets[i]!.decimals);
    if (!check('assets', same, same ? `${A} assets, same symbols and decimals as published` : `the proof's assets (${p.assets.map((a) => `${a.symbol}/${a.decimals}`).join(', ')}) differ from the published ones (${pub.assets.map((a) => `${a.symbol}/${a.decimals}`).join(', ')})`)) return false;
  }
  const heightOk = p.path.length === p.height && (pub.height === undefined || pub.height === p.height);
  return check('height', heightOk, heightOk ? `path has ${p.height} steps, the tree's height${pub.height !== undefined ? ' as published' : ''}` : `path has ${p.path.length} steps; proof says height ${p.height}${pub.height !== undefined ? `, published height ${pub.height}` : ''}`);
}

/** Leaf values: non-negative integers within the bound; text, units and encoding agree. */
function checkLeafValues(run: Run, p: ParsedProof): { equity: bigint[]; debt: bigint[]; sums: Uint8Array } | undefined {
  const A = p.assets.length;
  const bound = leafBound(p.height);
  const eq: bigint[] = [];
  const dt: bigint[] = [];
  for (let i = 0; i < A; i++) {
    const b = p.balances[i]!;
    const a = p.assets[i]!;
    for (const [field, units, text, out] of [['equity', b.equityUnits, b.equity, eq], ['debt', b.debtUnits, b.debt, dt]] as const) {
      if (!UNITS.test(units)) {
        run.check('leaf-values', false, `${a.symbol} ${field} "${units}" is not a non-negative integer in base units${units.startsWith('-') ? ' (negative values are never allowed)' : ''}`);
        return undefined;
      }
      const v = BigInt(units);
      if (v > bound) {
        run.check('leaf-values', false, `${a.symbol} ${field} ${units} is above the leaf bound 2^${SUM_WIDTH_BITS - p.height}−1 for height ${p.height}`);
        return undefined;
      }
      if (formatAmount(v, a.decimals) !== text) {
        run.check('leaf-values', false, `${a.symbol} ${field} "${text}" does not equal ${units} base units at ${a.decimals} decimals`);
        return undefined;
      }
      out.push(v);
    }
  }
  const sums = encodeSums(eq, dt);
  if (!run.check('leaf-values', toHex(sums) === p.encoded.toLowerCase() && /^[0-9a-f]*$/i.test(p.encoded), toHex(sums) === p.encoded.toLowerCase()
    ? `${2 * A} values, each a non-negative integer ≤ 2^${SUM_WIDTH_BITS - p.height}−1, matching their encoding`
    : 'user.encoded is not the fixed-width encoding of the balances')) return undefined;
  return { equity: eq, debt: dt, sums };
}

/** User hash and leaf hash, recomputed; returns the leaf's hash when both equal the proof's. */
function checkLeafHash(run: Run, p: ParsedProof, sums: Uint8Array, h: Sha256): Uint8Array | undefined {
  let uid: Uint8Array;
  let sid: Uint8Array;
  try {
    uid = idBytes(p.userId, 'user id');
    sid = idBytes(p.snapshotId, 'snapshot id');
  } catch (err) {
    run.check('well-formed', false, (err as Error).message);
    return undefined;
  }
  const uh = toHex(userHash(h, uid, p.salt));
  if (!run.check('user-hash', uh === p.userHash.toLowerCase(), uh === p.userHash.toLowerCase() ? 'H(user id ‖ salt) recomputed and equal' : `H(user id ‖ salt) is ${uh}, the proof says ${p.userHash}`)) return undefined;
  let aHash: Uint8Array;
  try {
    aHash = assetsHash(h, p.assets);
  } catch (err) {
    run.check('well-formed', false, (err as Error).message);
    return undefined;
  }
  const hash = leafHash(h, sid, aHash, fromHex(uh)!, sums);
  if (!run.check('leaf-hash', toHex(hash) === p.leafHash.toLowerCase(), toHex(hash) === p.leafHash.toLowerCase() ? 'leaf recomputed from snapshot id, assets, user hash and balances, and equal' : `recomputed leaf ${toHex(hash)} differs from the proof's ${p.leafHash}`)) return undefined;
  return hash;
}

/** The leaf's position: within the published leaf count, and the path's sides agree with it. */
function checkPosition(run: Run, p: ParsedProof): boolean {
  const { pub, check } = run;
  // The published leaf count is not in the root hash: a document that states fewer users than the
  // proof's position shows is contradicted by the proof.
  if (pub.leafCount !== undefined && !check('leaf-count', p.position < pub.leafCount, p.position < pub.leafCount ? `leaf ${p.position} is within the ${pub.leafCount} leaves published` : `the proof's leaf position ${p.position} is not below the published leafCount ${pub.leafCount}`)) return false;
  const positionOk = p.position < 2 ** p.height && p.path.every((s, k) => (s.side === 'left') === (Math.floor(p.position / 2 ** k) % 2 === 1));
  return check('position', positionOk, positionOk ? `leaf ${p.position} of 2^${p.height}; the sides agree with it` : `the sides on the path do not agree with leaf position ${p.position}`);
}

/** Walk the path from the leaf: every sibling sum non-negative and within its level's bound; no sum wraps. */
function walkPath(run: Run, p: ParsedProof, leaf: Walked, h: Sha256): Walked | undefined {
  let { hash, equity: curEq, debt: curDt } = leaf;
  const steps: PathStep[] = [];
  const wrap = 1n << BigInt(SUM_WIDTH_BITS);
  for (let k = 0; k < p.height; k++) {
    const s = p.path[k]!;
    const sibling = siblingSums(run, p, k);
    if (!sibling) return undefined;
    const [sEq, sDt] = sibling;
    const nEq = curEq.map((v, i) => v + sEq[i]!);
    const nDt = curDt.map((v, i) => v + sDt[i]!);
    if ([...nEq, ...nDt].some((v) => v >= wrap)) {
      run.check('no-overflow', false, `step ${k + 1}: a sum reaches 2^128 and would wrap`);
      return undefined;
    }
    const mine = encodeSums(curEq, curDt);
    const theirs = encodeSums(sEq, sDt);
    const sib = fromHex(s.hash, HASH_LEN)!;
    hash = s.side === 'left' ? nodeHash(h, sib, theirs, hash, mine) : nodeHash(h, hash, mine, sib, theirs);
    curEq = nEq;
    curDt = nDt;
    steps.push({ level: k + 1, side: s.side as 'left' | 'right', hash: s.hash.toLowerCase(), sums: fmtSums(p.assets, sEq, sDt), computed: toHex(hash) });
  }
  run.check('sibling-sums', true, `${p.height} sibling sums, all non-negative and within their level's bound`);
  run.check('no-overflow', true, 'no sum on the path reaches 2^128');
  return { hash, equity: curEq, debt: curDt, steps };
}

/** Step k's sibling sums as integers, each non-negative and at most what 2^k leaves can hold. */
function siblingSums(run: Run, p: ParsedProof, k: number): [bigint[], bigint[]] | undefined {
  const s = p.path[k]!;
  const wrap = 1n << BigInt(SUM_WIDTH_BITS);
  const limit = nodeBound(p.height, k);
  const sEq: bigint[] = [];
  const sDt: bigint[] = [];
  for (let i = 0; i < p.assets.length; i++) {
    for (const [field, units, out] of [['equity', s.equity[i]!, sEq], ['debt', s.debt[i]!, sDt]] as const) {
      if (!UNITS.test(units)) {
        run.check('sibling-sums', false, `step ${k + 1}: sibling ${p.assets[i]!.symbol} ${field} "${units}" is ${units.startsWith('-') ? 'negative' : 'not a non-negative integer'}`);
        return undefined;
      }
      const v = BigInt(units);
      if (v > limit) {
        run.check('sibling-sums', false, `step ${k + 1}: sibling ${p.assets[i]!.symbol} ${field} ${units} is above ${limit}, the most ${2 ** k} leaves can hold${v >= wrap ? ' (it does not even fit 128 bits)' : ''}`);
        return undefined;
      }
      out.push(v);
    }
  }
  return [sEq, sDt];
}

/** The computed root against the one the proof states and the one published, hash and sums. */
function checkRoot(run: Run, p: ParsedProof, w: Walked): void {
  const { pub, check } = run;
  const rootHex = toHex(w.hash);
  const rootSumsOk = p.root.equity.every((v, i) => v === w.equity[i]!.toString()) && p.root.debt.every((v, i) => v === w.debt[i]!.toString());
  check('root-hash', rootHex === p.root.hash.toLowerCase(), rootHex === p.root.hash.toLowerCase() ? 'the path leads to the root hash the proof states' : `the path leads to ${rootHex}, the proof states ${p.root.hash}`);
  check('root-sums', rootSumsOk, rootSumsOk ? 'the path adds up to the root sums the proof states' : 'the root sums the proof states are not what the path adds up to');
  check('published-root-hash', rootHex === pub.hash, rootHex === pub.hash ? `computed root ${rootHex} is the published root` : `computed root ${rootHex} is not the published root ${pub.hash}`);
  if (pub.equity && pub.debt) {
    const same = pub.equity.every((v, i) => v === w.equity[i]) && pub.debt.every((v, i) => v === w.debt[i]);
    check('published-root-sums', same, same ? 'computed root sums equal the published liabilities, asset by asset' : `computed root sums differ from the published ones: ${fmtSums(p.assets, w.equity, w.debt).map((s) => `${s.asset} ${s.amount}/${s.debt}`).join(', ')}`);
  }
}

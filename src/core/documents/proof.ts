// A user's inclusion proof: `por-proof` v1 (docs/FORMATS.md, docs/SPEC.md). Its shape is declared
// here once: the field lists below are what `read` requires (nothing missing, nothing extra) and
// the order `write` puts fields in, the order the proof store's fast writer must produce (a test
// holds it to that). Amount texts are read as strings only: whether they are canonical, within
// bounds and agree with their encoding are the verifier's named checks (leaf-values,
// sibling-sums), not shape. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { MAX_HEIGHT, MIN_HEIGHT } from '../merkle/core.js';
import { PROOF_FORMAT, PROOF_VERSION, type ProofBalance, type ProofDocument, type ProofStep } from '../merkle/types.js';

export const FORMAT = PROOF_FORMAT;
export const VERSION = PROOF_VERSION;
export type { ProofDocument };
export const FIELDS = ['format', 'version', 'hashFunction', 'snapshotId', 'height', 'assets', 'user', 'leaf', 'path', 'root'] as const;
export const ASSET_FIELDS = ['symbol', 'decimals'] as const;
export const USER_FIELDS = ['id', 'salt', 'hash', 'balances', 'encoded'] as const;
export const BALANCE_FIELDS = ['asset', 'equity', 'debt', 'equityUnits', 'debtUnits'] as const;
export const LEAF_FIELDS = ['position', 'hash'] as const;
export const STEP_FIELDS = ['side', 'hash', 'equity', 'debt'] as const;
export const ROOT_FIELDS = ['hash', 'equity', 'debt'] as const;

// Inside a proof, hex is lower-case only: one value, one spelling.
const HEX32 = /^[0-9a-f]{64}$/;
const HEX32_WHAT = '64 lower-case hex digits';

export function write(p: ProofDocument): Record<string, unknown> {
  return inOrder(FIELDS, {
    ...p,
    assets: p.assets.map((a) => inOrder(ASSET_FIELDS, a)),
    user: inOrder(USER_FIELDS, { ...p.user, balances: p.user.balances.map((b) => inOrder(BALANCE_FIELDS, b)) }),
    leaf: inOrder(LEAF_FIELDS, p.leaf),
    path: p.path.map((s) => inOrder(STEP_FIELDS, s)),
    root: inOrder(ROOT_FIELDS, p.root),
  });
}

/** Every field present with its type, and nothing else (an extra field is a red flag). */
export function read(json: unknown, where: string | Where = {}): ProofDocument {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  doc.get('hashFunction').oneOf(['sha256']);
  const snapshotId = doc.get('snapshotId').string();
  const height = doc.get('height').int(MIN_HEIGHT, MAX_HEIGHT);
  const assets = doc.get('assets').array({ min: 1, max: 0xffff }).map((a) => {
    a.exact(ASSET_FIELDS);
    return { symbol: a.get('symbol').string(), decimals: a.get('decimals').int(0, 36) };
  });
  const leaf = doc.get('leaf');
  leaf.exact(LEAF_FIELDS);
  return {
    format: FORMAT, version: VERSION, hashFunction: 'sha256', snapshotId, height, assets,
    user: readUser(doc.get('user'), assets),
    leaf: { position: leaf.get('position').int(), hash: leaf.get('hash').string(HEX32, HEX32_WHAT) },
    path: doc.get('path').array().map((s) => readStep(s, assets.length)),
    root: readRoot(doc.get('root'), assets.length),
  };
}

function readUser(u: JsonAt, assets: { symbol: string }[]): ProofDocument['user'] {
  u.exact(USER_FIELDS);
  const id = u.get('id').string();
  const salt = u.get('salt').string(HEX32, HEX32_WHAT);
  const hash = u.get('hash').string(HEX32, HEX32_WHAT);
  const encoded = u.get('encoded').string(/^[0-9a-f]*$/, 'a lower-case hex string');
  const balances = u.get('balances').array({ length: assets.length, what: 'balances, one per asset' }).map((b, i): ProofBalance => {
    b.exact(BALANCE_FIELDS);
    const asset = b.get('asset').string();
    if (asset !== assets[i]!.symbol) b.get('asset').fail(`must be ${assets[i]!.symbol}, the asset at this position of "assets"`);
    return { asset, equity: b.get('equity').string(), debt: b.get('debt').string(), equityUnits: b.get('equityUnits').string(), debtUnits: b.get('debtUnits').string() };
  });
  return { id, salt, hash, balances, encoded };
}

/** Per-asset amounts as strings, one per asset. */
function amounts(at: JsonAt, n: number): string[] {
  return at.array({ length: n, what: 'amounts, one per asset' }).map((x) => x.string(undefined, 'an amount as a string'));
}

function readStep(s: JsonAt, n: number): ProofStep {
  s.exact(STEP_FIELDS);
  return { side: s.get('side').oneOf(['left', 'right']), hash: s.get('hash').string(HEX32, HEX32_WHAT), equity: amounts(s.get('equity'), n), debt: amounts(s.get('debt'), n) };
}

function readRoot(r: JsonAt, n: number): ProofDocument['root'] {
  r.exact(ROOT_FIELDS);
  return { hash: r.get('hash').string(HEX32, HEX32_WHAT), equity: amounts(r.get('equity'), n), debt: amounts(r.get('debt'), n) };
}

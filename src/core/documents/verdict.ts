// `por verify --json` (and the verifier page's "verdict as JSON"): `por-verdict` v1. The verdict
// object itself (src/core/verify/types.ts) names the proof's format in `format`; the document
// moves that to `proofFormat` so `format` is the document's own, as in every por document. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../verify/types.js';
import { readCheck } from '../checks/read.js';

export const FORMAT = 'por-verdict';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'valid', 'proofFormat', 'checks', 'warnings', 'user', 'root', 'path'] as const;

export interface VerdictDocument {
  format: typeof FORMAT;
  version: typeof VERSION;
  valid: boolean;
  /** "por", "okx-v1", "okx-user": what kind of proof was checked. */
  proofFormat: string;
  checks: Check[];
  warnings: string[];
  user: Verdict['user'];
  root: Verdict['root'];
  path?: PathStep[];
}

export function write(v: Verdict): Record<string, unknown> {
  const { format: proofFormat, ...rest } = v;
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, proofFormat, ...rest });
}

/** A list of `{asset, amount, debt?}` (a verdict's balances and sums, a compared node's sums). */
export function readAmounts(at: JsonAt): AssetAmount[] {
  return at.array().map((a) => {
    const o = a.exact(['asset', 'amount'], ['debt']);
    const out: AssetAmount = { asset: a.get('asset').string(), amount: a.get('amount').string() };
    if (o.debt !== undefined) out.debt = a.get('debt').string();
    return out;
  });
}

/** Reads a verdict document back into the verdict it was written from. */
export function read(json: unknown, where: string | Where = {}): Verdict {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS.filter((f) => f !== 'path'), ['path']);
  const checks = doc.get('checks').array().map(readCheck);
  const u = doc.get('user');
  u.exact(['balances'], ['id']);
  const user: Verdict['user'] = { balances: readAmounts(u.get('balances')) };
  if (u.opt('id')) user.id = u.get('id').string();
  const r = doc.get('root');
  r.exact(['hash', 'sums'], ['height', 'snapshotId']);
  const root: Verdict['root'] = { hash: r.get('hash').string(), sums: readAmounts(r.get('sums')) };
  if (r.opt('height')) root.height = r.get('height').int();
  if (r.opt('snapshotId')) root.snapshotId = r.get('snapshotId').string();
  const v: Verdict = {
    valid: doc.get('valid').bool(), format: doc.get('proofFormat').string(), checks,
    warnings: doc.get('warnings').array().map((w) => w.string()), user, root,
  };
  if (doc.opt('path')) v.path = doc.get('path').array() as unknown as PathStep[];
  return v;
}

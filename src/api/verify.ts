// `import … from 'por/verify'`: proof verification for any JavaScript runtime (browsers, wallets,
// Node). Pure: no Node builtin is reached from here (test/api/browser-bundle.test.ts bundles it
// for the browser and fails if one is). Thin wrappers over src/verify; docs/API.md documents them.
import { porError } from '../core/errors/index.js';
import { detectProofFormat, verifyAnyProof, type ProofFormat, type Published } from '../core/verify/any.js';
import type { Verdict } from '../core/verify/types.js';

export { verifyAnyProof, detectProofFormat, PROOF_FORMATS, type ProofFormat, type Published } from '../core/verify/any.js';
export { compareProofs, type Comparison, type Conflict, type NodeClaim } from '../core/verify/compare.js';
export type { Verdict, Check, AssetAmount, PathStep } from '../core/verify/types.js';
export { PorError, isPorError, type ErrorCode, type ErrorInfo } from '../core/errors/index.js';

export interface VerifyOptions {
  /** The proof's format; default: recognised from its shape. */
  format?: ProofFormat;
}

/** The option checks `por verify` makes before verifying (an option that would be ignored is an error). */
function checkRequest(proof: unknown, against: Published, options: VerifyOptions): ProofFormat | undefined {
  const detected = detectProofFormat(proof);
  if (options.format !== undefined && detected !== undefined && detected !== options.format) {
    throw porError('BAD_USAGE', `format ${options.format} was given, but this proof is recognised as ${detected}`, { field: 'format' });
  }
  const format = options.format ?? detected;
  if (against.rootHash !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(against.rootHash.trim())) {
    throw porError('BAD_USAGE', `rootHash must be the published root hash, 64 hex digits (0x optional); got "${against.rootHash}"`, { field: 'rootHash' });
  }
  if (format !== undefined && format !== 'por' && against.report !== undefined) {
    throw porError('BAD_USAGE', `an ${format} proof is not checked against a por report or root.json; give OKX's published root hash as rootHash`, { field: 'report' });
  }
  if (format === 'okx-user' && against.rootHash !== undefined) {
    throw porError('BAD_USAGE', 'an OKX per-user breakdown holds no root to compare with rootHash', { field: 'rootHash' });
  }
  if (format === 'por' && against.report === undefined && against.rootHash === undefined) {
    throw porError('BAD_USAGE', 'a por proof is checked against the published root: give report (report.json or root.json, parsed) or rootHash');
  }
  return format;
}

/**
 * Verifies a proof (por's own, OKX's path proof or OKX's per-user breakdown, as parsed JSON)
 * against what the exchange published: `report` (a parsed report.json or root.json) or `rootHash`.
 * Returns the verdict document `por verify --json` prints: `valid`, every check with its
 * evidence, the user's balances, the root totals, warnings. A proof that does not hold is a
 * verdict with `valid: false`; what cannot be checked at all (not a proof, a bad published
 * document, contradictory options) throws a PorError, as the CLI exits 2.
 */
export function verifyProof(proof: unknown, against: Published = {}, options: VerifyOptions = {}): Verdict {
  const format = checkRequest(proof, against, options);
  const verdict = verifyAnyProof(proof, against, format);
  const formatCheck = verdict.checks.find((c) => c.name === 'format');
  if (format === 'por' && formatCheck !== undefined && !formatCheck.ok) {
    throw porError('BAD_INPUT', `not a por proof: ${formatCheck.detail}`, { field: 'format' });
  }
  return verdict;
}

// `import … from 'por/verify'`: proof verification for any JavaScript runtime (browsers, wallets,
// Node). Pure: no Node builtin is reached from here (test/api/browser-bundle.test.ts bundles it
// for the browser and fails if one is). Thin wrappers over src/verify; docs/API.md documents them.
export { verifyAnyProof, detectProofFormat, PROOF_FORMATS, type ProofFormat, type Published } from '../verify/any.js';
export { compareProofs, type Comparison, type Conflict, type NodeClaim } from '../verify/compare.js';
export type { Verdict, Check, AssetAmount, PathStep } from '../verify/types.js';
export { PorError, isPorError, type ErrorCode, type ErrorInfo } from '../errors/index.js';

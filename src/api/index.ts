// `import … from 'por'`: the library for Node (an exchange's backend, an auditor's script). Thin
// wrappers and re-exports over the stages; docs/API.md documents every name and runs its examples.
export * from './verify.js';
export { VERSION, COMMIT } from '../cli/version.js';
export { buildTree, ProofStore, type BuildOptions, type BuildResult, type TreeInput } from '../merkle/index.js';
export type { ProofDocument, RootDocument, MerkleRoot } from '../merkle/types.js';

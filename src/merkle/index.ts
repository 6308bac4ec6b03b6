// The Node-side Merkle stage: the builder and the proof store. The byte rules and document types
// live in the pure core (src/core/merkle/), which browser code imports directly.
export { buildTree, type BuildOptions, type BuildResult, type TreeInput } from './build.js';
export { ProofStore, fileNameFor, type ExportOptions } from './store.js';

// The Merkle stage: the pure byte rules (core) plus the Node-side builder and proof store.
// Browser code must import ./core.js directly, never this file.
export * from './core.js';
export * from './types.js';
export { buildTree, type BuildOptions, type BuildResult, type TreeInput } from './build.js';
export { ProofStore, fileNameFor, type ExportOptions } from './store.js';

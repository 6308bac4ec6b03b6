export { buildTree, ProofStore } from '../../src/merkle/index.js';
import { isPorError, type ErrorCode } from '../../src/core/errors/index.js';
export const isPorErrorLike = (e: unknown, code: ErrorCode) => isPorError(e, code);

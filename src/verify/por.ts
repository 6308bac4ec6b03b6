// Verification of por's own proofs. Placeholder until the Merkle issue lands.
import { porError } from '../errors/index.js';
import type { Verdict } from './types.js';

/** What the user compares against: a published report / root document, or a bare root hash. */
export interface Published {
  /** Parsed JSON of a por report (with `merkleRoot`) or a por root document (`format: "por-root"`). */
  report?: unknown;
  /** Hex root hash, when that is all the user has. */
  rootHash?: string;
}

export function verifyPorProof(_proof: unknown, _published: Published): Verdict {
  throw porError('BAD_USAGE', 'por proof verification is not implemented yet');
}

// OKX's user proof formats. Placeholder until the OKX issue lands.
import { porError } from '../errors/index.js';
import type { Verdict } from '../verify/types.js';

export function verifyOkxV1Proof(_json: unknown): Verdict {
  throw porError('BAD_USAGE', 'OKX path proofs are not supported yet');
}

export function verifyOkxUserProof(_json: unknown): Verdict {
  throw porError('BAD_USAGE', 'OKX per-user breakdowns are not supported yet');
}

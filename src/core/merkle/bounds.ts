// The tree's value bounds (docs/SPEC.md, Bounds, and the id length rule), apart from the hashing
// in ./core.ts so that the snapshot reader (src/ingest) can check rows against them without
// loading a SHA-256. Pure.
import { porError } from '../errors/index.js';

export const SUM_WIDTH_BITS = 128;
export const DEFAULT_HEIGHT = 32;
export const MIN_HEIGHT = 1;
export const MAX_HEIGHT = 64;
export const MAX_ID_BYTES = 1024;

/** Largest value a leaf may carry per field: 2^(128 − height) − 1, so 2^height leaves sum below 2^128. */
export function leafBound(height: number): bigint {
  checkHeight(height);
  return (1n << BigInt(SUM_WIDTH_BITS - height)) - 1n;
}

export function checkHeight(height: number): void {
  if (!Number.isInteger(height) || height < MIN_HEIGHT || height > MAX_HEIGHT) {
    throw porError('BAD_USAGE', `tree height must be an integer from ${MIN_HEIGHT} to ${MAX_HEIGHT}, got ${height}`, { field: 'height' });
  }
}

// The PorError a call throws (the test fails if it throws nothing, or something else).
import { expect } from 'vitest';
import { PorError } from '../../src/core/errors/index.js';

export function caught(fn: () => unknown): PorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PorError);
    return err as PorError;
  }
  throw new Error('expected a PorError');
}

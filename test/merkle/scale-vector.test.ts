// The committed scale vector (test/fixtures/scale/PROVENANCE.md): root.json, one proof and the hash
// of the whole proof export, as the builder wrote them before the issue-17 rewrite. Every build path
// must give these bytes for the same input and secret (docs/SPEC.md: the byte rules do not change).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tmp } from './helpers.js';
import { expectVector, por, VECTOR_ARGS } from './scale-helpers.js';

describe('scale vector (built by the code before the rewrite)', () => {
  it('por build reproduces root.json, a proof and the whole export byte for byte', () => {
    const out = join(tmp('por-vec-'), 't');
    const r = por('build', ...VECTOR_ARGS, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectVector(out);
  });
});

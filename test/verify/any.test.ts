// verifyAnyProof: a root hash the user was given must match an OKX path proof's own root.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAnyProof } from '../../src/core/verify/any.js';

const okx = JSON.parse(readFileSync(resolve(process.cwd(), 'test/fixtures/okx/upstream/merkle_proof_file.json'), 'utf8')) as { path: { hash: string }[] };
// The root is the last entry of OKX's path, as the data README states.
const okxRoot = okx.path[okx.path.length - 1]!.hash;

describe('verifyAnyProof with a published root hash', () => {
  it('accepts an OKX proof whose root is the published one (any case, optional 0x)', () => {
    const v = verifyAnyProof(okx, { rootHash: `0x${okxRoot.toUpperCase()}` });
    expect(v.valid).toBe(true);
    expect(v.checks.find((c) => c.name === 'published-root-hash')?.ok).toBe(true);
  });
  it('rejects an OKX proof whose root is not the published one', () => {
    const other = okxRoot.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const v = verifyAnyProof(okx, { rootHash: other });
    expect(v.valid).toBe(false);
    expect(v.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['published-root-hash']);
  });
  it('without a published root, says nothing about one', () => {
    const v = verifyAnyProof(okx, {});
    expect(v.valid).toBe(true);
    expect(v.checks.some((c) => c.name === 'published-root-hash')).toBe(false);
  });
});

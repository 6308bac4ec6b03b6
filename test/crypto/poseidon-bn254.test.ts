// circomlib's BN254 Poseidon with the gnark forks' conventions, pinned by gnark-crypto's own test
// vectors (vendored in test/fixtures/gnark/ with their licence) and by poseidon-lite's constants.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { grainGenConstants } from '@noble/curves/abstract/poseidon.js';
import { Field } from '@noble/curves/abstract/modular.js';
import { BN254_R, bn254FromBytes, bn254ToHex, circomPermutation, gnarkPoseidon } from '../../src/core/crypto/poseidon-bn254.js';
import { CIRCOM_CONSTANTS_SHA256 } from '../../src/core/crypto/poseidon-bn254-constants.js';

const dir = path.resolve(import.meta.dirname, '../fixtures/gnark');
const vectors = JSON.parse(readFileSync(path.join(dir, 'gnark_poseidon_test_vectors.json'), 'utf8'));
const range = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1));
const inputsOf = (v: string[] | string) => (typeof v === 'string' ? range(Number(v.split('..')[1])) : v.map((x) => BigInt(x)));

// poseidon-lite's t = 3 file: C and M as base64 big-endian strings.
const lite = readFileSync(path.join(dir, 'poseidon-lite-0.3.0-constants-t3.js.txt'), 'utf8');
const b64s = (name: 'C' | 'M') => {
  const body = lite.slice(lite.indexOf(`${name}: [`));
  const end = name === 'M' ? body.indexOf(']]') : body.indexOf(']');
  return [...body.slice(0, end).matchAll(/'([A-Za-z0-9+/=]+)'/g)].map((m) => Buffer.from(m[1]!, 'base64'));
};
const asBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);

describe('circomlib Poseidon constants', () => {
  it('width 3: derived round constants and MDS equal poseidon-lite\'s, element by element', () => {
    const { roundConstants, mds } = grainGenConstants({ Fp: Field(BN254_R), t: 3, roundsFull: 8, roundsPartial: 57, sboxPower: 5 });
    expect(roundConstants.flat()).toEqual(b64s('C').map(asBig));
    expect(mds.flat()).toEqual(b64s('M').map(asBig));
  });

  it('the pinned width-3 digest is the digest of poseidon-lite\'s file', () => {
    const h = createHash('sha256');
    for (const b of [...b64s('C'), ...b64s('M')]) h.update(Buffer.concat([Buffer.alloc(32 - b.length), b]));
    expect(CIRCOM_CONSTANTS_SHA256[3]).toBe(h.digest('hex'));
  });

  it('every width 2..17 derives to its pinned digest (no throw)', () => {
    for (let t = 2; t <= 17; t++) expect(() => circomPermutation(t)).not.toThrow();
    expect(() => circomPermutation(18)).toThrow(/widths 2..17/);
  });

  it('circomlib itself (output state[0]) gives the well-known Poseidon(1, 2)', () => {
    const state = circomPermutation(3)([0n, 1n, 2n]);
    expect(bn254ToHex(state[0]!)).toBe(vectors.contrast_circomlib_state0.output_hex);
  });
});

describe('gnark forks: output state[1], chunks of 12 (Gate, Binance 2023, HTX)', () => {
  const cases: [string, string[] | string, string][] = vectors.vectors.map((v: { inputs: string[] | string; output_hex: string }) => [JSON.stringify(v.inputs), v.inputs, v.output_hex]);
  it.each(cases)('Poseidon(%s)', (_name, inputs, hex) => {
    expect(bn254ToHex(gnarkPoseidon(inputsOf(inputs), 12))).toBe(hex);
  });

  it('chunking by 16 instead of 12 gives another hash for 13+ inputs (the lineages differ)', () => {
    expect(gnarkPoseidon(range(24), 16)).not.toBe(gnarkPoseidon(range(24), 12));
  });
});

describe('gnark fork with chunks of 16 (bnb-chain aa6a2850)', () => {
  // The vectors file gives these three in its note, as decimal.
  const note: string = vectors.binance_2024_fork_note;
  const expected = [...note.matchAll(/->(\d+)/g)].map((m) => BigInt(m[1]!));
  it.each([[[1n]], [[1n, 2n]], [range(13)]].map((x, i) => [i, x[0]!] as const))('vector %i', (i, inputs) => {
    expect(gnarkPoseidon(inputs, 16)).toBe(expected[i]);
  });
});

describe('bytes to field elements (fr.Element.SetBytes)', () => {
  it('reads big-endian and reduces mod r', () => {
    expect(bn254FromBytes(Uint8Array.from([1, 0]))).toBe(256n);
    const r = Buffer.from(BN254_R.toString(16).padStart(64, '0'), 'hex');
    expect(bn254FromBytes(r)).toBe(0n);
  });
});

// plonky2's Poseidon over Goldilocks (p = 2^64 − 2^32 + 1), as OKX's zk-STARK proofs of reserves
// use it: width 12, S-box x^7, 4 + 22 + 4 rounds, plonky2's round constants and MDS matrix
// (circulant plus a diagonal), built on @noble/curves' generic Poseidon permutation.
// Pure: only @noble imports, so the web page bundles it.
import { Field } from '@noble/curves/abstract/modular.js';
import { poseidon, splitConstants } from '@noble/curves/abstract/poseidon.js';
import { PLONKY2_MDS_CIRC, PLONKY2_MDS_DIAG, PLONKY2_ROUND_CONSTANTS } from './poseidon-goldilocks-constants.js';

export const GOLDILOCKS_P = 2n ** 64n - 2n ** 32n + 1n;
export const GL_WIDTH = 12;
/** plonky2's sponge rate: inputs are written into state[0..8) (overwrite mode). */
export const GL_RATE = 8;
/** A plonky2 HashOut: four field elements. */
export type GlHash = readonly [bigint, bigint, bigint, bigint];

const Fp = Field(GOLDILOCKS_P);

/** plonky2's mds_row_shf: out[r] = Σ_i CIRC[i]·v[(i + r) mod 12] + DIAG[r]·v[r], as a matrix. */
function plonky2Mds(): bigint[][] {
  return Array.from({ length: GL_WIDTH }, (_, r) =>
    Array.from({ length: GL_WIDTH }, (_, c) => {
      const circ = BigInt(PLONKY2_MDS_CIRC[(c - r + GL_WIDTH) % GL_WIDTH]!);
      return r === c ? circ + BigInt(PLONKY2_MDS_DIAG[r]!) : circ;
    }),
  );
}

let permutation: ((state: bigint[]) => bigint[]) | undefined;

/** The permutation, built on first use (a page that never sees an OKX v2 proof never pays for it). */
export function goldilocksPermute(state: readonly bigint[]): bigint[] {
  permutation ??= poseidon({
    Fp,
    t: GL_WIDTH,
    roundsFull: 8,
    roundsPartial: 22,
    sboxPower: 7,
    mds: plonky2Mds(),
    roundConstants: splitConstants(PLONKY2_ROUND_CONSTANTS.map((h) => BigInt(h)), GL_WIDTH),
  });
  for (const x of state) {
    if (x < 0n || x >= GOLDILOCKS_P) throw new RangeError(`not a canonical Goldilocks element: ${x}`);
  }
  return permutation([...state]);
}

/**
 * plonky2's PoseidonHash::hash_no_pad: state of 12 zeros; for each chunk of 8 inputs, OVERWRITE
 * state[0..len) (not add) and permute; the hash is state[0..4). No input: no permutation at all.
 */
export function glHashNoPad(inputs: readonly bigint[]): GlHash {
  let state: bigint[] = new Array<bigint>(GL_WIDTH).fill(0n);
  for (let i = 0; i < inputs.length; i += GL_RATE) {
    const chunk = inputs.slice(i, i + GL_RATE);
    chunk.forEach((x, j) => (state[j] = x));
    state = goldilocksPermute(state);
  }
  return [state[0]!, state[1]!, state[2]!, state[3]!];
}

/** HashOut::to_bytes as hex: each of the four elements as 8 bytes little-endian. */
export function glHashToHex(h: GlHash): string {
  return h.map((x) => {
    let s = '';
    for (let i = 0; i < 8; i++) s += ((x >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
    return s;
  }).join('');
}

/**
 * HashOut::from_bytes: 64 hex digits → four u64 little-endian. Undefined when the text is not 64
 * hex digits or an element is not canonical (≥ p): plonky2 would not produce such a hash.
 */
export function glHashFromHex(hex: string): GlHash | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const out: bigint[] = [];
  for (let e = 0; e < 4; e++) {
    let x = 0n;
    for (let i = 7; i >= 0; i--) x = (x << 8n) | BigInt(parseInt(hex.slice(16 * e + 2 * i, 16 * e + 2 * i + 2), 16));
    if (x >= GOLDILOCKS_P) return undefined;
    out.push(x);
  }
  return out as unknown as GlHash;
}

// circomlib's Poseidon permutation over BN254's scalar field (S-box x^5, 8 full rounds, circomlib's
// partial rounds per width), on @noble/curves' generic builder, and the hash the gnark-crypto forks
// of Gate and Binance build on it. Pure: only @noble imports, so the web page bundles it.
import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants, poseidon, type PoseidonFn } from '@noble/curves/abstract/poseidon.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { CIRCOM_CONSTANTS_SHA256, CIRCOM_PARTIAL_ROUNDS } from './poseidon-bn254-constants.js';

export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const Fp = Field(BN254_R);
const perms = new Map<number, PoseidonFn>();

const be32 = (x: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 31, v = x; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};

/** The permutation of width t (2..17), its constants derived and checked against the pinned digest. */
export function circomPermutation(t: number): PoseidonFn {
  const have = perms.get(t);
  if (have) return have;
  const roundsPartial = CIRCOM_PARTIAL_ROUNDS[t - 2];
  if (!Number.isInteger(t) || roundsPartial === undefined) throw new RangeError(`circomlib Poseidon has widths 2..17, not ${t}`);
  const opts = { Fp, t, roundsFull: 8, roundsPartial, sboxPower: 5 };
  const { roundConstants, mds } = grainGenConstants(opts);
  const digest = bytesToHex(sha256(concatBytes(...roundConstants.flat().map(be32), ...mds.flat().map(be32))));
  // Never hash with constants that are not circomlib's: a wrong table would make every proof INVALID.
  if (digest !== CIRCOM_CONSTANTS_SHA256[t]) throw new Error(`Poseidon constants for width ${t} do not match circomlib's (digest ${digest})`);
  const perm = poseidon({ ...opts, roundConstants, mds });
  perms.set(t, perm);
  return perm;
}

/**
 * The gnark-crypto forks' Poseidon (Gate's gatechain v0.7.1, Binance's bnb-chain forks): inputs go
 * in state[1..n] with state[0] = 0, the hash is state[1] (circomlib outputs state[0]). Inputs longer
 * than `chunk` (12 in the older lineage, 16 in the newer) are absorbed `chunk` at a time, each chunk
 * permuted with width len+1 and state[0] carried into the next; the last chunk may be narrower.
 */
export function gnarkPoseidon(inputs: readonly bigint[], chunk: 12 | 16): bigint {
  if (inputs.length === 0) throw new RangeError('Poseidon of no input is not defined');
  let carry = 0n;
  let out = 0n;
  for (let i = 0; i < inputs.length; i += chunk) {
    const part = inputs.slice(i, i + chunk).map((x) => Fp.create(x));
    const state = circomPermutation(part.length + 1)([carry, ...part]);
    carry = state[0]!;
    out = state[1]!;
  }
  return out;
}

/** A field element from big-endian bytes, reduced mod r, as gnark's fr.Element.SetBytes does. */
export function bn254FromBytes(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x % BN254_R;
}

export const bn254ToHex = (x: bigint): string => bytesToHex(be32(x));

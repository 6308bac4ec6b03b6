// A second, simpler implementation of the Binance-family user proof (2023 design, as in Gate's and
// Binance's Go verifiers), written for the tests: it builds user_config.json files whose root it
// computes itself, so the adapter is never checked against its own output. Its only shared part is
// the permutation, which gnark-crypto's own vectors pin (poseidon-bn254.test.ts).
import { createHash } from 'node:crypto';
import { circomPermutation } from '../../src/core/crypto/poseidon-bn254.js';

export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** gnark fork Poseidon: [0, inputs] per chunk of 12, state[0] carried, state[1] out. */
export function poseidon12(xs: bigint[]): bigint {
  let carry = 0n;
  let out = 0n;
  for (let i = 0; i < xs.length; i += 12) {
    const chunk = xs.slice(i, i + 12);
    const s = circomPermutation(chunk.length + 1)([carry, ...chunk.map((x) => x % R)]);
    [carry, out] = [s[0]!, s[1]!];
  }
  return out;
}

export interface UserAsset { Index: number; Equity: bigint; Debt: bigint }

/** ComputeUserAssetsCommitment over `slots` slots: [e0, d0, e1, d1, …] three to an element. */
export function commitment(assets: UserAsset[], slots: number): bigint {
  const values: bigint[] = [];
  for (let i = 0; i < slots; i++) {
    const a = assets.find((x) => x.Index === i);
    values.push(a?.Equity ?? 0n, a?.Debt ?? 0n);
  }
  while (values.length % 3 !== 0) values.push(0n);
  const packed: bigint[] = [];
  for (let i = 0; i < values.length; i += 3) packed.push(values[i]! * 2n ** 128n + values[i + 1]! * 2n ** 64n + values[i + 2]!);
  return poseidon12(packed);
}

const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');
const b64 = (x: bigint) => Buffer.from(hex32(x), 'hex').toString('base64');

/** Deterministic sibling hashes (below r), 28 of them. */
export function siblings(seed: string): bigint[] {
  return Array.from({ length: 28 }, (_, i) => BigInt(`0x${createHash('sha256').update(`${seed}/${i}`).digest('hex')}`) % R);
}

export interface Built { idHash: string; index: number; equity: bigint; debt: bigint; assets: UserAsset[]; root: bigint; proof: bigint[] }

export function build(opts: { index: number; assets: UserAsset[]; equity: bigint; debt: bigint; slots: number; seed: string }): Built {
  const idHash = createHash('sha256').update(`user ${opts.seed}`).digest('hex').replace(/^../, '00');
  const proof = siblings(opts.seed);
  let node = poseidon12([BigInt(`0x${idHash}`), opts.equity, opts.debt, commitment(opts.assets, opts.slots)]);
  proof.forEach((s, i) => (node = (opts.index >> i) & 1 ? poseidon12([s, node]) : poseidon12([node, s])));
  return { idHash, index: opts.index, equity: opts.equity, debt: opts.debt, assets: opts.assets, root: node, proof };
}

/** Gate's user_config.json layout; amounts as bare JSON integers (exact text). */
export function gateText(b: Built, proofAsString = false): string {
  const sib = b.proof.map(b64);
  const enc = proofAsString ? JSON.stringify(`[${sib.map((s) => `'${s}'`).join(', ')}]`) : JSON.stringify(sib);
  return `{"Arrangement":${b.index},"UniqueIdentification":"${b.idHash}","TotalAssetEquity":${b.equity},"TotalAssetDebt":${b.debt},` +
    `"AssetDetails":[${b.assets.map((a) => `{"Index":${a.Index},"Equity":${a.Equity},"Debt":${a.Debt}}`).join(',')}],` +
    `"TreeRootHash":"${hex32(b.root)}","MerkleProofEncode":${enc}}`;
}

/** Binance 2023 / HTX user_config.json layout. */
export function binance2023Text(b: Built): string {
  return `{"AccountIndex":${b.index},"AccountIdHash":"${b.idHash}","TotalEquity":${b.equity},"TotalDebt":${b.debt},` +
    `"Assets":[${b.assets.map((a) => `{"Index":${a.Index},"Equity":${a.Equity},"Debt":${a.Debt}}`).join(',')}],` +
    `"Root":"${hex32(b.root)}","Proof":${JSON.stringify(b.proof.map(b64))}}`;
}

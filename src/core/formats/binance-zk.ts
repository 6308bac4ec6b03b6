// Binance's zkmerkle-proof-of-solvency user proofs and the forks Gate and HTX publish: the user's
// leaf = Poseidon(id hash, total equity, total debt, asset commitment), then a depth-28 Poseidon
// path to the root. The Poseidon is circomlib's BN254 permutation with the gnark forks' rules
// (src/core/crypto/poseidon-bn254.ts). The number of asset slots in the commitment belongs to the
// exchange's configuration, not to the file, so por tries the variants it knows (BINANCE_ZK_VARIANTS).
// Pure: no Node builtins, so the web page bundles this module.
import { base64 } from '@scure/base';
import { porError } from '../errors/index.js';
import { isObject } from '../json/index.js';
import { JsonAt } from '../json/read.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../verify/types.js';
import { BN254_R, bn254FromBytes, bn254ToHex, gnarkPoseidon } from '../crypto/poseidon-bn254.js';

export const BINANCE_ZK_FORMAT = 'binance-zk';
export const BINANCE_ZK_DEPTH = 28;

/** How the user proof file is laid out (field names), which is not yet the variant of the scheme. */
export type BinanceZkLayout = 'gate' | 'binance-2023' | 'binance-2024';

export interface BinanceZkVariant {
  name: string;
  exchange: string;
  layout: BinanceZkLayout;
  /** Asset slots the commitment runs over (the exchange's configuration). */
  slots: number;
  /** gnark fork lineage: long inputs absorbed 12 or 16 at a time. */
  chunk: 12 | 16;
  /** Reproduced against a real published root: when such a variant fails, the proof is INVALID. */
  pinned: boolean;
  source: string;
}

export const BINANCE_ZK_VARIANTS: readonly BinanceZkVariant[] = [
  {
    name: 'gate-2023', exchange: 'Gate', layout: 'gate', slots: 350, chunk: 12, pinned: true,
    source: "gatechain/gate-zkmerkle-proof (AssetCounts = 350, gatechain/gnark-crypto v0.7.1); reproduces the root of Gate's own config/user_config.json",
  },
  {
    name: 'gate-800', exchange: 'Gate', layout: 'gate', slots: 800, chunk: 12, pinned: false,
    source: "Gate's later configuration of 800 asset slots (not reproduced against a published root)",
  },
  {
    name: 'binance-2023', exchange: 'Binance', layout: 'binance-2023', slots: 350, chunk: 12, pinned: true,
    source: 'binance/zkmerkle-proof-of-solvency before 5d26d4f (AssetCounts = 350): the same computation as gate-2023 under other field names',
  },
  {
    name: 'htx', exchange: 'HTX', layout: 'binance-2023', slots: 174, chunk: 12, pinned: false,
    source: "HTX's fork with 174 asset slots (not reproduced against a published root)",
  },
];

export const BINANCE_ZK_GROTH16_WARNING =
  "The exchange's Groth16 batch proofs (which are what show that each account's totals equal its assets at the published prices, that no account is negative, " +
  'and that the tree sums to the published liabilities) are out of scope: por does not verify them. This check shows only that your leaf is under the root.';
export const BINANCE_ZK_TOTALS_WARNING =
  'Your TotalEquity and TotalDebt are not recomputed from your assets (the prices are not in the file); the leaf commits to them as written, and the tree\'s nodes hash only their children, not sums.';

interface Asset { index: number; equity: bigint; debt: bigint }

interface BinanceZkProof {
  layout: BinanceZkLayout;
  index: number;
  idHash: string;
  totalEquity: bigint;
  totalDebt: bigint;
  assets: Asset[];
  root: string;
  proofB64: string[];
  siblings: Uint8Array[];
}

const FIELDS: Record<BinanceZkLayout, { index: string; id: string; equity: string; debt: string; assets: string; root: string; proof: string }> = {
  gate: { index: 'Arrangement', id: 'UniqueIdentification', equity: 'TotalAssetEquity', debt: 'TotalAssetDebt', assets: 'AssetDetails', root: 'TreeRootHash', proof: 'MerkleProofEncode' },
  'binance-2023': { index: 'AccountIndex', id: 'AccountIdHash', equity: 'TotalEquity', debt: 'TotalDebt', assets: 'Assets', root: 'Root', proof: 'Proof' },
  'binance-2024': { index: 'AccountIndex', id: 'AccountIdHash', equity: 'TotalEquity', debt: 'TotalDebt', assets: 'Assets', root: 'Root', proof: 'Proof' },
};

/** The layout of a Binance-family user proof, or undefined when the JSON is none of them. */
export function binanceZkLayout(json: unknown): BinanceZkLayout | undefined {
  if (!isObject(json)) return undefined;
  if ('UniqueIdentification' in json && 'MerkleProofEncode' in json && 'TreeRootHash' in json) return 'gate';
  if ('AccountIdHash' in json && 'Proof' in json && 'Root' in json) return 'TotalCollateral' in json ? 'binance-2024' : 'binance-2023';
  return undefined;
}

/** An unsigned integer as these files write one: a JSON integer (exact) or decimal text. */
function readUint(at: JsonAt, max?: bigint): bigint {
  const v = at.value;
  let x: bigint | undefined;
  if (typeof v === 'bigint') x = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) x = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) at.fail(`the integer ${v} was read inexactly (beyond 2^53); read the file with exact integers`);
  else if (typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v)) x = BigInt(v);
  if (x === undefined || x < 0n) return at.fail('must be a non-negative integer');
  if (max !== undefined && x >= max) at.fail(`${x} does not fit: it must be below ${max}`);
  return x;
}

function readAssets(list: JsonAt): Asset[] {
  if (!Array.isArray(list.value)) list.fail('must be an array of {Index, Equity, Debt}');
  let last = -1;
  return list.array().map((a) => {
    if (!isObject(a.value)) a.fail('must be an object with Index, Equity and Debt');
    const index = Number(readUint(a.get('Index'), 65536n));
    // The exchanges' verifiers write asset i into slot Index: a repeated or unsorted Index would
    // silently replace another asset, so it is refused.
    if (index <= last) a.get('Index').fail(`asset indexes must increase; ${index} follows ${last}`);
    last = index;
    // Packed three to a field element as a·2^128 + b·2^64 + c: each must be a uint64.
    return { index, equity: readUint(a.get('Equity'), 2n ** 64n), debt: readUint(a.get('Debt'), 2n ** 64n) };
  });
}

const B64_HASH = /^[A-Za-z0-9+/]{43}=$/;

/** The siblings: a list of base64 strings, or (Gate) one string holding "['…', '…']". */
function readSiblings(at: JsonAt): string[] {
  if (typeof at.value === 'string') {
    const m = /^\s*\[(.*)\]\s*$/s.exec(at.value);
    if (!m) return at.fail('must be a list of base64 hashes, or a string holding one in brackets');
    const list = m[1]!.trim() === '' ? [] : m[1]!.split(',').map((s) => s.trim().replace(/^'(.*)'$/s, '$1'));
    list.forEach((s, i) => {
      if (!B64_HASH.test(s)) at.fail(`[${i}] must be a 32-byte hash in base64 (44 characters)`);
    });
    return list;
  }
  if (!Array.isArray(at.value)) at.fail('must be a list of base64 hashes');
  return at.array().map((s) => s.string(B64_HASH, 'a 32-byte hash in base64 (44 characters)'));
}

export function parseBinanceZkProof(json: unknown): BinanceZkProof {
  const doc = JsonAt.root(json);
  const layout = binanceZkLayout(json);
  if (layout === undefined) return doc.fail('not a Binance-family user proof: it needs AccountIdHash, Root and Proof (Binance, HTX) or UniqueIdentification, TreeRootHash and MerkleProofEncode (Gate)');
  const f = FIELDS[layout];
  const index = Number(readUint(doc.get(f.index), 2n ** BigInt(BINANCE_ZK_DEPTH)));
  const id = doc.get(f.id).string(/^[0-9a-fA-F]{64}$/, '64 hex digits (the hash of your account id)');
  const root = doc.get(f.root).string(/^[0-9a-fA-F]{64}$/, '64 hex digits');
  const proofB64 = readSiblings(doc.get(f.proof));
  return {
    layout, index, idHash: id.toLowerCase(), root: root.toLowerCase(), proofB64,
    totalEquity: readUint(doc.get(f.equity)), totalDebt: readUint(doc.get(f.debt)),
    assets: readAssets(doc.get(f.assets)),
    siblings: proofB64.map((s) => base64.decode(s)),
  };
}

/**
 * The asset commitment of the exchanges' ComputeUserAssetsCommitment (2023 design): equity and
 * debt of every slot, interleaved [e0, d0, e1, d1, …] (absent assets 0/0), packed three to an
 * element as a·2^128 + b·2^64 + c (zeros past the end), hashed as one long Poseidon input.
 */
export function binanceZkAssetCommitment(assets: readonly Asset[], slots: number, chunk: 12 | 16): bigint {
  const flat = new Array<bigint>(2 * slots).fill(0n);
  for (const a of assets) {
    flat[2 * a.index] = a.equity;
    flat[2 * a.index + 1] = a.debt;
  }
  const elements: bigint[] = [];
  for (let i = 0; i < Math.floor((2 * slots + 2) / 3); i++) {
    const [a = 0n, b = 0n, c = 0n] = flat.slice(3 * i, 3 * i + 3);
    elements.push((a << 128n) + (b << 64n) + c);
  }
  return gnarkPoseidon(elements, chunk);
}

export function binanceZkLeaf(p: BinanceZkProof, v: BinanceZkVariant): bigint {
  const id = bn254FromBytes(hexBytes(p.idHash));
  return gnarkPoseidon([id, p.totalEquity % BN254_R, p.totalDebt % BN254_R, binanceZkAssetCommitment(p.assets, v.slots, v.chunk)], v.chunk);
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** VerifyMerkleProof: bit i of the account index says whether our node is the left (0) child. */
function walk(p: BinanceZkProof, leaf: bigint, chunk: 12 | 16): { root: bigint; steps: PathStep[] } {
  let node = leaf;
  const steps = p.siblings.map((bytes, i): PathStep => {
    const sibling = bn254FromBytes(bytes);
    const ours = ((p.index >> i) & 1) === 0;
    node = gnarkPoseidon(ours ? [node, sibling] : [sibling, node], chunk);
    return { level: i + 1, side: ours ? 'right' : 'left', hash: bytesHex(bytes), computed: bn254ToHex(node) };
  });
  return { root: node, steps };
}

const bytesHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

/** Values the exchange's code would silently reduce modulo r: a real tree never holds them. */
function fieldCheck(p: BinanceZkProof): Check {
  const over: string[] = [];
  if (BigInt(`0x${p.idHash}`) >= BN254_R) over.push('the id hash');
  if (p.totalEquity >= BN254_R) over.push('TotalEquity');
  if (p.totalDebt >= BN254_R) over.push('TotalDebt');
  p.siblings.forEach((s, i) => { if (BigInt(`0x${bytesHex(s)}`) >= BN254_R) over.push(`sibling ${i}`); });
  if (BigInt(`0x${p.root}`) >= BN254_R) over.push('the root');
  return check('values-in-field', over.length === 0, over.length === 0
    ? 'every value hashed is below the BN254 scalar field modulus'
    : `${over.join(', ')} not below the BN254 scalar field modulus: the exchange's verifier would reduce them silently`);
}

/** The variants of this file's layout that can hold its assets; the layout alone is not enough. */
function candidates(p: BinanceZkProof): BinanceZkVariant[] {
  const top = p.assets.reduce((m, a) => Math.max(m, a.index), -1);
  return BINANCE_ZK_VARIANTS.filter((v) => v.layout === p.layout && top < v.slots);
}

function notRecognised(p: BinanceZkProof, tried: BinanceZkVariant[]): never {
  const why = p.layout === 'binance-2024'
    ? "Binance's 2024 design (TotalCollateral; Loan, Margin and PortfolioMargin per asset, tiers of asset slots; its Poseidon pin bnb-chain/gnark-crypto 609ab3a7) is not one por can reproduce yet"
    : tried.length === 0
      ? `no variant por knows for this layout holds asset index ${p.assets.reduce((m, a) => Math.max(m, a.index), -1)}`
      : `the root reproduces under none of ${tried.map((v) => `${v.name} (${v.slots} asset slots, not confirmed against a published root)`).join(', ')}`;
  throw porError('BAD_INPUT', `scheme variant not recognised: ${why}. Nothing was checked; this is not a verdict on the proof. Variants por knows: ${BINANCE_ZK_VARIANTS.map((v) => v.name).join(', ')}.`, { field: 'variant' });
}

function describe(v: BinanceZkVariant): string {
  return `${v.name}: ${v.exchange}, ${v.slots} asset slots, gnark Poseidon (circomlib BN254, output state[1], chunks of ${v.chunk})`;
}

function balances(p: BinanceZkProof): AssetAmount[] {
  return [
    ...p.assets.map((a) => ({ asset: `asset #${a.index}`, amount: a.equity.toString(), debt: a.debt.toString() })),
    { asset: 'total (as written)', amount: p.totalEquity.toString(), debt: p.totalDebt.toString() },
  ];
}

/**
 * Verifies a Binance-family user proof as the exchanges' verifiers do (leaf from the id hash,
 * totals and asset commitment; 28 levels by the index's bits; the root in the file), under each
 * variant of the file's layout por knows. One reproduces the root: VALID, naming it. None does:
 * INVALID when a variant confirmed against a real root was among them, otherwise "scheme variant
 * not recognised" (a PorError, exit 2): por cannot tell a forged file from an unknown configuration.
 */
export function verifyBinanceZkProof(json: unknown): Verdict {
  const p = parseBinanceZkProof(json);
  if (p.layout === 'binance-2024') notRecognised(p, []);
  const tried = candidates(p);
  if (tried.length === 0) notRecognised(p, tried);
  // Confirmed variants first, and stop at the first that reproduces the root (each costs ~1 s in a browser).
  const runs: { v: BinanceZkVariant; leaf: bigint; root: bigint; steps: PathStep[] }[] = [];
  for (const v of [...tried].sort((a, b) => Number(b.pinned) - Number(a.pinned))) {
    const leaf = binanceZkLeaf(p, v);
    runs.push({ v, leaf, ...walk(p, leaf, v.chunk) });
    if (bn254ToHex(runs[runs.length - 1]!.root) === p.root) break;
  }
  const hit = runs.find((r) => bn254ToHex(r.root) === p.root);
  if (!hit && !tried.some((v) => v.pinned)) notRecognised(p, tried);
  const run = hit ?? runs.find((r) => r.v.pinned)!;
  const depthOk = p.siblings.length === BINANCE_ZK_DEPTH;
  const checks: Check[] = [
    check('scheme-variant', true, hit ? `recognised as ${describe(hit.v)}; ${hit.v.source}` : `layout ${p.layout}; tried ${tried.map(describe).join('; ')}`),
    check('proof-depth', depthOk, depthOk ? `${BINANCE_ZK_DEPTH} siblings, the tree's depth` : `${p.siblings.length} siblings; the tree's depth is ${BINANCE_ZK_DEPTH}`),
    fieldCheck(p),
    check('leaf', true, `leaf = Poseidon(id hash, TotalEquity, TotalDebt, asset commitment over ${run.v.slots} slots) = ${bn254ToHex(run.leaf)}`),
    check('root-hash', hit !== undefined, hit
      ? `the walk from your leaf ends at ${p.root}, the root in the file`
      : `the walk ends at ${runs.map((r) => `${bn254ToHex(r.root)} (${r.v.name})`).join(', ')}, not at the root in the file ${p.root}`),
  ];
  return {
    valid: checks.every((c) => c.ok),
    format: BINANCE_ZK_FORMAT,
    checks,
    warnings: [
      BINANCE_ZK_GROTH16_WARNING,
      BINANCE_ZK_TOTALS_WARNING,
      `The number of asset slots (${run.v.slots}) is ${run.v.exchange}'s configuration, not written in the file: por ${hit ? 'identified the variant by reproducing the root' : 'tried the variants it knows'}.`,
    ],
    user: { id: p.idHash, balances: balances(p) },
    root: { hash: p.root, sums: [], height: BINANCE_ZK_DEPTH },
    path: run.steps,
  };
}

// A second, simpler implementation of OKX's zk-STARK tree (okx/proof-of-reserves-v2), written from
// its Rust code for the tests: builds the tree over real accounts (OKX's batch0.json) and hands out
// inclusion proofs and a sum_proof_data.json, so the adapter is never checked against its own output.
// Its only shared part is the permutation, which plonky2's own vectors pin (poseidon-goldilocks.test.ts).
import { goldilocksPermute } from '../../src/core/crypto/poseidon-goldilocks.js';

export const P = 2n ** 64n - 2n ** 32n + 1n;
type H = bigint[];

/** hash_no_pad, spelled out: overwrite the first ≤ 8 state elements per chunk, permute, take 4. */
export function hashNoPad(xs: bigint[]): H {
  let s = new Array<bigint>(12).fill(0n);
  for (let off = 0; off < xs.length; off += 8) {
    s = [...xs.slice(off, off + 8), ...s.slice(Math.min(8, xs.length - off))];
    s = goldilocksPermute(s);
  }
  return s.slice(0, 4);
}

/** HashOut::to_bytes in hex: each element 8 bytes little-endian. */
export const toHex = (h: H): string => h.map((x) => Buffer.from(x.toString(16).padStart(16, '0'), 'hex').reverse().toString('hex')).join('');

export interface Account { id: string; equity: bigint[]; debt: bigint[] }

/** OKX's parser: negative amounts are debt, positive equity, per token in the given order. */
export function parseBatch(batch: { id: string; assets: Record<string, string> }[], tokens: string[]): Account[] {
  return batch.map((a) => {
    const vals = tokens.map((t) => BigInt(a.assets[t] ?? '0'));
    return { id: a.id, equity: vals.map((v) => (v > 0n ? v : 0n)), debt: vals.map((v) => (v < 0n ? -v : 0n)) };
  });
}

export function leafOf(a: Account, equitySum?: bigint, debtSum?: bigint): H {
  const id = [a.id.slice(0, 14), a.id.slice(14, 28), a.id.slice(28, 42), a.id.slice(42, 56), a.id.slice(56, 64)].map((s) => BigInt(`0x${s}`));
  const e = equitySum ?? a.equity.reduce((x, y) => x + y, 0n);
  const d = debtSum ?? a.debt.reduce((x, y) => x + y, 0n);
  return hashNoPad([...id, e % P, d % P]);
}

export interface Tree {
  accounts: Account[];
  batchSize: number;
  branchout: number;
  levels: H[][]; // batch trees: levels[b] = all nodes of batch b, leaves first (OKX's layout)
  batchRoots: H[];
  root: H;
  equity: bigint;
  debt: bigint;
}

/** Batches of `batchSize` leaves, binary trees, then ONE recursive level of `branchout` children (padded). */
export function buildTree(accounts: Account[], batchSize: number, branchout: number, pad: Account): Tree {
  const levels: H[][] = [];
  const batchRoots: H[] = [];
  for (let b = 0; b * batchSize < accounts.length; b++) {
    const leaves = accounts.slice(b * batchSize, (b + 1) * batchSize);
    while (leaves.length < batchSize) leaves.push(pad);
    const nodes: H[] = leaves.map((a) => leafOf(a));
    for (let i = 0; i < batchSize - 1; i++) nodes.push(hashNoPad([...nodes[2 * i]!, ...nodes[2 * i + 1]!]));
    levels.push(nodes);
    batchRoots.push(nodes[nodes.length - 1]!);
  }
  if (batchRoots.length > branchout) throw new Error('builder: one recursive level only');
  const padRoot = hashNoPad([...leafOf(pad), ...leafOf(pad)]);
  const children = [...batchRoots];
  while (children.length < branchout) children.push(padRoot);
  const sum = (f: (a: Account) => bigint[]) => accounts.reduce((s, a) => s + f(a).reduce((x, y) => x + y, 0n), 0n);
  return { accounts, batchSize, branchout, levels, batchRoots: children, root: hashNoPad(children.flat()), equity: sum((a) => a.equity), debt: sum((a) => a.debt) };
}

/** The user's *_inclusion_proof.json, laid out as OKX serialises MerkleProof. */
export function proofFor(t: Tree, index: number): Record<string, unknown> {
  const batch = Math.floor(index / t.batchSize);
  const nodes = t.levels[batch]!;
  const sumSiblings: string[] = [];
  let local = index % t.batchSize;
  while (local < t.batchSize * 2 - 2) {
    sumSiblings.push(toHex(nodes[local % 2 === 1 ? local - 1 : local + 1]!));
    local = Math.floor(local / 2) + t.batchSize;
  }
  const a = t.accounts[index]!;
  return {
    account: { id: a.id, equity: a.equity.map(String), debt: a.debt.map(String) },
    index,
    sum_tree_siblings: sumSiblings,
    recursive_tree_siblings: [{ left_hashes: t.batchRoots.slice(0, batch).map(toHex), right_hashes: t.batchRoots.slice(batch + 1).map(toHex) }],
  };
}

/** sum_proof_data.json as OKX writes it: public inputs as bare JSON integers (64-bit, beyond 2^53). */
export function sumProofDataText(t: Tree, round = 508787475): string {
  const inputs = [t.equity, t.debt, ...t.root].map(String).join(', ');
  return `{"general": {"round_num": ${round}, "recursion_branchout_num": ${t.branchout}, "batch_size": ${t.batchSize}, "token_num": 220},\n` +
    `"root_vd_digest": {"elements": [1, 2, 3, 4]},\n"proof": {"proof": {}, "public_inputs": [${inputs}]}}\n`;
}

// A second, deliberately plain implementation of docs/SPEC.md (byte rules, leaf order, tree, proof
// path) on node:crypto and Buffers, sharing nothing with src/: tests compare por's output with it.
// Slow on purpose (one Buffer.concat per hash, bigint sums): it is for trees of a few hundred users.
import { createHash, createHmac } from 'node:crypto';

export interface SpecAsset {
  symbol: string;
  decimals: number;
}
export interface SpecUser {
  id: string;
  net: bigint[];
}
export interface SpecNode {
  hash: Buffer;
  equity: bigint[];
  debt: bigint[];
}
export interface SpecLeaf extends SpecNode {
  id: string;
  salt: Buffer;
  userHash: Buffer;
}

export const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
export const tag = (t: string): Buffer => Buffer.concat([Buffer.from(t, 'ascii'), Buffer.of(1)]);
const u16 = (n: number) => Buffer.of(n >> 8, n & 255);
export const lp = (s: string): Buffer => Buffer.concat([u16(Buffer.byteLength(s, 'utf8')), Buffer.from(s, 'utf8')]);
const u128 = (v: bigint) => Buffer.from(v.toString(16).padStart(32, '0'), 'hex');
export const sumsBytes = (equity: bigint[], debt: bigint[]): Buffer => Buffer.concat(equity.flatMap((e, i) => [u128(e), u128(debt[i]!)]));

export function assetsHash(assets: SpecAsset[]): Buffer {
  const each = assets.map((a) => Buffer.concat([Buffer.of(a.symbol.length), Buffer.from(a.symbol, 'ascii'), Buffer.of(a.decimals)]));
  return sha(tag('por.asst'), u16(assets.length), ...each);
}

export function saltOf(secret: Buffer, sid: string, id: string): Buffer {
  return createHmac('sha256', secret).update(Buffer.concat([tag('por.salt'), lp(sid), lp(id)])).digest();
}

export function userHashOf(secret: Buffer, sid: string, id: string): Buffer {
  return sha(tag('por.user'), lp(id), saltOf(secret, sid, id));
}

export function leafOf(secret: Buffer, sid: string, assets: SpecAsset[], u: SpecUser): SpecLeaf {
  const salt = saltOf(secret, sid, u.id);
  const userHash = sha(tag('por.user'), lp(u.id), salt);
  const equity = u.net.map((v) => (v > 0n ? v : 0n));
  const debt = u.net.map((v) => (v < 0n ? -v : 0n));
  const hash = sha(tag('por.leaf'), lp(sid), assetsHash(assets), userHash, sumsBytes(equity, debt));
  return { id: u.id, salt, userHash, hash, equity, debt };
}

export function nodeOf(L: SpecNode, R: SpecNode): SpecNode {
  return {
    hash: sha(tag('por.node'), L.hash, sumsBytes(L.equity, L.debt), R.hash, sumsBytes(R.equity, R.debt)),
    equity: L.equity.map((e, i) => e + R.equity[i]!),
    debt: L.debt.map((d, i) => d + R.debt[i]!),
  };
}

/** Leaves in tree order: a plain sort by the whole 32-byte user hash (SPEC.md, "Shape"). */
export function ordered(leaves: SpecLeaf[]): SpecLeaf[] {
  return [...leaves].sort((a, b) => Buffer.compare(a.userHash, b.userHash));
}

/** Every level, 0 (leaves in order) to height (the root), each with only its real nodes. */
export function levelsOf(leaves: SpecLeaf[], height: number, assetCount: number): SpecNode[][] {
  const zeros = Array.from({ length: assetCount }, () => 0n);
  let pad: SpecNode = { hash: sha(tag('por.pad.')), equity: zeros, debt: zeros };
  const levels: SpecNode[][] = [ordered(leaves)];
  for (let k = 1; k <= height; k++) {
    const below = levels[k - 1]!;
    const level: SpecNode[] = [];
    for (let j = 0; j < below.length; j += 2) level.push(nodeOf(below[j]!, below[j + 1] ?? pad));
    if (level.length === 0) level.push(nodeOf(pad, pad));
    levels.push(level);
    pad = nodeOf(pad, pad);
  }
  return levels;
}

/** Padding node of each level 0 … height. */
export function padsOf(height: number, assetCount: number): SpecNode[] {
  const zeros = Array.from({ length: assetCount }, () => 0n);
  const pads: SpecNode[] = [{ hash: sha(tag('por.pad.')), equity: zeros, debt: zeros }];
  for (let k = 1; k <= height; k++) pads.push(nodeOf(pads[k - 1]!, pads[k - 1]!));
  return pads;
}

/** The proof path of the leaf at `position`: sibling and side at each level 0 … height−1. */
export function pathOf(levels: SpecNode[][], position: number, height: number, assetCount: number) {
  const pads = padsOf(height, assetCount);
  const steps: { side: 'left' | 'right'; node: SpecNode }[] = [];
  for (let k = 0; k < height; k++) {
    const sib = (position >> k) ^ 1;
    steps.push({ side: sib % 2 === 0 ? 'left' : 'right', node: levels[k]![sib] ?? pads[k]! });
  }
  return steps;
}

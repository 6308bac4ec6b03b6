// Known ways to fool a proof of liabilities (docs/THREATS.md rows 1-3, 14), each tried
// against verifyPorProof. Forged roots are computed here with plain node:crypto from SPEC.md's node
// rule, so the forger is not the code under test.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import type { ProofDocument } from '../../src/core/merkle/types.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { SECRET, snapshotOf, tmp } from '../merkle/helpers.js';

const ASSET = [{ symbol: 'USDT', decimals: 6 }];
const sha = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
const u128 = (v: bigint) => Buffer.from((((v % (1n << 128n)) + (1n << 128n)) % (1n << 128n)).toString(16).padStart(32, '0'), 'hex');
const NODE_TAG = Buffer.from('por.node\x01', 'latin1');
const node = (lh: string, ls: bigint, rh: string, rs: bigint) => sha(NODE_TAG, Buffer.from(lh, 'hex'), u128(ls), u128(0n), Buffer.from(rh, 'hex'), u128(rs), u128(0n)).toString('hex');
const clone = (p: ProofDocument): ProofDocument => JSON.parse(JSON.stringify(p));
const failed = (v: ReturnType<typeof verifyPorProof>) => v.checks.filter((c) => !c.ok).map((c) => c.name);

// Two users, height 1: the root is the node over alice's and bob's leaves.
let alice: ProofDocument;
let bob: ProofDocument;
let realRoot: string;
beforeAll(async () => {
  const dir = tmp();
  const users = [{ userId: 'alice', net: [10_000000n] }, { userId: 'bob', net: [7_000000n] }];
  const res = await buildTree(snapshotOf(users, ASSET), { secret: SECRET, snapshotId: 's', height: 1, outDir: dir, threads: 1 });
  realRoot = res.merkleRoot.hash;
  const store = await ProofStore.open(dir);
  alice = store.proof('alice');
  bob = store.proof('bob');
  store.close();
});

// The forgery of "Breaking the Binding" (ePrint 2018/1139): publish total P = max(v) instead of Σv,
// and show each user the sibling sum P − v.
function forge(p: ProofDocument, P: bigint): ProofDocument {
  const f = clone(p);
  const v = BigInt(p.user.balances[0]!.equityUnits);
  f.path[0]!.equity = [(P - v).toString()];
  f.root.equity = [P.toString()];
  f.root.hash = forgedRoot(p, P);
  return f;
}
function forgedRoot(p: ProofDocument, P: bigint): string {
  const v = BigInt(p.user.balances[0]!.equityUnits);
  const s = p.path[0]!;
  return s.side === 'right' ? node(p.leaf.hash, v, s.hash, P - v) : node(s.hash, P - v, p.leaf.hash, v);
}

describe('sibling-sum forgery (ePrint 2018/1139)', () => {
  it('works against a parent that hashes only the total (the broken form), as a sanity check of the attack', () => {
    // Broken rule: parent = H(left.hash ‖ right.hash ‖ total). The sibling's own sum is unbound.
    const broken = (lh: string, rh: string, total: bigint) => sha(Buffer.from(lh, 'hex'), Buffer.from(rh, 'hex'), u128(total)).toString('hex');
    const P = 10_000000n; // hides bob's 7 USDT
    const [l, r] = alice.path[0]!.side === 'right' ? [alice.leaf.hash, bob.leaf.hash] : [bob.leaf.hash, alice.leaf.hash];
    const published = broken(l, r, P);
    for (const p of [alice, bob]) {
      const v = BigInt(p.user.balances[0]!.equityUnits);
      const sibling = P - v; // what the exchange shows this user
      expect(sibling).toBeGreaterThanOrEqual(0n);
      expect(broken(l, r, v + sibling)).toBe(published); // each user's check passes
    }
  });

  it('is rejected by por: the parent commits each child sum, so one published root cannot fit both views', () => {
    const P = 10_000000n;
    for (const [victim, other] of [[alice, bob], [bob, alice]] as const) {
      // The exchange publishes the root matching `victim`'s forged view...
      const root = forgedRoot(victim, P);
      const vv = verifyPorProof(forge(victim, P), { rootHash: root });
      expect(vv.valid).toBe(true); // ...which only shows the victim a true balance and a wrong sibling
      // ...and the other user's forged proof, with sibling P − v, no longer reaches that root.
      const vo = verifyPorProof(forge(other, P), { rootHash: root });
      expect(vo.valid).toBe(false);
      expect(failed(vo)).toContain('published-root-hash');
      // Against a report stating the forged total, the honest proof fails too.
      const report = { format: 'por-root', version: 1, snapshotId: 's', height: 1, leafCount: 2, hashFunction: 'sha256', hash: root, assets: ASSET, sums: [{ asset: 'USDT', equity: '10.000000', debt: '0.000000', equityUnits: P.toString(), debtUnits: '0' }] };
      expect(verifyPorProof(other, { report }).valid).toBe(false);
    }
    expect(verifyPorProof(alice, { rootHash: realRoot }).valid).toBe(true);
    expect(verifyPorProof(bob, { rootHash: realRoot }).valid).toBe(true);
  });

  it('the P − v sibling is rejected outright when it would be negative (P below the user’s own balance)', () => {
    const v = verifyPorProof(forge(alice, 3_000000n), { rootHash: realRoot });
    expect(failed(v)).toEqual(['sibling-sums']);
  });
});

describe('negative, oversized and wrapping values', () => {
  it('a negative leaf value is rejected', () => {
    const f = clone(alice);
    f.user.balances[0]!.equityUnits = '-10000000';
    f.user.balances[0]!.equity = '-10.000000';
    const v = verifyPorProof(f, { rootHash: realRoot });
    expect(v.valid).toBe(false);
    expect(failed(v)).toEqual(['leaf-values']);
    expect(v.checks.at(-1)!.detail).toMatch(/negative/);
  });

  it('a negative sibling sum is rejected', () => {
    const f = clone(alice);
    f.path[0]!.equity = ['-7000000'];
    const v = verifyPorProof(f, { rootHash: realRoot });
    expect(failed(v)).toEqual(['sibling-sums']);
    expect(v.checks.at(-1)!.detail).toMatch(/negative/);
  });

  it('a sibling sum that wraps 2^128 is rejected even though the root hash matches its wrapped encoding', () => {
    // The forger shows a sibling of 2^128 − 3 USDT units: mod 2^128 the parent is v − 3, i.e.
    // the total shrinks by 3 units, and the hashed bytes are those of the wrapped value.
    const f = clone(alice);
    const big = (1n << 128n) - 3n;
    f.path[0]!.equity = [big.toString()];
    const v0 = 10_000000n;
    const total = (v0 + big) % (1n << 128n);
    f.root.equity = [total.toString()];
    const s = f.path[0]!;
    const root = s.side === 'right' ? node(f.leaf.hash, v0, s.hash, big) : node(s.hash, big, f.leaf.hash, v0);
    f.root.hash = root;
    const v = verifyPorProof(f, { rootHash: root });
    expect(v.valid).toBe(false);
    expect(failed(v)).toEqual(['sibling-sums']);
  });

  it('a sibling sum above what 2^level leaves can hold is rejected, one unit over the bound', () => {
    // height 1: leaf bound 2^127 − 1; a level-0 sibling may hold at most that.
    const f = clone(alice);
    f.path[0]!.equity = [(1n << 127n).toString()];
    expect(failed(verifyPorProof(f, { rootHash: realRoot }))).toEqual(['sibling-sums']);
    const g = clone(alice);
    g.path[0]!.equity = [((1n << 127n) - 1n).toString()];
    expect(failed(verifyPorProof(g, { rootHash: realRoot }))).not.toContain('sibling-sums');
  });

  it('a leaf value above the bound is rejected', () => {
    const f = clone(alice);
    f.user.balances[0]!.equityUnits = (1n << 127n).toString();
    f.user.balances[0]!.equity = `${(1n << 127n) / 1_000000n}.${((1n << 127n) % 1_000000n).toString().padStart(6, '0')}`;
    expect(failed(verifyPorProof(f, { rootHash: realRoot }))).toEqual(['leaf-values']);
  });
});

describe('equivocation and substitution', () => {
  it("another snapshot's root, another user's salt, or a swapped sibling side are each rejected", () => {
    const otherRoot = { format: 'por-root', version: 1, snapshotId: 't', height: 1, leafCount: 2, hashFunction: 'sha256', hash: realRoot, assets: ASSET, sums: [{ asset: 'USDT', equity: '17.000000', debt: '0.000000', equityUnits: '17000000', debtUnits: '0' }] };
    const otherSnapshot = verifyPorProof(alice, { report: otherRoot });
    expect(failed(otherSnapshot)).toEqual(['snapshot']);
    const salt = clone(alice);
    salt.user.salt = bob.user.salt;
    expect(failed(verifyPorProof(salt, { rootHash: realRoot }))).toEqual(['user-hash']);
    const side = clone(alice);
    side.path[0]!.side = side.path[0]!.side === 'left' ? 'right' : 'left';
    expect(verifyPorProof(side, { rootHash: realRoot }).valid).toBe(false);
  });
});

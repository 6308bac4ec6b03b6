// docs/vectors/merkle-v1.json recomputed from the rules in docs/SPEC.md with plain node:crypto:
// nothing here comes from src/merkle, so a mistake in the code and in this file would have to agree.
import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { tmp } from './helpers.js';
import { assetsHash, leafOf, levelsOf, ordered, padsOf, pathOf, type SpecNode, type SpecUser } from './spec-impl.js';

const V = JSON.parse(readFileSync(new URL('../../docs/vectors/merkle-v1.json', import.meta.url), 'utf8'));
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const tag = (t: string) => Buffer.concat([Buffer.from(t, 'ascii'), Buffer.from([1])]);
const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
const lp = (s: string) => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);
const u128 = (v: bigint) => Buffer.from(v.toString(16).padStart(32, '0'), 'hex');
const sumsBytes = (equity: bigint[], debt: bigint[]) => Buffer.concat(equity.flatMap((e, i) => [u128(e), u128(debt[i]!)]));

describe('SPEC.md test vectors, recomputed independently', () => {
  const secret = Buffer.from(V.secretText, 'utf8');
  const assetsIn = Buffer.concat([tag('por.asst'), u16(V.assets.length), ...V.assets.map((a: { symbol: string; decimals: number }) => Buffer.concat([Buffer.from([a.symbol.length]), Buffer.from(a.symbol), Buffer.from([a.decimals])]))]);
  const assetsHash = sha(assetsIn);

  it('assets hash and padding', () => {
    expect(assetsIn.toString('hex')).toBe(V.assetsInput);
    expect(assetsHash.toString('hex')).toBe(V.assetsHash);
    const zero = Buffer.alloc(32 * V.assets.length);
    let pad = sha(tag('por.pad.'));
    for (const p of V.padding) {
      expect(pad.toString('hex')).toBe(p.hash);
      pad = sha(tag('por.node'), pad, zero, pad, zero);
    }
  });

  const leaves = V.users.map((u: { id: string; net: string[] }) => {
    const salt = createHmac('sha256', secret).update(Buffer.concat([tag('por.salt'), lp(V.snapshotId), lp(u.id)])).digest();
    const userHash = sha(tag('por.user'), lp(u.id), salt);
    const net = u.net.map(BigInt);
    const equity = net.map((v) => (v > 0n ? v : 0n));
    const debt = net.map((v) => (v < 0n ? -v : 0n));
    const leaf = sha(tag('por.leaf'), lp(V.snapshotId), assetsHash, userHash, sumsBytes(equity, debt));
    return { id: u.id, salt, userHash, equity, debt, leaf };
  });

  it('salts, user hashes and leaves; two users with the same balances get different leaves', () => {
    for (const [i, l] of leaves.entries()) {
      const v = V.users[i];
      expect(l.salt.toString('hex')).toBe(v.salt);
      expect(l.userHash.toString('hex')).toBe(v.userHash);
      expect(l.leaf.toString('hex')).toBe(v.leafHash);
    }
    // alice and carol hold exactly the same
    expect(V.users[0].net).toEqual(V.users[2].net);
    expect(V.users[0].leafHash).not.toBe(V.users[2].leafHash);
  });

  it('order, nodes and root', () => {
    const ordered = [...leaves].sort((a, b) => Buffer.compare(a.userHash, b.userHash));
    ordered.forEach((l, p) => expect(V.users.find((u: { id: string }) => u.id === l.id).position).toBe(p));
    type N = { hash: Buffer; equity: bigint[]; debt: bigint[] };
    let level: N[] = ordered.map((l) => ({ hash: l.leaf, equity: l.equity, debt: l.debt }));
    const zeros = V.assets.map(() => 0n);
    let pad: N = { hash: sha(tag('por.pad.')), equity: zeros, debt: zeros };
    for (let k = 1; k <= V.height; k++) {
      const next: N[] = [];
      for (let j = 0; j < level.length; j += 2) {
        const L = level[j]!;
        const R = level[j + 1] ?? pad;
        next.push({
          hash: sha(tag('por.node'), L.hash, sumsBytes(L.equity, L.debt), R.hash, sumsBytes(R.equity, R.debt)),
          equity: L.equity.map((e, i) => e + R.equity[i]!),
          debt: L.debt.map((d, i) => d + R.debt[i]!),
        });
      }
      next.forEach((n, j) => expect(n.hash.toString('hex')).toBe(V.levels[k][j].hash));
      pad = { hash: sha(tag('por.node'), pad.hash, sumsBytes(zeros, zeros), pad.hash, sumsBytes(zeros, zeros)), equity: zeros, debt: zeros };
      level = next;
    }
    expect(level[0]!.hash.toString('hex')).toBe(V.root.hash);
    // 1.5 + 0 + 1.5 BTC; 0.5 ETH equity, 2 + 2 ETH debt
    expect(V.root.equity).toEqual(['300000000', '500000000000000000']);
    expect(V.root.debt).toEqual(['0', '4000000000000000000']);
  });

  it('the builder reproduces the vector root, and its proofs verify against it', async () => {
    const users = V.users.map((u: { id: string; net: string[] }) => ({ userId: u.id, net: u.net.map(BigInt) }));
    const dir = tmp();
    const res = await buildTree({ registry: { assets: V.assets }, users: () => users }, { secret, snapshotId: V.snapshotId, height: V.height, outDir: dir, threads: 1 });
    expect(res.merkleRoot.hash).toBe(V.root.hash);
    const store = await ProofStore.open(dir);
    const proof = store.proof('bob');
    store.close();
    expect(proof.user.salt).toBe(V.users[1].salt);
    expect(verifyPorProof(proof, { rootHash: V.root.hash }).valid).toBe(true);
  });
});

// docs/vectors/merkle-v1-h8.json and SPEC.md's "A larger tree" section, recomputed with
// test/merkle/spec-impl.ts (node:crypto only). The users are rebuilt here from the formula SPEC.md
// states, so the file's list is checked too, not only taken.
describe('SPEC.md vector at height 8 (100 users, 3 assets), recomputed independently', () => {
  const W = JSON.parse(readFileSync(new URL('../../docs/vectors/merkle-v1-h8.json', import.meta.url), 'utf8'));
  const SPEC = readFileSync(new URL('../../docs/SPEC.md', import.meta.url), 'utf8');
  const secret = Buffer.from(W.secretText, 'utf8');
  const A = W.assets.length as number;
  const hexOf = (n: SpecNode) => ({ hash: n.hash.toString('hex'), equity: n.equity.map(String), debt: n.debt.map(String) });
  const users: SpecUser[] = Array.from({ length: 100 }, (_, i) => {
    const I = BigInt(i);
    return {
      id: `user-${String(i).padStart(3, '0')}`,
      net: [((I * 7919n) % 2000n - 300n) * 10n ** 5n, ((I * 104729n) % 5000n - 1000n) * 10n ** 15n, ((I * 31337n) % 100000n) * 10n ** 4n],
    };
  });
  users[7]!.id = 'josé';
  users[8]!.id = '用户 8';
  users[9]!.id = 'L'.repeat(299) + '9';
  users[10]!.net = [0n, 0n, 0n];
  users[11]!.net = [-1n, -1n, 2n ** 120n - 1n];
  const leaves = users.map((u) => leafOf(secret, W.snapshotId, W.assets, u));
  const levels = levelsOf(leaves, W.height, A);
  const order = ordered(leaves).map((l) => l.id);

  it('the parameters are what SPEC.md says: height ≥ 8, > 64 users, debts, a 300-byte id, a value at the bound', () => {
    expect(W.height).toBe(8);
    expect(W.users.map((u: { id: string; net: string[] }) => [u.id, u.net])).toEqual(users.map((u) => [u.id, u.net.map(String)]));
    expect(Buffer.byteLength(users[9]!.id)).toBe(300);
    expect(users.some((u) => u.net.some((v) => v < 0n))).toBe(true);
    expect(W.assetsHash).toBe(assetsHash(W.assets).toString('hex'));
    padsOf(W.height, A).forEach((p, k) => expect(W.padding[k].hash, `pad[${k}]`).toBe(p.hash.toString('hex')));
  });

  it('salts, user hashes, leaves and positions', () => {
    W.users.forEach((u: { id: string; salt: string; userHash: string; leafHash: string; position: number }, i: number) => {
      expect(u.salt, u.id).toBe(leaves[i]!.salt.toString('hex'));
      expect(u.userHash, u.id).toBe(leaves[i]!.userHash.toString('hex'));
      expect(u.leafHash, u.id).toBe(leaves[i]!.hash.toString('hex'));
      expect(u.position, u.id).toBe(order.indexOf(u.id));
    });
  });

  it('every node of every level, the root and its sums', () => {
    for (let k = 0; k <= W.height; k++) expect(W.levels[k], `level ${k}`).toEqual(levels[k]!.map(hexOf));
    expect(W.root).toEqual(hexOf(levels[W.height]![0]!));
    // Sums by hand from the users' nets: Σ max(net, 0) and Σ max(−net, 0) per asset.
    for (let a = 0; a < A; a++) {
      expect(W.root.equity[a]).toBe(String(users.reduce((s, u) => s + (u.net[a]! > 0n ? u.net[a]! : 0n), 0n)));
      expect(W.root.debt[a]).toBe(String(users.reduce((s, u) => s + (u.net[a]! < 0n ? -u.net[a]! : 0n), 0n)));
    }
  });

  it('the paths of positions 63 and 64', () => {
    for (const p of W.proofs) {
      expect(p.id).toBe(order[p.position]);
      const steps = pathOf(levels, p.position, W.height, A).map((s) => ({ side: s.side, ...hexOf(s.node) }));
      expect(p.path).toEqual(steps);
    }
  });

  it('SPEC.md shows this vector: root, root sums and the table rows', () => {
    const section = SPEC.slice(SPEC.indexOf('<!-- vector-h8'), SPEC.indexOf('<!-- /vector-h8 -->'));
    const root = levels[W.height]![0]!;
    expect(section).toContain(`root        ${root.hash.toString('hex')}`);
    W.assets.forEach((a: { symbol: string }, i: number) => expect(section).toContain(`${a.symbol.padEnd(4)} equity ${root.equity[i]}, debt ${root.debt[i]}`));
    const rows = section.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const r of rows) {
      const [pos, , , , leaf] = r.split('|').slice(1).map((c) => c.trim().replace(/`/g, ''));
      expect(leaf).toBe(levels[0]![Number(pos)]!.hash.toString('hex'));
    }
  });

  it('the builder reproduces the root, and its proofs at 63 and 64 are the vector paths and verify', async () => {
    const dir = tmp();
    const snapshot = { registry: { assets: W.assets }, users: () => users.map((u) => ({ userId: u.id, net: u.net })) };
    const res = await buildTree(snapshot, { secret, snapshotId: W.snapshotId, height: W.height, outDir: dir, threads: 2 });
    expect(res.merkleRoot.hash).toBe(W.root.hash);
    const store = await ProofStore.open(dir);
    for (const p of W.proofs) {
      const proof = store.proof(p.id)!;
      expect(proof.leaf.position).toBe(p.position);
      expect(proof.path).toEqual(p.path);
      expect(verifyPorProof(proof, { rootHash: W.root.hash }).valid).toBe(true);
    }
    store.close();
  });
});

describe('SPEC.md, "Shape": a tree with no users', () => {
  it('has pad[h] as its root, with all sums zero', async () => {
    const res = await buildTree({ registry: { assets: V.assets }, users: () => [] }, { secret: Buffer.from(V.secretText), snapshotId: 'empty', height: 3, outDir: tmp(), threads: 1 });
    expect(res.merkleRoot.hash).toBe(padsOf(3, V.assets.length)[3]!.hash.toString('hex'));
    expect(res.merkleRoot.leafCount).toBe(0);
    for (const s of res.merkleRoot.sums) expect([s.equityUnits, s.debtUnits]).toEqual(['0', '0']);
  });
});

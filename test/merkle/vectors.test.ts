// docs/vectors/merkle-v1.json recomputed from the rules in docs/SPEC.md with plain node:crypto:
// nothing here comes from src/merkle, so a mistake in the code and in this file would have to agree.
import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { tmp } from './helpers.js';

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

// Properties of the built tree: unlinkable leaves, duplicates and bounds refused, fixed proof
// length, sums equal to the snapshot totals, and the same bytes on one thread or two.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { buildTree, ProofStore, isPorErrorLike } from './tree-helpers.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { randomUsers, SECRET, snapshotOf, tmp, ASSETS, type SynthUser } from './helpers.js';

const ONE = [{ symbol: 'USD', decimals: 2 }];

async function proofsOf(users: SynthUser[], snapshotId: string, ids: string[], assets = ASSETS, height = 16) {
  const dir = tmp();
  await buildTree(snapshotOf(users, assets), { secret: SECRET, snapshotId, height, outDir: dir, threads: 1 });
  const store = await ProofStore.open(dir);
  const out = ids.map((id) => store.proof(id));
  store.close();
  return out;
}

describe('leaves cannot be matched or linked', () => {
  it('two users with identical balances get different leaves and user hashes', async () => {
    const net = [5n, -3n, 0n];
    const [a, b] = await proofsOf([{ userId: 'a', net }, { userId: 'b', net: [...net] }], 'snap', ['a', 'b']);
    expect(a!.user.encoded).toBe(b!.user.encoded); // same balances, encoded alike...
    expect(a!.leaf.hash).not.toBe(b!.leaf.hash); // ...yet different leaves
    expect(a!.user.hash).not.toBe(b!.user.hash);
    expect(a!.user.salt).not.toBe(b!.user.salt);
  });

  it('the same user in two snapshots gets unrelated salts, user hashes and leaves', async () => {
    const users = [{ userId: 'alice', net: [1n, 0n, 0n] }, { userId: 'bob', net: [2n, 0n, 0n] }];
    const [p1] = await proofsOf(users, '2026-10-31', ['alice']);
    const [p2] = await proofsOf(users, '2026-11-30', ['alice']);
    expect(p1!.user.encoded).toBe(p2!.user.encoded);
    expect(p1!.user.salt).not.toBe(p2!.user.salt);
    expect(p1!.user.hash).not.toBe(p2!.user.hash);
    expect(p1!.leaf.hash).not.toBe(p2!.leaf.hash);
    // no shared 4-byte run between the two salts beyond chance would be a hint of reuse
    expect(p1!.user.salt.slice(0, 16)).not.toBe(p2!.user.salt.slice(0, 16));
  });

  it('salts are HMAC-SHA256(secret, tag ‖ lp(sid) ‖ lp(uid)) for a 32-byte and a 100-byte secret (longer than the HMAC block)', async () => {
    // The builder spells HMAC out as two hashes over pre-padded keys; node's createHmac is the reference.
    const lp = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      return Buffer.concat([Buffer.of(b.length >>> 8, b.length & 0xff), b]);
    };
    for (const secret of [Buffer.alloc(32, 0xa5), Buffer.from('k'.repeat(100))]) {
      const dir = tmp();
      const users = [{ userId: 'alice', net: [1n, 0n, 0n] }, { userId: 'bøb-ü', net: [0n, -2n, 0n] }];
      await buildTree(snapshotOf(users), { secret, snapshotId: 'snap-7', height: 4, outDir: dir, threads: 1 });
      const store = await ProofStore.open(dir);
      for (const u of users) {
        const msg = Buffer.concat([Buffer.from('por.salt', 'ascii'), Buffer.of(1), lp('snap-7'), lp(u.userId)]);
        expect(store.proof(u.userId)!.user.salt).toBe(createHmac('sha256', secret).update(msg).digest('hex'));
      }
      store.close();
    }
  });

  it('leaf order does not follow input order', async () => {
    const users = randomUsers(64, ASSETS.length, 3);
    const proofs = await proofsOf(users, 'snap', users.map((u) => u.userId), ASSETS, 6);
    const positions = proofs.map((p) => p.leaf.position);
    expect(new Set(positions).size).toBe(64);
    expect(positions).not.toEqual([...positions].sort((x, y) => x - y));
  });
});

describe('the build refuses what would make the tree unsound', () => {
  it('a duplicate user id stops the build and names the user', async () => {
    const users = [{ userId: 'x1', net: [1n, 0n, 0n] }, { userId: 'dup', net: [1n, 0n, 0n] }, { userId: 'dup', net: [2n, 0n, 0n] }];
    const dir = tmp();
    const err = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 's', height: 4, outDir: dir, threads: 1 }).catch((e) => e);
    expect(isPorErrorLike(err, 'DUPLICATE')).toBe(true);
    expect(err.message).toMatch(/"dup"/);
    expect(existsSync(join(dir, 'root.json'))).toBe(false); // nothing half-written left as if whole
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a balance one unit above the leaf bound is refused; at the bound, 2^height users sum without overflow', async () => {
    const h = 4;
    const bound = (1n << BigInt(128 - h)) - 1n; // SPEC.md: 2^(128 − height) − 1
    const over = await buildTree(snapshotOf([{ userId: 'big', net: [bound + 1n] }], ONE), { secret: SECRET, snapshotId: 's', height: h, outDir: tmp(), threads: 1 }).catch((e) => e);
    expect(isPorErrorLike(over, 'OVERFLOW')).toBe(true);
    const debtOver = await buildTree(snapshotOf([{ userId: 'big', net: [-(bound + 1n)] }], ONE), { secret: SECRET, snapshotId: 's', height: h, outDir: tmp(), threads: 1 }).catch((e) => e);
    expect(isPorErrorLike(debtOver, 'OVERFLOW')).toBe(true);
    const full = Array.from({ length: 16 }, (_, i) => ({ userId: `u${i}`, net: [bound] }));
    const res = await buildTree(snapshotOf(full, ONE), { secret: SECRET, snapshotId: 's', height: h, outDir: tmp(), threads: 1 });
    expect(res.merkleRoot.sums[0]!.equityUnits).toBe((16n * bound).toString());
    expect(16n * bound < 1n << 128n).toBe(true);
    const tooMany = Array.from({ length: 17 }, (_, i) => ({ userId: `u${i}`, net: [1n] }));
    expect(isPorErrorLike(await buildTree(snapshotOf(tooMany, ONE), { secret: SECRET, snapshotId: 's', height: h, outDir: tmp(), threads: 1 }).catch((e) => e), 'OVERFLOW')).toBe(true);
  });

  it('root sums that differ from the snapshot totals stop the build', async () => {
    const snap = snapshotOf([{ userId: 'a', net: [5n] }], ONE);
    snap.totals[0]!.gross = 6n;
    const err = await buildTree(snap, { secret: SECRET, snapshotId: 's', height: 4, outDir: tmp(), threads: 1 }).catch((e) => e);
    expect(isPorErrorLike(err, 'INTERNAL')).toBe(true);
  });

  it('a short secret is refused, and an existing tree is not overwritten without asking', async () => {
    const snap = snapshotOf([{ userId: 'a', net: [5n] }], ONE);
    expect(isPorErrorLike(await buildTree(snap, { secret: new Uint8Array(31), snapshotId: 's', outDir: tmp() }).catch((e) => e), 'BAD_INPUT')).toBe(true);
    const dir = tmp();
    await buildTree(snap, { secret: SECRET, snapshotId: 's', height: 4, outDir: dir, threads: 1 });
    expect(isPorErrorLike(await buildTree(snap, { secret: SECRET, snapshotId: 's', height: 4, outDir: dir, threads: 1 }).catch((e) => e), 'BAD_USAGE')).toBe(true);
    await buildTree(snap, { secret: SECRET, snapshotId: 's', height: 4, outDir: dir, threads: 1, overwrite: true });
  });

  it('sums: root = Σ max(net,0) and Σ max(−net,0) per asset, worked out here', async () => {
    const users = [{ userId: 'a', net: [100n, -7n] }, { userId: 'b', net: [-30n, 9n] }, { userId: 'c', net: [1n, 0n] }];
    const res = await buildTree(snapshotOf(users, [ONE[0]!, { symbol: 'EUR', decimals: 2 }]), { secret: SECRET, snapshotId: 's', height: 3, outDir: tmp(), threads: 1 });
    expect(res.merkleRoot.sums.map((s) => [s.equityUnits, s.debtUnits])).toEqual([['101', '30'], ['9', '7']]);
    expect(res.merkleRoot.sums[0]!.equity).toBe('1.01');
  });
});

function* synthetic(n: number) {
  for (let i = 0; i < n; i++) yield { userId: `u${i}`, net: [BigInt((i * 7919) % 100_000)] };
}

describe('shape', () => {
  it('proofs have `height` steps for 10 users and for 1M users (same height)', async () => {
    const small = tmp();
    await buildTree({ registry: { assets: ONE }, users: () => synthetic(10) }, { secret: SECRET, snapshotId: 's', height: 32, outDir: small, threads: 1 });
    const large = tmp();
    const res = await buildTree({ registry: { assets: ONE }, users: () => synthetic(1_000_000) }, { secret: SECRET, snapshotId: 's', height: 32, outDir: large, threads: 2 });
    expect(res.merkleRoot.leafCount).toBe(1_000_000);
    const a = await ProofStore.open(small);
    const b = await ProofStore.open(large);
    const pa = a.proof('u3');
    const pb = b.proof('u999999');
    a.close();
    b.close();
    expect(pa.path).toHaveLength(32);
    expect(pb.path).toHaveLength(32);
    expect(verifyPorProof(pb, { report: res.root }).valid).toBe(true);
    // Same fields, step for step: only values differ.
    const shape = (p: unknown) => JSON.stringify(p, (_k, v) => (typeof v === 'string' || typeof v === 'number' ? 0 : v));
    expect(shape(pa)).toBe(shape(pb));
  });

  it('one thread and two give byte-identical stores and roots (140k users: parallel leaves and levels)', async () => {
    const users = randomUsers(140_000, ASSETS.length, 11);
    const d1 = tmp();
    const d2 = tmp();
    const r1 = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 's', height: 24, outDir: d1, threads: 1 });
    const r2 = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 's', height: 24, outDir: d2, threads: 2 });
    expect(r1.threads).toBe(1);
    expect(r2.threads).toBe(2); // the worker bundle was found (npm run build)
    expect(r2.merkleRoot).toEqual(r1.merkleRoot);
    expect(readFileSync(join(d2, 'public', 'root.json'))).toEqual(readFileSync(join(d1, 'public', 'root.json')));
    for (const f of readdirSync(join(d1, 'private'))) {
      expect(readFileSync(join(d2, 'private', f)).equals(readFileSync(join(d1, 'private', f))), f).toBe(true);
    }
  });
});

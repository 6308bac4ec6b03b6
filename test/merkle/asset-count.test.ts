// `build` with many assets: leaf records are 32 + 32·assets bytes, so memory must follow the users
// and assets present. 16 × 65,536 records used to be allocated up front: 127 assets hung with two
// threads and 128+ crashed ("Invalid typed array length"), though the docs allow up to 65,535.
import { describe, expect, it } from 'vitest';
import { buildTree, ProofStore } from './tree-helpers.js';
import { chunkBitsFor } from '../../src/merkle/build.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { randomUsers, SECRET, snapshotOf, tmp } from './helpers.js';

const assetsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ symbol: `A${i}`, decimals: i % 19 }));

/**
 * Builds, then checks that the proofs of `check` users (spread over the input, first and last
 * included) verify against the root and carry those users' own balances. With 1,000 assets a proof
 * is ~8 × 2,000 sums; every proof of a large build would take minutes on a shared machine.
 */
async function buildAndVerify(userCount: number, assetCount: number, threads: number, height: number, check = userCount) {
  const assets = assetsOf(assetCount);
  const users = randomUsers(userCount, assetCount, 7);
  const dir = tmp('por-assets-');
  const res = await buildTree(snapshotOf(users, assets), { secret: SECRET, snapshotId: 'many-assets', height, outDir: dir, threads });
  // Root sums against a second computation here: Σ max(net, 0) and Σ max(−net, 0) per asset.
  const equity = assets.map((_, a) => users.reduce((s, u) => s + (u.net[a]! > 0n ? u.net[a]! : 0n), 0n).toString());
  const debt = assets.map((_, a) => users.reduce((s, u) => s + (u.net[a]! < 0n ? -u.net[a]! : 0n), 0n).toString());
  expect(res.merkleRoot.sums.map((s) => s.equityUnits)).toEqual(equity);
  expect(res.merkleRoot.sums.map((s) => s.debtUnits)).toEqual(debt);
  const store = await ProofStore.open(dir);
  try {
    const picked = Array.from({ length: check }, (_, k) => users[Math.round((k * (userCount - 1)) / Math.max(1, check - 1))]!);
    for (const u of picked) {
      const proof = store.proof(u.userId);
      const v = verifyPorProof(proof, { report: res.root });
      expect(v.valid, `${u.userId}: ${v.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`).toBe(true);
      const own = proof.user.balances.map((b) => BigInt(b.equityUnits) - BigInt(b.debtUnits));
      expect(own).toEqual(u.net);
    }
  } finally {
    store.close();
  }
  return res.root.hash;
}

describe('build with many assets', () => {
  // Slow on a shared two-core machine (minutes at 65,535 assets), hence the long time limits;
  // nothing here measures speed.
  it('100 users × 1,000 assets: proofs verify, one thread and two give the same root', { timeout: 600_000 }, async () => {
    const two = await buildAndVerify(100, 1000, 2, 8, 5);
    const one = await buildAndVerify(100, 1000, 1, 8, 1);
    expect(two).toBe(one);
  });

  it('127 and 128 assets with two threads (used to hang and to crash)', { timeout: 600_000 }, async () => {
    for (const n of [127, 128]) await buildAndVerify(20, n, 2, 5);
  });

  it('65,535 assets, the most the format allows: 2 users build, a proof verifies', { timeout: 600_000 }, async () => {
    await buildAndVerify(2, 65_535, 2, 1, 1);
  });

  it('chunks shrink as records grow, and never pass 16 MiB', () => {
    // Record = 32 + 32·assets bytes; users per chunk = the largest power of two ≤ 2^24 / record, ≤ 2^16.
    expect(chunkBitsFor(32 + 32 * 5)).toBe(16); // 192 B: 65,536 × 192 = 12 MiB
    expect(chunkBitsFor(32 + 32 * 1000)).toBe(9); // 32,032 B: 512 × 32,032 ≈ 15.6 MiB; 1,024 × would be 31 MiB
    expect(chunkBitsFor(32 + 32 * 65_535)).toBe(3); // 2 MiB: 8 × 2 MiB = 16 MiB exactly
  });
});

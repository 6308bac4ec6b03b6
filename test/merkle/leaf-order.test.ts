// SPEC.md, "Shape": leaves sit in ascending byte order of the WHOLE 32-byte user hash. The builder
// sorts on the top 32 bits and then fixes ties; a wrong tie-break (input order, 32 bits only, a
// descending or partial compare) would pass with random users, whose hashes almost never share
// 4 leading bytes (about 116 such ties at 1M users). So this test uses users whose hashes do.
//
// The tie ids were found by brute force (scripts/find-hash-ties.mjs: 2^20 ids `t0`, `t1`, … under
// this secret and snapshot id); the test re-derives every hash with test/merkle/spec-impl.ts
// (node:crypto, nothing from src/) and checks the ties are real before trusting them.
import { describe, expect, it } from 'vitest';
import { buildTree, ProofStore } from './tree-helpers.js';
import { ASSETS, SECRET, tmp } from './helpers.js';
import { leafOf, levelsOf, ordered, userHashOf, type SpecUser } from './spec-impl.js';

const SID = 'ties';
const secret = Buffer.from(SECRET);
// Pairs whose user hashes share their first 4 bytes; the first pair shares 5 (40 bits).
const TIES: [string, string][] = [
  ['t649520', 't737472'], ['t965746', 't796691'], ['t863418', 't228736'], ['t269295', 't574207'],
  ['t615399', 't41212'], ['t384200', 't99901'], ['t466394', 't87616'], ['t599288', 't274059'],
  ['t400336', 't540978'], ['t1042163', 't201358'],
];
const sharedPrefix = (a: Buffer, b: Buffer) => {
  let k = 0;
  while (k < a.length && a[k] === b[k]) k++;
  return k;
};

/** Input order: half the pairs with the larger hash first (a stable 32-bit sort keeps them wrong), half smaller first. */
function inputUsers(): SpecUser[] {
  const users: SpecUser[] = [];
  TIES.forEach(([a, b], i) => {
    const [lo, hi] = Buffer.compare(userHashOf(secret, SID, a), userHashOf(secret, SID, b)) < 0 ? [a, b] : [b, a];
    for (let f = 0; f < 15; f++) users.push({ id: `f${i}-${f}`, net: [BigInt(f * 1000 + i), BigInt(-f), 0n] });
    for (const id of i % 2 === 0 ? [hi, lo] : [lo, hi]) users.push({ id, net: [BigInt(id.length), 0n, -BigInt(i + 1)] });
  });
  return users;
}

describe('leaf order: ascending by the whole user hash, ties in the leading bytes included', () => {
  it('the constructed ties are real (independent hashes)', () => {
    const shared = TIES.map(([a, b]) => sharedPrefix(userHashOf(secret, SID, a), userHashOf(secret, SID, b)));
    for (const k of shared) expect(k).toBeGreaterThanOrEqual(4);
    expect(shared[0]).toBe(5);
    expect(Math.max(...shared)).toBeLessThan(32); // distinct users, distinct hashes
  });

  it('every user sits at its position in a direct sort by full user hash, and the root agrees', async () => {
    const users = inputUsers();
    const height = 9;
    const leaves = users.map((u) => leafOf(secret, SID, ASSETS, u));
    const expected = ordered(leaves).map((l) => l.id);
    const dir = tmp('por-leaf-order-');
    const snapshot = {
      registry: { assets: ASSETS },
      users: () => users.map((u) => ({ userId: u.id, net: u.net, mode: 'simple' as const })),
    };
    const built = await buildTree(snapshot, { secret, snapshotId: SID, height, outDir: dir, threads: 1 });
    const store = await ProofStore.open(dir);
    const actual: string[] = new Array(users.length);
    for (const u of users) actual[store.proof(u.id)!.leaf.position] = u.id;
    store.close();
    // Compare tie pairs first so a failure names them; then the whole order.
    for (const [a, b] of TIES) expect([a, b].sort((x, y) => expected.indexOf(x) - expected.indexOf(y)), `${a}/${b}`).toEqual([a, b].sort((x, y) => actual.indexOf(x) - actual.indexOf(y)));
    expect(actual).toEqual(expected);
    const levels = levelsOf(leaves, height, ASSETS.length);
    expect(built.merkleRoot.hash).toBe(levels[height]![0]!.hash.toString('hex'));
  });
});

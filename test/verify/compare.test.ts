// Equivocation (docs/THREATS.md row 14): proofs handed to different users from different
// trees of one snapshot are caught when compared. Expected levels and positions are worked out here
// from the leaf positions alone: positions p and q meet at level bitlength(p XOR q) (their common
// ancestor); one level below, each one's path node is the other's sibling, so that is the lowest
// node both proofs fix, and where two trees that differ under both first disagree.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import type { ProofDocument } from '../../src/core/merkle/types.js';
import { compareProofs, type Conflict } from '../../src/core/verify/compare.js';
import { isPorError } from '../../src/core/errors/index.js';
import { caught } from '../helpers/caught.js';
import { SECRET, randomUsers, snapshotOf, tmp } from '../merkle/helpers.js';

const H = 5; // 32 positions, 20 users
const bitlen = (x: number) => (x === 0 ? 0 : x.toString(2).length);
const clone = (p: ProofDocument): ProofDocument => JSON.parse(JSON.stringify(p));

async function tree(users: ReturnType<typeof randomUsers>, snapshotId = 's') {
  const dir = tmp('por-compare-');
  await buildTree(snapshotOf(users), { secret: SECRET, snapshotId, height: H, outDir: dir, threads: 1 });
  const store = await ProofStore.open(dir);
  const proofs = new Map(users.map((u) => [u.userId, store.proof(u.userId)] as const));
  store.close();
  return proofs;
}

let t1: Map<string, ProofDocument>; // honest tree, 20 users
let t2: Map<string, ProofDocument>; // same snapshot id and secret, the user at position 0 left out
let other: Map<string, ProofDocument>; // another snapshot
let byPos1: ProofDocument[]; // tree 1's proofs by leaf position
let omitted: string;
beforeAll(async () => {
  const users = randomUsers(20, 3, 7);
  t1 = await tree(users);
  byPos1 = [...t1.values()].sort((a, b) => a.leaf.position - b.leaf.position);
  expect(byPos1.map((p) => p.leaf.position)).toEqual([...Array(20).keys()]);
  omitted = byPos1[0]!.user.id;
  t2 = await tree(users.filter((u) => u.userId !== omitted));
  other = await tree(users, 't');
});

const nodeConflicts = (cs: Conflict[]) => cs.filter((c): c is Extract<Conflict, { kind: 'node' }> => c.kind === 'node');

describe('proofs of one honest tree', () => {
  it('neighbours sharing a parent agree on every shared node: 2(h−L)+3 positions with L = 1', () => {
    const [a, b] = [byPos1[6]!, byPos1[7]!];
    const r = compareProofs([a, b]);
    expect(r.consistent).toBe(true);
    expect(r.conflicts).toEqual([]);
    // Shared: both leaves (each the other's sibling) at level L−1, path nodes at L…h, siblings at L…h−1.
    expect(r.sharedNodes).toBe(2 * (H - 1) + 3);
    expect(r.checks.every((c) => c.ok)).toBe(true);
  });

  it('users far apart share only the top of the tree, and agree there', () => {
    const [a, b] = [byPos1[0]!, byPos1[19]!]; // 0 XOR 19 = 10011b: L = 5 = h
    expect(bitlen(0 ^ 19)).toBe(H);
    const r = compareProofs([a, b]);
    expect(r.consistent).toBe(true);
    expect(r.sharedNodes).toBe(3); // level 4: two nodes; level 5: the root
  });

  it('all twenty proofs together are consistent; the same proof twice is too', () => {
    expect(compareProofs([...t1.values()]).consistent).toBe(true);
    expect(compareProofs([byPos1[3]!, byPos1[3]!]).consistent).toBe(true);
  });
});

describe('equivocation: user A shown tree 1, user B shown tree 2 (one user left out)', () => {
  it('is detected at level bitlength(p XOR q) − 1, at both p and q\'s ancestors, and at the root', () => {
    const cases: [number, number][] = [[4, 5], [4, 12], [1, 17], [10, 3], [18, 2]]; // (p in tree 1, q in tree 2)
    for (const [p, q] of cases) {
      const a = byPos1[p]!;
      const b = [...t2.values()].find((x) => x.leaf.position === q)!;
      expect(b.user.id).not.toBe(a.user.id);
      const L = bitlen(p ^ q);
      const r = compareProofs([a, b], { names: ['a.json', 'b.json'] });
      expect(r.consistent).toBe(false);
      const nodes = nodeConflicts(r.conflicts);
      expect(r.conflicts[0]!.kind).toBe('node');
      const low = nodes.filter((c) => c.level === nodes[0]!.level);
      expect(low[0]!.level).toBe(L - 1);
      expect(low.map((c) => c.position).sort((x, y) => x - y)).toEqual([p >> (L - 1), q >> (L - 1)].sort((x, y) => x - y));
      // Both values are reported: one proof states the node as a sibling, the other recomputes it.
      for (const c of low) {
        expect(new Set([c.a.role, c.b.role])).toEqual(new Set(L === 1 ? ['leaf', 'sibling'] : ['path', 'sibling']));
        expect(c.a.hash).not.toBe(c.b.hash);
      }
      const root = nodes.find((c) => c.level === H)!;
      expect(root).toMatchObject({ position: 0, a: { role: 'root', hash: a.root.hash }, b: { role: 'root', hash: b.root.hash } });
      // Tree 2 lacks the omitted user's balances: the root sums differ by exactly those.
      t1.get(omitted)!.user.balances.forEach((bal, i) => {
        expect(BigInt(a.root.equity[i]!) - BigInt(b.root.equity[i]!)).toBe(BigInt(bal.equityUnits));
        expect(BigInt(a.root.debt[i]!) - BigInt(b.root.debt[i]!)).toBe(BigInt(bal.debtUnits));
      });
      expect(r.checks.find((c) => c.name === 'same-root')!.ok).toBe(false);
    }
  });

  it('two users claiming one leaf position, and one user at two positions, are conflicts', () => {
    const a = byPos1[9]!;
    const b = [...t2.values()].find((x) => x.leaf.position === 9)!; // tree 1's position-10 user, shifted down
    expect(b.user.id).toBe(byPos1[10]!.user.id);
    const r = compareProofs([a, b]);
    // Level 0 also shows the shared sibling leaf 8 with two values; the claim on 9 is its own conflict.
    expect(r.conflicts.filter((c) => c.kind === 'leaf-position')).toEqual([
      expect.objectContaining({ level: 0, position: 9, a: expect.objectContaining({ user: a.user.id }), b: expect.objectContaining({ user: b.user.id }) }),
    ]);
    const same = compareProofs([a, t2.get(a.user.id)!]);
    expect(same.conflicts).toContainEqual(expect.objectContaining({ kind: 'user-position', user: a.user.id, a: expect.objectContaining({ position: 9 }), b: expect.objectContaining({ position: 8 }) }));
  });

  it('a third, honest proof does not hide the conflict; proofs of another snapshot are bad usage, not a conflict', () => {
    const r = compareProofs([byPos1[4]!, byPos1[5]!, t2.get(byPos1[12]!.user.id)!]);
    expect(r.consistent).toBe(false);
    const mix = caught(() => compareProofs([byPos1[4]!, other.get(byPos1[4]!.user.id)!], { names: ['oct.json', 'nov.json'] }));
    expect(isPorError(mix, 'BAD_USAGE')).toBe(true);
    expect((mix as Error).message).toMatch(/^these proofs are of different snapshots \(oct\.json: "s", nov\.json: "t"\): .*comparing them shows nothing/);
  });

  it('a broken proof given with one of another snapshot is still a conflict (exit 1), not hidden by the mix', () => {
    const bad = clone(byPos1[2]!);
    bad.path[1]!.equity[0] = (BigInt(bad.path[1]!.equity[0]!) + 1n).toString();
    const r = compareProofs([other.get(byPos1[4]!.user.id)!, bad]);
    expect(r.consistent).toBe(false);
    expect(r.conflicts).toContainEqual(expect.objectContaining({ kind: 'invalid', proof: 1 }));
  });

  it('a proof that does not verify against its own root is a conflict; a non-proof is bad input', () => {
    const bad = clone(byPos1[2]!);
    bad.path[1]!.equity[0] = (BigInt(bad.path[1]!.equity[0]!) + 1n).toString();
    const r = compareProofs([byPos1[3]!, bad]);
    expect(r.conflicts).toEqual([expect.objectContaining({ kind: 'invalid', proof: 1 })]);
    let err: unknown;
    try {
      compareProofs([byPos1[3]!, { hello: 1 }]);
    } catch (e) {
      err = e;
    }
    expect(isPorError(err, 'BAD_INPUT') && err.info.proof).toBe(1);
    expect(() => compareProofs([byPos1[3]!])).toThrow(/at least two/);
  });
});

describe('por compare (CLI)', () => {
  const ROOT = new URL('../..', import.meta.url).pathname;
  const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
  it('exit 0 for one tree, 1 naming the level and position for two, 2 for a non-proof', () => {
    const dir = tmp('por-compare-cli-');
    const f = (name: string, doc: unknown) => {
      writeFileSync(join(dir, name), JSON.stringify(doc));
      return join(dir, name);
    };
    const [p, q] = [4, 12];
    const a = f('a.json', byPos1[p]!);
    const a2 = f('a2.json', byPos1[q]!);
    const b = f('b.json', [...t2.values()].find((x) => x.leaf.position === q)!);
    const ok = por('compare', a, a2);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^CONSISTENT/);
    const bad = por('compare', a, b);
    expect(bad.status).toBe(1);
    const L = bitlen(p ^ q); // 4 XOR 12 = 8: L = 4, first conflict at level 3, position 0 or 1
    expect(bad.stdout).toMatch(new RegExp(`^CONFLICT: .*First: level ${L - 1}, position ${Math.min(p, q) >> (L - 1)}:`));
    expect(bad.stdout).toContain(byPos1[p]!.user.id);
    const j = por('compare', a, b, '--json');
    expect(j.status).toBe(1);
    const doc = JSON.parse(j.stdout);
    expect(doc.consistent).toBe(false);
    expect(doc).toMatchObject({ format: 'por-compare', version: 1 });
    expect(doc.conflicts[0]).toMatchObject({ kind: 'node', level: L - 1 });
    // Two snapshots: a usage mistake said in a sentence (exit 2), not CONFLICT / exit 1.
    const mix = por('compare', a, f('nov.json', other.get(byPos1[p]!.user.id)!));
    expect(mix.status).toBe(2);
    expect(mix.stdout).toBe('');
    expect(mix.stderr).toMatch(/these proofs are of different snapshots .*comparing them shows nothing/);
    const junk = por('compare', a, f('junk.json', { format: 'something-else' }));
    expect(junk.status).toBe(2);
    expect(junk.stderr).toContain('junk.json');
    // The file is named once, leading the line, not again inside the message.
    const junkPath = join(dir, 'junk.json');
    expect(junk.stderr.split(junkPath).length - 1).toBe(1);
    expect(junk.stderr).toMatch(/junk\.json: not a por proof: /);
  });
});

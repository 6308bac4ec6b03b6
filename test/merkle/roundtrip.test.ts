import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { randomUsers, SECRET, snapshotOf, tmp } from './helpers.js';

describe('build → proof → verify', () => {
  it('every user of a small tree gets a proof that verifies against root.json', async () => {
    const users = randomUsers(37);
    const dir = tmp();
    const res = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 'snap-1', height: 8, outDir: dir, threads: 1 });
    const rootDoc = JSON.parse(readFileSync(join(dir, 'public', 'root.json'), 'utf8'));
    expect(rootDoc.format).toBe('por-root');
    expect(rootDoc.leafCount).toBe(37);
    const store = await ProofStore.open(dir);
    for (const u of users) {
      const proof = store.proof(u.userId);
      expect(proof.path).toHaveLength(8);
      const v = verifyPorProof(proof, { report: rootDoc });
      expect(v.checks.filter((c) => !c.ok)).toEqual([]);
      expect(v.valid).toBe(true);
      expect(proof.user.balances.map((b) => BigInt(b.equityUnits) - BigInt(b.debtUnits))).toEqual(u.net);
    }
    expect(() => store.proof('nobody')).toThrow(/not in this tree/);
    store.close();
    expect(res.merkleRoot.hash).toBe(rootDoc.hash);
  });
});

// Summa v1: the root recomputed from the liabilities CSV equals the commitment Summa's own code
// produced (vendored); tampered copies INVALID; malformed input exit 2 located.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifySumma } from '../../src/core/formats/summa.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = path.join(repoRoot, 'test/fixtures/summa');
const csvFile = path.join(dir, 'entry_16.csv');
const commitFile = path.join(dir, 'commitment_solidity_calldata.json');
const csv = () => readFileSync(csvFile, 'utf8');
const commitment = () => JSON.parse(readFileSync(commitFile, 'utf8'));
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = (text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'por-summa-')), 'e.csv');
  writeFileSync(f, text);
  return f;
};

describe('Summa v1 liabilities against the published commitment', () => {
  it('the real CSV recomputes to the committed root hash and balances', () => {
    const v = verifySumma(csv(), { commitment: commitment() });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.root.hash).toBe(commitment().root_hash);
    // By hand: each column adds up to 0x87f3e = 556862 (the columns hold the same numbers permuted).
    const col = (k: number) => csv().trim().split('\n').slice(1).reduce((a, l) => a + BigInt(l.split(',')[k]!), 0n);
    expect([col(1), col(2)]).toEqual([556862n, 556862n]);
    expect(v.root.sums.map((s) => s.amount)).toEqual(['556862', '556862']);
  });
  it('tampered: one balance changed, two rows swapped, a username edited: INVALID', () => {
    const lines = csv().split(/\r?\n/);
    const a = [...lines];
    a[1] = a[1]!.replace(',11888,', ',11889,');
    expect(verifySumma(a.join('\n'), { commitment: commitment() }).checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['root-hash', 'root-balances']);
    const b = [...lines];
    [b[1], b[2]] = [b[2]!, b[1]!];
    expect(verifySumma(b.join('\n'), { commitment: commitment() }).checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['root-hash']);
    const c = [...lines];
    c[3] = c[3]!.replace('lAhWlEWZ', 'lAhWlEWY');
    expect(verifySumma(c.join('\n'), { commitment: commitment() }).valid).toBe(false);
  });
  it('CLI: exit 0 with --report; 1 tampered or a wrong --root; 2 malformed (located) or without a commitment', () => {
    expect(por('verify', csvFile, '--report', commitFile).code).toBe(0);
    expect(por('verify', csvFile, '--root', '0'.repeat(64)).code).toBe(1);
    expect(por('verify', tmp(csv().replace(/,41163(\r?\n)/, ',41164$1')), '--report', commitFile).code).toBe(1);
    const f = tmp(csv().replace(',18651,', ',-18651,'));
    const r = por('verify', f, '--report', commitFile);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:4:10, field balance_ETH_ETH`);
    expect(por('verify', csvFile).code).toBe(2);
  });
});

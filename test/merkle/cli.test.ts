// The commands end to end on the sample snapshot: por build → por proof → por verify, exit codes.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
let dir: string;

beforeAll(() => {
  dir = tmp('por-cli-');
  writeFileSync(join(dir, 'secret.key'), 'a'.repeat(64) + '\n', { mode: 0o600 });
  const r = por('build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', '2026-11-24', '--out', join(dir, 'tree'), '--quiet');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('por build / proof / verify', () => {
  it('build prints the root and writes root.json equal to its --json output; 1 and 2 threads agree', () => {
    const root = JSON.parse(readFileSync(join(dir, 'tree/public/root.json'), 'utf8'));
    expect(root).toMatchObject({ format: 'por-root', version: 1, snapshotId: '2026-11-24', height: 32 });
    const again = por('build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', '2026-11-24', '--out', join(dir, 'tree1'), '--threads', '1', '--json', '--quiet');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(root);
  });

  it('a user proof verifies against root.json (exit 0) and against the bare root hash', () => {
    const p = por('proof', join(dir, 'tree'), '--user', 'alice', '--out', join(dir, 'alice.json'), '--quiet');
    expect(p.status).toBe(0);
    const v = por('verify', join(dir, 'alice.json'), '--report', join(dir, 'tree/public/root.json'));
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^VALID: user "alice"/);
    expect(v.stdout).toMatch(/ETH\s+0\.00000000\s+debt 2\.00000000/); // alice owes 2 ETH in samples/liabilities.csv
    const hash = JSON.parse(readFileSync(join(dir, 'tree/public/root.json'), 'utf8')).hash;
    const j = por('verify', join(dir, 'alice.json'), '--root', hash, '--json');
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ format: 'por-verdict', version: 1, valid: true, proofFormat: 'por', user: { id: 'alice' } });
  });

  it('a tampered proof exits 1 and names the failed check; unreadable input exits 2', () => {
    const proof = JSON.parse(readFileSync(join(dir, 'alice.json'), 'utf8'));
    proof.path[3].equity[2] = '0';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(proof));
    const v = por('verify', join(dir, 'bad.json'), '--report', join(dir, 'tree/public/root.json'));
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^INVALID: check "root-hash" failed/);
    writeFileSync(join(dir, 'notjson.json'), '{"format": ');
    expect(por('verify', join(dir, 'notjson.json'), '--root', 'ab'.repeat(32)).status).toBe(2);
    expect(por('verify', join(dir, 'alice.json')).status).toBe(2); // no --report / --root
    expect(por('verify', join(dir, 'alice.json'), '--root', 'xyz').status).toBe(2);
    // root.json given as the proof (with --format por): not a proof, exit 2, not INVALID (1)
    const notProof = por('verify', join(dir, 'tree/public/root.json'), '--format', 'por', '--report', join(dir, 'tree/public/root.json'));
    expect(notProof.status).toBe(2);
    expect(notProof.stderr).toMatch(/root\.json, field format: not a por proof: expected format "por-proof"/);
    expect(por('proof', join(dir, 'tree'), '--user', 'no-such-user').status).toBe(2);
  });

  it('build: --out naming a file, or a folder holding a tree, is bad usage (exit 2) before the snapshot is read', () => {
    const args = ['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'x'];
    const file = por(...args, '--out', join(dir, 'secret.key'));
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/secret\.key, field out: --out must be a folder/);
    expect(file.stderr).not.toMatch(/internal error|liabilities:/);
    const high = por(...args, '--out', join(dir, 'high'), '--height', '100');
    expect(high.status).toBe(2);
    expect(high.stderr).toMatch(/^por build: error: field height: --height must be an integer from 1 to 64, got 100$/m);
    expect(high.stderr).not.toMatch(/liabilities:/);
    const again = por(...args, '--out', join(dir, 'tree'));
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already holds a tree/);
    expect(again.stderr).not.toMatch(/liabilities:/); // nothing read first
  });

  it('proof --all --out naming a file: exit 2 naming it, not an internal error', () => {
    const r = por('proof', join(dir, 'tree'), '--all', '--out', join(dir, 'secret.key'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/secret\.key, field out: --out with --all must be a folder/);
  });

  it('--all exports every user, and each line is a proof that verifies', () => {
    const e = por('proof', join(dir, 'tree'), '--all', '--out', join(dir, 'all'), '--quiet', '--json');
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ format: 'por-proof-export-run', version: 1 });
    const root = JSON.parse(readFileSync(join(dir, 'tree/public/root.json'), 'utf8'));
    expect(JSON.parse(e.stdout).count).toBe(root.leafCount);
    const lines = readFileSync(join(dir, 'all/proofs-000000.ndjson'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(root.leafCount);
    writeFileSync(join(dir, 'line.json'), lines[lines.length - 1]!);
    expect(por('verify', join(dir, 'line.json'), '--report', join(dir, 'tree/public/root.json'), '--quiet').status).toBe(0);
    expect(readdirSync(join(dir, 'all')).sort()).toEqual(['manifest.json', 'proofs-000000.ndjson']);
    const f = por('proof', join(dir, 'tree'), '--all', '--layout', 'files', '--out', join(dir, 'files'), '--quiet');
    expect(f.status).toBe(0);
    expect(readdirSync(join(dir, 'files', 'users'))).toContain('alice.json');
  });
});

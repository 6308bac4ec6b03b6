// Helpers for the committed scale vector (test/fixtures/scale/PROVENANCE.md): root.json, one proof and the hash
// of the whole proof export, as the builder wrote them before the issue-17 rewrite. Every build path
// must give these bytes for the same input and secret (docs/SPEC.md: the byte rules do not change).
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
export const FIX = join(ROOT, 'test/fixtures/scale');
export const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
const EXPORT_SHA256 = '0f394aaced04252d779533e808aa0bbcccc1f45aac6f37af8a7a082980298760';
// git keeps no file modes: a private copy of the fixture secret, so por has nothing to warn about.
const SECRET = join(tmp('por-vec-secret-'), 'secret.txt');
copyFileSync(join(FIX, 'secret.txt'), SECRET);
chmodSync(SECRET, 0o600);
export const VECTOR_ARGS = [join(FIX, 'snapshot-3000.csv'), '--assets', join(FIX, 'assets.json'), '--secret-file', SECRET, '--snapshot-id', '2026-11-30-scale', '--quiet'];

/** root.json, one proof and the export's hash of the build in `out` equal the committed vector. */
export function expectVector(out: string): void {
  expect(readFileSync(join(out, 'public/root.json'), 'utf8')).toBe(readFileSync(join(FIX, 'root-3000.json'), 'utf8'));
  const p = por('proof', '--store', out, '--user', 'f7b5d63100000000', '--quiet');
  expect(p.status).toBe(0);
  expect(p.stdout).toBe(readFileSync(join(FIX, 'proof-f7b5d63100000000.json'), 'utf8'));
  const ex = join(tmp('por-vec-export-'), 'e');
  expect(por('proof', '--store', out, '--all', '--out', ex, '--quiet').status).toBe(0);
  expect(createHash('sha256').update(readFileSync(join(ex, 'proofs-000000.ndjson'))).digest('hex')).toBe(EXPORT_SHA256);
}


// Helpers for the committed scale vector (test/fixtures/scale/PROVENANCE.md): root.json, one proof and the hash
// of the whole proof export, as the builder wrote them before the issue-17 rewrite. Every build path
// must give these bytes for the same input and secret (docs/SPEC.md: the byte rules do not change).
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './helpers.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const FIX = join(ROOT, 'test/fixtures/scale');
export const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
const EXPORT_SHA256 = '0f394aaced04252d779533e808aa0bbcccc1f45aac6f37af8a7a082980298760';
// git keeps no file modes: a private copy of the fixture secret, so por has nothing to warn about.
const SECRET = join(tmp('por-vec-secret-'), 'secret.txt');
copyFileSync(join(FIX, 'secret.txt'), SECRET);
chmodSync(SECRET, 0o600);
export const VECTOR_SECRET = SECRET;
/** --assets, --secret-file, --snapshot-id of the vector (each may be changed), --quiet. */
export function vectorOptions(o: { secretFile?: string; snapshotId?: string } = {}): string[] {
  return ['--assets', join(FIX, 'assets.json'), '--secret-file', o.secretFile ?? SECRET, '--snapshot-id', o.snapshotId ?? '2026-11-30-scale', '--quiet'];
}
export const VECTOR_ARGS = [join(FIX, 'snapshot-3000.csv'), ...vectorOptions()];

/**
 * root.json, one proof and the export's hash of the build in `out` equal the committed vector (built
 * when the store held full leaf records). Every net of the vector fits int64, so every build path
 * now stores compact ones (por-proof-store v2): the proofs served from them must not change.
 */
export function expectVector(out: string): void {
  expect(readFileSync(join(out, 'public/root.json'), 'utf8')).toBe(readFileSync(join(FIX, 'root-3000.json'), 'utf8'));
  expect(JSON.parse(readFileSync(join(out, 'private/store.json'), 'utf8'))).toMatchObject({ version: 2, leafRecord: 'compact' });
  const p = por('proof', out, '--user', 'f7b5d63100000000', '--quiet');
  expect(p.status).toBe(0);
  expect(p.stdout).toBe(readFileSync(join(FIX, 'proof-f7b5d63100000000.json'), 'utf8'));
  const ex = join(tmp('por-vec-export-'), 'e');
  expect(por('proof', out, '--all', '--out', ex, '--quiet').status).toBe(0);
  expect(createHash('sha256').update(readFileSync(join(ex, 'proofs-000000.ndjson'))).digest('hex')).toBe(EXPORT_SHA256);
}


/** Splits the vector's rows into `n` part files by a hash of the user id (as an exchange's WHERE hash(user_id) % n = i). */
export function partitionVector(dir: string, n: number): string[] {
  const lines = readFileSync(join(FIX, 'snapshot-3000.csv'), 'utf8').split('\n');
  const parts: string[][] = Array.from({ length: n }, () => [lines[0]!]);
  for (const l of lines.slice(1)) {
    if (l === '') continue;
    const id = l.slice(0, l.indexOf(','));
    let h = 0;
    for (const c of id) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
    parts[h % n]!.push(l);
  }
  return parts.map((p, i) => {
    const f = join(dir, `part${i}.csv`);
    writeFileSync(f, p.join('\n') + '\n');
    return f;
  });
}

/** `por build PART --shard i/n --out DIR` with the vector's registry and secret; overrides after. */
export function buildShardCli(part: string, i: number, n: number, out: string, opts: string[] = vectorOptions(), env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), 'build', part, ...opts, '--shard', `${i}/${n}`, '--out', out], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...env } });
}

export function combineCli(shards: string[], out: string, extra: string[] = []) {
  return por('combine', ...shards, ...vectorOptions(), '--out', out, ...extra);
}

// `por verify-page` through the built CLI (npm test builds first): it writes the page built by
// `npm run build`, byte for byte, and reports its SHA-256; a path it cannot write is exit 2.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
const por = (...args: string[]) => spawnSync(process.execPath, [resolve(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8' });

describe('por verify-page', () => {
  it('writes dist/verify.html to --out and prints its sha256 in --json', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'por-vp-')), 'site', 'verify.html');
    const r = por('verify-page', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const written = await readFile(out);
    expect(written.equals(await readFile(resolve(repoRoot, 'dist/verify.html')))).toBe(true);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toEqual({
      format: 'por-verify-page',
      version: 1,
      out,
      bytes: written.length,
      sha256: createHash('sha256').update(written).digest('hex'),
    });
    expect(written.toString('utf8')).toMatch(/^<!doctype html>/);
  });

  it('says where it wrote the page in plain text', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'por-vp-')), 'v.html');
    const r = por('verify-page', '-o', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*v\.html \(\d+ KiB, sha256 [0-9a-f]{64}\)\n$/);
    expect(r.stderr).toContain('sends nothing');
  });

  it('a path it cannot write is exit 2 with the file named, no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'por-vp-'));
    // A directory cannot be replaced by the page.
    const r = por('verify-page', '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^por verify-page: error: .*: cannot write the page: E[A-Z]+( \([a-z ,]+\))?\n$/);
  });
});

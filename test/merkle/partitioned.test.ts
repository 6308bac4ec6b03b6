// por build in parts (issue 17, bounded memory): the snapshot split to disk by user id, each part
// hashed as a shard, then combined. Same bytes as the in-memory build (the committed scale vector),
// the same located errors, and no temporary file left behind.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './helpers.js';
import { expectVector, FIX, por, ROOT, VECTOR_ARGS, vectorOptions } from './scale-helpers.js';

let dir: string;
beforeAll(() => {
  dir = tmp('por-parts-');
});

describe('por build --parts / --memory', () => {
  it('3 parts through --tmp-dir give the in-memory bytes; the temporary folder is gone afterwards', () => {
    const out = join(dir, 'tree');
    const t = join(dir, 'tmp');
    const r = por('build', ...VECTOR_ARGS, '--out', out, '--parts', '3', '--tmp-dir', t);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectVector(out);
    expect(readdirSync(t)).toEqual([]);
  }, 300_000);

  it('a bad row and a duplicate row are reported at the original file:line:column, as in memory', () => {
    const lines = readFileSync(join(FIX, 'snapshot-3000.csv'), 'utf8').split('\n');
    const bad = [...lines];
    bad[4000] = bad[4000]!.replace(/,(\d+)\.(\d+),/, ',$1.$2.5,'); // line 4001: "12.34.5"
    const badFile = join(dir, 'bad.csv');
    writeFileSync(badFile, bad.join('\n'));
    const dup = [...lines];
    dup.splice(5000, 0, lines[4500]!); // line 5001 repeats line 4501
    const dupFile = join(dir, 'dup.csv');
    writeFileSync(dupFile, dup.join('\n'));
    for (const file of [badFile, dupFile]) {
      const inMemory = por('build', file, ...vectorOptions(), '--out', join(dir, 'm'), '--parts', '1');
      const t = join(dir, 'tmp-err');
      const parts = por('build', file, ...vectorOptions(), '--out', join(dir, 'p'), '--parts', '4', '--tmp-dir', t);
      expect(inMemory.status).toBe(2);
      expect(parts.status).toBe(2);
      expect(inMemory.stderr).toMatch(file === badFile ? new RegExp(`${file}:4001:\\d+`) : new RegExp(`${file}:5001:\\d+`));
      expect(parts.stderr).toBe(inMemory.stderr);
      expect(readdirSync(t)).toEqual([]);
    }
  }, 300_000);

  it('a killed build leaves a temporary folder that the next run removes; nothing in --out', () => {
    const t = join(dir, 'tmp-kill');
    const out = join(dir, 'killed');
    const k = spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), 'build', ...VECTOR_ARGS, '--out', out, '--parts', '2', '--tmp-dir', t], { env: { ...process.env, POR_TEST_CRASH_AT: 'build:parts-written' } });
    expect(k.signal).toBe('SIGKILL');
    expect(readdirSync(t).filter((n) => n.startsWith('.por-build-tmp-'))).toHaveLength(1);
    expect(por('proof', out, '--user', 'f7b5d63100000000').status).toBe(2);
    const r = por('build', ...VECTOR_ARGS, '--out', out, '--parts', '2', '--tmp-dir', t);
    expect(r.status).toBe(0);
    expect(readdirSync(t)).toEqual([]);
    expect(readFileSync(join(out, 'public/root.json'), 'utf8')).toBe(readFileSync(join(FIX, 'root-3000.json'), 'utf8'));
  }, 300_000);

  it('SIGINT mid-build (--parts 4): the process ends by the signal, the temporary folder is gone, --out holds no tree', async () => {
    const snap = join(dir, 'sigint.csv');
    expect(spawnSync(process.execPath, [join(ROOT, 'scripts/gen-snapshot.mjs'), '--users', '100000', '--out', snap]).status).toBe(0);
    const t = join(dir, 'tmp-sigint');
    const out = join(dir, 'interrupted');
    const args = [join(ROOT, 'bin/por.mjs'), 'build', snap, ...vectorOptions(), '--out', out, '--parts', '4', '--tmp-dir', t];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    // Mid-build: the parts are written and the first is read; three parts and the store remain.
    const midBuild = () => existsSync(t) && readdirSync(t).some((d) => d.startsWith('.por-build-tmp-') && existsSync(join(t, d, 'bucket-0.run')) && !existsSync(join(t, d, 'part-0.csv')));
    while (!midBuild()) {
      expect(child.exitCode).toBeNull(); // still running
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const end = await ended;
    expect(end).toEqual({ code: null, signal: 'SIGINT' }); // as Ctrl-C ends it: a shell reports 130
    expect(readdirSync(t)).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(por('proof', '--store', out, '--user', 'f7b5d63100000000').status).toBe(2);
    // The staged folder it left (.interrupted.partial-PID) is not a tree, and the next build clears it.
    const r = por('build', ...VECTOR_ARGS, '--out', out, '--parts', '2', '--tmp-dir', t);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).filter((n) => n.startsWith('.interrupted.partial-'))).toEqual([]);
  }, 300_000);

  it('--memory and --parts are checked before any work', () => {
    const r = por('build', ...VECTOR_ARGS, '--out', join(dir, 'x'), '--memory', '12');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--memory must be a size of at least 256M/);
  }, 300_000);
});

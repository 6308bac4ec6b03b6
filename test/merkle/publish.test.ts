// Publishing is all or nothing: `por build` and `por proof --all` killed (kill -9) at exact points,
// run on a full disk, or given a folder whose files do not belong together. POR_TEST_CRASH_AT names
// the point where the CLI SIGKILLs itself (src/io/node.ts, crashPoint).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmp } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
// Each test spawns several builds or exports: on a loaded machine they take minutes, not seconds.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });
type Run = SpawnSyncReturns<string>;
function por(args: string[], env: Record<string, string> = {}, wrap?: (argv: string[]) => string[]): Run {
  const argv = [process.execPath, join(ROOT, 'bin/por.mjs'), ...args];
  const [cmd, ...rest] = wrap ? wrap(argv) : argv;
  return spawnSync(cmd!, rest, { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...env } });
}

let work: string;
let key: string;
/** A complete build of snapshot "s1": the old set every --force re-run starts from. */
let base: string;
let baseFiles: Record<string, string>;

function build(out: string, snapshotId: string, extra: string[] = [], env: Record<string, string> = {}, wrap?: (a: string[]) => string[]): Run {
  return por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', key, '--snapshot-id', snapshotId, '--out', out, '--threads', '1', '--quiet', ...extra], env, wrap);
}

/** Every file under dir (relative path → SHA-256 of its bytes). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else out[`${rel}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** Hidden siblings a run leaves beside `target` (.NAME.partial-PID, .NAME.old-PID). */
function leftovers(target: string): string[] {
  return readdirSync(dirname(target)).filter((n) => n.startsWith(`.${basename(target)}.`));
}

/** A copy of the s1 build to run against. */
function copyOfBase(name: string): string {
  const d = join(work, name);
  cpSync(base, d, { recursive: true });
  return d;
}

/** Serves alice's proof from `dir` and checks it against the root published in the same folder. */
function servesConsistently(dir: string): { snapshotId: string } {
  const proofFile = join(work, `alice-${Math.random().toString(36).slice(2)}.json`);
  const p = por(['proof', dir, '--user', 'alice', '--out', proofFile, '--quiet']);
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  expect(por(['verify', proofFile, '--report', join(dir, 'public/root.json'), '--quiet']).status).toBe(0);
  return JSON.parse(readFileSync(join(dir, 'public/root.json'), 'utf8')) as { snapshotId: string };
}

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

beforeAll(() => {
  work = tmp('por-publish-');
  key = join(work, 'secret.key');
  writeFileSync(key, 'c'.repeat(64) + '\n', { mode: 0o600 });
  base = join(work, 'base');
  const r = build(base, 's1');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  baseFiles = tree(base);
});

describe('por build: the folder is the old set or the complete new one', () => {
  it('writes public/ (root.json) and private/ (the store, 0700 with 0600 files), nothing else', () => {
    expect(readdirSync(base).sort()).toEqual(['private', 'public']);
    expect(readdirSync(join(base, 'public'))).toEqual(['root.json']);
    expect(statSync(join(base, 'private')).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(base, 'private'))) expect(statSync(join(base, 'private', f)).mode & 0o777, f).toBe(0o600);
    expect(readdirSync(join(base, 'private')).sort()).toEqual(['ids.bin', 'ids.off', 'leaves.bin', 'levels.bin', 'lookup.bin', 'order.bin', 'position.bin', 'salts.bin', 'store.json']);
    expect(leftovers(base)).toEqual([]);
  });

  it('kill -9 after the tree is written, and just before the switch: a --force re-build leaves the old set byte for byte; the next build removes the staging', () => {
    const dir = copyOfBase('killed-before');
    for (const point of ['build:tree-written', 'build:before-switch']) {
      const r = build(dir, 's2', ['--force'], { POR_TEST_CRASH_AT: point });
      expect(r.signal, point).toBe('SIGKILL');
      expect(tree(dir), point).toEqual(baseFiles);
      expect(servesConsistently(dir).snapshotId).toBe('s1');
      // The killed run's staging is left visibly aside (a hidden .partial); the previous killed
      // run's was removed by this one.
      expect(leftovers(dir).filter((n) => /\.partial-\d+$/.test(n)), point).toHaveLength(1);
    }
    const again = build(dir, 's2', ['--force']);
    expect(again.status).toBe(0);
    expect(leftovers(dir)).toEqual([]);
    expect(servesConsistently(dir).snapshotId).toBe('s2');
  }, 600_000);

  it('kill -9 between moving the old folder aside and moving the new one in: readers refuse, the next build puts the old set back first', () => {
    const dir = copyOfBase('killed-mid');
    const r = build(dir, 's2', ['--force'], { POR_TEST_CRASH_AT: 'build:mid-switch' });
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
    const p = por(['proof', dir, '--user', 'alice']);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/killed-mid: this folder is missing: a build was killed while switching it/);
    // The next run restores the old set before it decides anything: without --force it refuses,
    // and the folder is the old one again.
    const next = build(dir, 's2');
    expect(next.status).toBe(2);
    expect(next.stderr).toMatch(/already holds a tree/);
    expect(tree(dir)).toEqual(baseFiles);
    expect(leftovers(dir)).toEqual([]);
    expect(servesConsistently(dir).snapshotId).toBe('s1');
  }, 600_000);

  it('kill -9 just after the switch: the new set is complete and consistent; the old copy goes with the next run', () => {
    const dir = copyOfBase('killed-after');
    const r = build(dir, 's2', ['--force'], { POR_TEST_CRASH_AT: 'build:after-switch' });
    expect(r.signal).toBe('SIGKILL');
    expect(servesConsistently(dir).snapshotId).toBe('s2');
    expect(leftovers(dir).filter((n) => /\.old-\d+$/.test(n))).toHaveLength(1);
    expect(build(dir, 's3', ['--force']).status).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  }, 600_000);

  it("leftovers of dead runs are removed by the next run on the folder (.DIR.partial-PID, .DIR.old-PID, DIR/.store.partial-PID, FILE.partial-PID); a live run's are kept", () => {
    const dir = copyOfBase('leftovers');
    const dead = deadPid();
    for (const d of [`.leftovers.partial-${dead}`, `.leftovers.old-${dead}`]) mkdirSync(join(work, d));
    mkdirSync(join(dir, `.store.partial-${dead}`)); // what builds before the staged folder left
    mkdirSync(join(work, `.leftovers.partial-${process.pid}`)); // a run that is still going
    expect(build(dir, 's2', ['--force']).status).toBe(0);
    expect(leftovers(dir)).toEqual([`.leftovers.partial-${process.pid}`]);
    expect(readdirSync(dir).sort()).toEqual(['private', 'public']);
    rmSync(join(work, `.leftovers.partial-${process.pid}`), { recursive: true });
    // A single file written atomically (proof --user --out) cleans its own dead temp files.
    writeFileSync(join(work, `one.json.partial-${dead}`), 'half');
    expect(por(['proof', dir, '--user', 'alice', '--out', join(work, 'one.json'), '--quiet']).status).toBe(0);
    expect(existsSync(join(work, `one.json.partial-${dead}`))).toBe(false);
  });

  it('a folder holding only what a killed build of an earlier version left (.store.partial-PID) is cleaned and built into', () => {
    const dir = join(work, 'legacy-leftover');
    const leftover = join(dir, `.store.partial-${deadPid()}`);
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'leaves.bin'), 'half');
    expect(build(dir, 's1').status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['private', 'public']);
  });

  it('a non-empty folder that holds no build is refused, even with --force, before anything is read', () => {
    const dir = join(work, 'not-a-build');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = build(dir, 's1', ['--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-build, field out: this folder is not empty and does not hold a tree/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });
});

describe('readers serve a proof only when root, store and report belong together', () => {
  it('a root.json of another tree beside the store: por proof refuses (exit 2) naming the file', () => {
    const dir = copyOfBase('mixed-root');
    const other = join(work, 'other');
    expect(build(other, 's-other').status).toBe(0);
    cpSync(join(other, 'public/root.json'), join(dir, 'public/root.json'));
    for (const store of [dir, join(dir, 'private')]) {
      const r = por(['proof', store, '--user', 'alice']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/mixed-root\/public\/root\.json, field hash: this published document is for another tree .* root, store and report do not belong together/);
    }
  }, 600_000);

  it("a report.json whose merkleRoot is another tree's: refused too", () => {
    const dir = copyOfBase('mixed-report');
    const root = JSON.parse(readFileSync(join(dir, 'public/root.json'), 'utf8'));
    const { format: _f, version: _v, ...merkleRoot } = root;
    writeFileSync(join(dir, 'public/report.json'), JSON.stringify({ format: 'por-report', version: 1, merkleRoot: { ...merkleRoot, hash: 'ab'.repeat(32) } }));
    const r = por(['proof', dir, '--user', 'alice']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mixed-report\/public\/report\.json, field hash: this published document is for another tree/);
    writeFileSync(join(dir, 'public/report.json'), JSON.stringify({ format: 'por-report', version: 1, merkleRoot }));
    expect(servesConsistently(dir).snapshotId).toBe('s1');
  });

  it('the earlier layout (DIR/root.json beside DIR/store/) is still read, and checked the same way', () => {
    const dir = join(work, 'legacy');
    mkdirSync(dir);
    cpSync(join(base, 'private'), join(dir, 'store'), { recursive: true });
    cpSync(join(base, 'public/root.json'), join(dir, 'root.json'));
    expect(por(['proof', dir, '--user', 'alice', '--quiet']).status).toBe(0);
    const root = JSON.parse(readFileSync(join(dir, 'root.json'), 'utf8'));
    writeFileSync(join(dir, 'root.json'), JSON.stringify({ ...root, hash: 'cd'.repeat(32) }));
    const r = por(['proof', dir, '--user', 'alice']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/legacy\/root\.json, field hash: .*do not belong together/);
  }, 600_000);
});

/** Checks an export folder is complete: the manifest lists exactly the files there, sizes and hashes right. */
function completeExport(dir: string): { count: number; layout: string } {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format: string; version: number; count: number; layout: string; files: { path: string; bytes: number; sha256: string }[] };
  expect(m).toMatchObject({ format: 'por-proof-export', version: 2 });
  const onDisk = tree(dir);
  delete onDisk['manifest.json'];
  expect(Object.keys(onDisk).sort()).toEqual(m.files.map((f) => f.path).sort());
  for (const f of m.files) {
    expect(onDisk[f.path], f.path).toBe(f.sha256);
    expect(statSync(join(dir, f.path)).size, f.path).toBe(f.bytes);
  }
  return m;
}

describe('por proof --all: an export is complete or visibly not', () => {
  it('kill -9 before the manifest, and just before the switch, over an older export: the older export stays whole; into a new folder: no folder', () => {
    const out = join(work, 'export');
    const first = por(['proof', base, '--all', '--out', out, '--quiet']);
    expect(first.status).toBe(0);
    const before = tree(out);
    expect(completeExport(out)).toMatchObject({ count: 1005, layout: 'ndjson' });
    for (const point of ['export:before-manifest', 'export:before-switch']) {
      const r = por(['proof', base, '--all', '--layout', 'files', '--out', out, '--quiet'], { POR_TEST_CRASH_AT: point });
      expect(r.signal, point).toBe('SIGKILL');
      expect(tree(out), point).toEqual(before);
      const fresh = join(work, `export-new-${point.replace(':', '-')}`);
      const r2 = por(['proof', base, '--all', '--out', fresh, '--quiet'], { POR_TEST_CRASH_AT: point });
      expect(r2.signal, point).toBe('SIGKILL');
      expect(existsSync(fresh), point).toBe(false);
    }
    const again = por(['proof', base, '--all', '--layout', 'files', '--out', out, '--quiet']);
    expect(again.status).toBe(0);
    expect(completeExport(out)).toMatchObject({ count: 1005, layout: 'files' });
    expect(leftovers(out)).toEqual([]);
  }, 600_000);

  it('proof files are 0600 in 0700 folders (each holds its user salt); a non-empty folder that is no export is refused', () => {
    const out = join(work, 'export');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, 'users/alice.json')).mode & 0o777).toBe(0o600);
    const r = por(['proof', base, '--all', '--out', join(work, 'not-a-build')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-build, field out: this folder is not empty and does not hold a proof export/);
  });
});

// A real full disk: a small tmpfs (tests run as root). Where mount is not allowed, the same write
// path is driven into EFBIG with a file-size limit (ulimit -f) instead; either way the device, not
// por, refuses the write.
describe('a full disk', () => {
  const mounts: string[] = [];
  let viaUlimit = false;
  function smallDisk(kib: number): { dir: string; wrap?: (a: string[]) => string[] } {
    const dir = join(work, `disk-${kib}k`);
    mkdirSync(dir);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
    if (m.status === 0) {
      mounts.push(dir);
      return { dir };
    }
    viaUlimit = true;
    return { dir, wrap: (argv) => ['/bin/sh', '-c', `ulimit -f ${kib * 2}; exec "$@"`, 'sh', ...argv] };
  }
  afterAll(() => {
    for (const d of mounts) spawnSync('umount', [d]);
  });

  it('build on a disk too small for the store: exit 2 naming the file, no stack trace, nothing left that reads as whole', () => {
    const disk = smallDisk(128);
    const r = build(join(disk.dir, 'tree'), 's1', [], {}, disk.wrap);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^por build: error: ${disk.dir}/\\.tree\\.partial-\\d+/private/\\S+: cannot write file: (ENOSPC|EFBIG)`, 'm'));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(disk.dir)).toEqual([]);
    if (viaUlimit) console.warn('full disk simulated with ulimit -f (mount not allowed here)');
  });

  it('proof --all on a disk too small for the export: exit 2 naming the file; no folder, no manifest, no truncated shard', () => {
    const disk = smallDisk(1024);
    for (const layout of ['ndjson', 'files']) {
      const r = por(['proof', base, '--all', '--layout', layout, '--out', join(disk.dir, 'export'), '--json'], {}, disk.wrap);
      expect(r.status, layout).toBe(2);
      expect(r.stderr, layout).toMatch(new RegExp(`^por proof: error: ${disk.dir}/\\.export\\.partial-\\d+/\\S+: cannot write file: (ENOSPC|EFBIG)`, 'm'));
      expect(JSON.parse(r.stdout).error, layout).toMatchObject({ code: 'CANNOT_WRITE' });
      expect(readdirSync(disk.dir), layout).toEqual([]);
    }
  }, 600_000);
});

// The proof store written with direct I/O (src/io/direct.ts, used by src/merkle/store-writer.ts) is
// the store written with buffered writes, byte for byte: a one-machine build of 3 chunks of users
// and a build in parts (the combine's tree-order writer), each run with direct I/O on (the default)
// and off (POR_DIRECT_IO=off). And a device refusing a direct write mid-store (a file-size limit,
// ulimit -f, on the disk folder the test runs in) stops the build naming the file, leaving nothing.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree } from '../../src/merkle/build.js';
import { buildFromParts } from '../../src/merkle/parts.js';
import { ASSETS, SECRET, randomUsers, snapshotOf, tmp } from './helpers.js';

vi.setConfig({ testTimeout: 600_000 });
const ROOT = new URL('../..', import.meta.url).pathname;
const WORKER = new URL('../../dist/merkle-worker.mjs', import.meta.url);
const work = tmp('por-direct-io-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under dir: relative path → bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else out.set(`${rel}${name}`, readFileSync(p));
    }
  };
  walk(dir, '');
  return out;
}

/** Runs `build` into <name>-direct and, with POR_DIRECT_IO=off, into <name>-buffered; both folders' files. */
async function bothWays(name: string, build: (out: string) => Promise<unknown>): Promise<[Map<string, Buffer>, Map<string, Buffer>]> {
  await build(join(work, `${name}-direct`));
  process.env.POR_DIRECT_IO = 'off';
  try {
    await build(join(work, `${name}-buffered`));
  } finally {
    delete process.env.POR_DIRECT_IO;
  }
  return [filesOf(join(work, `${name}-direct`)), filesOf(join(work, `${name}-buffered`))];
}

function expectSameFiles(direct: Map<string, Buffer>, buffered: Map<string, Buffer>): void {
  expect([...direct.keys()]).toEqual([...buffered.keys()]);
  expect([...direct.keys()]).toEqual(expect.arrayContaining(['private/leaves.bin', 'private/salts.bin', 'private/ids.bin', 'private/levels.bin', 'private/order.bin', 'private/lookup.bin']));
  for (const [name, bytes] of direct) expect(bytes.equals(buffered.get(name)!), name).toBe(true);
}

/** Whether files in `dir` can be opened with O_DIRECT (else both runs take the buffered path). */
function directOpens(dir: string): boolean {
  const file = join(dir, 'probe');
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('the proof store with direct I/O', () => {
  it('a one-machine build of 140,000 users (3 chunks, leaves.bin past several 1 MiB stages): the same files as with buffered writes', async () => {
    if (!directOpens(work)) console.warn(`${work} refuses O_DIRECT: both builds were buffered`);
    const snapshot = snapshotOf(randomUsers(140_000, ASSETS.length, 5));
    const [direct, buffered] = await bothWays('one', (outDir) => buildTree(snapshot, { secret: SECRET, snapshotId: 'direct-io', outDir, workerUrl: WORKER }));
    expect(direct.get('private/leaves.bin')!.length).toBeGreaterThan(3 << 20);
    expectSameFiles(direct, buffered);
  });

  it('a build in 3 parts (the combine writer, identity order.bin): the same files as with buffered writes', async () => {
    const users = randomUsers(30_000, ASSETS.length, 9);
    const parts = [users.slice(0, 9000), users.slice(9000, 21_000), users.slice(21_000)];
    const [direct, buffered] = await bothWays('parts', (outDir) =>
      buildFromParts({ assets: ASSETS }, parts.length, async (i) => snapshotOf(parts[i]!), { secret: SECRET, snapshotId: 'direct-io', outDir, tmpDir: tmp('por-direct-io-parts-'), workerUrl: WORKER }),
    );
    expectSameFiles(direct, buffered);
  });

  it('a file-size limit hit by a direct write: exit 2 naming the store file (EFBIG), nothing left in the folder', () => {
    const rows = ['user_id,account,asset,balance,mode'];
    for (let i = 0; i < 3000; i++) rows.push(`user-${i},spot,BTC,${(i % 97) + 1}.00000000,simple`, `user-${i},spot,USDT,${i}.000000,simple`);
    const csv = join(work, 'users.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const key = join(work, 'secret.key');
    writeFileSync(key, 'd'.repeat(64) + '\n', { mode: 0o600 });
    const dir = join(work, 'limited');
    const argv = [process.execPath, join(ROOT, 'bin/por.mjs'), 'build', csv, '--assets', 'samples/assets.json', '--secret-file', key, '--snapshot-id', 'lim', '--out', join(dir, 'tree'), '--quiet'];
    // 64 blocks of 512 bytes (dash's unit): the 4 KiB alignment probe passes, the first stage write does not.
    spawnSync('mkdir', ['-p', dir]);
    const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 64; exec "$@"', 'sh', ...argv], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^por build: error: ${dir}/\\.tree\\.partial-\\d+/private/\\S+: cannot write file: EFBIG`, 'm'));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(dir)).toEqual([]);
  });
});

#!/usr/bin/env node
// Exchange scale (issue 17): `por build` CSV → root.json + proof store, end to end, in a child
// process (wall, CPU, peak RSS from /usr/bin/time), and in the same run the bare hashing floor: the
// same number of SHA-256 calls over messages of the same sizes with node's crypto in the same number
// of threads. Prints por's wall time as a ratio to the floor. Not a test: figures go in docs/SPEC.md.
//
//   npm run build && node scripts/bench-scale.mjs --users 10000000 [--memory 2G] [--parts N]
//        [--threads 2] [--dir /work/bench] [--keep]
//
// The snapshot is made once by scripts/gen-snapshot.mjs (seeded: ~2 rows per user, 5 assets) in
// --dir and reused; the build folder is removed afterwards unless --keep. Other jobs on the machine
// change wall times: the load average (os.loadavg) before and after is printed with the figures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const users = Number(arg('users', '1000000'));
const threads = Number(arg('threads', '2'));
const dir = arg('dir', '/tmp/por-bench-scale');
const ROOT = new URL('..', import.meta.url).pathname;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Message sizes of one user's hashes at 5 assets, a 16-byte id and a 5-byte snapshot id ("bench"). */
function messageSizes(assets = 5, idLen = 16, sidLen = 5) {
  const R = 32 + assets * 32;
  return [
    64 + 9 + 2 + sidLen + 2 + idLen, // salt, HMAC inner: (K ⊕ ipad) ‖ message
    64 + 32, // salt, HMAC outer
    9 + 2 + idLen + 32, // user hash
    9 + 2 + sidLen + 32 + 32 + (R - 32), // leaf
    9 + 2 * R, // node: one per user on average (a tree has n − 1 internal nodes)
  ];
}

/** The floor: users × the five hashes, split over `threads` worker threads, digests as latin1 strings as por makes them. */
async function hashingFloor(n, t) {
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { hash } = require('node:crypto');
    const bufs = workerData.sizes.map((s) => Buffer.alloc(s, 7));
    let x = 0;
    for (let i = 0; i < workerData.count; i++) {
      for (let k = 0; k < bufs.length; k++) {
        bufs[k][0] = i & 255; // a different message each time
        x ^= hash('sha256', bufs[k], 'binary').charCodeAt(0);
      }
    }
    parentPort.postMessage(x);`;
  const sizes = messageSizes();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: t }, (_, i) => new Promise((resolve, reject) => {
    const count = Math.floor((n * (i + 1)) / t) - Math.floor((n * i) / t);
    const w = new Worker(src, { eval: true, workerData: { sizes, count } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return { wall: (performance.now() - t0) / 1000, hashes: n * sizes.length, sizes };
}

mkdirSync(dir, { recursive: true });
const snap = join(dir, `snap-${users}.csv`);
if (!existsSync(snap)) {
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/gen-snapshot.mjs'), '--users', String(users), '--out', snap], { stdio: 'inherit' });
  if (g.status !== 0) process.exit(2);
}
const secret = join(dir, 'secret.key');
writeFileSync(secret, 'b'.repeat(64), { mode: 0o600 });
const out = join(dir, `tree-${users}`);
const extra = [];
for (const o of ['memory', 'parts', 'tmp-dir']) if (arg(o) !== undefined) extra.push(`--${o}`, arg(o));
const cmd = [join(ROOT, 'bin/por.mjs'), 'build', snap, '--assets', join(ROOT, 'samples/assets.json'), '--secret-file', secret, '--snapshot-id', 'bench', '--out', out, '--force', '--threads', String(threads), ...extra];
console.log(`snapshot ${snap}: ${(statSync(snap).size / 1e9).toFixed(2)} GB, ${users.toLocaleString('en-US')} users`);
console.log(`load before: ${load()}`);
const b = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const timeLine = b.stderr.trim().split('\n').pop();
if (b.status !== 0) {
  console.error(b.stderr);
  process.exit(2);
}
const [wall, user, sys, rssKb] = timeLine.split(' ').map(Number);
console.log(b.stderr.trim().split('\n').filter((l) => / in \d|parts/.test(l)).join('\n'));
console.log(`load after build: ${load()}`);
const floor = await hashingFloor(users, threads);
console.log(`load after floor: ${load()}`);
const storeBytes = spawnSync('du', ['-sb', join(out, 'private')], { encoding: 'utf8' }).stdout.split('\t')[0];
console.log(`por build: ${wall.toFixed(1)} s wall, ${user.toFixed(1)} s user + ${sys.toFixed(1)} s sys, peak RSS ${(rssKb / 1e6).toFixed(2)} GB, store ${(Number(storeBytes) / 1e9).toFixed(2)} GB`);
console.log(`hashing floor: ${floor.hashes.toLocaleString('en-US')} SHA-256 calls (${floor.sizes.join(', ')} bytes per user) on ${threads} threads: ${floor.wall.toFixed(1)} s wall`);
console.log(`ratio por / floor: ${(wall / floor.wall).toFixed(1)}`);
if (!argv.includes('--keep')) rmSync(out, { recursive: true, force: true });

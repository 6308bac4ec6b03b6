#!/usr/bin/env node
// Exchange scale (issue 17): `por build SNAPSHOT --wallets …` (build and publish) in a child process,
// in memory and within each --memory given, against the demo chain (scripts/demo-chain.mjs: a
// private anvil and the Esplora fixture, samples/wallets.json, samples/prices.csv and
// haircuts.json, a signing key): wall, CPU and peak RSS from /usr/bin/time, the parts it used, and
// whether report.json and root.json are the in-memory build's bytes. Not a test: figures go in
// docs/SCALE.md.
//
//   npm run build && node scripts/bench-publish.mjs --snapshot /work/bench1m/snap-1000000.csv
//        --secret-file /work/bench1m/secret.key [--memory 256M,512M] [--dir /tmp/por-bench-publish]
//
// The snapshot id is the manifest's (demo-2026-11-24); the report's coverage verdict (exit 1 when an
// asset is short, as it is for the bench snapshots against the demo reserves) does not matter here.
// The build folders (DIR/out-N) are removed afterwards. The load average is printed beside every figure.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { demoChain } from './demo-chain.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const snapshot = arg('snapshot', undefined);
const secret = arg('secret-file', undefined);
if (!snapshot || !secret) throw new Error('give --snapshot FILE.csv and --secret-file KEY');
const budgets = arg('memory', '256M').split(',');
const dir = arg('dir', '/tmp/por-bench-publish');
const ROOT = new URL('..', import.meta.url).pathname;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** One build: /usr/bin/time's line, the "read in N parts" note, the exit code. */
function build(out, extra, publish) {
  const args = ['-f', '%e s wall, %U s user + %S s sys, peak RSS %M KB', process.execPath, join(ROOT, 'bin/por.mjs'), 'build', snapshot, '--assets', join(ROOT, 'samples/assets.json'), '--secret-file', secret, '--snapshot-id', 'demo-2026-11-24', '--out', out, '--force', ...publish, ...extra];
  return new Promise((resolve) => {
    // Spawned asynchronously: the Esplora fixture answers from this process's event loop.
    const child = spawn('/usr/bin/time', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, time: err.trim().split('\n').at(-1), parts: /read in (\d+) parts/.exec(err)?.[1] ?? '1 (in memory)' }));
  });
}

mkdirSync(dir, { recursive: true });
const chain = await demoChain();
try {
  writeFileSync(join(dir, 'sign.key'), '0x' + '5'.repeat(64), { mode: 0o600 });
  const publish = [
    '--wallets', join(ROOT, 'samples/wallets.json'),
    ...Object.entries(chain.rpc).flatMap(([k, v]) => ['--rpc', `${k}=${v}`]),
    ...Object.entries(chain.blocks).flatMap(([k, v]) => ['--block', `${k}=${v}`]),
    '--prices', join(ROOT, 'samples/prices.csv'), '--haircuts', join(ROOT, 'samples/haircuts.json'), '--sign-key-file', join(dir, 'sign.key'),
  ];
  const runs = [['in memory', ['--parts', '1']], ...budgets.map((m) => [`--memory ${m}`, ['--memory', m, '--tmp-dir', dir]])];
  const bytes = (out, f) => readFileSync(join(out, 'public', f));
  let first;
  for (const [name, extra] of runs) {
    const out = join(dir, `out-${runs.findIndex((r) => r[0] === name)}`);
    const before = load();
    const r = await build(out, extra, publish);
    const same = first === undefined ? '' : ['report.json', 'root.json'].map((f) => `${f} ${bytes(out, f).equals(bytes(first, f)) ? 'same bytes' : 'DIFFERS'}`).join(', ');
    console.log(`${name}: parts ${r.parts}, exit ${r.code}, ${r.time} (load ${before} → ${load()})${same ? `; ${same}` : ''}`);
    first ??= out;
  }
} finally {
  await chain.stop();
  for (const name of ['sign.key', ...budgets.map((_, i) => `out-${i + 1}`), 'out-0']) rmSync(join(dir, name), { recursive: true, force: true });
}

// The shards + combine on a real batch engine (issue 17): Dask distributed from Debian's
// python3-distributed (.ci/run installs it), started here on loopback — a scheduler and two
// workers — and driven by deploy/dask/por_dask.py, which submits 4 shard tasks and a combine that
// depends on them. The combined root.json must be the one-machine build's (the scale vector).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmp } from './helpers.js';
import { FIX, partitionVector, ROOT, vectorOptions } from './scale-helpers.js';

const PY = '/usr/bin/python3'; // Debian's python, where python3-distributed installs
const started: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts a process and resolves once `ready` appears in its output. */
function startUntil(cmd: string, args: string[], ready: RegExp, cwd: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(p);
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} not ready after 120 s:\n${log}`)), 120_000);
    const look = (b: Buffer) => {
      log += b.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    p.stdout!.on('data', look);
    p.stderr!.on('data', look);
    p.on('exit', (code) => reject(new Error(`${cmd} exited ${code}:\n${log}`)));
  });
}

let dir: string;
let scheduler: string;

beforeAll(async () => {
  dir = tmp('por-dask-');
  const port = await freePort();
  scheduler = `tcp://127.0.0.1:${port}`;
  await startUntil(PY, ['-m', 'distributed.cli.dask_scheduler', '--host', '127.0.0.1', '--port', String(port), '--dashboard-address', '127.0.0.1:0'], /Scheduler at:/, dir);
  for (let w = 0; w < 2; w++) {
    await startUntil(PY, ['-m', 'distributed.cli.dask_worker', scheduler, '--nthreads', '1', '--no-nanny', '--host', '127.0.0.1', '--dashboard-address', '127.0.0.1:0', '--local-directory', join(dir, `w${w}`)], /Registered to:/, dir);
  }
}, 300_000);

afterAll(async () => {
  // Each process this test started, by its own handle; SIGKILL if it has not gone in 15 s.
  await Promise.all(
    started.map((p) => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      p.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      p.kill('SIGTERM');
    })),
  );
}, 30_000);

describe('shards on Dask distributed (a real engine, on loopback)', () => {
  it('4 shard tasks + a dependent combine give the one-machine root.json; por proof answers from the combined store', () => {
    const parts = partitionVector(dir, 4);
    const opts = vectorOptions();
    const get = (name: string) => opts[opts.indexOf(name) + 1]!;
    const r = spawnSync(PY, [join(ROOT, 'deploy/dask/por_dask.py'), '--scheduler', scheduler, '--por', `${process.execPath} ${join(ROOT, 'bin/por.mjs')}`,
      '--assets', get('--assets'), '--secret-file', get('--secret-file'), '--snapshot-id', get('--snapshot-id'), '--shard-dir', join(dir, 'shards'), '--out', join(dir, 'tree'), ...parts], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).not.toMatch(/por_dask:/);
    expect(r.status).toBe(0);
    const oneMachine = readFileSync(join(FIX, 'root-3000.json'), 'utf8');
    expect(readFileSync(join(dir, 'tree/public/root.json'), 'utf8')).toBe(oneMachine);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(oneMachine));
    const p = spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), 'proof', join(dir, 'tree'), '--user', 'f7b5d63100000000', '--quiet'], { encoding: 'utf8' });
    expect(p.stdout).toBe(readFileSync(join(FIX, 'proof-f7b5d63100000000.json'), 'utf8'));
  }, 300_000);
});

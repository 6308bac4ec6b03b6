// Benchmarks the Merkle sum tree on synthetic users (5 assets):
//   npm run build && node scripts/bench-tree.mjs [--users 1000000] [--threads 2] [--export 200000] [--export-dir DIR] [--merkletreejs]
// --export-dir /dev/shm/… measures the export without the disk (one 9 KB proof each: the disk is
// usually the limit).
// Prints build time, peak RSS, proof export rate, single-proof latency, and (with --merkletreejs)
// how long merkletreejs takes to build a plain (sum-less) tree over the same leaf hashes.
// Peak RSS is the process's high-water mark (getrusage maxrss), taken before merkletreejs runs.
import { mkdirSync, mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildTree, ProofStore } from '../dist/merkle.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1] === undefined || process.argv[i + 1].startsWith('--') ? true : process.argv[i + 1];
};
// --export-only STORE OUT K: the export phase alone, in a fresh process (as `por proof --all` runs;
// right after a build the old process's garbage slows it down).
if (typeof arg('export-only', undefined) === 'string') {
  const i = process.argv.indexOf('--export-only');
  const [storeDir, outDir, k] = process.argv.slice(i + 1, i + 4);
  const bulk = await ProofStore.open(storeDir, { bulk: true });
  mkdirSync(outDir, { recursive: true }); // exportAll writes into an existing (staging) folder
  const t = performance.now();
  const c0 = process.cpuUsage();
  const ex = bulk.exportAll(outDir, { limit: Number(k) });
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ count: ex.count, seconds: (performance.now() - t) / 1000, cpuSeconds: (c.user + c.system) / 1e6, maxRSS: resourceUsage().maxRSS }));
  process.exit(0);
}
const N = Number(arg('users', 1_000_000));
const threads = Number(arg('threads', 2));
const exportN = Number(arg('export', 200_000));
const withMtj = arg('merkletreejs', false) === true;
const height = Number(arg('height', 32));
const assets = ['BTC', 'ETH', 'USDT', 'USDC', 'XTK'].map((symbol, i) => ({ symbol, decimals: [8, 18, 6, 6, 8][i] }));

// Synthetic users: ~60 % of (user, asset) cells non-zero, 3 % debts; ids like exchange uids.
function* users() {
  let x = 2463534242;
  for (let i = 0; i < N; i++) {
    const net = new Array(5);
    for (let a = 0; a < 5; a++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      const r = (x >>> 0) % 100;
      net[a] = r < 40 ? 0n : r < 43 ? -BigInt((x >>> 8) & 0xfffff) : BigInt(x >>> 0) * 1000n;
    }
    yield { userId: `uid-${(i * 2654435761) >>> 0}-${i}`, net };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'por-bench-tree-'));
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
console.log(`bench-tree: ${N.toLocaleString('en-US')} users, 5 assets, height ${height}, ${threads} thread(s), node ${process.version}`);
let t0 = performance.now();
const cpu0 = process.cpuUsage();
const phases = { progress() {}, warn(m) { console.log(`warning: ${m}`); }, done(stage, summary) { console.log(`  ${stage}: ${summary} at ${((performance.now() - t0) / 1000).toFixed(2)} s`); } };
const res = await buildTree({ registry: { assets }, users }, { reporter: phases, secret: new TextEncoder().encode('bench secret, not for production use!!'), snapshotId: 'bench', height, outDir: dir, threads });
const buildS = (performance.now() - t0) / 1000;
const peakBuild = resourceUsage().maxRSS;
const cpu = process.cpuUsage(cpu0); // all threads of this process: steadier than wall time on a shared machine
console.log(`build:   ${buildS.toFixed(2)} s (${Math.round(N / buildS).toLocaleString('en-US')} users/s), CPU ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s sys, peak RSS ${mb(peakBuild)}, root ${res.merkleRoot.hash.slice(0, 16)}…`);

// Single proofs: median latency after the store is open.
const store = await ProofStore.open(dir);
const lat = [];
for (let k = 0; k < 2000; k++) {
  const id = `uid-${((k * 7919 % N) * 2654435761) >>> 0}-${k * 7919 % N}`;
  const s = performance.now();
  store.proofText(id);
  lat.push(performance.now() - s);
}
lat.sort((a, b) => a - b);
console.log(`proof:   median ${(lat[1000] * 1000).toFixed(0)} µs, p99 ${(lat[1980] * 1000).toFixed(0)} µs per --user proof (store open, reads from disk/page cache)`);
store.close();

// Bulk export, streaming NDJSON, in a fresh process.
const exportDir = arg('export-dir', undefined);
const out = typeof exportDir === 'string' ? exportDir : join(dir, 'export');
const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--export-only', dir, out, String(Math.min(exportN, N))], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`export failed: ${child.stderr}`);
const ex = JSON.parse(child.stdout);
const bytes = statSync(join(out, 'proofs-000000.ndjson')).size;
console.log(`export:  to ${out}: ${ex.count.toLocaleString('en-US')} proofs in ${ex.seconds.toFixed(2)} s = ${Math.round(ex.count / ex.seconds).toLocaleString('en-US')} proofs/s, CPU ${(ex.cpuSeconds * 1e6 / ex.count).toFixed(1)} µs/proof (user + sys) (first shard ${(bytes / 2 ** 20).toFixed(0)} MB, ~${Math.round(bytes / Math.min(ex.count, 100000))} B/proof; export process peak RSS ${mb(ex.maxRSS)})`);
const peakAll = resourceUsage().maxRSS;
console.log(`peak RSS (build + single proofs): ${mb(peakAll)}`);

if (withMtj) {
  // merkletreejs: a plain binary tree (no sums) over the same leaf hashes, node:crypto SHA-256.
  const { MerkleTree } = await import('merkletreejs');
  const leavesBuf = readFileSync(join(dir, 'private', 'leaves.bin'));
  // The record size store.json states (compact records when every net fits int64).
  const R = JSON.parse(readFileSync(join(dir, 'private', 'store.json'), 'utf8')).leafRecordSize;
  const leafHashes = new Array(N);
  for (let i = 0; i < N; i++) leafHashes[i] = leavesBuf.subarray(i * R, i * R + 32);
  const sha = (d) => createHash('sha256').update(d).digest();
  t0 = performance.now();
  const tree = new MerkleTree(leafHashes, sha);
  const mtjS = (performance.now() - t0) / 1000;
  console.log(`merkletreejs plain tree over the same ${N.toLocaleString('en-US')} leaf hashes: ${mtjS.toFixed(2)} s → ratio por/merkletreejs = ${(buildS / mtjS).toFixed(2)} (por also derives salts, user hashes, leaves and 5×2 128-bit sums per node)`);
  if (tree.getRoot().length !== 32) throw new Error('merkletreejs gave no root');
}
rmSync(dir, { recursive: true, force: true });
if (typeof exportDir === 'string') rmSync(exportDir, { recursive: true, force: true });

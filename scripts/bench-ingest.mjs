#!/usr/bin/env node
// Measures liabilities ingest: rows/s and peak RSS, at 1M users (default) and optionally 10M.
//
//   node scripts/bench-ingest.mjs                  # 1M users (~2M rows)
//   node scripts/bench-ingest.mjs --users 10000000 # 10M users (~20M rows, ~1 GB file in /tmp)
//   node scripts/bench-ingest.mjs --csv-parse      # also time csv-parse on the same file
//   node scripts/bench-ingest.mjs --ndjson         # also time the same rows as NDJSON
//   node scripts/bench-ingest.mjs --file /work/bench10m/snap-10000000.csv  # an existing snapshot
//
// Each size runs in a fresh child process so peak RSS (VmHWM) belongs to that size alone.
// Snapshots are generated once into /tmp by scripts/gen-snapshot.mjs (seeded) and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const argv = process.argv.slice(2);
const child = argv.indexOf('--child');

if (child !== -1) {
  const [bundle, file, assets, mode] = argv.slice(child + 1);
  const { readSnapshot, parseAssetRegistry } = await import(bundle);
  const registry = parseAssetRegistry(JSON.parse(readFileSync(assets, 'utf8')), assets);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  let extra = '';
  if (mode === 'csv-parse') {
    const { parse } = await import('csv-parse');
    const { createReadStream } = await import('node:fs');
    const parser = createReadStream(file).pipe(parse({ from_line: 2 }));
    for await (const rec of parser) rows += rec.length > 0 ? 1 : 0;
  } else {
    const snap = await readSnapshot(file, registry);
    const read = process.cpuUsage(c0);
    rows = snap.rows;
    extra = `, ${snap.userCount} users, read CPU ${(read.user / 1e6).toFixed(1)} s user + ${(read.system / 1e6).toFixed(1)} s sys`;
    const t1 = performance.now();
    let n = 0;
    for (const u of snap.users()) n += u.net.length > 0 ? 1 : 0;
    extra += `, users() pass ${((performance.now() - t1) / 1000).toFixed(1)} s`;
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  extra += `, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const peakMb = hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ mode, rows, secs, peakMb, extra }) + '\n');
  process.exit(0);
}

const usersArg = argv.indexOf('--users');
const fileArg = argv.indexOf('--file');
const sizes = fileArg !== -1 ? [0] : usersArg === -1 ? [1_000_000] : [Number(argv[usersArg + 1])];
const withCsvParse = argv.includes('--csv-parse');
const withNdjson = argv.includes('--ndjson');
mkdirSync('/tmp/por-bench', { recursive: true });
const bundle = '/tmp/por-bench/ingest.mjs';
await build({
  stdin: {
    contents: "export { readSnapshot } from './src/ingest/index.ts'; export { parseAssetRegistry } from './src/core/assets/index.ts';",
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  packages: 'external',
  logLevel: 'warning',
});

/** The same rows as NDJSON (one object per line, keys in CSV column order), written once next to the CSV. */
function ndjsonOf(csv) {
  const out = csv.replace(/\.csv$/, '.ndjson');
  if (existsSync(out)) return out;
  const lines = readFileSync(csv, 'utf8').split('\n');
  const cols = lines[0].split(',');
  const body = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = lines[i].split(',');
    body.push(JSON.stringify(Object.fromEntries(cols.map((c, j) => [c, f[j]]))));
  }
  writeFileSync(out, body.join('\n') + '\n');
  return out;
}

for (const users of sizes) {
  const file = fileArg !== -1 ? argv[fileArg + 1] : `/tmp/por-bench/snapshot-${users}.csv`;
  if (fileArg === -1 && !existsSync(file)) {
    const g = spawnSync(process.execPath, ['scripts/gen-snapshot.mjs', '--users', String(users), '--out', file], { stdio: 'inherit' });
    if (g.status !== 0) process.exit(2);
  }
  const mb = statSync(file).size / 2 ** 20;
  const modes = ['por', ...(withCsvParse ? ['csv-parse'] : []), ...(withNdjson ? ['ndjson'] : [])];
  for (const mode of modes) {
    const input = mode === 'ndjson' ? ndjsonOf(file) : file;
    const r = spawnSync(process.execPath, ['--max-old-space-size=8192', 'scripts/bench-ingest.mjs', '--child', bundle, input, 'samples/assets.json', mode], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) {
      process.stderr.write(`bench child failed (${mode}, ${users} users)\n`);
      process.exit(2);
    }
    const m = JSON.parse(r.stdout);
    const rate = Math.round(m.rows / m.secs).toLocaleString('en-US');
    console.log(
      `${mode.padEnd(9)} ${fileArg !== -1 ? file : `${users.toLocaleString('en-US')} users`}, ${m.rows.toLocaleString('en-US')} rows (${mb.toFixed(0)} MB): ` +
        `${m.secs.toFixed(1)} s, ${rate} rows/s, peak RSS ${m.peakMb.toFixed(0)} MB${m.extra}`,
    );
  }
}

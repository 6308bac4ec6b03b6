#!/usr/bin/env node
// Issue 17's ingest question, measured: DuckDB (@duckdb/node-api) against por's reader on the same
// snapshot, both grouping rows by user with exact integer amounts. Not a dependency of por: install
// it for the measurement only (`npm install --no-save @duckdb/node-api`), then
//
//   node scripts/bench-duckdb.mjs SNAPSHOT.csv [--threads 2] [--fetch]
//
// prints the time of a group-by (user, asset) into a table (amounts as DECIMAL(38,8): exact, then
// scaled to base units per asset), and with --fetch the time to read those rows into JS as well.
// Compare with `por liabilities SNAPSHOT --assets samples/assets.json` (same grouping, per-user
// nets kept) under /usr/bin/time. Figures and the decision: docs/SCALE.md, "Ingest reader".
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const argv = process.argv.slice(2);
const file = argv[0];
const threads = argv.includes('--threads') ? argv[argv.indexOf('--threads') + 1] : '2';
const registry = JSON.parse(readFileSync(new URL('../samples/assets.json', import.meta.url), 'utf8'));
const scale = registry.assets.map((a) => `WHEN '${a.symbol}' THEN ${10n ** BigInt(a.decimals)}`).join(' ');
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await con.run(`CREATE TABLE nets AS
  SELECT user_id, asset, CAST(SUM(CAST(balance AS DECIMAL(38,8)) * (CASE asset ${scale} END)) AS HUGEINT) AS units
  FROM read_csv('${file}', header = true, all_varchar = true)
  GROUP BY user_id, asset`);
const grouped = (performance.now() - t0) / 1000;
const count = (await (await con.run('SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM nets')).getRowObjects())[0];
let fetched;
if (argv.includes('--fetch')) {
  const t1 = performance.now();
  const reader = await con.runAndReadAll('SELECT user_id, asset, units FROM nets');
  let rows = 0;
  for (const row of reader.getRows()) rows += row[2] !== null ? 1 : 0;
  fetched = { rows, seconds: (performance.now() - t1) / 1000 };
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ file, threads, groupBySeconds: grouped, groups: String(count.n), users: String(count.users), fetched, cpuUser: cpu.user / 1e6, cpuSys: cpu.system / 1e6, load: loadavg() }));

// The library's backend case: build a tree from an async iterable of users, then time one user's
// proof lookup through openProofStore (median and 99th percentile over random ids).
//   npm run build && node scripts/bench-api.mjs [--users 100000] [--lookups 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTree, openProofStore, parseAssetRegistry } from '../dist/por.mjs';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, lookups: { type: 'string', default: '20000' } } });
const N = Number(values.users);
const L = Number(values.lookups);
const assets = parseAssetRegistry({ format: 'por-assets', version: 1, assets: [{ symbol: 'BTC', decimals: 8 }, { symbol: 'ETH', decimals: 8 }, { symbol: 'USDT', decimals: 6 }] });
async function* users() {
  for (let i = 0; i < N; i++) yield { id: `user-${i}`, balances: { BTC: BigInt(i % 1000), USDT: BigInt(i * 7) } };
}
const dir = mkdtempSync(join(tmpdir(), 'por-bench-api-'));
try {
  let t = performance.now();
  await buildTree(users(), { assets, secret: 'bench-api secret, not for production use, 32+ bytes', snapshotId: 'bench', outDir: dir });
  console.log(`buildTree: ${N.toLocaleString('en-US')} users from an async generator in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const store = await openProofStore(dir);
  for (const method of ['proofJson', 'proof']) {
    const times = [];
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < L; k++) {
      const id = `user-${(k * 7919) % N}`;
      t = performance.now();
      store[method](id);
      times.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3);
    console.log(`store.${method}(id): median ${at(0.5)} ms, p99 ${at(0.99)} ms wall; CPU ${((cpu.user + cpu.system) / 1000 / L).toFixed(3)} ms per lookup (${L.toLocaleString('en-US')} lookups, height 32, 3 assets)`);
  }
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

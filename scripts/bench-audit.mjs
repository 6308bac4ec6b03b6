#!/usr/bin/env node
// Measures publishing and auditing a report with many reserve addresses on a private anvil:
// readReserves at the snapshot block, assembleReport + report.html, then auditReport (every
// balance re-read, every ownership signature re-checked, every total recomputed).
//
//   node scripts/bench-audit.mjs                 # 2,000 addresses (ETH + one ERC-20 each)
//   node scripts/bench-audit.mjs --addresses 10000
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Wallet, hashMessage, keccak256, toUtf8Bytes } from "ethers";
import { startAnvil, deploy, mintBatch, setBalances, mine } from './demo-chain.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf('--addresses') + 1] || 2000) || 2000;

const bundle = join(ROOT, 'dist', 'bench-audit.mjs'); // inside the repo, so its imports resolve
await build({
  stdin: {
    contents: `export * from './src/audit/audit.ts'; export * from './src/report/assemble.ts'; export * from './src/report/from-reserves.ts'; export * from './src/report/html.ts'; export * from './src/reserves/index.ts'; export { parseAssetRegistry } from './src/core/assets/index.ts';`,
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning',
});
const m = await import(bundle);

const anvil = await startAnvil();
try {
  const url = anvil.url;
  const token = await deploy(url, 'TestToken', ['Bench USD', 'BUSD', 6]);
  const snapshot = { id: 'bench-audit', time: new Date().toISOString() };
  let t = performance.now();
  const wallets = Array.from({ length: N }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`bench audit ${i}`))));
  const addresses = [];
  for (const [i, w] of wallets.entries()) {
    const message = m.ownershipMessage({ exchange: 'Bench Exchange', snapshot, chain: 'eip155:31337', address: w.address });
    addresses.push({ chain: 'ethereum', address: w.address, label: `w${i}`, assets: ['ETH', 'BUSD'], index: i, ownership: { message, signature: w.signingKey.sign(hashMessage(message)).serialized } });
  }
  const signSecs = (performance.now() - t) / 1000;
  await setBalances(url, wallets.map((w) => w.address), wallets.map((_, i) => 10n ** 18n + BigInt(i)));
  await mintBatch(url, token, wallets.map((w) => w.address), wallets.map((_, i) => 1_000_000n + BigInt(i)));
  const block = await mine(url, 1);
  const registry = m.parseAssetRegistry({ assets: [
    { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
    { symbol: 'BUSD', decimals: 6, onchain: [{ chain: 'ethereum', contract: token, decimals: 6 }] },
  ] });
  const manifest = { exchange: 'Bench Exchange', snapshot, chains: [{ name: 'ethereum', kind: 'evm', chainId: 31337, id: 'eip155:31337' }], addresses };

  t = performance.now();
  const reserves = await m.readReserves({ wallets: manifest, registry, rpc: { ethereum: url }, blocks: { ethereum: block } });
  const readSecs = (performance.now() - t) / 1000;
  const liabilities = [{ asset: 'ETH', gross: 1n, debt: 0n }, { asset: 'BUSD', gross: 1n, debt: 0n }];
  const root = { snapshotId: snapshot.id, height: 32, leafCount: 1, hash: '00'.repeat(32), assets: [], sums: [
    { asset: 'ETH', equity: '0.00000001', debt: '0.00000000', equityUnits: '1', debtUnits: '0' },
    { asset: 'BUSD', equity: '0.000001', debt: '0.000000', equityUnits: '1', debtUnits: '0' },
  ] };
  t = performance.now();
  const report = m.assembleReport({ snapshot, registry, root, liabilities, chains: m.chainsFromReserves(reserves), addresses: m.addressesFromReserves(reserves, manifest), tool: { name: 'por', version: 'bench' }, exchange: manifest.exchange });
  const bytes = new TextEncoder().encode(m.canonicalJson(report));
  const html = await m.renderReportHtml(report);
  const publishSecs = (performance.now() - t) / 1000;

  t = performance.now();
  const result = await m.auditReport({ report, reportFile: 'bench', reportBytes: bytes, signature: null, rpc: { ethereum: url } });
  const auditSecs = (performance.now() - t) / 1000;
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  console.log(`addresses: ${N} (${2 * N} balances)`);
  console.log(`sign ownership messages (setup): ${signSecs.toFixed(1)} s`);
  console.log(`readReserves at the snapshot block (reads + ownership checks): ${readSecs.toFixed(1)} s`);
  console.log(`assemble report.json (${(bytes.length / 1e6).toFixed(1)} MB) + report.html (${(html.length / 1e6).toFixed(1)} MB): ${publishSecs.toFixed(1)} s`);
  console.log(`auditReport: ${auditSecs.toFixed(1)} s = ${Math.round(N / auditSecs)} addresses/s; ${result.checks.length} checks, verdict ${result.verdict} (${result.summary.fail} failed)`);
  for (const c of result.checks.filter((x) => x.status === 'fail').slice(0, 5)) console.log(`  FAIL ${c.name} ${c.subject}: ${c.detail}`);
  console.log(`peak RSS: ${Math.round(Number(hwm) / 1024)} MB`);
} finally {
  await anvil.stop();
}

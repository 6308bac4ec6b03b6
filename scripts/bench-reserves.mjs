// Benchmark: 10,000 addresses × (native + 2 ERC-20s) read from anvil at one pinned block through
// por's reserves reader (raw JSON-RPC batches). Target: ≤ 10 s. Prints reads/s.
//   node scripts/bench-reserves.mjs [addresses=10000] [batch=1000]
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keccak256, toUtf8Bytes, getAddress } from 'ethers';
import { startAnvil, deploy, mintBatch, setBalances, mine } from './demo-chain.mjs';

const N = Number(process.argv[2] ?? 10_000);
const BATCH = Number(process.argv[3] ?? 1000);
// Bundle the TypeScript sources once (inside node_modules/.cache so 'ethers' resolves).
const tmp = join('node_modules', '.cache', `por-bench-${process.pid}`);
mkdirSync(tmp, { recursive: true });
const out = join(tmp, 'reserves.mjs');
await build({
  stdin: { contents: "export * from './src/reserves/index.ts'; export { parseAssetRegistry } from './src/core/assets/index.ts';", resolveDir: process.cwd(), loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: out, packages: 'external', logLevel: 'error',
});
const { readReserves, parseWalletManifest, parseAssetRegistry } = await import(pathToFileURL(resolve(out)).href);

const anvil = await startAnvil();
try {
  const t0 = performance.now();
  const a = await deploy(anvil.url, 'TestToken', ['Bench A', 'BA', 6]);
  const b = await deploy(anvil.url, 'TestToken', ['Bench B', 'BB', 18]);
  const addrs = Array.from({ length: N }, (_, i) => getAddress(`0x${keccak256(toUtf8Bytes(`bench ${i}`)).slice(26)}`));
  const amt = (i, k) => BigInt(i + 1) * 1000n + BigInt(k);
  await setBalances(anvil.url, addrs, addrs.map((_, i) => amt(i, 1)));
  await mintBatch(anvil.url, a, addrs, addrs.map((_, i) => amt(i, 2)));
  await mintBatch(anvil.url, b, addrs, addrs.map((_, i) => amt(i, 3)));
  const block = await mine(anvil.url, 1);
  process.stderr.write(`setup: ${N} addresses funded in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed below)\n`);

  const registry = parseAssetRegistry({ assets: [
    { symbol: 'ETH', decimals: 18, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
    { symbol: 'BA', decimals: 6, onchain: [{ chain: 'ethereum', contract: a, decimals: 6 }] },
    { symbol: 'BB', decimals: 18, onchain: [{ chain: 'ethereum', contract: b, decimals: 18 }] },
  ] });
  const wallets = parseWalletManifest({ format: 'por-wallets', version: 2, exchange: 'Bench Exchange', snapshot: { id: 'bench', time: '2026-11-24T00:00:00Z' }, chains: [{ name: 'ethereum', kind: 'evm', chainId: 31337 }],
    addresses: addrs.map((address, i) => ({ chain: 'ethereum', address, label: `w${i}`, assets: ['ETH', 'BA', 'BB'] })) }, 'bench', registry);

  const t1 = performance.now();
  const r = await readReserves({ wallets, registry, rpc: { ethereum: anvil.url }, blocks: { ethereum: block }, ownership: false, includeUnproven: true, batchSize: BATCH });
  const secs = (performance.now() - t1) / 1000;
  const reads = N * 3;
  // Check every figure against what was funded, so a fast wrong answer cannot pass.
  let wrong = 0;
  r.addresses.forEach((x, i) => x.balances.forEach((bal, k) => { if (bal.balance !== amt(i, k + 1)) wrong++; }));
  console.log(`bench-reserves: ${N} addresses × 3 assets = ${reads} reads at block ${block} in ${secs.toFixed(2)} s → ${Math.round(reads / secs).toLocaleString('en-US')} reads/s (batch ${BATCH}); wrong figures: ${wrong}; target ≤ 10 s: ${secs <= 10 && wrong === 0 ? 'met' : 'MISSED'}`);
  if (wrong) process.exitCode = 1;
} finally {
  await anvil.stop();
  rmSync(tmp, { recursive: true, force: true });
}

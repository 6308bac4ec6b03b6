// A local chain for the demo, tests and benchmarks: starts anvil (from node_modules), deploys the
// TEST ONLY contracts in samples/contracts, funds wallets. Plain JS so `node scripts/…` can use it
// without a build; types in demo-chain.d.mts.
//   import { demoChain } from './demo-chain.mjs';
//   const chain = await demoChain();   // { rpc: { ethereum: url }, blocks: { ethereum: 5n }, … }
//   …; await chain.stop();
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Interface } from 'ethers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = JSON.parse(readFileSync(join(ROOT, 'samples/contracts/artifacts.json'), 'utf8')).contracts;
/** anvil's default account 0 (unlocked on anvil; its key is public knowledge). */
export const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

export function anvilBinary() {
  const require = createRequire(import.meta.url);
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}/package.json`);
    const bin = join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(bin)) return bin;
  } catch {
    /* fall through */
  }
  const fallback = join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
  if (existsSync(fallback)) return fallback;
  throw new Error('anvil binary not found: run npm install (package @foundry-rs/anvil)');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One JSON-RPC call; throws on an RPC error. */
export async function rpc(url, method, params = []) {
  const resp = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await resp.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Many calls in one JSON-RPC batch; throws on the first error. */
export async function rpcBatch(url, calls) {
  const resp = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))) });
  const body = await resp.json();
  const out = new Array(calls.length);
  for (const r of body) {
    if (r.error) throw new Error(`${calls[r.id][0]}: ${r.error.message}`);
    out[r.id] = r.result;
  }
  return out;
}

/** Starts anvil on 127.0.0.1 and a free port; resolves once it answers. */
export async function startAnvil({ chainId = 31337, timeoutMs = 15000, timestamp } = {}) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent', '--block-base-fee-per-gas', '0', '--gas-price', '0', ...(timestamp ? ['--timestamp', String(timestamp)] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let exited = false;
    child.once('exit', () => (exited = true));
    const url = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < timeoutMs) {
      try {
        await rpc(url, 'eth_chainId');
        const stop = () =>
          new Promise((resolve) => {
            if (exited || child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          });
        return { url, port, pid: child.pid, stop };
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    child.kill('SIGKILL');
    // The port may have been taken between freePort() and anvil's bind: try another once.
    if (attempt >= 2) throw new Error(`anvil did not start: ${stderr.trim() || 'no answer'}`);
  }
}

/** Sends a transaction from an unlocked (or impersonated) account; anvil mines it at once. */
export async function send(url, tx) {
  // Gas is free on this anvil (base fee 0), so moving funds changes balances by exactly the amount.
  const hash = await rpc(url, 'eth_sendTransaction', [{ gasPrice: '0x0', ...tx }]);
  // Automine still mines asynchronously: poll for the receipt, with a deadline (never hang).
  let receipt = null;
  for (const t0 = Date.now(); !receipt && Date.now() - t0 < 10000; ) {
    receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (!receipt) await new Promise((r) => setTimeout(r, 5));
  }
  if (!receipt) throw new Error(`transaction ${hash} was not mined within 10 s`);
  if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/** Deploys an artifact from samples/contracts; returns its address. */
export async function deploy(url, name, args = [], from = DEPLOYER, value = 0n) {
  const a = ARTIFACTS[name];
  const iface = new Interface(a.abi);
  const data = a.bytecode + iface.encodeDeploy(args).slice(2);
  const receipt = await send(url, { from, data, value: `0x${value.toString(16)}` });
  return receipt.contractAddress;
}

const token = new Interface(ARTIFACTS.TestToken.abi);

/** Mints `amounts[i]` of a TestToken to `to[i]`, in chunks (one transaction per chunk). */
export async function mintBatch(url, contract, to, amounts, chunk = 400) {
  for (let i = 0; i < to.length; i += chunk) {
    const data = token.encodeFunctionData('mintBatch', [to.slice(i, i + chunk), amounts.slice(i, i + chunk)]);
    await send(url, { from: DEPLOYER, to: contract, data, gas: '0x1c9c380' });
  }
}

/** Sets native balances directly (anvil_setBalance), batched. */
export async function setBalances(url, addresses, amounts) {
  for (let i = 0; i < addresses.length; i += 1000) {
    await rpcBatch(url, addresses.slice(i, i + 1000).map((a, k) => ['anvil_setBalance', [a, `0x${amounts[i + k].toString(16)}`]]));
  }
}

/** Moves funds out of an address (any address: anvil impersonates it). */
export async function transferFrom(url, from, to, { value, contract, amount } = {}) {
  await rpc(url, 'anvil_impersonateAccount', [from]);
  try {
    if (contract) await send(url, { from, to: contract, data: token.encodeFunctionData('transfer', [to, amount]) });
    else await send(url, { from, to, value: `0x${value.toString(16)}` });
  } finally {
    await rpc(url, 'anvil_stopImpersonatingAccount', [from]);
  }
}

export async function mine(url, blocks = 1) {
  await rpc(url, 'anvil_mine', [`0x${blocks.toString(16)}`]);
  return BigInt(await rpc(url, 'eth_blockNumber'));
}

/** The sample registry's token addresses: account 0's deployments at nonces 0, 1, 2. */
export const SAMPLE_TOKENS = [
  { symbol: 'USDT', name: 'Tether USD (TEST)', decimals: 6, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  { symbol: 'USDC', name: 'USD Coin (TEST)', decimals: 6, address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
  { symbol: 'XTK', name: 'Exchange Token (TEST)', decimals: 18, address: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' },
];

/**
 * The demo's chain: anvil with the sample tokens at the registry's addresses, the sample custody
 * contract wallet, and every wallet in samples/wallets.json funded per samples/demo-funding.json at
 * the snapshot block. After the snapshot, funds leave two wallets, so reading "latest" would give
 * other figures than reading the pinned block.
 */
export async function demoChain({ quiet = true } = {}) {
  // Blocks dated around the sample snapshot time (2026-11-24T00:00:00Z), so a report's block times
  // sit next to its snapshot time as they would in a real run.
  const snapTime = Date.parse('2026-11-24T00:00:00Z') / 1000;
  const anvil = await startAnvil({ timestamp: snapTime - 600 });
  try {
    const url = anvil.url;
    for (const t of SAMPLE_TOKENS) {
      const addr = await deploy(url, 'TestToken', [t.name, t.symbol, t.decimals]);
      if (addr.toLowerCase() !== t.address.toLowerCase()) throw new Error(`${t.symbol} deployed at ${addr}, expected ${t.address}`);
    }
    const funding = JSON.parse(readFileSync(join(ROOT, 'samples/demo-funding.json'), 'utf8'));
    if (funding.custody) {
      const addr = await deploy(url, 'Wallet1271', [funding.custody.owner]);
      if (addr.toLowerCase() !== funding.custody.address.toLowerCase()) throw new Error(`custody wallet deployed at ${addr}, expected ${funding.custody.address}`);
    }
    const byToken = new Map();
    const native = [];
    for (const f of funding.wallets) {
      for (const [sym, units] of Object.entries(f.balances)) {
        if (sym === 'ETH') native.push([f.address, BigInt(units)]);
        else {
          const t = SAMPLE_TOKENS.find((x) => x.symbol === sym);
          if (!t) throw new Error(`demo-funding names unknown token ${sym}`);
          if (!byToken.has(t.address)) byToken.set(t.address, [[], []]);
          byToken.get(t.address)[0].push(f.address);
          byToken.get(t.address)[1].push(BigInt(units));
        }
      }
    }
    await setBalances(url, native.map((n) => n[0]), native.map((n) => n[1]));
    for (const [contract, [to, amounts]] of byToken) await mintBatch(url, contract, to, amounts);
    await rpc(url, 'evm_setNextBlockTimestamp', [snapTime]);
    const snapshot = await mine(url, 1);
    // After the snapshot: money leaves, so a reader not pinned to the snapshot block would differ.
    await mine(url, 2);
    for (const m of funding.movedAfterSnapshot ?? []) {
      const t = SAMPLE_TOKENS.find((x) => x.symbol === m.asset);
      if (t) await transferFrom(url, m.from, m.to, { contract: t.address, amount: BigInt(m.amount) });
      else await transferFrom(url, m.from, m.to, { value: BigInt(m.amount) });
    }
    const latest = await mine(url, 1);
    if (!quiet) process.stderr.write(`demo chain: anvil at ${url}, snapshot block ${snapshot}, latest ${latest}\n`);
    return { rpc: { ethereum: url }, blocks: { ethereum: snapshot }, latest: { ethereum: latest }, stop: anvil.stop };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

// `node scripts/demo-chain.mjs`: start the demo chain and keep it running until Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const chain = await demoChain({ quiet: false });
  process.stdout.write(`${JSON.stringify({ rpc: chain.rpc, blocks: { ethereum: chain.blocks.ethereum.toString() } })}\n`);
  process.stdout.write(`try: node bin/por.mjs reserves --wallets samples/wallets.json --assets samples/assets.json --rpc ethereum=${chain.rpc.ethereum} --block ethereum=${chain.blocks.ethereum}\n`);
  process.on('SIGINT', async () => {
    await chain.stop();
    process.exit(0);
  });
}

// A local chain for the demo, tests and benchmarks: starts anvil (from node_modules), deploys the
// TEST ONLY contracts in samples/contracts, funds wallets. Plain JS so `node scripts/…` can use it
// without a build; types in demo-chain.d.mts.
//   import { demoChain } from './demo-chain.mjs';
//   const chain = await demoChain();   // { rpc: { ethereum: url }, blocks: { ethereum: 5n }, … }
//   …; await chain.stop();
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createHash } from 'node:crypto';
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
    // Never leave anvil running when this process ends, however it ends.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => {
      exited = true;
      process.removeListener('exit', reap);
    });
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

const sha = (text) => createHash('sha256').update(text).digest('hex');
const MAINNET_GENESIS = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';

/**
 * A local HTTP server answering the Esplora endpoints por reads (/blocks/tip/height,
 * /block-height/:h, /block/:hash, /address/:a (chain_stats), /address/:a/txs/chain[/:last_txid]
 * paged by 25, /address/:a/utxo) from a list of Esplora-format transactions. No Bitcoin node can run on these
 * machines; this stands in for mempool.space / Blockstream in the demo.
 */
export async function startEsploraFixture({ tip, txs, genesis = MAINNET_GENESIS, timeOf = (h) => 1_700_000_000 + h * 600 }) {
  const hashOf = (h) => (h === 0 ? genesis : sha(`demo block ${h}`));
  const byHash = new Map();
  for (let h = Math.max(0, tip - 100); h <= tip; h++) byHash.set(hashOf(h), h);
  byHash.set(genesis, 0);
  const touches = (t, a) => t.vout.some((o) => o.scriptpubkey_address === a) || t.vin.some((i) => i.prevout?.scriptpubkey_address === a);
  const server = createHttpServer((req, res) => {
    const path = req.url ?? '/';
    const send = (status, body) => res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    let m;
    if (path === '/blocks/tip/height') return send(200, String(tip));
    if ((m = /^\/block-height\/(\d+)$/.exec(path))) return Number(m[1]) <= tip ? send(200, hashOf(Number(m[1]))) : send(404, 'Block not found');
    if ((m = /^\/block\/([0-9a-f]{64})$/.exec(path))) {
      const h = byHash.get(m[1]);
      return h === undefined ? send(404, 'Block not found') : send(200, { id: m[1], height: h, timestamp: timeOf(h) });
    }
    if ((m = /^\/address\/([^/]+)\/txs\/chain(?:\/([0-9a-f]{64}))?$/.exec(path))) {
      const a = decodeURIComponent(m[1]);
      const all = txs.filter((t) => t.status.confirmed && touches(t, a)).sort((x, y) => y.status.block_height - x.status.block_height);
      const start = m[2] ? all.findIndex((t) => t.txid === m[2]) + 1 : 0;
      return send(200, all.slice(start, start + 25));
    }
    if ((m = /^\/address\/([^/]+)$/.exec(path))) {
      const a = decodeURIComponent(m[1]);
      const mine = txs.filter((t) => t.status.confirmed && touches(t, a));
      const funded = mine.flatMap((t) => t.vout.filter((o) => o.scriptpubkey_address === a));
      const spent = mine.flatMap((t) => t.vin.filter((i) => i.prevout?.scriptpubkey_address === a));
      const sum = (xs, f) => xs.reduce((s, x) => s + f(x), 0);
      return send(200, {
        address: a,
        chain_stats: { tx_count: mine.length, funded_txo_count: funded.length, funded_txo_sum: sum(funded, (o) => o.value), spent_txo_count: spent.length, spent_txo_sum: sum(spent, (i) => i.prevout.value) },
        mempool_stats: { tx_count: 0, funded_txo_count: 0, funded_txo_sum: 0, spent_txo_count: 0, spent_txo_sum: 0 },
      });
    }
    if ((m = /^\/address\/([^/]+)\/utxo$/.exec(path))) {
      const a = decodeURIComponent(m[1]);
      const spent = new Set(txs.flatMap((t) => t.vin.map((i) => `${i.txid}:${i.vout}`)));
      return send(200, txs.flatMap((t) => t.vout.flatMap((o, n) => (o.scriptpubkey_address === a && !spent.has(`${t.txid}:${n}`) ? [{ txid: t.txid, vout: n, value: o.value, status: t.status }] : []))));
    }
    send(404, 'not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(() => r())) };
}

/** Runs startEsploraFixture in a child node process; resolves with its URL once it listens. */
export async function startEsploraProcess(fixture, timeoutMs = 10000) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-esplora'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(fixture));
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Esplora fixture server did not start')), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`Esplora fixture server exited (${code})`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, pid: child.pid, stop };
}

/** Esplora-format history for the demo's bitcoin wallets (samples/demo-funding.json "bitcoin"). */
export function demoBitcoinTxs(plan, snapTime) {
  const S = plan.snapshotHeight;
  const txs = [];
  const utxos = new Map();
  const confirmed = (h) => ({ confirmed: true, block_height: h, block_hash: sha(`demo block ${h}`), block_time: snapTime + (h - S) * 600 });
  for (const w of plan.wallets) {
    const total = BigInt(w.sats);
    const parts = [(total * 3n) / 4n, total - (total * 3n) / 4n];
    parts.forEach((v, k) => {
      const txid = sha(`demo receive ${w.address} ${k}`);
      txs.push({ txid, status: confirmed(S - 10 + 8 * k), vin: [], vout: [{ scriptpubkey_address: w.address, value: Number(v) }] });
      utxos.set(w.address, [...(utxos.get(w.address) ?? []), { txid, vout: 0, value: v }]);
    });
  }
  for (const mv of plan.movedAfterSnapshot ?? []) {
    const ins = utxos.get(mv.from) ?? [];
    const total = ins.reduce((s, u) => s + u.value, 0n);
    const fee = 10_000n;
    const change = total - BigInt(mv.sats) - fee;
    txs.push({
      txid: sha(`demo spend ${mv.from} ${mv.height}`),
      status: confirmed(mv.height),
      vin: ins.map((u) => ({ txid: u.txid, vout: u.vout, prevout: { scriptpubkey_address: mv.from, value: Number(u.value) } })),
      vout: [{ scriptpubkey_address: 'bc1qdemoelsewhere0000000000000000000000000', value: Number(mv.sats) }, { scriptpubkey_address: mv.from, value: Number(change) }],
    });
  }
  return txs;
}

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
  let esplora;
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
    const rpcs = { ethereum: url };
    const blocks = { ethereum: snapshot };
    const latestBlocks = { ethereum: latest };
    if (funding.bitcoin) {
      const b = funding.bitcoin;
      // In a child process: callers (the demo) run por with spawnSync, which would block a server
      // living in this process.
      esplora = await startEsploraProcess({ tip: b.tip, txs: demoBitcoinTxs(b, snapTime), snapTime, snapshotHeight: b.snapshotHeight });
      rpcs.bitcoin = esplora.url;
      blocks.bitcoin = BigInt(b.snapshotHeight);
      latestBlocks.bitcoin = BigInt(b.tip);
    }
    if (!quiet) process.stderr.write(`demo chain: anvil at ${url}, snapshot block ${snapshot}, latest ${latest}${esplora ? `; Esplora fixture at ${esplora.url}, snapshot height ${blocks.bitcoin}` : ''}\n`);
    const stop = async () => {
      await Promise.all([anvil.stop(), esplora?.stop()]);
    };
    return { rpc: rpcs, blocks, latest: latestBlocks, stop };
  } catch (err) {
    await Promise.all([anvil.stop(), esplora?.stop()]);
    throw err;
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.argv[2] === '--serve-esplora') {
  // Child mode for startEsploraProcess: fixture JSON on stdin, URL on stdout.
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const fx = JSON.parse(input);
  const server = await startEsploraFixture({ tip: fx.tip, txs: fx.txs, timeOf: (h) => fx.snapTime + (h - fx.snapshotHeight) * 600 });
  process.stdout.write(`${server.url}\n`);
  // If the parent dies without stopping us, stop too.
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
  process.on('SIGTERM', async () => {
    await server.stop();
    process.exit(0);
  });
} else if (isMain) {
  // `node scripts/demo-chain.mjs`: start the demo chain and keep it running until Ctrl-C.
  const chain = await demoChain({ quiet: false });
  const flags = Object.keys(chain.rpc).flatMap((c) => ['--rpc', `${c}=${chain.rpc[c]}`, '--block', `${c}=${chain.blocks[c]}`]);
  process.stdout.write(`try: node bin/por.mjs reserves samples/wallets.json --assets samples/assets.json ${flags.join(' ')}\n(Ctrl-C stops the chain)\n`);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      await chain.stop();
      process.exit(0);
    });
  }
}

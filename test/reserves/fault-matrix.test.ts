// A node fault is never a number. A fault proxy sits in front of the demo chain's anvil or its
// Esplora server and breaks one thing at a time — refused connections, HTTP 500 and 429, resets,
// truncated bodies, non-JSON, the wrong network, a hang, one transaction dropped from a history, an
// eth_getCode error, isValidSignature answering "0x". Each case must come out "could not read" /
// "unchecked (node error)", in no total, and exit 2 from every consumer: reserves, solvency -r,
// build --wallets, audit and watch. Expected figures are what samples/demo-funding.json funded
// (worked out in test/reserves/demo-chain.test.ts), not what the code reports.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { demoChain } from '../../scripts/demo-chain.mjs';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { defaultBitcoinVerifier, loadWalletManifest } from '../../src/reserves/load.js';
import { readReserves, reservesDocument, toReserveRows, type ReservesResult } from '../../src/reserves/index.js';
import { exitCode } from '../../src/cli/commands/reserves.js';
import { auditReport } from '../../src/audit/audit.js';
import { parseReport } from '../../src/core/report/parse.js';
import { deadUrl, hasRpcMethod, rewriteRpc, startFaultProxy, type Fault, type FaultRequest } from '../helpers/anvil-proxy.js';

const AT_SNAPSHOT: Record<string, string> = { BTC: '680.50000000', ETH: '9500.37345678', USDT: '50000000.500000', USDC: '12000000.000000', XTK: '500000.00000000' };
const EVM_ASSETS = ['ETH', 'USDT', 'USDC', 'XTK'];
const CUSTODY = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9';
const HOT_2 = '0x3CEC1865D62bEb95A6520355074879F6706C8a8D';
const BTC_COLD_1 = 'bc1q786slzywq59435ay622nt3qk8upquzfvn262rt';
const TESTNET_GENESIS = '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943';
// 2 s per request: the healthy node beside a faulty one must still answer on a loaded machine.
const FAST = { timeoutMs: 2000, retries: 1, backoffMs: 5 };

let chain: Awaited<ReturnType<typeof demoChain>>;
let dir: string;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
beforeAll(async () => {
  chain = await demoChain();
  dir = mkdtempSync(join(tmpdir(), 'por-fault-matrix-'));
}, 120_000);
afterAll(() => chain?.stop());

type Pick = (req: FaultRequest) => Fault | undefined;
/** A proxy in front of `target` with fault `pick`; `null` is a refused connection (nothing listens). */
async function faulty(target: string, pick: Pick | null): Promise<string> {
  if (pick === null) return deadUrl();
  const p = await startFaultProxy(target, pick);
  closers.push(p.close);
  return p.url;
}

const all = (f: Fault): Pick => () => f;
const notJson: Pick = all({ kind: 'text', body: '<html><body>502 Bad Gateway</body></html>' });
/** Chain-level faults, the same list for both kinds of node. */
const chainFaults = (wrongNetwork: Pick): [string, Pick | null][] => [
  ['connection refused', null],
  ['HTTP 500', all({ kind: 'status', status: 500 })],
  ['HTTP 429 (rate limited)', all({ kind: 'status', status: 429 })],
  ['connection reset', all({ kind: 'reset' })],
  ['truncated body', all({ kind: 'truncate' })],
  ['not JSON', notJson],
  ['wrong network', wrongNetwork],
  ['hung node', all({ kind: 'hang' })],
];
const wrongChainId: Pick = (r) => (hasRpcMethod(r.body, 'eth_chainId') ? { kind: 'rewrite', fn: (a, q) => rewriteRpc(a, q.body, (c, x) => (c.method === 'eth_chainId' ? { ...x, result: '0x1' } : x)) } : undefined);
const wrongGenesis: Pick = (r) => (r.path === '/block-height/0' ? { kind: 'rewrite', fn: () => TESTNET_GENESIS } : undefined);
const rpcError = (method: string, message: string, test: (params: unknown[]) => boolean = () => true): Pick => (r) =>
  hasRpcMethod(r.body, method, test) ? { kind: 'rewrite', fn: (a, q) => rewriteRpc(a, q.body, (c, x) => (c.method === method && test(c.params) ? { id: x.id, error: { code: -32000, message } } : x)) } : undefined;
const isValidSignatureCall = (params: unknown[]) => String((params[0] as { data?: string })?.data ?? '').startsWith('0x1626ba7e');
const emptyIsValidSignature: Pick = (r) =>
  hasRpcMethod(r.body, 'eth_call', isValidSignatureCall) ? { kind: 'rewrite', fn: (a, q) => rewriteRpc(a, q.body, (c, x) => (c.method === 'eth_call' && isValidSignatureCall(c.params) ? { id: x.id, result: '0x' } : x)) } : undefined;
/** Esplora drops the newest transaction from one address's history (its totals still count it). */
const droppedTx: Pick = (r) =>
  r.path === `/address/${BTC_COLD_1}/txs/chain` ? { kind: 'rewrite', fn: (a) => JSON.stringify((JSON.parse(a) as unknown[]).slice(1)) } : undefined;
const oneHistory500: Pick = (r) => (r.path.startsWith(`/address/${BTC_COLD_1}/txs`) ? { kind: 'status', status: 500 } : undefined);
const getCodeError = rpcError('eth_getCode', 'header not found');
const getBalanceError = rpcError('eth_getBalance', 'missing trie node 0xabc (path ) state is not available', (p) => String(p[0]).toLowerCase() === HOT_2.toLowerCase());

async function readWith(rpc: Record<string, string>): Promise<ReservesResult> {
  const registry = await loadAssetRegistry('samples/assets.json');
  const wallets = await loadWalletManifest('samples/wallets.json', registry);
  return readReserves({ wallets, registry, rpc, blocks: chain.blocks, ...FAST, verifyBitcoin: await defaultBitcoinVerifier() });
}

/** The rule, for any fault: what was not read is in no figure; everything else is exact. */
async function expectUnreadNeverZero(r: ReservesResult, unreadAssets: string[], unreadAddresses?: string[]) {
  const doc = reservesDocument(r);
  for (const t of doc.totals) {
    if (unreadAssets.includes(t.asset)) {
      expect(t, t.asset).toMatchObject({ complete: false });
      expect(t.balance, `${t.asset} total must have no figure`).toBeUndefined();
      expect(t.unread!.length).toBeGreaterThan(0);
      if (unreadAddresses) expect(t.unread!.map((u) => u.address).sort()).toEqual([...unreadAddresses].sort());
    } else {
      expect(t, t.asset).toMatchObject({ complete: true, amount: AT_SNAPSHOT[t.asset] });
    }
  }
  // Unread addresses are marked; a balance not read carries its error, never a zero.
  expect(doc.addresses.filter((a) => a.unread).length).toBeGreaterThan(0);
  for (const a of doc.addresses) for (const b of a.balances) expect(b.balance !== undefined || b.error !== undefined).toBe(true);
  expect(exitCode(r)).toBe(2);
  const registry = await loadAssetRegistry('samples/assets.json');
  expect(() => toReserveRows(r, registry)).toThrow(/could not (read|check)/);
}

describe('a node fault is never a zero (library: readReserves on the demo chain)', () => {
  for (const [name, pick] of chainFaults(wrongGenesis)) {
    it(`Esplora ${name}: the bitcoin chain is unread, BTC has no total, the EVM totals are exact`, async () => {
      const r = await readWith({ ethereum: chain.rpc.ethereum!, bitcoin: await faulty(chain.rpc.bitcoin!, pick) });
      expect(r.chains.find((c) => c.name === 'bitcoin')!.error).toBeDefined();
      await expectUnreadNeverZero(r, ['BTC'], ['bc1q786slzywq59435ay622nt3qk8upquzfvn262rt', 'bc1qznkastryjsd8m4n09yxtqaskq0xqse7tfhhe2a']);
    }, 30_000);
  }
  for (const [name, pick] of chainFaults(wrongChainId)) {
    it(`JSON-RPC ${name}: the ethereum chain is unread, its assets have no total, BTC is exact`, async () => {
      const r = await readWith({ ethereum: await faulty(chain.rpc.ethereum!, pick), bitcoin: chain.rpc.bitcoin! });
      expect(r.chains.find((c) => c.name === 'ethereum')!.error).toBeDefined();
      await expectUnreadNeverZero(r, EVM_ASSETS);
      // Ownership on an unread chain is no verdict: unchecked (node error), never "failed".
      expect(r.addresses.filter((a) => a.chain === 'ethereum').every((a) => a.ownership.status === 'unchecked' && a.ownership.nodeError)).toBe(true);
    }, 30_000);
  }

  it('eth_getCode error: the contract wallet is "unchecked (node error)", not "failed", and its assets have no total', async () => {
    const r = await readWith({ ethereum: await faulty(chain.rpc.ethereum!, getCodeError), bitcoin: chain.rpc.bitcoin! });
    const custody = r.addresses.find((a) => a.address === CUSTODY)!;
    expect(custody.ownership).toMatchObject({ status: 'unchecked', nodeError: true });
    expect(custody.ownership.reason).toMatch(/header not found/);
    await expectUnreadNeverZero(r, ['ETH', 'USDT'], [CUSTODY]);
  }, 30_000);

  it('isValidSignature answering "0x": unchecked (node error), not failed', async () => {
    const r = await readWith({ ethereum: await faulty(chain.rpc.ethereum!, emptyIsValidSignature), bitcoin: chain.rpc.bitcoin! });
    expect(r.addresses.find((a) => a.address === CUSTODY)!.ownership).toMatchObject({ status: 'unchecked', nodeError: true });
    await expectUnreadNeverZero(r, ['ETH', 'USDT'], [CUSTODY]);
  }, 30_000);

  it('one eth_getBalance error: that balance is unread and ETH has no total (its USDT still counts)', async () => {
    const r = await readWith({ ethereum: await faulty(chain.rpc.ethereum!, getBalanceError), bitcoin: chain.rpc.bitcoin! });
    await expectUnreadNeverZero(r, ['ETH'], [HOT_2]);
  }, 30_000);

  for (const [name, pick] of [['one transaction dropped from a history', droppedTx], ['HTTP 500 on one address', oneHistory500]] as const) {
    it(`Esplora ${name}: that address is unread, BTC has no total`, async () => {
      const r = await readWith({ ethereum: chain.rpc.ethereum!, bitcoin: await faulty(chain.rpc.bitcoin!, pick) });
      expect(r.chains.every((c) => c.error === undefined)).toBe(true);
      await expectUnreadNeverZero(r, ['BTC'], [BTC_COLD_1]);
    }, 30_000);
  }
});

// ---- the consumers, through the CLI -------------------------------------------------------------

/** Runs por without blocking this process (the fault proxies live here). */
function por(args: string[], timeoutMs = 150_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/por.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
const blockArgs = () => Object.entries(chain.blocks).flatMap(([c, b]) => ['--block', `${c}=${b}`]);
const rpcArgs = (rpc: Record<string, string>) => Object.entries(rpc).flatMap(([c, u]) => ['--rpc', `${c}=${u}`]);

/** A signed report built fault-free from the demo chain (what a journalist then audits). */
let published: { out: string; report: string } | undefined;
async function publish(): Promise<{ out: string; report: string }> {
  if (published) return published;
  const out = join(dir, 'good');
  writeFileSync(join(dir, 'secret.key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  writeFileSync(join(dir, 'sign.key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  const r = await por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--out', out, '--wallets', 'samples/wallets.json', ...rpcArgs(chain.rpc), ...blockArgs(), '--sign-key-file', join(dir, 'sign.key'), '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // build writes what an exchange publishes into DIR/public (DIR/private keeps the tree).
  published = { out, report: join(out, 'public', 'report.json') };
  return published;
}

async function auditWith(rpc: Record<string, string>) {
  const { report } = await publish();
  const bytes = readFileSync(report);
  return auditReport({ report: parseReport(JSON.parse(bytes.toString('utf8')), report), reportFile: report, reportBytes: new Uint8Array(bytes), signature: null, rpc, ...FAST, verifyBitcoin: await defaultBitcoinVerifier() });
}

describe('a node fault is never a zero (consumers)', () => {
  it('por reserves exits 2 with BTC "could not read"; por solvency -r on its reserves.json exits 2 (not NOT SOLVENT)', async () => {
    const file = join(dir, 'reserves-btc-down.json');
    const r = await por(['reserves', 'samples/wallets.json', '--assets', 'samples/assets.json', ...rpcArgs({ ethereum: chain.rpc.ethereum!, bitcoin: await deadUrl() }), ...blockArgs(), '--retries', '0', '--out', file, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/BTC\s+could not read\s+2 address\(es\) unread/);
    expect(r.stdout).not.toMatch(/BTC\s+0\.0+/);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.version).toBe(2);
    expect(doc.totals.find((t: { asset: string }) => t.asset === 'BTC')).not.toHaveProperty('balance');
    const s = await por(['solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '-r', file, '--quiet']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/could not read: chain bitcoin was not read/);
    expect(s.stdout).not.toMatch(/SOLVENT/);
  }, 300_000);

  it('por build --wallets with an eth_getCode error: exit 2, the contract wallet named, no report written or signed', async () => {
    await publish(); // writes secret.key and sign.key
    const out = join(dir, 'getcode');
    const proxy = await faulty(chain.rpc.ethereum!, getCodeError);
    const r = await por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--out', out, '--wallets', 'samples/wallets.json', ...rpcArgs({ ethereum: proxy, bitcoin: chain.rpc.bitcoin! }), ...blockArgs(), '--sign-key-file', join(dir, 'sign.key'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${CUSTODY}.*could not check ownership: not checked \\(node error\\)`, 'i'));
    // Nothing half-written: neither the published folder's report nor its signature (nor the old layout's).
    for (const f of ['report.json', 'report.sig.json']) {
      expect(existsSync(join(out, 'public', f))).toBe(false);
      expect(existsSync(join(out, f))).toBe(false);
    }
  }, 300_000);

  it('por audit with Esplora dropping one transaction: COULD NOT READ, exit 2 — not "FAIL coverage BTC: verified reserves 0"', async () => {
    const { report } = await publish();
    const proxy = await faulty(chain.rpc.bitcoin!, droppedTx);
    const r = await por(['audit', report, ...rpcArgs({ ethereum: chain.rpc.ethereum!, bitcoin: proxy }), '--retries', '1', '--timeout-ms', '2000']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/COULD NOT READ\s+balance\s+bitcoin bc1q786slzywq59435ay622nt3qk8upquzfvn262rt: could not read BTC/);
    expect(r.stdout).toMatch(/COULD NOT READ\s+coverage\s+BTC/);
    expect(r.stdout).toMatch(/AUDIT NOT DECIDED/);
    expect(r.stdout).not.toMatch(/FAIL/);
  }, 300_000);

  const auditCases: [string, () => Promise<Record<string, string>>, string[]][] = [
    ['Esplora dropping a transaction', async () => ({ ethereum: chain.rpc.ethereum!, bitcoin: await faulty(chain.rpc.bitcoin!, droppedTx) }), ['BTC']],
    ['Esplora HTTP 500 on one address', async () => ({ ethereum: chain.rpc.ethereum!, bitcoin: await faulty(chain.rpc.bitcoin!, oneHistory500) }), ['BTC']],
    ['Esplora refused', async () => ({ ethereum: chain.rpc.ethereum!, bitcoin: await deadUrl() }), ['BTC']],
    ['an eth_getCode error', async () => ({ ethereum: await faulty(chain.rpc.ethereum!, getCodeError), bitcoin: chain.rpc.bitcoin! }), ['ETH', 'USDT']],
    ['isValidSignature answering 0x', async () => ({ ethereum: await faulty(chain.rpc.ethereum!, emptyIsValidSignature), bitcoin: chain.rpc.bitcoin! }), ['ETH', 'USDT']],
    ['one eth_getBalance error', async () => ({ ethereum: await faulty(chain.rpc.ethereum!, getBalanceError), bitcoin: chain.rpc.bitcoin! }), ['ETH']],
    ['a hung JSON-RPC node', async () => ({ ethereum: await faulty(chain.rpc.ethereum!, all({ kind: 'hang' })), bitcoin: chain.rpc.bitcoin! }), EVM_ASSETS],
  ];
  for (const [name, rpc, assets] of auditCases) {
    it(`audit with ${name}: verdict "unread", no FAIL, no figure for ${assets.join(', ')}`, async () => {
      const res = await auditWith(await rpc());
      expect(res.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(res.verdict).toBe('unread');
      expect(res.unreadAssets.sort()).toEqual([...assets].sort());
      expect(res.audited.map((a) => a.asset).filter((a) => assets.includes(a))).toEqual([]);
      for (const a of assets) expect(res.checks.find((c) => c.name === 'coverage' && c.subject === a)!.status).toBe('unread');
    }, 300_000);
  }
});

describe('every network wait is bounded', () => {
  it('--timeout-ms and --retries on every command that talks to a node, with the budget per call in --help', async () => {
    const helps = await Promise.all(['reserves', 'solvency', 'build', 'audit', 'watch'].map((c) => por([c, '--help'])));
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/--timeout-ms/);
      expect(h.stdout).toMatch(/--retries/);
      // (3 + 1) × 15 s + 200 + 400 + 800 ms of backoff.
      expect(h.stdout.replace(/\s+/g, ' ')).toMatch(/61\.4 s per call with the defaults/);
    }
  }, 300_000);

  it('a hung node gives up within --timeout-ms × (--retries + 1) in build --wallets and audit: exit 2, "could not read"', async () => {
    // 2 s, not less: the healthy anvil beside the hung server must still answer on a loaded machine.
    const { report } = await publish();
    const hung = await faulty(chain.rpc.bitcoin!, all({ kind: 'hang' }));
    const [b, a] = await Promise.all([
      por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--out', join(dir, 'hung'), '--wallets', 'samples/wallets.json', ...rpcArgs({ ethereum: chain.rpc.ethereum!, bitcoin: hung }), ...blockArgs(), '--timeout-ms', '2000', '--retries', '1', '--quiet']),
      por(['audit', report, ...rpcArgs({ ethereum: chain.rpc.ethereum!, bitcoin: hung }), '--timeout-ms', '2000', '--retries', '1']),
    ]);
    // build --wallets and audit ask each node one question before anything else (src/cli/network.ts
    // checkNodes): build finds the hung node before the snapshot is hashed.
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--rpc bitcoin=http:\/\/127\.0\.0\.1:\d+: no answer for \/blocks\/tip\/height within 2000 ms; check the URL and that the node is up \(nothing was read\)/);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--rpc bitcoin=http:\/\/127\.0\.0\.1:\d+: no answer for \/blocks\/tip\/height within 2000 ms; check the URL and that the node is up \(nothing was read\)/);
  }, 300_000);

  it('watch --duration 2s --interval 1s against a hung node ends by itself (within an interval of the duration): exit 2, "could not read"', async () => {
    const { report } = await publish();
    // It answers eth_chainId (the question asked before any poll, and each poll's first) and hangs on the rest.
    const hung = await faulty(chain.rpc.ethereum!, (r) => (hasRpcMethod(r.body, 'eth_chainId') ? undefined : { kind: 'hang' }));
    // Default --timeout-ms/--retries: one call could wait 61 s; the watch must not.
    // Killed at 60 s: less than one call's default budget (61.4 s), so a watch that waits on the
    // node instead of stopping at --duration + --interval is killed (code null) and fails here.
    const w = await por(['watch', report, ...rpcArgs({ ethereum: hung, bitcoin: chain.rpc.bitcoin! }), '--duration', '2s', '--interval', '1s'], 60_000);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/poll 1 failed: .*stopped waiting for the node/);
    expect(w.stdout + w.stderr).toMatch(/could not read/);
  }, 300_000);
});

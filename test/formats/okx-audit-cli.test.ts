// `por audit FILE.csv` on OKX reserve files (recognised by their header) end to end: the built CLI against the real files, the generated
// vectors, and --rpc against a private anvil (balances at the snapshot height, a Safe-like
// contract's owners) and the Esplora fixture server. Build first (`npm test` does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AbiCoder, Wallet, getBytes, keccak256, toUtf8Bytes } from 'ethers';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { NETWORK, p2wpkh } from '@scure/btc-signer';
import { startAnvil, rpc } from '../../scripts/demo-chain.mjs';
import { startEsplora, txid } from '../helpers/esplora-server.js';
import { hasRpcMethod, rewriteRpc, startFaultProxy } from '../helpers/anvil-proxy.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const okxDir = path.resolve(repoRoot, 'test/fixtures/okx/upstream');
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Async, so servers running in this process (the Esplora fixture) can answer meanwhile. */
const porAsync = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });

describe('por audit OKX.csv (offline)', () => {
  it('--format okx-csv is still accepted; --format por on an OKX file is refused (exit 2), saying what the file is', () => {
    expect(por('audit', 'test/fixtures/okx/valid-2022.csv', '--format', 'okx-csv', '-q').code).toBe(0);
    const r = por('audit', 'test/fixtures/okx/valid-2022.csv', '--format', 'por');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--format por was given, but this file is an OKX reserve CSV .*; leave --format out/);
  });
  it('--html (or -o) writes a page in the style of por audit: headline, every check, no network request', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'por-okx-'));
    const page = path.join(dir, 'okx-audit.html');
    const r = por('audit', path.join(okxDir, 'okx_por_example.csv'), '--html', page, '-q');
    expect(r.code).toBe(1);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/<div id="verdict" class="verdict fail"><strong>AUDIT FAILED: \d+ passed, [1-9]\d* failed/);
    expect(html).toMatch(/<td class="bad">FAIL<\/td><td><code>summary-rows<\/code><\/td><td>line 5: the summary says 5\.2834 ETH/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    const viaO = path.join(dir, 'o.html');
    expect(por('audit', path.join(okxDir, 'okx_por_example.csv'), '-o', viaO, '-q').code).toBe(1);
    expect(readFileSync(viaO, 'utf8')).toBe(html.replaceAll(page, viaO));
  });
  it('real 2025 file: exit 0, every supported row valid', () => {
    const r = por('audit', path.join(okxDir, 'okx_por_signatures_2025.csv'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ format: 'por-okx-audit', version: 2, verdict: 'warn', counts: { rows: 9, valid: 5, invalid: 0, unsupported: 4, unread: 0 } });
    expect(doc.summary).toMatchObject({ fail: 0, unread: 0 });
  });
  it('real 2022 example: exit 1, its summary does not match its rows; human output names the checks', () => {
    const r = por('audit', path.join(okxDir, 'okx_por_example.csv'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}summary-rows {2}line 5: the summary says 5\.2834 ETH/m);
    expect(r.out).toMatch(/^PASS {2}ownership {2}/m);
    expect(r.out).toMatch(/^WARN {2}caveat {2}balances NOT re-read \(no --rpc\)/m);
    expect(r.out).toMatch(/contract link unchecked/);
    // por audit's headline, not OKX-only words (ok / VERDICT:)
    expect(r.out).toMatch(/\nAUDIT FAILED: \d+ passed, [1-9]\d* failed, \d+ warnings?\n {2}checked and holds: .*\n {2}checked and fails: {2}summary-rows: line 4: .*\n {2}not checked: {8}nothing\n$/);
    expect(r.out).not.toMatch(/VERDICT|^ok /m);
  });
  it('real original 2022 file (7 columns, base units): exit 0, every summary line holds', () => {
    const r = por('audit', path.join(okxDir, 'okx_por_example_2022_original.csv'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ layout: 'okx-2022-original', verdict: 'warn', counts: { rows: 33, valid: 33 } });
    expect(doc.checks.filter((c: { name: string }) => c.name === 'summary-rows').every((c: { status: string }) => c.status === 'pass')).toBe(true);
  });
  it('an unknown column: exit 2 naming the header, file:line:column', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'por-okx-'));
    const f = path.join(dir, 'extra.csv');
    writeFileSync(f, readFileSync(path.join(okxDir, 'okx_por_example_2022_original.csv'), 'utf8').replace('redeem script/ public key', 'redeem script/ public key,Memo'));
    const r = por('audit', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:15:`);
    expect(r.err).toMatch(/unknown column "Memo"/);
  });
  it('generated all-valid file: exit 0; generated tampered file: exit 1', () => {
    expect(por('audit', 'test/fixtures/okx/valid-2022.csv', '-q').code).toBe(0);
    expect(por('audit', 'test/fixtures/okx/typed-12col.csv', '-q').code).toBe(1);
  });
  it('an unreadable row: exit 2 with file:line:column', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'por-okx-'));
    const f = path.join(dir, 'bad.csv');
    writeFileSync(f, readFileSync(path.join(repoRoot, 'test/fixtures/okx/valid-2022.csv'), 'utf8').replace(',1.5,', ',1.5.1,'));
    const r = por('audit', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:8:`);
    expect(r.err).toMatch(/amount/);
    expect(por('audit', f, '--rpc', 'nonsense').code).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

const key = (label: string) => '0x' + Buffer.from(sha256(new TextEncoder().encode(`por okx cli TEST ONLY ${label}`))).toString('hex');
const okxSign = (w: Wallet, msg: string) => w.signMessageSync(getBytes(keccak256(toUtf8Bytes(msg))));
const hex = (n: bigint) => `0x${n.toString(16)}`;

/** Runtime code of a Safe-like stub: getThreshold() returns `threshold`, anything else `owners`. */
function safeStub(owners: string[], threshold: number): string {
  const data = AbiCoder.defaultAbiCoder().encode(['address[]'], [owners]).slice(2);
  const len = data.length / 2;
  if (len > 255) throw new Error('stub data too long');
  const l = len.toString(16).padStart(2, '0');
  // PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR PUSH4 sel EQ PUSH1 27 JUMPI
  // PUSH1 len PUSH1 38 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN
  // JUMPDEST PUSH1 threshold PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN <data>
  const t = threshold.toString(16).padStart(2, '0');
  return `0x600035 60e01c 63e75235b8 14 601b 57 60${l} 6026 6000 39 60${l} 6000 f3 5b 60${t} 6000 52 6020 6000 f3`.replace(/ /g, '') + data;
}

describe('por audit OKX.csv --rpc (anvil and Esplora)', () => {
  let anvil: { url: string; stop: () => Promise<void> };
  let esplora: { url: string; close: () => Promise<void> };
  let snapshot: bigint;
  const dir = mkdtempSync(path.join(tmpdir(), 'por-okx-rpc-'));
  const w1 = new Wallet(key('w1'));
  const w2 = new Wallet(key('w2'));
  const o1 = new Wallet(key('o1'));
  const o2 = new Wallet(key('o2'));
  const stranger = new Wallet(key('stranger'));
  const safe = '0x' + '5afe'.repeat(10);
  const fake = '0x' + 'fa4e'.repeat(10);
  const btcKey = sha256(new TextEncoder().encode('por okx cli TEST ONLY btc'));
  const btcAddr = p2wpkh(secp256k1.getPublicKey(btcKey, true), NETWORK).address!;
  const E18 = 10n ** 18n;

  beforeAll(async () => {
    anvil = await startAnvil();
    await rpc(anvil.url, 'anvil_setBalance', [w1.address, hex(3n * E18 + 123n)]);
    await rpc(anvil.url, 'anvil_setBalance', [w2.address, hex(E18 / 4n)]);
    await rpc(anvil.url, 'anvil_setBalance', [safe, hex(10n * E18)]);
    await rpc(anvil.url, 'anvil_setCode', [safe, safeStub([o1.address, o2.address, stranger.address], 2)]);
    await rpc(anvil.url, 'anvil_setCode', [fake, safeStub([stranger.address], 1)]);
    await rpc(anvil.url, 'evm_mine', []);
    snapshot = BigInt(await rpc(anvil.url, 'eth_blockNumber', []));
    // anvil_set* writes into the head block's state: move the head past the snapshot first.
    await rpc(anvil.url, 'evm_mine', []);
    // After the snapshot, w1's balance changes: a reader not pinned to the snapshot sees 1 ETH.
    await rpc(anvil.url, 'anvil_setBalance', [w1.address, hex(E18)]);
    await rpc(anvil.url, 'evm_mine', []);
    esplora = await startEsplora({
      genesis: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
      tip: 200,
      txs: [
        { txid: txid('in-90'), status: { confirmed: true, block_height: 90 }, vin: [], vout: [{ scriptpubkey_address: btcAddr, value: 50_000_000 }] },
        { txid: txid('in-150'), status: { confirmed: true, block_height: 150 }, vin: [], vout: [{ scriptpubkey_address: btcAddr, value: 7 }] },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await anvil?.stop();
    await esplora?.close();
  });

  function csv(rows: string[][]): string {
    const f = path.join(dir, `r${Math.random().toString(16).slice(2)}.csv`);
    const head = 'coin,Network,Snapshot Height,address,amount,message,signature1,signature2,redeem script/ public key, eoa1, eoa2';
    writeFileSync(f, [head, ...rows.map((r) => r.join(','))].join('\n') + '\n');
    return f;
  }
  const msg = () => `por okx snapshot ${snapshot}`;
  /** A BIP-137 signature by the test's P2WPKH key (header 39+). */
  function btcSign(message: string): string {
    const p = new TextEncoder().encode('Bitcoin Signed Message:\n');
    const m = new TextEncoder().encode(message);
    const s = secp256k1.sign(sha256(sha256(new Uint8Array([p.length, ...p, m.length, ...m]))), btcKey, { prehash: false, format: 'recovered' });
    return base64.encode(new Uint8Array([39 + s[0]!, ...s.slice(1)]));
  }

  it('balances re-read at the snapshot height match; Safe owners checked; BTC via Esplora', async () => {
    const h = snapshot.toString();
    // The BTC row's snapshot is height 100 on the Esplora fixture; its message names it.
    const btcSig = btcSign('por okx snapshot 100');
    const f = csv([
      ['ETH', 'ETH', h, w1.address, '3.000000000000000123', msg(), okxSign(w1, msg()), '', '', '', ''],
      ['ETH', 'ETH', h, w2.address, '0.25', msg(), okxSign(w2, msg()), '', '', '', ''],
      ['ETH', 'ETH', h, safe, '10', msg(), okxSign(o1, msg()), okxSign(o2, msg()), '', o1.address, o2.address],
      // 0.5 BTC received at height 90; 7 sats more at 150, after the snapshot
      ['BTC', 'BTC', '100', btcAddr, '0.5', 'por okx snapshot 100', btcSig, '', '', '', ''],
    ]);
    const r = await porAsync('audit', f, '--rpc', `ethereum=${anvil.url}`, '--rpc', `bitcoin=${esplora.url}`, '--json', '-q');
    const doc = JSON.parse(r.out);
    expect(doc.rows.map((x: any) => [x.ownership, x.balance?.status, x.contractLink?.status])).toEqual([
      ['valid', 'matches', undefined],
      ['valid', 'matches', undefined],
      ['valid', 'matches', 'owners'],
      ['valid', 'matches', undefined],
    ]);
    expect(doc.checks.find((c: any) => c.name === 'balances')).toMatchObject({ status: 'pass' });
    expect(doc.verdict).toBe('warn'); // the replayable-message caveat; every check holds
    expect(r.code).toBe(0);
  });

  it('a wrong amount, and EOAs that do not own the contract, fail with exit 1', async () => {
    const h = snapshot.toString();
    const f = csv([
      // the post-snapshot balance (1 ETH) is not what the snapshot holds
      ['ETH', 'ETH', h, w1.address, '1', msg(), okxSign(w1, msg()), '', '', '', ''],
      ['ETH', 'ETH', h, fake, '0', msg(), okxSign(o1, msg()), okxSign(o2, msg()), '', o1.address, o2.address],
      // a "contract wallet" with no code at the snapshot: no contract the EOAs could control (fails, never unread)
      ['ETH', 'ETH', h, w2.address, '0.25', msg(), okxSign(o1, msg()), okxSign(o2, msg()), '', o1.address, o2.address],
    ]);
    const r = await porAsync('audit', f, '--rpc', `ETH=${anvil.url}`, '--json', '-q');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.rows[0].balance).toMatchObject({ status: 'differs', onchain: '3.000000000000000123' });
    expect(doc.rows[1].contractLink.status).toBe('not-owners');
    expect(doc.rows[1].ownership).toBe('valid'); // the signatures themselves hold…
    expect(doc.rows[2].contractLink).toMatchObject({ status: 'not-owners', detail: expect.stringMatching(/holds no code/) });
    expect(doc.counts).toMatchObject({ invalid: 2, unread: 0 }); // …but those rows count as invalid
  });

  it('an unreachable node is exit 2 (nothing re-read), never a zero balance nor a FAILED verdict', () => {
    const h = snapshot.toString();
    const f = csv([['ETH', 'ETH', h, w2.address, '0.25', msg(), okxSign(w2, msg()), '', '', '', '']]);
    const r = por('audit', f, '--rpc', 'ETH=http://127.0.0.1:9', '--json', '-q');
    const doc = JSON.parse(r.out);
    expect(doc.error).toMatchObject({ code: 'NETWORK', info: { chain: 'ETH', field: 'rpc' } });
    expect(doc.rows).toBeUndefined();
    expect(r.code).toBe(2);
  }, 60_000);

  it('a bad --rpc is named before any signature is checked: unreachable loopback port, non-http scheme', () => {
    // The generated file's rows are all checked offline first in the old order; "signatures:" on
    // stderr is the reporter's line for that stage, so its absence shows the node was asked first.
    for (const url of ['http://127.0.0.1:9', 'ftp://127.0.0.1:8545']) {
      const r = por('audit', 'test/fixtures/okx/valid-2022.csv', '--rpc', `ethereum=${url}`, '--retries', '0');
      expect([url, r.code]).toEqual([url, 2]);
      expect(r.err).toMatch(url.startsWith('ftp') ? /--rpc ethereum=ftp:\/\/127\.0\.0\.1:8545: the URL must start with http:\/\/ or https:\/\// : /--rpc ethereum=http:\/\/127\.0\.0\.1:9\/?: .*check the URL and that the node is up \(nothing was read\)/);
      expect(r.err).not.toMatch(/^signatures:/m);
      expect(r.out).toBe('');
    }
  }, 60_000);
  // ---- a node that answers the first question, then fails on one row: COULD NOT READ, never FAILED ----

  /** The node's own words for a balance it cannot give (a pruned node, say), in place of its answer. */
  const trieError = (answer: string, req: { body: string }) => rewriteRpc(answer, req.body, (call) => ({ id: call.id, error: { code: -32000, message: 'missing trie node (pruned)' } }));
  const balanceOf = (address: string) => (body: string) => hasRpcMethod(body, 'eth_getBalance', (p) => String(p[0]).toLowerCase() === address.toLowerCase());

  it('a balance the node cannot give and a getOwners() that never answers: COULD NOT READ, AUDIT NOT DECIDED, exit 2, never FAILED', async () => {
    const proxy = await startFaultProxy(anvil.url, (req) => {
      if (balanceOf(w2.address)(req.body)) return { kind: 'rewrite', fn: trieError };
      if (hasRpcMethod(req.body, 'eth_call')) return { kind: 'hang' };
      return undefined;
    });
    try {
      const h = snapshot.toString();
      const f = csv([
        ['ETH', 'ETH', h, w1.address, '3.000000000000000123', msg(), okxSign(w1, msg()), '', '', '', ''],
        ['ETH', 'ETH', h, w2.address, '0.25', msg(), okxSign(w2, msg()), '', '', '', ''],
        ['ETH', 'ETH', h, safe, '10', msg(), okxSign(o1, msg()), okxSign(o2, msg()), '', o1.address, o2.address],
      ]);
      const page = path.join(dir, 'unread.html');
      const net = ['--rpc', `ETH=${proxy.url}`, '--retries', '0', '--timeout-ms', '2000'];
      const r = await porAsync('audit', f, ...net, '--html', page, '-q');
      expect(r.out).toMatch(new RegExp(`^COULD NOT READ {2}balance {2}line 3 \\(ETH ${w2.address}\\): not read from your node .*missing trie node`, 'm'));
      expect(r.out).toMatch(new RegExp(`^COULD NOT READ {2}contract-link {2}line 4 \\(ETH ${safe}\\): owners not read from your node .*getOwners\\(\\) at block ${h} failed`, 'm'));
      expect(r.out).toMatch(new RegExp(`\\nAUDIT NOT DECIDED: 2 items could not be read from your node, so the audit neither passes nor fails \\(line 3 \\(ETH ${w2.address}\\) balance: .*missing trie node`));
      expect(r.out).toMatch(/^ {2}not checked: {8}line 3 \(ETH /m);
      expect(r.out).not.toMatch(/FAIL/);
      expect(r.code).toBe(2);
      const html = readFileSync(page, 'utf8');
      expect(html).toMatch(/<div id="verdict" class="verdict warn"><strong>AUDIT NOT DECIDED: 2 items could not be read/);
      expect(html).toMatch(/<td class="bad">COULD NOT READ<\/td><td><code>balance<\/code><\/td><td>line 3 /);
      expect(html).not.toMatch(/FAIL/);

      const j = await porAsync('audit', f, ...net, '--json', '-q');
      const doc = JSON.parse(j.out);
      expect(j.code).toBe(2);
      expect(doc).toMatchObject({ format: 'por-okx-audit', version: 2, verdict: 'unread', counts: { rows: 3, valid: 2, invalid: 0, unsupported: 0, unread: 1 } });
      expect(doc.rows.map((x: any) => [x.ownership, x.balance?.status, x.contractLink?.status])).toEqual([
        ['valid', 'matches', undefined],
        ['valid', 'unread', undefined],
        ['valid', 'matches', 'unread'],
      ]);
      // By hand: valid 3.000000000000000123 + 0.25; the Safe's 10 is behind a link that could not be read.
      expect(doc.coins).toEqual([{ coin: 'ETH', rows: 3, amount: '13.250000000000000123', valid: '3.250000000000000123', invalid: '0', unsupported: '0', unread: '10', validLinkUnchecked: '0' }]);
      expect(doc.checks.filter((c: any) => c.status !== 'pass').map((c: any) => [c.status, c.name, c.subject])).toEqual([
        ['unread', 'balance', `line 3 (ETH ${w2.address})`],
        ['unread', 'contract-link', `line 4 (ETH ${safe})`],
      ]);
      expect(doc.summary.fail).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('a true mismatch beside a balance the node cannot give: AUDIT FAILED, exit 1, the unread row still listed as not checked', async () => {
    const proxy = await startFaultProxy(anvil.url, (req) => (balanceOf(w2.address)(req.body) ? { kind: 'status', status: 502 } : undefined));
    try {
      const h = snapshot.toString();
      const f = csv([
        ['ETH', 'ETH', h, w1.address, '1', msg(), okxSign(w1, msg()), '', '', '', ''], // holds 3.000000000000000123 at the snapshot
        ['ETH', 'ETH', h, w2.address, '0.25', msg(), okxSign(w2, msg()), '', '', '', ''],
        // after a whole request failed, the node is not asked again: this row is unread too, never read as 0
        ['ETH', 'ETH', h, safe, '10', msg(), okxSign(o1, msg()), okxSign(o2, msg()), '', o1.address, o2.address],
      ]);
      const j = await porAsync('audit', f, '--rpc', `ETH=${proxy.url}`, '--retries', '0', '--json', '-q');
      const doc = JSON.parse(j.out);
      expect(doc.rows.map((x: any) => [x.balance.status, x.contractLink?.status])).toEqual([['differs', undefined], ['unread', undefined], ['unread', 'unread']]);
      expect(doc.rows[2].balance.detail).toMatch(/^not asked: the node stopped answering at line 3 \(.*502/);
      expect(proxy.hits()).toBe(1);
      expect(doc.verdict).toBe('fail');
      expect(j.code).toBe(1);
      const r = await porAsync('audit', f, '--rpc', `ETH=${proxy.url}`, '--retries', '0', '-q');
      expect(r.out).toMatch(/^FAIL {2}balances {2}line 2: 3\.000000000000000123 ETH at block \d+, the file says 1$/m);
      expect(r.out).toMatch(new RegExp(`^COULD NOT READ {2}balance {2}line 3 \\(ETH ${w2.address}\\): .*502`, 'm'));
      expect(r.out).toMatch(new RegExp(`\\nAUDIT FAILED: \\d+ passed, 1 failed, .*3 could not be checked; NOT CHECKED \\(could not read\\): line 3 \\(ETH ${w2.address}\\) balance: `));
      expect(r.out).not.toMatch(/FAIL {2}balances {2}.*line 3/);
      expect(r.code).toBe(1);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('Bitcoin: an Esplora server that answers the probe, then fails on the address: COULD NOT READ, exit 2, never FAILED', async () => {
    const proxy = await startFaultProxy(esplora.url, (req) => (req.path.startsWith(`/address/${btcAddr}`) ? { kind: 'status', status: 500 } : undefined));
    try {
      const f = csv([['BTC', 'BTC', '100', btcAddr, '0.5', 'por okx snapshot 100', btcSign('por okx snapshot 100'), '', '', '', '']]);
      const r = await porAsync('audit', f, '--rpc', `bitcoin=${proxy.url}`, '--retries', '0', '--json', '-q');
      const doc = JSON.parse(r.out);
      expect(doc.rows[0].balance).toMatchObject({ status: 'unread', detail: expect.stringMatching(/balance at height 100 not read: .*500/) });
      expect(doc.checks.map((c: any) => [c.status, c.name])).toContainEqual(['unread', 'balance']);
      expect(doc.verdict).toBe('unread');
      expect(doc.summary.fail).toBe(0);
      expect(proxy.hits()).toBeGreaterThan(0);
      expect(r.code).toBe(2);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

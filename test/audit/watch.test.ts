import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { computeAddress } from 'ethers';
import { DEPLOYER, transferFrom } from '../../scripts/demo-chain.mjs';
import { parseDuration, watchOnce } from '../../src/audit/watch.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { assembleReport, canonicalJson } from '../../src/report/assemble.js';
import { E18, keyOf, publishOnAnvil, type Publication } from './published.js';

// What publishOnAnvil funded (its comments): counted ETH 6.75000001 against 6.5 owed (no prices,
// debt not netted) = 103.84 %; USDT 1250.5 against 1200 = 104.20 %. Moving 3 ETH out leaves
// 3.75000001 / 6.5 = 0.57692307… = 57.69 %.
let pub: Publication;
beforeAll(async () => {
  pub = await publishOnAnvil('watch-2026-11-24');
});
afterAll(async () => pub?.stop());

const SINK = computeAddress(keyOf('watch sink'));
const drain = () => transferFrom(pub.url, pub.addresses[3]!, SINK, { value: 3n * E18 });
const refill = () => transferFrom(pub.url, DEPLOYER, pub.addresses[3]!, { value: 3n * E18 });
const por = (...args: string[]) => spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });

/** A running `por watch` whose stdout can be waited on (no timing: each wait is for a line). */
function startWatch(...args: string[]) {
  return startWatchOf(pub.reportFile, ...args);
}
function startWatchOf(file: string, ...args: string[]) {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, ['bin/por.mjs', 'watch', file, '--rpc', `ethereum=${pub.url}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { out: '', err: '' };
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    io.out += d;
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr.on('data', (d) => (io.err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (re.test(io.out) ? resolve() : child.exitCode !== null ? reject(new Error(`watch ended before ${re}: ${io.out}\n${io.err}`)) : waiters.push(check));
      check();
    });
  return { child, io, exited, waitFor };
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, `${re.flags}g`)) ?? []).length;

describe('parseDuration', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    expect([parseDuration('500ms', 'x'), parseDuration('2s', 'x'), parseDuration('5m', 'x'), parseDuration('1h', 'x'), parseDuration('3', 'x')]).toEqual([500, 2000, 300000, 3600000, 3000]);
    expect(() => parseDuration('soon', 'interval')).toThrow(/not a duration/);
    expect(() => parseDuration('0s', 'interval')).toThrow(/more than zero/);
  });
});

describe('por watch', () => {
  it('prints the whole table once, then only changes: the ALERT when raised, "cleared" when cleared; Ctrl-C gives the summary and exit 1', async () => {
    const w = startWatch('--interval', '1s', '--duration', '10m');
    await w.waitFor(/USDT\s+now/);
    expect(w.io.out).toMatch(/ETH\s+now\s+6\.75000001\s+outflow since snapshot\s+0\.00000000\s+live coverage\s+103\.84 %/);
    await drain();
    await w.waitFor(/ALERT: ETH/);
    expect(w.io.out).toMatch(/ETH\s+now 3\.75000001 \(was 6\.75000001\)\s+outflow since snapshot 3\.00000000\s+live coverage 57\.69 % \(was 103\.84 %\)/);
    expect(w.io.out).toMatch(/ALERT: ETH live coverage 57\.69 % is below 100 %/);
    await refill();
    await w.waitFor(/cleared: ETH/);
    expect(w.io.out).toMatch(/cleared: ETH live coverage is back at 103\.84 % \(at or above 100 %\)/);
    w.child.kill('SIGINT');
    const code = await w.exited;
    // Only one table (USDT never changed, so it is never printed again) and one ALERT for one fall.
    expect(count(w.io.out, /USDT\s+now/)).toBe(1);
    expect(count(w.io.out, /ALERT: ETH/)).toBe(1);
    expect(count(w.io.out, /^poll \d+ at /m)).toBe(3);
    const polls = Number(/watch stopped on SIGINT after (\d+) polls/.exec(w.io.out)?.[1]);
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(w.io.out).toMatch(/FAILS\s+ETH: live coverage fell below 100 % \(first in poll \d+, lowest 57\.69 %\)/);
    expect(w.io.out).toMatch(/HOLDS\s+USDT/);
    expect(w.io.out).toMatch(/ALERTS raised for: ETH\n$/);
    // Live reads: no block-skew or any other warning.
    expect(w.io.err).toBe('');
    expect(code).toBe(1);
  });

  it('SIGTERM with no alert: the summary, exit 0', async () => {
    const w = startWatch('--interval', '1s', '--duration', '10m');
    await w.waitFor(/USDT\s+now/);
    w.child.kill('SIGTERM');
    const code = await w.exited;
    expect(w.io.out).toMatch(/watch stopped on SIGTERM after 1 poll \(1 read, 0 could not read\); chains watched: ethereum/);
    expect(w.io.out).toMatch(/coverage stayed at or above 100 % for every asset in every poll\n$/);
    expect(code).toBe(0);
  });

  it('--json is an NDJSON stream: every line one por-watch-event v1 object, start first, summary last', async () => {
    await drain();
    try {
      // Stopped by SIGTERM once the first poll's alert is out: no timing, the stream says when.
      const w = startWatch('--interval', '1s', '--duration', '10m', '--json');
      await w.waitFor(/"event":"alert"/);
      w.child.kill('SIGTERM');
      const code = await w.exited;
      const lines = w.io.out.split('\n');
      expect(lines.pop()).toBe('');
      const events = lines.map((l) => JSON.parse(l) as { format: string; version: number; event: string; [k: string]: unknown });
      for (const e of events) expect(e).toMatchObject({ format: 'por-watch-event', version: 1 });
      expect(events[0]).toMatchObject({ event: 'start', watchedChains: ['ethereum'], unwatchedChains: [] });
      expect(events[1]).toMatchObject({ event: 'sample', poll: 1 });
      const usdt = (events[1]!.assets as { asset: string }[]).find((a) => a.asset === 'USDT');
      expect(usdt).toMatchObject({ current: '1250.500000', outflow: '0.000000', covered: true, checked: true });
      expect(events.filter((e) => e.event === 'alert')).toEqual([expect.objectContaining({ asset: 'ETH', poll: 1, current: '3.75000001', owed: '6.50000000' })]);
      expect(events.at(-1)).toMatchObject({ event: 'summary', stoppedBy: 'SIGTERM', verdict: 'fails', exit: 1, fails: [{ asset: 'ETH', poll: 1 }], holds: ['USDT'] });
      expect(code).toBe(1);
    } finally {
      await refill();
    }
  });

  it('a live read far from the snapshot time gives no block-skew warning', async () => {
    const warnings: string[] = [];
    const old = { ...pub.report, snapshot: { ...pub.report.snapshot, time: '2020-01-01T00:00:00.000Z' } };
    const s = await watchOnce({ report: old, rpc: { ethereum: pub.url }, reporter: { progress: () => {}, done: () => {}, warn: (m) => warnings.push(m) } });
    expect(s.assets.map((a) => a.asset)).toEqual(['ETH', 'USDT']);
    expect(warnings).toEqual([]);
  });

  it('--rpc for a chain the report does not list: exit 2 naming the chains it does (as audit does)', () => {
    const r = por('watch', pub.reportFile, '--rpc', `ethereum=${pub.url}`, '--rpc', `solana=${pub.url}`, '--duration', '1s');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--rpc names chain solana, which the report does not list \(it lists ethereum\)/);
  });
});

describe('por watch with nodes for some of the chains', () => {
  // ETH on the anvil chain (wallet 0's 1.5 ETH, never moved by these tests) against 1.0 owed:
  // 150.00 %. BTC on a bitcoin chain no node is given for: 2 BTC against 1 owed, never read.
  let file: string;
  beforeAll(async () => {
    const registry = parseAssetRegistry({
      assets: [
        { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
        { symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] },
      ],
    });
    const snapshot = { id: 'two-chains', time: new Date().toISOString() };
    const sum = (asset: string) => ({ asset, equity: '1.00000000', debt: '0.00000000', equityUnits: '100000000', debtUnits: '0' });
    const root = { snapshotId: snapshot.id, height: 4, leafCount: 2, hash: '0x' + '11'.repeat(32), assets: [{ symbol: 'ETH', decimals: 8 }, { symbol: 'BTC', decimals: 8 }], sums: [sum('ETH'), sum('BTC')] };
    const own = { scheme: 'eip191', message: 'm', signature: '0x' + '22'.repeat(65), valid: true };
    const block = { number: '1', hash: '0x' + '33'.repeat(32), time: snapshot.time };
    const report = assembleReport({
      snapshot,
      registry,
      root,
      liabilities: [
        { asset: 'ETH', gross: 100000000n, debt: 0n },
        { asset: 'BTC', gross: 100000000n, debt: 0n },
      ],
      chains: [
        { chain: 'ethereum', kind: 'evm', chainId: '31337', block },
        { chain: 'bitcoin', kind: 'bitcoin', network: 'regtest', block },
      ],
      addresses: [
        { chain: 'ethereum', address: pub.addresses[0]!, balances: [{ asset: 'ETH', source: 'native', units: pub.eth[0]!, decimals: 18 }], ownership: own },
        { chain: 'bitcoin', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', balances: [{ asset: 'BTC', source: 'native', units: 200000000n, decimals: 8 }], ownership: own },
      ],
      tool: { name: 'por', version: 'test' },
      exchange: 'Two chains',
    });
    file = join(pub.dir, 'two-chains.json');
    await writeFile(file, canonicalJson(report));
  });

  it('names the unwatched chain and its assets, checks the rest, and exits 2 (not checked) with no alert', async () => {
    const w = startWatchOf(file, '--interval', '1s', '--duration', '10m');
    await w.waitFor(/BTC\s+now/);
    w.child.kill('SIGINT');
    const code = await w.exited;
    expect(w.io.out).toMatch(/NOT WATCHED: bitcoin \(no --rpc\); BTC not checked\. The verdict covers ethereum only\./);
    expect(w.io.out).toMatch(/ETH\s+now\s+1\.50000000\s+outflow since snapshot\s+0\.00000000\s+live coverage\s+150\.00 %/);
    expect(w.io.out).toMatch(/BTC\s+now\s+0\.00000000\s+outflow since snapshot\s+0\.00000000\s+coverage not checked \(also held on bitcoin, not watched\)/);
    expect(w.io.out).toMatch(/HOLDS\s+ETH/);
    expect(w.io.out).toMatch(/NOT CHECKED\s+BTC: held on bitcoin, which had no --rpc: not watched/);
    expect(w.io.out).not.toMatch(/ALERT/);
    expect(code).toBe(2);
  });

  it('--json: the start event lists the unwatched chain; the summary says not-checked, exit 2', async () => {
    const w = startWatchOf(file, '--interval', '1s', '--duration', '10m', '--json');
    await w.waitFor(/"event":"sample"/);
    w.child.kill('SIGINT');
    const code = await w.exited;
    const events = w.io.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: 'start', watchedChains: ['ethereum'], unwatchedChains: ['bitcoin'], notChecked: [{ asset: 'BTC', chains: ['bitcoin'] }] });
    expect(events.at(-1)).toMatchObject({ event: 'summary', verdict: 'not-checked', exit: 2, holds: ['ETH'], unwatchedChains: ['bitcoin'] });
    expect(code).toBe(2);
  });

  it('--help says an unwatched chain is "not checked" and exits 2', () => {
    const r = por('watch', '--help');
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(/an unwatched chain is "not checked", never counted as fine/);
    expect(text).toMatch(/2 bad input, a node that does not answer at the start, some poll could not read, or some chain was not watched/);
  });
});

describe('node URLs are checked before anything is read', () => {
  it('watch: a node that does not answer is exit 2 naming the flag and the value, before any poll', () => {
    const r = por('watch', pub.reportFile, '--rpc', 'ethereum=http://127.0.0.1:9', '--interval', '1s', '--duration', '1s', '--retries', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--rpc ethereum=http:\/\/127\.0\.0\.1:9: .*nothing was read/);
    expect(r.stdout).toBe('');
  });

  it('watch: a URL with no http(s) scheme or no host is exit 2 naming it, before the report is read', () => {
    const a = por('watch', 'no-such-report.json', '--rpc', 'ethereum=ftp://127.0.0.1:8545');
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--rpc ethereum=ftp:\/\/127\.0\.0\.1:8545: the URL must start with http:\/\/ or https:\/\//);
    const b = por('watch', 'no-such-report.json', '--rpc', 'ethereum=http://:8545');
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--rpc ethereum=http:\/\/:8545: the URL names no host/);
  });

  it('audit --rpc: a node that does not answer is exit 2 naming the flag and the value, and no check is printed', () => {
    const r = por('audit', pub.reportFile, '--rpc', 'ethereum=http://127.0.0.1:9', '--retries', '0', '--signer', pub.signer);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--rpc ethereum=http:\/\/127\.0\.0\.1:9: .*nothing was read/);
    expect(r.stdout).not.toMatch(/PASS|FAIL/);
  });

  it('audit --rpc: a server that is not an EVM node is exit 2 before the audit', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const { spawn: sp } = await import('node:child_process');
      const child = sp(process.execPath, ['bin/por.mjs', 'audit', pub.reportFile, '--rpc', `ethereum=http://127.0.0.1:${port}`, '--retries', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`--rpc ethereum=http://127\\.0\\.0\\.1:${port}: .*check the URL`));
      expect(out).not.toMatch(/PASS|FAIL/);
    } finally {
      server.close();
    }
  });
});

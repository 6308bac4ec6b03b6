import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Wallet, computeAddress } from 'ethers';
import type { Browser } from 'playwright-core';
import { transferFrom, mine } from '../../scripts/demo-chain.mjs';
import { ownershipMessage } from '../../src/reserves/index.js';
import { auditReport, type AuditResult } from '../../src/audit/audit.js';
import { canonicalJson } from '../../src/report/assemble.js';
import type { Report } from '../../src/core/report/types.js';
import { launch, openPage } from '../report/browser.js';
import { keyOf, publishOnAnvil, type Publication } from './published.js';

let pub: Publication;
let browser: Browser;

beforeAll(async () => {
  pub = await publishOnAnvil('audit-2026-11-24');
  // Funds leave after the snapshot: an audit pinned to the published block must not notice.
  await transferFrom(pub.url, pub.addresses[3]!, computeAddress(keyOf('sink')), { value: 2n * 10n ** 18n });
  await mine(pub.url, 1);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await pub?.stop();
});

const por = (...args: string[]) => spawnSync('node', ['bin/por.mjs', ...args], { encoding: 'utf8' });

/** Audits a tampered copy in-process (no signature: the tampering must be caught on its own). */
async function auditTampered(mutate: (r: Report) => void | Promise<void>, others: Report[] = []): Promise<AuditResult> {
  const r = structuredClone(pub.report);
  await mutate(r);
  const bytes = new TextEncoder().encode(canonicalJson(r));
  return auditReport({ report: r, reportFile: 'tampered.json', reportBytes: bytes, signature: null, rpc: { ethereum: pub.url }, others: others.map((o, i) => ({ file: `other${i}.json`, report: o })) });
}
const failed = (r: AuditResult) => [...new Set(r.checks.filter((c) => c.status === 'fail').map((c) => c.name))].sort();

describe('por audit on an honest report', () => {
  it('passes every check, exit 0, with the figures the helper funded', () => {
    const r = por('audit', pub.reportFile, '--rpc', `ethereum=${pub.url}`, '--signer', pub.signer, '--json');
    expect(r.stderr).not.toMatch(/warning|error/i);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as AuditResult;
    expect(doc.verdict).toBe('pass');
    expect(doc.summary.fail).toBe(0);
    // 4 addresses × 2 assets re-read
    expect(doc.checks.filter((c) => c.name === 'balance' && c.status === 'pass')).toHaveLength(8);
    // ETH 1.5 + 2.25 + 0.00000001 (0.000000015 truncated) + 3 = 6.75000001; USDT 1000 + 250.5
    // ETH to cover: all 6.5 owed (no prices were published, so the 0.25 of user debt is not netted)
    expect(doc.audited.find((a) => a.asset === 'ETH')).toMatchObject({ reserves: '6.75000001', grossLiabilities: '6.50000000', liabilities: '6.50000000', nettedDebt: '0.00000000', covered: true, grossCovered: true });
    expect(doc.audited.find((a) => a.asset === 'USDT')).toMatchObject({ reserves: '1250.500000', grossLiabilities: '1200.000000' });
  });

  it('text output ends with the verdict; the audit page shows verdict, table and chart offline', async () => {
    const html = join(pub.dir, 'audit.html');
    const r = por('audit', pub.reportFile, '--rpc', `ethereum=${pub.url}`, '--signer', pub.signer, '--html', html);
    expect(r.status).toBe(0);
    // The headline, then what was checked and holds, checked and fails, not checked.
    expect(r.stdout.trim().split('\n').slice(-4)).toEqual([
      'AUDIT PASSED: every check holds, with balances re-read from your node',
      expect.stringMatching(/^ {2}checked and holds: {2}\d+ checks; reserves cover what users are owed in ETH \(103\.84 %\), USDT \(104\.20 %\)$/),
      '  checked and fails:  nothing',
      '  not checked:        nothing',
    ]);
    // The table gives the ratios as `por solvency` does: 6.75000001 / 6.5 = 1.03846154 → 103.84 %, gross and netted
    expect(r.stdout).toMatch(/^asset\s+verified reserves\s+owned by users\s+gross ratio\s+to cover \(netted\)\s+ratio$/m);
    expect(r.stdout).toMatch(/^ETH\s+6\.75000001\s+6\.50000000\s+103\.84 %\s+6\.50000000\s+103\.84 %$/m);
    expect(r.stdout).toMatch(/^Every asset: verified reserves cover everything users own, with nothing netted\.$/m);
    const { page, requests } = await openPage(browser, html);
    expect(await page.locator('#verdict').innerText()).toMatch(/AUDIT PASSED: every check holds/);
    expect(await page.locator('#solvency tbody tr').count()).toBe(2);
    expect(await page.locator('#chart .chart-wide svg .mark-rect path').count()).toBe(2);
    expect(await page.locator('#checks tbody tr').count()).toBeGreaterThan(10);
    expect(requests).toEqual([]);
  });

  it('the published report.html shows the verdict, table and chart offline', async () => {
    const { page, requests } = await openPage(browser, join(pub.dir, 'report.html'));
    expect(await page.locator('#verdict').innerText()).toMatch(/^Fully backed/);
    expect(await page.locator('#solvency tbody tr').count()).toBe(2);
    expect(await page.locator('#chart .chart-wide svg .mark-rect path').count()).toBe(2);
    expect(requests).toEqual([]);
  });
});

describe('each tampering is caught by the right check', () => {
  it('a reported balance changed', async () => {
    const r = await auditTampered((x) => {
      x.addresses[0]!.balances[0]!.units = (pub.eth[0]! + 10n ** 18n).toString();
    });
    const bad = r.checks.find((c) => c.name === 'balance' && c.status === 'fail')!;
    expect(bad.subject).toContain(pub.addresses[0]!);
    expect(bad.evidence).toMatchObject({ published: (pub.eth[0]! + 10n ** 18n).toString(), node: pub.eth[0]!.toString() });
    // the stated totals no longer add up either
    expect(failed(r)).toEqual(['balance', 'reserve-totals']);
  });

  it('a signature dropped', async () => {
    const r = await auditTampered((x) => {
      x.addresses[1]!.ownership = null;
    });
    // and without its 2.25 ETH the verified ETH (4.50000001) no longer covers the 6.5 to cover (gross = netted here)
    expect(failed(r)).toEqual(['coverage', 'coverage-gross', 'ownership-proof']);
    expect(r.audited.find((a) => a.asset === 'ETH')!.reserves).toBe('4.50000001');
  });

  it('a signature replayed from an earlier snapshot', async () => {
    const r = await auditTampered(async (x) => {
      const old = ownershipMessage({ exchange: pub.report.exchange!, snapshot: { id: 'audit-2026-10-24', time: '2026-10-24T00:00:00Z' }, chain: 'eip155:31337', address: pub.addresses[2]! });
      x.addresses[2]!.ownership = { scheme: 'eip191', message: old, signature: await new Wallet(pub.keys[2]!).signMessage(old), valid: true };
    });
    expect(failed(r)).toContain('ownership-message');
    // not proven, so its coins no longer count: USDT falls from 1250.5 to 1000, below the 1200 owed
    expect(r.audited.find((a) => a.asset === 'USDT')!.reserves).toBe('1000.000000');
    expect(failed(r)).toContain('coverage');
  });

  it('an address swapped for one the exchange does not control', async () => {
    // anvil's account 1 holds 10,000 ETH; the exchange has no key for it
    const stranger = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const r = await auditTampered((x) => {
      x.addresses[3]!.address = stranger;
      x.addresses[3]!.balances[0]!.units = (10_000n * 10n ** 18n).toString();
      x.addresses[3]!.balances[0]!.amount = '10000.000000000000000000';
    });
    // The message the exchange's key signed names its own address, not the stranger's.
    const own = r.checks.find((c) => c.name === 'ownership-message' && c.subject.includes(stranger))!;
    expect(own.status).toBe('fail');
    expect(own.detail).toContain(`"address: ${pub.addresses[3]!}" where this report's says "address: ${stranger}"`);
    expect(r.audited.find((a) => a.asset === 'ETH')!.reserves).toBe('3.75000001');
  });

  it('a root sum edited', async () => {
    const r = await auditTampered((x) => {
      x.merkleRoot.sums[0]!.equityUnits = '600000000';
      x.merkleRoot.sums[0]!.equity = '6.00000000';
    });
    expect(failed(r)).toEqual(['root-sums']);
    expect(r.checks.find((c) => c.name === 'root-sums' && c.status === 'fail')!.subject).toBe('ETH');
    // only the text edited: caught too
    const t = await auditTampered((x) => {
      x.merkleRoot.sums[1]!.equity = '1.000000';
    });
    expect(failed(t)).toEqual(['root-sums']);
  });

  it("the report's decimals differ from those the root commits to", async () => {
    const r = await auditTampered((x) => {
      x.assets[1]!.decimals = 8;
    });
    expect(failed(r)).toContain('root-assets');
  });

  it('a block hash edited', async () => {
    const r = await auditTampered((x) => {
      x.chains[0]!.block.hash = '0x' + '00'.repeat(32);
    });
    expect(failed(r)).toEqual(['block-hash']);
  });

  it('the same address in two reports', async () => {
    const other = structuredClone(pub.report);
    other.exchange = 'Another Exchange';
    other.addresses = [other.addresses[2]!];
    const r = await auditTampered(() => {}, [other]);
    expect(failed(r)).toEqual(['other-report']);
    expect(r.checks.find((c) => c.name === 'other-report')!.subject).toContain(pub.addresses[2]!);
  });

  it('a block far from the snapshot time is a warning, not a failure', async () => {
    const r = await auditTampered(async (x) => {
      x.snapshot.time = new Date(Date.parse(x.snapshot.time) - 86_400_000).toISOString();
      // The messages name the snapshot time, so this report's were signed for it.
      for (const [i, a] of x.addresses.entries()) {
        const message = ownershipMessage({ exchange: x.exchange!, snapshot: x.snapshot, chain: 'eip155:31337', address: a.address });
        a.ownership = { ...a.ownership!, message, signature: await new Wallet(pub.keys[i]!).signMessage(message) };
      }
    });
    expect(failed(r)).toEqual([]);
    expect(r.checks.find((c) => c.name === 'block-skew')!.status).toBe('warn');
  });

  it('the report file edited after signing: signature check fails, exit 1', async () => {
    const text = await readFile(pub.reportFile, 'utf8');
    const edited = join(pub.dir, 'edited.json');
    // (Not the exchange name: every ownership message names it, so those checks would fail too.)
    expect(text).toContain('"label": "cold"');
    await writeFile(edited, text.replace('"label": "cold"', '"label": "warm"'));
    const r = por('audit', edited, '--signature', join(pub.dir, 'report.sig.json'), '--signer', pub.signer, '--rpc', `ethereum=${pub.url}`, '--json');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as AuditResult;
    expect(failed(doc)).toEqual(['report-signature']);
  });

  it('without --rpc: balances are not re-read, so nothing passes: unread (exit 2), arithmetic still checked', async () => {
    const res = await auditReport({ report: pub.report, reportFile: 'r.json', reportBytes: new Uint8Array(), signature: null, rpc: {} });
    expect(res.chainsNotRead).toEqual(['ethereum']);
    expect(res.checks.filter((c) => c.name === 'balance')).toHaveLength(0);
    expect(res.checks.find((c) => c.name === 'block-hash')!.status).toBe('unread');
    expect(res.checks.filter((c) => c.name === 'ownership-signature' && c.status === 'pass')).toHaveLength(4);
    expect(res.verdict).toBe('unread');
  });

  it('with --offline (asked for): the same audit is a warning, not unchecked', async () => {
    const res = await auditReport({ report: pub.report, reportFile: 'r.json', reportBytes: new Uint8Array(), signature: null, rpc: {}, offline: true });
    expect(res.checks.find((c) => c.name === 'block-hash')!.status).toBe('warn');
    expect(res.verdict).toBe('warn');
  });

  it('por audit with no node: headline NOT VERIFIED ON-CHAIN, exit 2; --offline: exit 0, the headline still says not re-read', () => {
    const none = por('audit', pub.reportFile, '--signer', pub.signer);
    expect(none.status).toBe(2);
    const last = none.stdout.trim().split('\n').slice(-4);
    expect(last[0]).toMatch(/^NOT VERIFIED ON-CHAIN: no node was given, so no balance or block was re-read/);
    expect(last[2]).toBe('  checked and fails:  nothing');
    expect(last[3]).toMatch(/^ {2}not checked: {8}balances and blocks on ethereum were not re-read on-chain/);
    expect(none.stdout).toMatch(/^NOT CHECKED {2}block-hash {2}chain ethereum: not checked: no node given/m);
    const offline = por('audit', pub.reportFile, '--signer', pub.signer, '--offline');
    expect(offline.status).toBe(0);
    expect(offline.stdout).toMatch(/^OFFLINE AUDIT: the report's signatures and arithmetic hold; balances on ethereum were NOT re-read on-chain$/m);
    const both = por('audit', pub.reportFile, '--offline', '--rpc', `ethereum=${pub.url}`);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--offline audits without any node/);
  });

  it('a node on another chain or unreachable is exit 2, never a pass', () => {
    const r = por('audit', pub.reportFile, '--rpc', 'ethereum=http://127.0.0.1:9', '--signer', pub.signer);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/chain ethereum/);
  });

  it('an OKX CSV is recognised by its header (no --format needed); another .csv is exit 2 saying what audit reads', () => {
    const r = por('audit', 'test/fixtures/okx/valid-2022.csv', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'por-okx-audit', version: 2, verdict: 'warn' });
    const other = por('audit', 'samples/reserves.csv');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/samples\/reserves\.csv: a \.csv file that is not an OKX reserve file .* and not a por report\.json/);
  });

  it('--html naming a folder: exit 2 with the path and why, not an internal error', () => {
    const r = por('audit', pub.reportFile, '--html', 'test');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^por audit: error: test: cannot write file: EISDIR \(a folder, not a file\)$/m);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('--other naming the audited report itself is bad usage, not every address flagged', () => {
    const r = por('audit', pub.reportFile, '--other', pub.reportFile);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/field other: --other names the report being audited/);
  });

  it('a malformed --rpc URL is bad usage, named, with no retries', () => {
    const r = por('audit', pub.reportFile, '--rpc', 'ethereum=127.0.0.1:8545', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_USAGE', message: expect.stringMatching(/ethereum=127\.0\.0\.1:8545: the URL must start with http/) });
    expect(r.stderr).not.toMatch(/retrying/);
  });
});

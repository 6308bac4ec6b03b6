// Threat rows 20-22 (docs: threats.md "Found later"), each built as a dishonest exchange would build
// it: its own netting figures fed through the real report assembly (so the report's arithmetic is
// self-consistent), the Merkle root's sums left honest (users check their proofs against them).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditReport, type AuditResult } from '../../src/audit/audit.js';
import { canonicalJson } from '../../src/report/assemble.js';
import { reportVerdict } from '../../src/report/html.js';
import type { Report } from '../../src/core/report/types.js';
import { HAIRCUTS, honestLiabilities, honestNetting, nettingReport, registryWith } from './netting-fixture.js';

const E8 = 10n ** 8n;
const E6 = 10n ** 6n;

async function audit(report: Report): Promise<AuditResult> {
  const bytes = new TextEncoder().encode(canonicalJson(report));
  return auditReport({ report, reportFile: 'report.json', reportBytes: bytes, signature: null, rpc: {} });
}
const status = (r: AuditResult, name: string, subject?: string) => r.checks.filter((c) => c.name === name && (subject === undefined || c.subject === subject)).map((c) => c.status);
const failing = (r: AuditResult) => [...new Set(r.checks.filter((c) => c.status === 'fail').map((c) => c.name))].sort();

describe('the honest netting report (baseline for the attacks below)', () => {
  it('has no failing check: bounds hold, BTC is covered after netting and under 100 % gross (a warning that says so)', async () => {
    const report = await nettingReport();
    const btc = report.solvency.find((s) => s.asset === 'BTC')!;
    // must cover 10 − 2 netted = 8; 9 / 8 = 1.125; gross 9 / 10 = 0.9
    expect([btc.liabilities, btc.nettedDebt, btc.ratio, btc.grossRatio, btc.covered, btc.grossCovered]).toEqual(['8.00000000', '2.00000000', '1.125', '0.9', true, false]);
    const r = await audit(report);
    expect(failing(r)).toEqual([]);
    expect(status(r, 'bad-debt-bounds')).toEqual(['pass', 'pass', 'pass']);
    expect(status(r, 'bad-debt-value')).toEqual(['pass']);
    expect(status(r, 'netting-collateral')).toEqual(['pass']);
    expect(status(r, 'coverage', 'BTC')).toEqual(['pass']);
    expect(status(r, 'coverage-gross', 'BTC')).toEqual(['warn']);
    expect(reportVerdict(report)).toMatchObject({ level: 'warn', title: expect.stringMatching(/netting users' debt: BTC is under 100 % of what users own/) });
  });
});

describe('threat 20: stated bad debt, unbounded (issue 11 item 6)', () => {
  it('raised bad-debt holdings (alice\'s 5 BTC "written off") shrink must-cover, and the audit FAILs it; gross coverage does not move', async () => {
    const l = honestLiabilities();
    l[0]!.netting = { badDebtHoldings: 5n * E8, badDebt: 1n * E8, uncollateralised: 0n };
    const report = await nettingReport({ liabilities: l });
    const btc = report.solvency.find((s) => s.asset === 'BTC')!;
    // the exchange's own arithmetic: 10 − 5 − 2 = 3 to cover, 300 %; gross is still 9 / 10
    expect([btc.liabilities, btc.ratio, btc.grossRatio]).toEqual(['3.00000000', '3', '0.9']);
    const r = await audit(report);
    expect(r.verdict).toBe('fail');
    // written off: 5 BTC × 50,000 + 10,000 USDT = 260,000 USD against 50,000 USD of bad debt un-netted
    expect(status(r, 'bad-debt-value')).toEqual(['fail']);
    expect(r.checks.find((c) => c.name === 'bad-debt-value')!.detail).toMatch(/worth 210000 USD more than the bad debt/);
    expect(status(r, 'coverage-gross', 'BTC')).toEqual(['warn']);
    expect(r.audited.find((a) => a.asset === 'BTC')!.grossRatio).toBe('0.9');
  });

  it('raised bad debt balanced by raised un-netted debt: more debt declared bad than users owe FAILs', async () => {
    const l = honestLiabilities();
    // 6 BTC written off (300,000 USD) + 10,000 USDT, "balanced" by 6.2 BTC of bad debt: but users owe only 3 BTC
    l[0]!.netting = { badDebtHoldings: 6n * E8, badDebt: 620_000_000n, uncollateralised: 0n };
    const n = { ...honestNetting(), badDebt: { users: 2, usd: '0' } }; // 6.2 × 50,000 − 300,000 − 10,000 = 0
    const report = await nettingReport({ liabilities: l, netting: n });
    const r = await audit(report);
    expect(r.verdict).toBe('fail');
    expect(status(r, 'bad-debt-bounds', 'BTC')).toEqual(['fail']);
    expect(r.checks.find((c) => c.name === 'bad-debt-bounds' && c.subject === 'BTC')!.detail).toMatch(/exceeds what all users owe, 3\.00000000/);
  });

  it('everything declared bad debt: nothing left to cover, and the audit FAILs (exit 1 from the CLI)', async () => {
    const l = honestLiabilities().map((x) => ({ ...x, netting: { badDebtHoldings: x.gross, badDebt: x.debt, uncollateralised: 0n } }));
    // 3 × 50,000 − (10 × 50,000 + 1,210,000 + 1,000 × 2) = −1,562,000: stated as a positive shortfall anyway
    const report = await nettingReport({ liabilities: l, netting: { ...honestNetting(), badDebt: { users: 5, usd: '1562000' } } });
    expect(report.solvency.map((s) => s.liabilities)).toEqual(['0.00000000', '0.000000', '0.00000000']);
    const r = await audit(report);
    expect(failing(r)).toEqual(['bad-debt-value']);
    expect(r.audited.map((a) => a.grossCovered)).toEqual([false, true, true]);
    const dir = mkdtempSync(join(tmpdir(), 'por-baddebt-'));
    writeFileSync(join(dir, 'report.json'), canonicalJson(report));
    const cli = spawnSync(process.execPath, ['bin/por.mjs', 'audit', join(dir, 'report.json')], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/FAIL {2}bad-debt-value/);
    expect(cli.stdout).toMatch(/Under 100 % of what users own \(gross\): BTC/);
  });

  it('a write-off that would make must-cover negative FAILs even when its value looks bounded', async () => {
    const l = honestLiabilities();
    // 9 BTC written off, 2 BTC still netted: 10 − 9 − 2 = −1 (the rule would clamp it to 0)
    l[0]!.netting = { badDebtHoldings: 9n * E8, badDebt: 1n * E8, uncollateralised: 0n };
    const r = await audit(await nettingReport({ liabilities: l }));
    expect(status(r, 'bad-debt-bounds', 'BTC')).toEqual(['fail']);
    expect(r.checks.find((c) => c.name === 'bad-debt-bounds' && c.subject === 'BTC')!.detail).toMatch(/make what reserves must cover negative \(-1\.00000000\)/);
  });
});

describe('threat 21: the own-token flag as an escape hatch (issue 11 item 7)', () => {
  it('USDT at ~60 % flagged exchangeToken: still checked, not covered, audit FAIL, headline fail', async () => {
    // 726,000 / 1,200,000 = 0.605 after netting; 726,000 / 1,210,000 = 0.6 gross
    const report = await nettingReport({ registry: registryWith({ usdtExchangeToken: true }), reserves: { USDT: 726_000n * E6 } });
    const usdt = report.solvency.find((s) => s.asset === 'USDT')!;
    expect([usdt.exchangeToken, usdt.covered, usdt.ratio, usdt.grossRatio]).toEqual([true, false, '0.605', '0.6']);
    const r = await audit(report);
    expect(r.verdict).toBe('fail');
    expect(status(r, 'coverage', 'USDT')).toEqual(['fail']);
    expect(status(r, 'coverage-gross', 'USDT')).toEqual(['fail']);
    expect(status(r, 'exchange-token', 'USDT')).toEqual(['warn']);
    expect(reportVerdict(report)).toMatchObject({ level: 'fail', title: expect.stringMatching(/Not fully backed: USDT reserves cover 60\.50 % of what users are owed/) });
  });

  it('por solvency: USDT at 60 % with exchangeToken: true is SHORT, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-owntoken-'));
    writeFileSync(join(dir, 'assets.json'), JSON.stringify({ assets: [
      { symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] },
      { symbol: 'USDT', decimals: 6, exchangeToken: true, onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000b2', decimals: 6 }] },
    ] }));
    writeFileSync(join(dir, 'l.csv'), 'user_id,account,asset,balance\nu1,spot,BTC,1\nu2,spot,USDT,1000\n');
    writeFileSync(join(dir, 'r.csv'), 'chain,address,asset,balance\nbitcoin,bc1qx,BTC,1\nethereum,0xab,USDT,600\n');
    const r = spawnSync(process.execPath, ['bin/por.mjs', 'solvency', join(dir, 'l.csv'), '--assets', join(dir, 'assets.json'), '-r', join(dir, 'r.csv')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/USDT \*.*60\.00 %.*SHORT/);
    expect(r.stdout).toMatch(/NOT SOLVENT in USDT/);
  });
});

describe('threat 22: the dummy-user attack on debt netting (issue 11 item 10)', () => {
  it('a fabricated user "backed" by the own token, whom the exchange calls healthy, nets 100 BTC: the audit FAILs the netting', async () => {
    // dummy: −100 BTC, +10,000,000 XTK. The root now says BTC owed by users 103; the exchange nets
    // the dummy's 100 BTC as if healthy: must cover 10 − 102 → 0 and BTC looks covered many times over.
    const l = honestLiabilities();
    l[0] = { asset: 'BTC', gross: 10n * E8, debt: 103n * E8, netting: { badDebtHoldings: 0n, badDebt: 1n * E8, uncollateralised: 0n } };
    l[2] = { asset: 'XTK', gross: 10_001_000n * E8, debt: 0n, netting: { badDebtHoldings: 0n, badDebt: 0n, uncollateralised: 0n } };
    const report = await nettingReport({ liabilities: l, reserves: { XTK: 10_001_000n * E8 } });
    expect(report.solvency[0]!.covered).toBe(true);
    const r = await audit(report);
    // netted 102 BTC = 5,100,000 USD; every remaining holding at its best ratio: 10 × 50,000 × 0.95 + 1,200,000 + XTK × 0 = 1,675,000
    expect(status(r, 'netting-collateral')).toEqual(['fail']);
    expect(r.checks.find((c) => c.name === 'netting-collateral')!.detail).toMatch(/worth 5100000 USD, more than every remaining holding could back at its best haircut ratio \(1675000 USD\)/);
    expect(r.verdict).toBe('fail');
    // gross coverage is what it was: 9 / 10
    expect(r.audited[0]!.grossRatio).toBe('0.9');
  });

  it('a haircut table that lets the own token count as collateral is flagged', async () => {
    const n = { ...honestNetting(), haircuts: [...HAIRCUTS, { asset: 'XTK', tiers: [{ upToUsd: null, ratio: '0.5' }] }] };
    const r = await audit(await nettingReport({ netting: n }));
    expect(status(r, 'haircut-table', 'XTK')).toEqual(['warn']);
    expect(r.checks.find((c) => c.name === 'haircut-table')!.detail).toMatch(/exchange's own token, count as collateral/);
  });
});

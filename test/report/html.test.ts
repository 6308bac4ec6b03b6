import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Wallet } from 'ethers';
import type { Browser } from 'playwright-core';
import { publishReport } from '../../src/report/publish.js';
import { makeReport } from './fixture.js';
import { launch, openPage } from './browser.js';

const KEY = '0x' + '5'.repeat(64);
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-report-'));
  await writeFile(join(dir, 'key.hex'), KEY + '\n');
  await publishReport(dir, makeReport(), { signKeyFile: join(dir, 'key.hex'), verifyPage: 'verify.html' });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const por = (...args: string[]) => spawnSync('node', ['bin/por.mjs', ...args], { encoding: 'utf8' });

describe('report.html in Chromium', () => {
  it('shows the verdict, the table and a chart with marks, and makes no network request', async () => {
    const { page, requests } = await openPage(browser, join(dir, 'report.html'));
    expect(await page.locator('#verdict').innerText()).toMatch(/Not fully backed: ETH is under 100 %/);
    const rows = await page.locator('#solvency tbody tr').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('1.83333333');
    expect(rows[0]).toContain('91.66 %');
    expect(rows[1]).toContain('111.11 %');
    expect(await page.locator('#chart .chart-wide svg .mark-rect path').count()).toBe(3);
    expect(await page.locator('a[href="verify.html"]').count()).toBe(1);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('has no script and no external reference in the file itself', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\((?!#)/i);
  });
});

describe('por report verify-signature', () => {
  const signer = new Wallet(KEY).address;
  it('exit 0 for the published files and the right signer', () => {
    const r = por('report', 'verify-signature', join(dir, 'report.json'), '--signer', signer);
    expect(r.stdout).toMatch(/^VALID/);
    expect(r.status).toBe(0);
  });
  it('exit 1 for a changed report or another signer, with --json saying which check', async () => {
    const r = por('report', 'verify-signature', join(dir, 'report.json'), '--signer', new Wallet('0x' + '6'.repeat(64)).address, '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, check: 'signer' });
    const text = await readFile(join(dir, 'report.json'), 'utf8');
    const other = join(dir, 'changed');
    await writeFile(join(dir, 'changed.json'), text.replace('"183333333"', '"283333333"'));
    const r2 = por('report', 'verify-signature', other + '.json', '--signature', join(dir, 'report.sig.json'), '--signer', signer, '--json');
    expect(r2.status).toBe(1);
    expect(JSON.parse(r2.stdout)).toMatchObject({ valid: false, check: 'file-hash' });
  });
  it('exit 2 when the signature file is missing', async () => {
    await writeFile(join(dir, 'nope.json'), await readFile(join(dir, 'report.json')));
    const r = por('report', 'verify-signature', join(dir, 'nope.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.sig\.json/);
  });
});

describe('por report render', () => {
  it('rewrites the page from report.json, naming the signature only when it signs these bytes', async () => {
    const out = join(dir, 'again.html');
    const r = por('report', 'render', join(dir, 'report.json'), '--out', out, '--verify-page', 'verify.html');
    expect(r.status).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain(new Wallet(KEY).address);
    expect(html).toContain('href="verify.html"');
    // changed.json (an edited copy) has no signature of its own: the page says unsigned
    const r2 = por('report', 'render', join(dir, 'changed.json'), '--out', join(dir, 'changed.html'));
    expect(r2.status).toBe(0);
    expect(await readFile(join(dir, 'changed.html'), 'utf8')).toContain('published without a signature file');
  });
});

// The text formats `por verify` reads, in the verifier page (headless Chromium): BitMEX's liabilities
// tree with an account number and nonce, Summa's liabilities CSV with its commitment, OKX's
// user_info_file.json with the full liabilities tree. Each: recognised by content before the
// verdict, VALID with the values written in the vendored files, the same verdict document as
// `por verify --json` on the same files, a tampered copy INVALID, and no request but the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { launchBrowser, openPage, porAsync, repoRoot, textFile, verdictOf } from './browser.js';

let browser: Browser;
let html: string;
const fx = (p: string) => resolve(repoRoot, 'test/fixtures', p);
const bitmexTree = fx('bitmex/generated-liabilities-100-proof.csv');
const summaCsv = fx('summa/entry_16.csv');
const summaCommitment = fx('summa/commitment_solidity_calldata.json');
const okxTree = fx('okx/upstream/full-liabilities-merkle-tree.txt');
const okxUser = fx('okx/upstream/user_info_file.json');

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'por-web-text-'));
  html = join(dir, 'verify.html');
  await buildVerifyPage(html);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** BitMEX's validator output for account 1 (generated-expected-accounts-1-2.txt), read as data. */
async function bitmexExpected(): Promise<{ nonce: string; sats: bigint; root: string }> {
  const text = await readFile(fx('bitmex/generated-expected-accounts-1-2.txt'), 'utf8');
  const block = text.split('## account ')[1]!;
  return {
    nonce: /nonce ([0-9a-f]{64})/.exec(block)![1]!,
    sats: BigInt(/Validated ([\d,]+) sats/.exec(block)![1]!.replace(/,/g, '')),
    root: /root hash ([0-9a-f]{64})/.exec(block)![1]!,
  };
}

/** "0.00001" BTC → 1000n sats, by string arithmetic. */
const sats = (btc: string) => {
  const [i, f = ''] = btc.split('.');
  return BigInt(i!) * 10n ** 8n + BigInt((f + '00000000').slice(0, 8));
};

const pageJson = async (page: import('playwright-core').Page) => JSON.parse((await page.textContent('#verdict-json')) ?? 'null');

describe('BitMEX liabilities tree in the page', () => {
  it('recognised, account fields shown, VALID with the validator\'s total, the CLI\'s verdict', async (ctx) => {
    const want = await bitmexExpected();
    const p = await openPage(browser, html, ctx.task.name);
    expect(await p.page.isVisible('#bitmex-account')).toBe(false);
    await p.page.setInputFiles('#proof-file', bitmexTree);
    await p.page.waitForSelector('#proof-status.good'); // read asynchronously
    expect(await p.page.textContent('#proof-status')).toContain('BitMEX liabilities tree');
    await p.page.waitForSelector('#bitmex-account', { state: 'visible' });
    await p.page.fill('#bitmex-account', '1');
    await p.page.fill('#bitmex-nonce', want.nonce);
    await p.page.click('#form button[type="submit"]');
    await p.page.waitForSelector('#balances');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(await p.page.textContent('#scheme')).toBe('Recognised: BitMEX liabilities tree.');
    expect(await p.page.textContent('#root-hash-value')).toBe(want.root);
    expect(sats((await p.page.textContent('#balances tbody td')) ?? '')).toBe(want.sats);
    const cli = await porAsync(['verify', bitmexTree, '--account', '1', '--nonce', want.nonce, '--json']);
    expect(cli.status).toBe(0);
    expect(await pageJson(p.page)).toEqual(JSON.parse(cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.foreignRequests()).toEqual([]);
  });

  it('a leaf claiming one more satoshi is INVALID', async (ctx) => {
    const lines = (await readFile(bitmexTree, 'utf8')).trimEnd().split('\n');
    const [digest, s] = lines[lines.length - 1]!.split(',');
    lines[lines.length - 1] = `${digest},${BigInt(s!) + 1n}`;
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', textFile('liabilities.csv', `${lines.join('\n')}\n`));
    await p.page.waitForSelector('#proof-status.good');
    expect((await verdictOf(p.page)).state).toBe('invalid');
    expect(p.foreignRequests()).toEqual([]);
  });
});

describe('Summa liabilities CSV in the page', () => {
  it('waits for the commitment, then VALID with the committed root, the CLI\'s verdict', async (ctx) => {
    const commitment = JSON.parse(await readFile(summaCommitment, 'utf8'));
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', summaCsv);
    await p.page.waitForSelector('#proof-status.good');
    expect(await p.page.textContent('#proof-status')).toContain('Summa v1 liabilities CSV');
    await p.page.waitForSelector('#result[data-verdict="waiting"] #verdict');
    expect(await p.page.isVisible('#bitmex-account')).toBe(false);
    await p.page.setInputFiles('#published-file', summaCommitment);
    await p.page.waitForSelector('#published-status.good');
    expect(await p.page.textContent('#published-status')).toContain('Summa commitment');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(await p.page.textContent('#scheme')).toBe('Recognised: Summa v1 liabilities CSV.');
    expect(await p.page.textContent('#root-hash-value')).toBe(commitment.root_hash);
    // The committed balances are hex (0x87f3e); the table shows them decimal.
    const amounts = await p.page.$$eval('#root-sums tbody td', (tds) => tds.map((td) => td.textContent));
    expect(amounts).toEqual(commitment.root_balances.map((h: string) => BigInt(h).toString()));
    const cli = await porAsync(['verify', summaCsv, '--report', summaCommitment, '--json']);
    expect(cli.status).toBe(0);
    expect(await pageJson(p.page)).toEqual(JSON.parse(cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.foreignRequests()).toEqual([]);
  });

  it('a balance edited by one is INVALID: root-hash and root-balances fail', async (ctx) => {
    const lines = (await readFile(summaCsv, 'utf8')).split('\n');
    const cells = lines[1]!.split(',');
    cells[1] = String(BigInt(cells[1]!) + 1n);
    lines[1] = cells.join(',');
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#published-file', summaCommitment);
    await p.page.waitForSelector('#published-status.good');
    await p.page.setInputFiles('#proof-file', textFile('entry_16.csv', lines.join('\n')));
    await p.page.waitForSelector('#proof-status.good');
    expect((await verdictOf(p.page)).state).toBe('invalid');
    expect(await p.page.$$eval('#failures li', (lis) => lis.map((li) => li.getAttribute('data-check')))).toEqual(['root-hash', 'root-balances']);
    expect(p.foreignRequests()).toEqual([]);
  });
});

describe("OKX's full liabilities tree in the page", () => {
  it('user_info_file.json with the tree as published data: VALID, the CLI\'s verdict', async (ctx) => {
    const user = JSON.parse(await readFile(okxUser, 'utf8'));
    const p = await openPage(browser, html, ctx.task.name);
    // The tree first: user_info_file.json alone is already a verdict (the per-user breakdown).
    await p.page.setInputFiles('#published-file', okxTree);
    await p.page.waitForSelector('#published-status.good');
    expect(await p.page.textContent('#published-status')).toContain('OKX full liabilities tree');
    await p.page.setInputFiles('#proof-file', okxUser);
    await p.page.waitForSelector('#proof-status.good');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(await p.page.textContent('#scheme')).toBe('Recognised: OKX full liabilities tree.');
    expect((await p.page.textContent('#verdict-json')) ?? '').toContain(user.hash);
    const cli = await porAsync(['verify', okxUser, '--tree', okxTree, '--json']);
    expect(cli.status).toBe(0);
    expect(await pageJson(p.page)).toEqual(JSON.parse(cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.foreignRequests()).toEqual([]);
  });

  it('a tree with one leaf hash changed is INVALID', async (ctx) => {
    const lines = (await readFile(okxTree, 'utf8')).trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    lines[lines.length - 1] = (last[0] === '0' ? '1' : '0') + last.slice(1);
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#published-file', textFile('tree.txt', `${lines.join('\n')}\n`));
    await p.page.waitForSelector('#published-status.good');
    await p.page.setInputFiles('#proof-file', okxUser);
    await p.page.waitForSelector('#proof-status.good');
    expect((await verdictOf(p.page)).state).toBe('invalid');
    expect(p.foreignRequests()).toEqual([]);
  });
});

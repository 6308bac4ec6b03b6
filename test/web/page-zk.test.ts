// The zero-knowledge-era formats in the verifier page (headless Chromium): an OKX zk-STARK inclusion
// proof with OKX's sum_proof_data.json, the scheme named before the verdict, the same verdict
// document as `por verify --json`, the limits said; a tampered copy rejected; Binance's 2024 sample
// "not recognised". Proofs are built from OKX's batch0.json by test/formats/okx-zk-builder.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { jsonFile, launchBrowser, openPage, porAsync, repoRoot, textFile, verdictOf } from './browser.js';
import { buildTree, parseBatch, proofFor, sumProofDataText, type Account } from '../formats/okx-zk-builder.js';

let browser: Browser;
let html: string;
let dir: string;
let proofPath: string;
let sumText: string;
let sumPath: string;
const batch = JSON.parse(await readFile(resolve(repoRoot, 'test/fixtures/okx-zk/batch0.json'), 'utf8'));
const tokens = Object.keys(batch[0].assets);
const pad: Account = { id: '0'.repeat(64), equity: tokens.map(() => 0n), debt: tokens.map(() => 0n) };
const tree = buildTree(parseBatch(batch, tokens), 4, 4, pad);
const proof = proofFor(tree, 2);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-web-zk-'));
  html = join(dir, 'verify.html');
  await buildVerifyPage(html);
  browser = await launchBrowser();
  proofPath = join(dir, '2_inclusion_proof.json');
  await writeFile(proofPath, JSON.stringify(proof, null, 2));
  sumText = sumProofDataText(tree);
  sumPath = join(dir, 'sum_proof_data.json');
  await writeFile(sumPath, sumText);
});
afterAll(async () => {
  await browser?.close();
});

describe('OKX zk-STARK inclusion proof in the page', () => {
  it('waits for the published root, then says the scheme and gives the CLI\'s verdict', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', proofPath);
    expect(await p.page.textContent('#proof-status')).toContain('OKX zk-STARK (Plonky2) inclusion proof');
    await p.page.waitForSelector('#result[data-verdict="waiting"] #verdict');
    expect(await p.page.textContent('#verdict')).toContain('One more step'); // no root in the file
    await p.page.setInputFiles('#published-file', sumPath);
    expect(await p.page.textContent('#published-status')).toContain('sum_proof_data.json');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(await p.page.textContent('#scheme')).toBe('Recognised: OKX zk-STARK (Plonky2) inclusion proof.');
    // The scheme is named before the verdict.
    const order = await p.page.$$eval('#result > *', (els) => els.map((e) => e.id).filter(Boolean));
    expect(order.indexOf('scheme')).toBeLessThan(order.indexOf('verdict'));
    const warnings = (await p.page.textContent('#warnings')) ?? '';
    expect(warnings).toMatch(/NOT verified by por/);
    expect(warnings).toMatch(/not to per-token amounts/);
    // Totals as the builder computed them from batch0.json, not as the verifier says.
    const sums = await p.page.$$eval('#root-sums tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent)));
    expect(sums).toEqual([['all accounts (STARK public inputs)', String(tree.equity), String(tree.debt)]]);
    const cli = await porAsync(['verify', proofPath, '--report', sumPath, '--json']);
    expect(cli.status).toBe(0);
    expect(JSON.parse((await p.page.textContent('#verdict-json')) ?? 'null')).toEqual(JSON.parse(cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.foreignRequests()).toEqual([]);
  });

  it('a tampered amount is INVALID, the failing check explained', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const bad = JSON.parse(JSON.stringify(proof));
    bad.account.debt[0] = String(BigInt(bad.account.debt[0]) + 5n);
    await p.page.setInputFiles('#published-file', textFile('sum_proof_data.json', sumText));
    await p.page.setInputFiles('#proof-file', jsonFile('tampered.json', bad));
    expect((await verdictOf(p.page)).state).toBe('invalid');
    expect(await p.page.$$eval('#failures li', (lis) => lis.map((li) => li.getAttribute('data-check')))).toEqual(['published-root-hash']);
  });
});

describe('Binance-family zk proof in the page', () => {
  it("Binance's 2024 sample: recognised as the family, then 'scheme variant not recognised', never valid", async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', resolve(repoRoot, 'test/fixtures/binance/user_config_2024.json'));
    expect(await p.page.textContent('#proof-status')).toContain('Binance-family zk proof');
    await p.page.click('#form button[type="submit"]');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('error');
    expect(v.text).toMatch(/scheme variant not recognised/);
    expect(p.errors).toEqual([]);
  });
});

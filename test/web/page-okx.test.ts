// OKX's real proof files in the page: the same verdict as `por verify --json` on the same file, the
// balances and root totals as written in the file, the OKX warning, and each tampering rejected
// with its check named and explained. OKX's files are vendored in test/fixtures/okx/upstream (see its PROVENANCE.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { verifyAnyProof } from '../../src/core/verify/any.js';
import { write as writeVerdict } from '../../src/core/documents/verdict.js';
import { jsonFile, launchBrowser, openPage, porAsync, repoRoot, verdictOf } from './browser.js';

const okxDir = resolve(repoRoot, 'test/fixtures/okx/upstream');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- foreign JSON the tests edit freely
type Json = any;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

let browser: Browser;
let html: string;
let proof: Json;
let breakdown: Json;

beforeAll(async () => {
  html = join(await mkdtemp(join(tmpdir(), 'por-web-')), 'verify.html');
  await buildVerifyPage(html);
  browser = await launchBrowser();
  proof = JSON.parse(await readFile(join(okxDir, 'merkle_proof_file.json'), 'utf8'));
  breakdown = JSON.parse(await readFile(join(okxDir, 'user_info_file.json'), 'utf8'));
});
afterAll(async () => {
  await browser?.close();
});

/** The table rows as [asset, amount] pairs. */
async function rows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent ?? '')));
}
async function pageVerdictJson(page: Page): Promise<unknown> {
  return JSON.parse((await page.textContent('#verdict-json')) ?? 'null');
}
async function failedChecks(page: Page): Promise<string[]> {
  return page.$$eval('#failures li', (lis) => lis.map((li) => li.getAttribute('data-check') ?? ''));
}

describe('OKX path proof (the real file)', () => {
  it('verifies, with balances, root totals and hash exactly as written in the file', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', join(okxDir, 'merkle_proof_file.json'));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(v.text).toContain('Your proof checks out');
    expect(await p.page.getAttribute('#verdict', 'role')).toBe('status'); // announced by screen readers
    // Expected values read straight from the file, not from the verifier.
    const root = proof.path[proof.path.length - 1];
    expect(await rows(p.page, 'balances')).toEqual(['BTC', 'ETH', 'USDT'].map((a) => [a, proof.self.balances[a]]));
    expect(await rows(p.page, 'root-sums')).toEqual(['BTC', 'ETH', 'USDT'].map((a) => [a, root.balances[a]]));
    expect(await p.page.textContent('#root-hash-value')).toBe(root.hash);
    // The path: one row per sibling, 23 for a 24-level tree; the last computed node is the root.
    const path = await p.page.$$eval('#path tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((c) => c.textContent ?? '')));
    expect(path).toHaveLength(proof.path.length - 1);
    expect(path.map((r) => r[2])).toEqual(proof.path.slice(0, -1).map((s: Json) => s.hash));
    expect(path[path.length - 1]?.[4]).toBe(root.hash);
    // The scheme's limit is said plainly.
    expect(await p.page.textContent('#warnings')).toContain('2018/1139');
    // Same document as `por verify --json` prints for the same file (exit 0).
    const cli = await porAsync(['verify', join(okxDir, 'merkle_proof_file.json'), '--json']);
    expect(cli.status).toBe(0);
    expect(await pageVerdictJson(p.page)).toEqual(JSON.parse(cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.requests).toEqual([p.url]);
  });

  it('compares the root with a pasted published root hash', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const root = proof.path[proof.path.length - 1].hash as string;
    await p.page.fill('#root-hash', root.toUpperCase());
    await p.page.setInputFiles('#proof-file', jsonFile('merkle_proof_file.json', proof));
    expect((await verdictOf(p.page)).state).toBe('valid');
    expect(await p.page.textContent('#root-compare')).toContain('same as the one you pasted');

    await p.page.click('#clear');
    await p.page.fill('#root-hash', root.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')));
    await p.page.setInputFiles('#proof-file', jsonFile('merkle_proof_file.json', proof));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('invalid');
    // The verifier itself compares the pasted root with the proof's (check published-root-hash).
    expect(v.text).toContain('published-root-hash');
    expect(v.text).toContain('different fingerprint (root hash) than the one the exchange published');
  });

  it('rejects each tampering, naming and explaining the check that fails', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    // Each tampering, and a check it must fail, reasoned from OKX's rules (data README):
    const last = proof.path.length - 1;
    const cases: Array<[string, (j: Json) => void, string, RegExp]> = [
      ['a sibling sum edited', (j) => (j.path[5].balances.USDT = '2.09321197'), 'root-hash', /fingerprint \(root hash\)/],
      ['a sibling hash edited', (j) => (j.path[3].hash = j.path[3].hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))), 'root-hash', /fingerprint/],
      ['the nonce edited', (j) => (j.self.nonce = j.self.nonce.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'))), 'leaf-hash', /does not match the user ID/],
      ['the user balance edited', (j) => (j.self.balances.BTC = '100'), 'leaf-hash', /does not match/],
      ['leaf and first sibling on the same side', (j) => (j.path[0].type = j.self.type), 'node-types', /left\/right markers/],
      ['the root total edited', (j) => (j.path[last].balances.BTC = '95088.55505657'), 'root-sums', /totals at the top/],
      ['the root height edited', (j) => (j.path[last].height = 25), 'root-height', /different height/],
      ['a negative sibling (the forgery OKX accepts)', (j) => (j.path[0].balances.USDT = `-${j.path[0].balances.USDT}`), 'balances-non-negative', /negative balance/],
    ];
    const dir = await mkdtemp(join(tmpdir(), 'por-okx-'));
    for (const [i, [what, tamper, check, sentence]] of cases.entries()) {
      const bad = clone(proof);
      tamper(bad);
      const file = join(dir, `tampered-${i}.json`);
      await writeFile(file, JSON.stringify(bad));
      const cli = porAsync(['verify', file, '--json']);
      await p.page.click('#clear');
      await p.page.setInputFiles('#proof-file', jsonFile('tampered.json', bad));
      const v = await verdictOf(p.page);
      expect(v.state, what).toBe('invalid');
      expect(v.text, what).toContain('does NOT check out');
      expect(await p.page.getAttribute('#verdict', 'role'), what).toBe('alert');
      const failed = await failedChecks(p.page);
      expect(failed, what).toContain(check);
      const explained = await p.page.textContent(`#failures li[data-check="${check}"]`);
      expect(explained, what).toMatch(sentence);
      // The same verdict, check for check, as `por verify --json` (exit 1), and as the module itself.
      const c = await cli;
      expect(c.status, what).toBe(1);
      expect(await pageVerdictJson(p.page), what).toEqual(JSON.parse(c.stdout));
      expect(JSON.parse(c.stdout), what).toEqual(JSON.parse(JSON.stringify(writeVerdict(verifyAnyProof(bad, {})))));
    }
    expect(p.errors).toEqual([]);
    expect(p.requests).toEqual([p.url]);
  }, 240_000); // one CLI run per tampering: a guard against a hang on a busy machine, not a timing

  it('a malformed amount is a plain message naming the field, not a stack trace', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const bad = clone(proof);
    bad.path[2].balances.ETH = '1e5';
    await p.page.setInputFiles('#proof-file', jsonFile('odd.json', bad));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('error');
    expect(v.text).toContain('The proof could not be checked');
    expect(v.text).toContain('path[2].balances.ETH');
    expect(v.text).not.toMatch(/at \w+ \(|\.ts:\d+/);
  });
});

describe('OKX per-user breakdown (the real file)', () => {
  it('is consistent but not checked against any root: the CLI\'s words, not a green "checks out"; the total balances from the file', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', join(okxDir, 'user_info_file.json'));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('unchecked');
    expect(await p.page.textContent('#verdict')).toMatch(/^⚠ Consistent; not checked against any published root/);
    expect(v.text).not.toContain('checks out');
    expect(await rows(p.page, 'balances')).toEqual(['BTC', 'ETH', 'USDT'].map((a) => [a, breakdown.totalBalances[a]]));
    expect(await p.page.textContent('#root-hash-value')).toBe(breakdown.hash);
    const cli = await porAsync(['verify', join(okxDir, 'user_info_file.json'), '--json']);
    expect(cli.status).toBe(2);
    expect(await pageVerdictJson(p.page)).toEqual(JSON.parse(cli.stdout));
    expect(p.requests).toEqual([p.url]);
  });

  it('a sub-account balance edited fails the node check', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const bad = clone(breakdown);
    bad.nodes[0].balances.USDT = '1';
    await p.page.setInputFiles('#proof-file', jsonFile('user.json', bad));
    expect((await verdictOf(p.page)).state).toBe('invalid');
    const failed = await failedChecks(p.page);
    expect(failed).toContain('node-hash');
  });
});

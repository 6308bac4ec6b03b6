// The four pages por writes, on a desk (1280 px) and a phone (390 px), in one headless Chromium:
// no sideways scrolling, the headline visible, no identifier (hash, address, block time, check id)
// broken across lines, charts at the width of their box with the 100 % line labelled, one colour
// meaning (red = under 100 %, green = at or over), and no request but the page itself. A
// screenshot of each page at each width goes to test-results/screenshots/ (not committed) for a
// human to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { renderReportHtml } from '../../src/report/html.js';
import { auditReport } from '../../src/audit/audit.js';
import { auditHtml } from '../../src/audit/render.js';
import { buildHistory, historyHtml } from '../../src/audit/history.js';
import { canonicalJson } from '../../src/report/assemble.js';
import { makeReport } from '../report/fixture.js';
import type { Report } from '../../src/core/report/types.js';
import { publishOnAnvil, type Publication } from '../audit/published.js';
import { launchBrowser, repoRoot } from './browser.js';

const SHOTS = resolve(repoRoot, 'test-results/screenshots');
const WIDTHS = [
  { name: 'desk', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
// The one colour meaning, as the pages paint it (src/report/chart.ts, COVERED / UNDER).
const RED = '#c62828';
const GREEN = '#2e7d32';

let browser: Browser;
let dir: string;
let pub: Publication | undefined;
const pages: Record<string, string> = {};

/**
 * History: five months of the report fixture with every amount ×10^7 (a big exchange's figures:
 * 10000000000.000000 USDT), so the ratios stay ETH 91.66 %, 141.66 %, 66.66 %, 141.66 %, 20.00 %.
 */
async function historyPage(): Promise<string> {
  const big = (r: Report): Report => {
    for (const row of r.solvency) for (const k of ['reservesUnits', 'liabilitiesUnits'] as const) row[k] = (BigInt(row[k]) * 10n ** 7n).toString();
    return r;
  };
  const months = [
    ['2026-10', 1_500000000000000000n],
    ['2026-11', 2_500000000000000000n],
    ['2026-12', 1_000000000000000000n],
    ['2027-04', 2_500000000000000000n],
    ['2027-05', 66_670_000_000_000_000n],
  ] as const;
  const inputs = months.map(([m, wei]) => ({ file: `report-${m}.json`, report: big(makeReport({ id: `snap-${m}-01`, time: `${m}-01T00:00:00.000Z`, ethWei: wei })) }));
  return historyHtml(buildHistory(inputs));
}

/** Two audits of a real publication on anvil: the honest one, and one with a signature dropped (fails). */
async function auditPages(p: Publication): Promise<[string, string]> {
  const audit = async (mutate: (r: typeof p.report) => void) => {
    const r = structuredClone(p.report);
    mutate(r);
    return auditReport({ report: r, reportFile: 'report.json', reportBytes: new TextEncoder().encode(canonicalJson(r)), signature: null, rpc: { ethereum: p.url } });
  };
  const honest = await audit(() => {});
  const dropped = await audit((r) => {
    r.addresses[1]!.ownership = null;
  });
  return [await auditHtml(honest), await auditHtml(dropped)];
}

beforeAll(async () => {
  // The pages are written beside their screenshots, so a human can open them too.
  dir = SHOTS;
  await mkdir(SHOTS, { recursive: true });
  pub = await publishOnAnvil('responsive-2026-11-24');
  const [auditPass, auditFail] = await auditPages(pub);
  const files: Record<string, string> = {
    report: await renderReportHtml(makeReport(), { verifyPage: 'verify.html', signatureFile: 'report.sig.json', signer: '0x' + '5e'.repeat(20) }),
    'audit-pass': auditPass,
    'audit-fail': auditFail,
    history: await historyPage(),
  };
  for (const [name, html] of Object.entries(files)) {
    pages[name] = join(dir, `${name}.html`);
    await writeFile(pages[name]!, html);
  }
  pages.verify = join(dir, 'verify.html');
  await buildVerifyPage(pages.verify);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await pub?.stop();
  console.info(`responsive: every page and its screenshots at 1280 and 390 px are in ${SHOTS}`);
});

interface Opened {
  page: Page;
  foreign: string[];
}

/** Opens a page at one width; any request that is not file: or data: is recorded and refused. */
async function open(name: string, viewport: { width: number; height: number }): Promise<Opened> {
  const context = await browser.newContext({ viewport });
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(pathToFileURL(pages[name]!).href, { waitUntil: 'load' });
  return { page, foreign };
}

/** For verify.html: a real OKX proof checked, so the result (hashes, tables) is on the page. */
async function showVerifyResult(page: Page): Promise<void> {
  await page.waitForSelector('html[data-ready="true"]');
  await page.setInputFiles('#proof-file', resolve(repoRoot, 'test/fixtures/okx/upstream/merkle_proof_file.json'));
  await page.waitForSelector('#result[data-verdict]:not([data-verdict="waiting"])');
}

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  headline: { text: string; left: number; right: number } | null;
  /** Identifiers whose visible text is laid out on more than one line. */
  broken: string[];
  /** Tables meant to fit (they stack on a phone) that scroll inside their box instead. */
  scrolling: string[];
}

/** Measures the page in the browser: overflow, the headline's box, identifiers split over lines. */
function measure(page: Page, headline: string): Promise<Layout> {
  return page.evaluate((sel) => {
    // Long hex (hashes, addresses), ISO times, and the elements that carry an identifier.
    const pattern = /0x[0-9a-fA-F]{12,}|(?<![0-9.])[0-9a-fA-F]{32,}|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z?/g;
    const lines = (rects: DOMRectList) => new Set(Array.from(rects).filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement?.closest('script, style, pre, svg') || !n.parentElement?.checkVisibility()) continue;
      for (const m of (n.textContent ?? '').matchAll(pattern)) {
        const range = document.createRange();
        range.setStart(n, m.index!);
        range.setEnd(n, m.index! + m[0].length);
        if (lines(range.getClientRects()) > 1) broken.push(`${m[0]} in <${n.parentElement?.tagName.toLowerCase()} class="${n.parentElement?.className}">`);
      }
    }
    for (const e of Array.from(document.querySelectorAll('.id, [data-check] code, td.num'))) {
      if (lines(e.getClientRects()) > 1 || (e instanceof HTMLElement && e.matches('.id') && e.getClientRects().length > 1)) broken.push(e.textContent ?? '');
    }
    const scrolling = Array.from(document.querySelectorAll('div.tw'))
      .filter((box) => box.querySelector('table.stack') && box.scrollWidth > box.clientWidth + 1)
      .map((box) => box.querySelector('table')!.outerHTML.slice(0, 60));
    const h = document.querySelector(sel);
    const box = h?.getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      headline: h && box ? { text: (h as HTMLElement).innerText, left: box.left, right: box.right } : null,
      broken,
      scrolling,
    };
  }, headline);
}

const CASES = [
  { name: 'report', headline: '#verdict', chart: true },
  { name: 'audit-pass', headline: '#verdict', chart: true },
  { name: 'audit-fail', headline: '#verdict', chart: true },
  { name: 'history', headline: '#verdict', chart: true },
  { name: 'verify', headline: '#verdict', chart: false },
] as const;

describe('every page on a desk and a phone', () => {
  for (const c of CASES) {
    for (const w of WIDTHS) {
      it(`${c.name}.html at ${w.width} px: no sideways scrolling, headline in view, no identifier split, no request`, async () => {
        const { page, foreign } = await open(c.name, w);
        if (c.name === 'verify') await showVerifyResult(page);
        await page.screenshot({ path: join(SHOTS, `${c.name}-${w.width}.png`), fullPage: true });
        // Everything folded away is opened: a reader may open it.
        await page.$$eval('details', (ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        const m = await measure(page, c.headline);
        expect.soft(m.scrollWidth, 'document wider than the window').toBeLessThanOrEqual(m.innerWidth);
        expect.soft(m.headline?.text.trim().length ?? 0, 'headline text').toBeGreaterThan(10);
        expect.soft(m.headline?.left ?? -1, 'headline left edge').toBeGreaterThanOrEqual(0);
        expect.soft(m.headline?.right ?? Infinity, 'headline right edge').toBeLessThanOrEqual(m.innerWidth);
        expect.soft(m.broken, 'identifiers laid out over two lines').toEqual([]);
        expect.soft(m.scrolling, 'tables that should fit but scroll in their box').toEqual([]);
        if (c.chart) await expectChartAtFullWidth(page);
        expect(foreign).toEqual([]);
        await page.context().close();
      });
    }
  }
});

/** The visible chart fills its box (to within its padding). */
async function expectChartAtFullWidth(page: Page): Promise<void> {
  const w = await page.evaluate(() => {
    const box = document.querySelector('#chart')!;
    const svgs = Array.from(box.querySelectorAll('svg')).filter((s) => s.getBoundingClientRect().width > 0);
    const style = getComputedStyle(box);
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { visible: svgs.length, svg: svgs[0]?.getBoundingClientRect().width ?? 0, inner };
  });
  expect(w.visible, 'exactly one chart drawn at this width').toBe(1);
  expect(w.svg).toBeGreaterThanOrEqual(w.inner - 2);
  expect(w.svg).toBeLessThanOrEqual(w.inner + 1);
}

/** The bars' and points' fills in the visible chart, and its text. */
async function chartOf(page: Page): Promise<{ fills: string[]; labels100: number; ticks: number[] }> {
  return page.evaluate(() => {
    const svg = Array.from(document.querySelectorAll('#chart svg')).find((s) => s.getBoundingClientRect().width > 0)!;
    const fills = Array.from(svg.querySelectorAll('.mark-rect path, .mark-symbol path')).map((p) => (p.getAttribute('fill') ?? '').toLowerCase());
    const ticks = Array.from(svg.querySelectorAll('.role-axis-label text')).map((t) => t.textContent ?? '').filter((t) => /^[0-9.]+$/.test(t)).map(Number);
    const labels100 = Array.from(svg.querySelectorAll('.mark-text text')).filter((t) => t.textContent === '100 %').length;
    return { fills, labels100, ticks };
  });
}

describe('charts: framed around 100 %, the 100 % line labelled, red under and green over', () => {
  it('report.html: ETH (91.66 %) red, USDT (111.11 %) and XT (120 %) green; the axis does not start at 0', async () => {
    const { page } = await open('report', WIDTHS[0]);
    const c = await chartOf(page);
    // rows in the fixture's order: ETH 1.83333333 / 2.0, USDT 1000 / 900, XT 60 / 50
    expect(c.fills).toEqual([RED, GREEN, GREEN]);
    expect(c.labels100).toBe(1);
    expect(Math.min(...c.ticks)).toBeGreaterThan(0);
    await page.context().close();
  });

  it('history.html: points under 100 % red, the others green; the 100 % line labelled', async () => {
    const { page } = await open('history', WIDTHS[0]);
    const c = await chartOf(page);
    // ETH under in 2026-10, 2026-12 and 2027-05; over in the other two; USDT and XT always over
    expect(c.fills.filter((f) => f === RED)).toHaveLength(3);
    expect(c.fills.filter((f) => f === GREEN)).toHaveLength(12);
    expect(c.labels100).toBe(1);
    expect(Math.min(...c.ticks)).toBeGreaterThan(0);
    await page.context().close();
  });
});

describe('audit.html groups passes and puts failures first', () => {
  it('failures, then warnings, then passes grouped by check with a count that opens', async () => {
    const { page } = await open('audit-fail', WIDTHS[1]);
    const order = await page.$$eval('#checks [data-status]', (els) => els.map((e) => e.getAttribute('data-status')));
    const rank = { fail: 0, unread: 1, warn: 2, pass: 3 } as Record<string, number>;
    expect(order.length).toBeGreaterThan(3);
    expect(order.map((s) => rank[s!])).toEqual([...order.map((s) => rank[s!])].sort((a, b) => a! - b!));
    // The dropped signature: ownership-proof fails for that address, shown as its own row.
    expect(await page.locator('#checks [data-status="fail"][data-check="ownership-proof"]').count()).toBe(1);
    // Passes: one <details> per check name, its summary counting them; the 4 addresses × 2 assets are re-read either way.
    const groups = await page.$$eval('#checks details[data-status="pass"]', (ds) => ds.map((d) => ({ name: d.getAttribute('data-check'), summary: d.querySelector('summary')?.textContent ?? '', rows: d.querySelectorAll('[data-subject]').length })));
    const balance = groups.find((g) => g.name === 'balance')!;
    expect(balance.summary).toContain(`×${balance.rows}`);
    expect(balance.rows).toBe(8);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
    await page.context().close();
  });
});

describe('identifiers: shortened on screen, whole on hover and in the copied text', () => {
  it('a reserve address and a block hash show as 0x1234…abcd, with the full value in the title and the text', async () => {
    const report = makeReport();
    const { page } = await open('report', WIDTHS[1]);
    const hash = report.chains[0]!.block.hash;
    const id = page.locator(`#chains .id[title="${hash}"]`);
    expect(await id.count()).toBe(1);
    expect(await id.textContent()).toBe(hash);
    // What is visible is the shortened form, 0x3333…3333: 11 characters wide, not 66.
    const widths = await id.evaluate((e) => {
      const probe = document.createElement('span');
      probe.className = 'id';
      probe.textContent = '0x3333…3333';
      e.parentElement!.append(probe);
      const w = { shown: e.getBoundingClientRect().width, short: probe.getBoundingClientRect().width };
      probe.remove();
      return w;
    });
    expect(widths.shown).toBeCloseTo(widths.short, 0);
    // selecting it selects all of it (one click, then copy)
    expect(await id.evaluate((e) => getComputedStyle(e).userSelect)).toBe('all');
    await page.context().close();
  });

  it('the page files carry no reference outside themselves', async () => {
    for (const name of ['report', 'audit-pass', 'history']) {
      const html = await readFile(pages[name]!, 'utf8');
      expect(html, name).not.toMatch(/<script|<link|src=|@import|url\((?!#)/i);
    }
  });
});

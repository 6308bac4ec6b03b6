import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { buildHistory } from '../../src/audit/history.js';
import { canonicalJson } from '../../src/report/assemble.js';
import { makeReport } from '../report/fixture.js';
import { launch, openPage } from '../report/browser.js';

// Three months; address a1's ETH changes: 1.5, 2.5, 1.0 ETH. a2 always adds 0.333333333333333333 ETH.
// Counted ETH (8 dp): 1.83333333, 2.83333333, 1.33333333 against 2.0 to cover (2.0 owed; no prices, so
// the 0.1 of user debt is not netted).
const oct = makeReport({ id: 'oct', time: '2026-10-01T00:00:00Z', ethWei: 1_500000000000000000n });
const nov = makeReport({ id: 'nov', time: '2026-11-01T00:00:00Z', ethWei: 2_500000000000000000n });
const dec = makeReport({ id: 'dec', time: '2026-12-01T00:00:00Z', ethWei: 1_000000000000000000n });
// April: a1 2.5 ETH: 2.83333333 / 2.0 = 141.66 %. May, a collapse: a1 holds 0.06667 ETH; with a2's
// 0.33333333 that is 0.40000333 against 2.0 owed = 0.200001665 → 20.00 %.
const apr = makeReport({ id: 'apr', time: '2027-04-01T00:00:00Z', ethWei: 2_500000000000000000n });
const may = makeReport({ id: 'may', time: '2027-05-01T00:00:00Z', ethWei: 66_670_000_000_000_000n });

describe('buildHistory', () => {
  const h = buildHistory([
    { file: 'dec.json', report: dec },
    { file: 'oct.json', report: oct },
    { file: 'nov.json', report: nov },
  ]);
  const eth = h.assets.find((a) => a.asset === 'ETH')!;

  it('orders reports by snapshot time, not by argument order', () => {
    expect(h.reports.map((r) => r.snapshotId)).toEqual(['oct', 'nov', 'dec']);
  });

  it('gives the change between consecutive reports', () => {
    expect(eth.points.map((p) => p.reserves)).toEqual(['1.83333333', '2.83333333', '1.33333333']);
    expect(eth.points[0]!.change).toBeUndefined();
    expect(eth.points[1]!.change).toMatchObject({ reserves: '+1.00000000', liabilities: '0.00000000' });
    // +1 ETH over 2.0 to cover: +50 percentage points; then −1.5 / 2.0: −75
    expect(Number(eth.points[1]!.change!.ratioPoints)).toBeCloseTo(50, 9);
    expect(Number(eth.points[2]!.change!.ratioPoints)).toBeCloseTo(-75, 9);
    expect(eth.points[2]!.change!.reserves).toBe('-1.50000000');
  });

  it('verdict: ETH fails at its lowest point (1.33333333 / 2.0 = 66.66 % in dec.json, under 100 % in oct and dec); USDT (1000 / 900) and XT (60 / 50) hold', () => {
    expect(h.verdict.status).toBe('fails');
    expect(h.verdict.fails).toEqual([{ asset: 'ETH', file: 'dec.json', snapshotId: 'dec', ratio: expect.stringMatching(/^0\.66666666/), under: 2, of: 3 }]);
    expect(h.verdict.holds).toEqual(['USDT', 'XT']);
  });

  it('refuses the same snapshot twice', () => {
    expect(() => buildHistory([{ file: 'a', report: oct }, { file: 'b', report: oct }])).toThrow(/given twice/);
  });
});

describe('por history', () => {
  let dir: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'por-history-'));
    for (const [n, r] of [['oct', oct], ['nov', nov], ['dec', dec], ['report-2027-04', apr], ['report-2027-05', may]] as const) await writeFile(join(dir, `${n}.json`), canonicalJson(r));
    browser = await launch();
  });
  afterAll(async () => browser?.close());

  it('prints a table, writes a page with a line chart, and the page makes no request', async () => {
    const r = spawnSync('node', ['bin/por.mjs', 'history', join(dir, 'dec.json'), join(dir, 'oct.json'), join(dir, 'nov.json'), '--html', join(dir, 'h.html')], { encoding: 'utf8' });
    // ETH is under 100 % in oct (91.66 %) and dec (66.66 %): exit 1, see the verdict tests below.
    expect(r.status).toBe(1);
    // 1.83333333 / 2.0 = 0.916666665 → 91.66 %
    expect(r.stdout).toMatch(/2026-10-01T00:00:00Z\s+oct\s+1\.83333333\s+2\.00000000\s+91\.66 %/);
    expect(r.stdout).toContain('+50.00 pt');
    expect(r.stdout).toContain('-75.00 pt');
    const { page, requests } = await openPage(browser, join(dir, 'h.html'));
    expect(await page.locator('table.history[data-asset="ETH"] tbody tr').count()).toBe(3);
    // one line per asset (ETH, USDT, XT)
    expect(await page.locator('#chart .chart-wide svg .mark-line path').count()).toBe(3);
    expect(requests).toEqual([]);
  });

  it('--json gives one document, with the verdict', () => {
    const r = spawnSync('node', ['bin/por.mjs', 'history', join(dir, 'oct.json'), join(dir, 'nov.json'), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'por-history', version: 1, verdict: { status: 'fails', fails: [{ asset: 'ETH', snapshotId: 'oct', under: 1, of: 2 }] } });
  });

  it('a collapse: exit 1, and the first line names the asset, the report and the percentage', () => {
    const r = spawnSync('node', ['bin/por.mjs', 'history', join(dir, 'report-2027-04.json'), join(dir, 'report-2027-05.json')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const first = r.stdout.split('\n')[0]!;
    expect(first).toBe(`HISTORY FAILS: ETH coverage fell to 20.00 % in ${join(dir, 'report-2027-05.json')} (under 100 % in 1 of 2 reports)`);
    expect(r.stdout).toMatch(/holds: USDT, XT at or above 100 % in every report that lists them/);
    expect(r.stdout).toMatch(/not checked: these are the reports' own figures, not re-read from the chains/);
  });

  it('no asset under 100 % in any report: exit 0 and HISTORY HOLDS, still saying the figures were not re-read', () => {
    const r = spawnSync('node', ['bin/por.mjs', 'history', join(dir, 'nov.json'), join(dir, 'report-2027-04.json')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('HISTORY HOLDS: ETH, USDT, XT at or above 100 % in all 2 reports');
    expect(r.stdout).toMatch(/not checked: these are the reports' own figures/);
  });

  it('exit 2 for a file that is not a report', async () => {
    await writeFile(join(dir, 'bad.json'), '{"format":"por-root","version":1}');
    const r = spawnSync('node', ['bin/por.mjs', 'history', join(dir, 'bad.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.json.*field format/);
  });
});

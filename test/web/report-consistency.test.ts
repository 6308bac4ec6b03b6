// A report that contradicts its own root (threats row 23), built as an exchange would publish it and
// checked by a user with `por verify --report` and with verify.html: the solvency table saying 1 USDT
// is owed while the root's sums say 48M; a new snapshot id over last snapshot's root; USDT at 8
// decimals in the table and 6 in the root. Each proof is genuine and reaches the root; only the
// report's consistency check catches the lie. The CLI (exit 1) and the page say INVALID with the
// same verdict document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import type { ProofDocument } from '../../src/core/merkle/types.js';
import type { Report } from '../../src/core/report/types.js';
import { publish } from '../verify/published-fixture.js';
import { launchBrowser, openPage, porAsync, verdictOf } from './browser.js';

const ASSETS = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'USDT', decimals: 6 },
];
// USDT: 40,000,000 + 8,000,000 = 48,000,000 owed to users; carol owes 2.5. BTC: 1.5 + 0.25 owed.
const USERS = [
  { userId: 'alice', net: [150_000_000n, 40_000_000_000000n] },
  { userId: 'bob', net: [25_000_000n, 8_000_000_000000n] },
  { userId: 'carol', net: [0n, -2_500000n] },
];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

let browser: Browser;
let html: string;
let dir: string;
let nov: { report: Report; alice: ProofDocument };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-consistency-'));
  html = join(dir, 'verify.html');
  await buildVerifyPage(html);
  const pub = await publish(USERS, ASSETS, 'snap-2026-11');
  nov = { report: pub.report, alice: pub.proofs.alice! };
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The CLI and the page on the same two files. */
async function both(page: Page, proof: unknown, report: unknown, name: string) {
  const proofFile = join(dir, `${name}-proof.json`);
  const reportFile = join(dir, `${name}-report.json`);
  await writeFile(proofFile, JSON.stringify(proof, null, 2));
  await writeFile(reportFile, JSON.stringify(report, null, 2));
  const cliRun = porAsync(['verify', proofFile, '--report', reportFile, '--json']);
  await page.click('#clear');
  await page.setInputFiles('#published-file', reportFile);
  await page.setInputFiles('#proof-file', proofFile);
  const shown = await verdictOf(page);
  const pageJson = shown.state === 'error' ? undefined : (JSON.parse((await page.textContent('#verdict-json')) ?? 'null') as Record<string, unknown>);
  const failed = await page.$$eval('#failures li', (lis) => lis.map((li) => ({ name: li.getAttribute('data-check') ?? '', text: li.textContent ?? '' })));
  return { shown, cli: await cliRun, pageJson, failed };
}

const row = (r: Report, symbol: string) => r.solvency.find((s) => s.asset === symbol)!;

describe("a report that contradicts its own root: INVALID on the command line and in the page", () => {
  it('the honest report is VALID on both, with report-consistent passed', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const r = await both(p.page, nov.alice, nov.report, 'honest');
    expect(r.shown.state).toBe('valid');
    expect(r.cli.status).toBe(0);
    expect(r.pageJson).toEqual(JSON.parse(r.cli.stdout));
    const check = (r.pageJson!.checks as Array<{ name: string; ok: boolean }>).find((c) => c.name === 'report-consistent');
    expect(check?.ok).toBe(true);
  });

  const forgeries: Array<[string, (r: Report) => void, RegExp]> = [
    [
      '1 USDT owed in the table, 48M in the root sums',
      (r) => Object.assign(row(r, 'USDT'), { grossLiabilities: '1.000000', grossLiabilitiesUnits: '1000000' }),
      /report inconsistent: the solvency table says USDT owed to users is 1\.000000 \(1000000 units\), the Merkle root's sum is 48000000\.000000/,
    ],
    [
      "a new snapshot id over last snapshot's root",
      (r) => (r.snapshot.id = 'snap-2026-12'),
      /report inconsistent: the report is for snapshot "snap-2026-12", its Merkle root for "snap-2026-11"/,
    ],
    [
      'USDT at 8 decimals in the table, 6 in the root',
      (r) => {
        // The same base units read at 8 decimals: 48,000,000 USDT shown as 480,000.
        r.assets.find((a) => a.symbol === 'USDT')!.decimals = 8;
        Object.assign(row(r, 'USDT'), { decimals: 8, grossLiabilities: '480000.00000000', userDebt: '0.02500000' });
      },
      /report inconsistent: USDT has 6 decimals in the Merkle root, 8 in the asset list and 8 in the solvency table/,
    ],
  ];
  for (const [what, forge, detail] of forgeries) {
    it(`${what}: INVALID, exit 1, check report-consistent`, async (ctx) => {
      const p = await openPage(browser, html, ctx.task.name);
      const report = clone(nov.report);
      forge(report);
      const r = await both(p.page, nov.alice, report, what.replace(/[^a-z0-9]+/gi, '-'));
      expect(r.cli.status, r.cli.stderr).toBe(1);
      const cli = JSON.parse(r.cli.stdout) as { valid: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
      expect(cli.valid).toBe(false);
      expect(cli.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['report-consistent']);
      expect(cli.checks.find((c) => c.name === 'report-consistent')!.detail).toMatch(detail);
      expect(r.shown.state).toBe('invalid');
      expect(r.shown.text).toContain('does NOT check out');
      expect(r.failed.map((f) => f.name)).toEqual(['report-consistent']);
      expect(r.failed[0]!.text).toMatch(/The report contradicts itself/);
      expect(r.pageJson).toEqual(cli);
      expect(p.errors).toEqual([]);
      expect(p.requests).toEqual([p.url]);
    });
  }
});

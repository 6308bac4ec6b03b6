// Headless Chromium for the verifier page tests: one browser per file, a fresh page per test, every
// request the page makes recorded (and anything but the page's own file:// URL aborted), and a
// screenshot in test-results/ when a test fails.
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { onTestFailed } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's "chromium" (.ci/run does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface OpenedPage {
  page: Page;
  url: string;
  /** Every URL the page requested, in order (the page itself included). */
  requests: string[];
  /** Uncaught exceptions and console errors in the page. */
  errors: string[];
  /** Requests other than the page's own file:// load: must stay empty. */
  foreignRequests(): string[];
}

/** Opens the page from file://, at phone width when asked; screenshots on test failure. */
export async function openPage(browser: Browser, htmlFile: string, testName: string, viewport = { width: 1000, height: 900 }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const url = pathToFileURL(htmlFile).href;
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // Belt and braces: record and refuse anything that is not the page itself.
  await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  onTestFailed(async () => {
    const dir = resolve(repoRoot, 'test-results');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: resolve(dir, `web-${testName.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, url, requests, errors, foreignRequests: () => requests.filter((r) => r !== url) };
}

export const jsonFile = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value, null, 2)) });
export const textFile = (name: string, text: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

/** Waits for a verdict and returns its state and text. */
export async function verdictOf(page: Page): Promise<{ state: string; text: string }> {
  await page.waitForSelector('#result[data-verdict]:not([data-verdict="waiting"])');
  const state = (await page.getAttribute('#result', 'data-verdict')) ?? '';
  const text = (await page.textContent('#result')) ?? '';
  return { state, text };
}

/** The built CLI (`node bin/por.mjs ARGS`), run in the background so a page can work meanwhile. */
export function porAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(repoRoot, 'bin/por.mjs'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

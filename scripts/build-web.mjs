// Builds the offline verifier page: src/web/page.ts (which imports src/core/verify/any.ts, the module
// `por verify` runs) bundled for the browser and inlined with its CSS into ONE html file. A
// Content-Security-Policy pinned to the SHA-256 of that inline script and style forbids every
// network request, so "uploads nothing" is enforced by the browser, not just promised.
// Not minified on purpose: a user who wants to read what the page does can.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Inserts `value` at the single `marker` (split/join: no `$` patterns, no second match). */
function fill(template, marker, value) {
  const parts = template.split(marker);
  if (parts.length !== 2) throw new Error(`verify page template must contain ${marker} exactly once`);
  return parts[0] + value + parts[1];
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Returns the page's HTML text. */
export async function renderVerifyPage() {
  const result = await build({
    entryPoints: [resolve(root, 'src/web/page.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    charset: 'utf8',
    legalComments: 'inline',
    logLevel: 'warning',
  });
  // A "</script" inside a string literal would end the inline script early.
  const script = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const style = await readFile(resolve(root, 'src/web/page.css'), 'utf8');
  const template = await readFile(resolve(root, 'src/web/page.html'), 'utf8');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  let html = fill(template, '__CSP__', csp);
  html = fill(html, '__STYLE__', style);
  html = fill(html, '__SCRIPT__', script);
  return html;
}

/** Writes the page to `outFile` atomically; returns its size in bytes. */
export async function buildVerifyPage(outFile = resolve(root, 'dist/verify.html')) {
  const html = await renderVerifyPage();
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.partial-${process.pid}`;
  await writeFile(tmp, html);
  await rename(tmp, outFile);
  return Buffer.byteLength(html);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const bytes = await buildVerifyPage(out);
  process.stdout.write(`verify page: ${out ?? 'dist/verify.html'} (${bytes} bytes)\n`);
}

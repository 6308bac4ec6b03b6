// por's own proofs in the page, built here with the Merkle stage's API: a valid proof passes with the
// balances worked out by hand; each tampering from the Merkle issue's attack list is rejected with
// the right check named and explained; and for every case the page's verdict is the very document
// `por verify --json` prints (the CLI spawned on the same files), exit code included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildVerifyPage } from '../../scripts/build-web.mjs';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import type { ProofDocument, RootDocument } from '../../src/core/merkle/types.js';
import { SECRET, snapshotOf } from '../merkle/helpers.js';
import { reportAround } from '../verify/published-fixture.js';
import { jsonFile, launchBrowser, openPage, porAsync, verdictOf } from './browser.js';

const ASSETS = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'ETH', decimals: 18 },
  { symbol: 'USDT', decimals: 6 },
];
const E18 = 10n ** 18n;
// alice: 1.5 BTC, 2.000000000000000005 ETH, owes 2.5 USDT. The others make the totals below.
const USERS = [
  { userId: 'alice', net: [150_000_000n, 2n * E18 + 5n, -2_500_000n] },
  { userId: 'bob', net: [25_000_000n, 0n, 1_000_000_000n] },
  { userId: 'carol', net: [0n, -1n * E18, 3_250_000n] },
  { userId: 'dave', net: [1n, 7n * E18, 0n] },
];
// Totals by hand: BTC 1.5 + 0.25 + 0 + 0.00000001 = 1.75000001; ETH equity 2.000000000000000005 + 7 =
// 9.000000000000000005, debt 1; USDT equity 1000 + 3.25 = 1003.25, debt 2.5.
const ROOT_SUMS = [
  ['BTC', '1.75000001', '0.00000000'],
  ['ETH', '9.000000000000000005', '1.000000000000000000'],
  ['USDT', '1003.250000', '2.500000'],
];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

let browser: Browser;
let html: string;
let dir: string;
let alice: ProofDocument;
let root: RootDocument;
let rootB: RootDocument;
// A 1-asset, 2-user tree of height 1 for the sibling-sum forgery, as in test/verify/attacks.test.ts.
let small: { alice: ProofDocument; bob: ProofDocument; root: string };

async function tree(users: typeof USERS, assets: typeof ASSETS, snapshotId: string, height: number) {
  const out = join(dir, `${snapshotId}-${height}`);
  const res = await buildTree(snapshotOf(users, assets), { secret: SECRET, snapshotId, height, outDir: out, threads: 1 });
  const store = await ProofStore.open(out);
  const proofs = Object.fromEntries(users.map((u) => [u.userId, store.proof(u.userId)]));
  store.close();
  return { root: res.root, proofs };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-web-'));
  html = join(dir, 'verify.html');
  await buildVerifyPage(html);
  const a = await tree(USERS, ASSETS, 'snap-2026-11-24', 8);
  alice = a.proofs.alice!;
  root = a.root;
  rootB = (await tree(USERS, ASSETS, 'snap-2026-11-25', 8)).root;
  const s = await tree([{ userId: 'alice', net: [10_000000n] }, { userId: 'bob', net: [7_000000n] }], [{ symbol: 'USDT', decimals: 6 }], 's', 1);
  small = { alice: s.proofs.alice!, bob: s.proofs.bob!, root: s.root.hash };
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

type Anchor = { report: unknown } | { rootHash: string };

/** Writes the files, starts the CLI on them, feeds the page; returns what each said. */
async function both(page: Page, proof: unknown, anchor: Anchor, name: string) {
  const proofFile = join(dir, `${name}.json`);
  await writeFile(proofFile, JSON.stringify(proof, null, 2));
  const args = ['verify', proofFile, '--json'];
  let reportFile: string | undefined;
  if ('report' in anchor) {
    reportFile = join(dir, `${name}-published.json`);
    await writeFile(reportFile, JSON.stringify(anchor.report, null, 2));
    args.push('--report', reportFile);
  } else args.push('--root', anchor.rootHash);
  const cliRun = porAsync(args);
  await page.click('#clear');
  if (reportFile) await page.setInputFiles('#published-file', reportFile);
  else await page.fill('#root-hash', (anchor as { rootHash: string }).rootHash);
  await page.setInputFiles('#proof-file', proofFile);
  const shown = await verdictOf(page);
  const pageJson = shown.state === 'error' ? undefined : (JSON.parse((await page.textContent('#verdict-json')) ?? 'null') as Record<string, unknown>);
  const failed = await page.$$eval('#failures li', (lis) => lis.map((li) => ({ name: li.getAttribute('data-check') ?? '', text: li.textContent ?? '' })));
  return { shown, cli: await cliRun, pageJson, failed };
}

describe('a valid por proof', () => {
  it('passes against root.json, with balances and root totals worked out by hand, and no request', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const r = await both(p.page, alice, { report: root }, 'alice-valid');
    expect(r.shown.state).toBe('valid');
    expect(r.shown.text).toContain('Your proof checks out');
    expect(await p.page.textContent('#balances')).toBeTruthy();
    const rows = (t: string) => p.page.$$eval(`#${t} tbody tr`, (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent ?? '')));
    expect(await rows('balances')).toEqual([
      ['BTC', '1.50000000', '0.00000000'],
      ['ETH', '2.000000000000000005', '0.000000000000000000'],
      ['USDT', '0.000000', '2.500000'],
    ]);
    expect(await rows('root-sums')).toEqual(ROOT_SUMS);
    expect(await p.page.textContent('#root-hash-value')).toBe(root.hash);
    expect(await p.page.$$eval('#path tbody tr', (trs) => trs.length)).toBe(8);
    // The same verdict as the command line, and the command line says valid (exit 0).
    expect(r.cli.status).toBe(0);
    expect(r.pageJson).toEqual(JSON.parse(r.cli.stdout));
    expect(p.errors).toEqual([]);
    expect(p.requests).toEqual([p.url]);
  });

  it('passes against a report embedding the root, and against the pasted root hash', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const report = reportAround(root, USERS, ASSETS);
    const viaReport = await both(p.page, alice, { report }, 'alice-report');
    expect(viaReport.shown.state).toBe('valid');
    expect(viaReport.pageJson).toEqual(JSON.parse(viaReport.cli.stdout));
    const viaHash = await both(p.page, alice, { rootHash: root.hash }, 'alice-hash');
    expect(viaHash.shown.state).toBe('valid');
    expect(viaHash.cli.status).toBe(0);
    expect(viaHash.pageJson).toEqual(JSON.parse(viaHash.cli.stdout));
    // With only a hash, the page says the totals come from the proof.
    expect(await p.page.textContent('#warnings')).toContain('Only the root hash was compared');
    expect(p.requests).toEqual([p.url]);
  });

  it('the whole result, path and JSON opened, fits a 360 px phone without sideways scrolling', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name, { width: 360, height: 740 });
    const r = await both(p.page, alice, { report: root }, 'alice-phone');
    expect(r.shown.state).toBe('valid');
    await p.page.$$eval('#result details', (ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    const widths = await p.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.doc).toBeLessThanOrEqual(widths.view);
  });

  it('asks for the published data before checking a por proof', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    await p.page.setInputFiles('#proof-file', jsonFile('alice.json', alice));
    await p.page.waitForSelector('#result[data-verdict="waiting"]');
    expect(await p.page.textContent('#result')).toContain('Now add what the exchange published');
  });
});

// SPEC.md's node rule written out with node:crypto (as the attack tests do), to forge roots.
const sha = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
const u128 = (v: bigint) => Buffer.from((((v % (1n << 128n)) + (1n << 128n)) % (1n << 128n)).toString(16).padStart(32, '0'), 'hex');
const NODE_TAG = Buffer.from('por.node\x01', 'latin1');
const node = (lh: string, ls: bigint, rh: string, rs: bigint) => sha(NODE_TAG, Buffer.from(lh, 'hex'), u128(ls), u128(0n), Buffer.from(rh, 'hex'), u128(rs), u128(0n)).toString('hex');
function forgedRoot(p: ProofDocument, P: bigint): string {
  const v = BigInt(p.user.balances[0]!.equityUnits);
  const s = p.path[0]!;
  return s.side === 'right' ? node(p.leaf.hash, v, s.hash, P - v) : node(s.hash, P - v, p.leaf.hash, v);
}
function forge(p: ProofDocument, P: bigint): ProofDocument {
  const f = clone(p);
  const v = BigInt(p.user.balances[0]!.equityUnits);
  f.path[0]!.equity = [(P - v).toString()];
  f.root.equity = [P.toString()];
  f.root.hash = forgedRoot(p, P);
  return f;
}

describe('tampered por proofs: rejected in the browser exactly as on the command line', () => {
  it('each tampering fails with its check named and explained, and the CLI agrees (exit 1)', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const flip = (h: string) => h.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    // [what, proof, published, the check that must fail, words the user must see]
    const cases: Array<[string, ProofDocument, Anchor, string, RegExp]> = [];
    const add = (what: string, edit: (f: ProofDocument) => void, check: string, words: RegExp, anchor: Anchor = { report: root }) => {
      const f = clone(alice);
      edit(f);
      cases.push([what, f, anchor, check, words]);
    };
    add('a balance edited (text and units)', (f) => {
      f.user.balances[0]!.equity = '15.00000000';
      f.user.balances[0]!.equityUnits = '1500000000';
    }, 'leaf-values', /edited so that it no longer matches/);
    add('a negative leaf value', (f) => {
      f.user.balances[2]!.equity = '-2.500000';
      f.user.balances[2]!.equityUnits = '-2500000';
    }, 'leaf-values', /negative/);
    add("another user's salt", (f) => (f.user.salt = 'ab'.repeat(32)), 'user-hash', /does not match your user ID/);
    add('the leaf hash edited', (f) => (f.leaf.hash = flip(f.leaf.hash)), 'leaf-hash', /does not match the user ID/);
    add('a sibling hash edited', (f) => (f.path[2]!.hash = flip(f.path[2]!.hash)), 'published-root-hash', /than the one the exchange published/);
    add('a sibling sum edited', (f) => (f.path[4]!.equity[1] = (BigInt(f.path[4]!.equity[1]!) + 1n).toString()), 'published-root-sums', /differ from the totals the exchange published/);
    add('a negative sibling sum', (f) => (f.path[0]!.equity[0] = '-1'), 'sibling-sums', /negative or impossibly large/);
    add('a sibling sum that wraps 2^128', (f) => (f.path[0]!.equity[2] = ((1n << 128n) - 3n).toString()), 'sibling-sums', /negative or impossibly large/);
    add('a sibling side swapped', (f) => (f.path[1]!.side = f.path[1]!.side === 'left' ? 'right' : 'left'), 'position', /left\/right directions/);
    add('a path step removed', (f) => f.path.pop(), 'height', /wrong number of steps/);
    add('an extra field', (f) => Object.assign(f, { note: 'trust me' }), 'well-formed', /fields that should not be there/);
    add('the root stated in the proof edited', (f) => (f.root.hash = flip(f.root.hash)), 'root-hash', /not give the fingerprint \(root hash\) written in the proof/);
    add('checked against another snapshot', () => {}, 'snapshot', /different snapshot/, { report: rootB });
    add('checked against a published root with a total edited', () => {}, 'published-root-sums', /differ from the totals/, {
      report: { ...root, sums: root.sums.map((s, i) => (i === 0 ? { ...s, equity: '1.75000002', equityUnits: '175000002' } : s)) },
    });
    add('checked against another root hash', () => {}, 'published-root-hash', /than the one the exchange published/, { rootHash: rootB.hash });
    // ePrint 2018/1139: the exchange publishes the root of bob's forged view (hiding alice's 7 USDT
    // from the total P = 10); bob's forged proof checks out, alice's forged proof cannot reach it.
    const P = 10_000000n;
    const [victim, other] = [small.bob, small.alice];
    const forgedPublished = forgedRoot(victim, P);
    cases.push(['the sibling-sum forgery (P − v), other user', forge(other, P), { rootHash: forgedPublished }, 'published-root-hash', /than the one the exchange published/]);
    cases.push(['the sibling-sum forgery with P below the balance', forge(small.alice, 3_000000n), { rootHash: small.root }, 'sibling-sums', /negative or impossibly large/]);

    // The page takes the cases one by one; each CLI run starts with its case, and a few pages
    // overlap so the suite stays quick on two cores.
    const pages = [p.page, (await openPage(browser, html, `${ctx.task.name}-2`)).page];
    const results: Array<Awaited<ReturnType<typeof both>>> = [];
    for (let i = 0; i < cases.length; i += pages.length) {
      const batch = cases.slice(i, i + pages.length);
      results.push(...(await Promise.all(batch.map(([, proof, anchor], k) => both(pages[k]!, proof, anchor, `case-${i + k}`)))));
    }
    for (const [i, [what, , , check, words]] of cases.entries()) {
      const r = results[i]!;
      expect(r.shown.state, what).toBe('invalid');
      expect(r.shown.text, what).toContain('does NOT check out');
      const shown = r.failed.find((f) => f.name === check);
      expect(shown, `${what}: ${check} shown among ${r.failed.map((f) => f.name).join(', ')}`).toBeDefined();
      expect(shown!.text, what).toMatch(words);
      expect(r.cli.status, `${what}: ${r.cli.stderr}`).toBe(1);
      expect(r.pageJson, what).toEqual(JSON.parse(r.cli.stdout));
    }
    expect(p.errors).toEqual([]);
    expect(p.requests).toEqual([p.url]);
  }, 240_000); // one CLI run per tampering: a guard against a hang on a busy machine, not a timing

  it('a published root that cannot be read is a plain message on both sides (CLI exit 2)', async (ctx) => {
    const p = await openPage(browser, html, ctx.task.name);
    const broken = { ...root, hash: 'not-a-hash' };
    const r = await both(p.page, alice, { report: broken }, 'broken-root');
    expect(r.shown.state).toBe('error');
    expect(r.shown.text).toContain('The proof could not be checked: published root: must be 64 lower-case hex digits, without 0x (field “hash”).');
    expect(r.cli.status).toBe(2);
    expect(r.cli.stderr).toContain('field hash: published root: must be 64 lower-case hex digits, without 0x');
  });
});

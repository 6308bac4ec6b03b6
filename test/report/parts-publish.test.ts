// `por build --wallets` within a memory budget (issue 17): a snapshot read in parts by user id —
// forced with --parts, or because --memory says it would not fit — must publish exactly what the
// in-memory build publishes: root.json, the proof store, report.json (solvency, bad debt sorted from
// the debtors of every part, exchange-owned accounts), its signature, report.html and verify.html,
// and the proofs exported from the store; a bad row is still named at its line in the ORIGINAL file;
// the temporary folder is gone afterwards. Against a private anvil and the Esplora fixture
// (scripts/demo-chain.mjs), funded from samples/demo-funding.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoChain } from '../../scripts/demo-chain.mjs';
import { porAsync } from '../helpers/por-async.js';
import { partsFor } from '../../src/cli/commands/build-scale.js';

// Spawned asynchronously: the Esplora fixture answers from this process's event loop.
const por = porAsync;

/** Every file under dir (relative path → SHA-256 of its bytes). */
function filesOf(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = join(dir, rel, name);
    if (statSync(p).isDirectory()) Object.assign(out, filesOf(dir, `${rel}${name}/`));
    else out[`${rel}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

const MEMORY = 256 * 2 ** 20; // --memory 256M, the smallest budget por takes
let chain: Awaited<ReturnType<typeof demoChain>>;
let dir: string;
let publish: string[];

beforeAll(async () => {
  chain = await demoChain();
  dir = mkdtempSync(join(tmpdir(), 'por-parts-publish-'));
  writeFileSync(join(dir, 'secret.key'), 'c'.repeat(64), { mode: 0o600 });
  writeFileSync(join(dir, 'sign.key'), '0x' + '5'.repeat(64), { mode: 0o600 });
  publish = [
    '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24',
    '--wallets', 'samples/wallets.json',
    ...Object.entries(chain.rpc).flatMap(([k, v]) => ['--rpc', `${k}=${v}`]),
    ...Object.entries(chain.blocks).flatMap(([k, v]) => ['--block', `${k}=${v}`]),
    '--prices', 'samples/prices.csv', '--haircuts', 'samples/haircuts.json', '--sign-key-file', join(dir, 'sign.key'),
  ];
});
afterAll(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * What must be the same bytes on both paths: every published file, and the store's meta and levels.
 * The store's per-user files hold the same records in another order (docs/FORMATS.md, "Proof
 * store": a build in parts writes them in tree order), so they are compared by the proofs they give.
 */
function sameBytes(files: Record<string, string> | null): Record<string, string> {
  const keep = (f: string) => f.startsWith('public/') || f === 'private/store.json' || f === 'private/levels.bin';
  return Object.fromEntries(Object.entries(files ?? {}).filter(([f]) => keep(f)));
}

/** `por build SNAPSHOT --wallets … --out DIR/name` with `extra`, and the files it wrote. */
async function build(snapshot: string, name: string, extra: string[]) {
  const out = join(dir, name);
  const r = await por(['build', snapshot, ...publish, '--out', out, ...extra]);
  // stdout names the build folder; the rest of it must be the same
  return { ...r, stdout: r.stdout.replaceAll(out, 'OUT'), out, files: existsSync(out) ? filesOf(out) : null };
}

describe('por build --wallets in parts publishes the in-memory bytes', () => {
  it('--parts 3 on the samples: root, report, signature, pages, store levels and every proof byte for byte; no temporary file left', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const whole = await build('samples/liabilities.csv', 'whole', ['--parts', '1']);
    expect(whole.stderr).not.toMatch(/error|parts/);
    const parts = await build('samples/liabilities.csv', 'parts', ['--parts', '3', '--tmp-dir', tmp]);
    expect(parts.stderr).toMatch(/read in 3 parts/);
    expect(parts.status).toBe(whole.status);
    expect(parts.stdout).toBe(whole.stdout);
    expect(Object.keys(whole.files!)).toEqual(expect.arrayContaining(['public/root.json', 'public/report.json', 'public/report.sig.json', 'public/report.html', 'public/verify.html', 'private/store.json']));
    expect(Object.keys(parts.files!)).toEqual(Object.keys(whole.files!));
    expect(sameBytes(parts.files)).toEqual(sameBytes(whole.files));
    expect(readdirSync(tmp)).toEqual([]);
    // The samples exercise what the parts must sum and order: debtors sorted at the prices and
    // haircuts, and the two exchange-owned accounts left out of liabilities.
    const report = JSON.parse(readFileSync(join(whole.out, 'public/report.json'), 'utf8'));
    expect(report.netting.badDebt.users + report.netting.uncollateralised.users).toBeGreaterThan(0);
    expect(report.notes.join(' ')).toMatch(/1 exchange-owned account /);
    for (const b of [whole, parts]) expect((await por(['proof', b.out, '--all', '--out', `${b.out}-proofs`])).status).toBe(0);
    const proofs = filesOf(`${whole.out}-proofs`);
    // One proof per user of the samples (exchange-owned accounts have none), counted here from the CSV.
    const users = new Set(readFileSync('samples/liabilities.csv', 'utf8').trim().split('\n').slice(1).filter((l) => !l.split(',')[1]!.startsWith('exchange:')).map((l) => l.split(',')[0]));
    const exported = readdirSync(`${whole.out}-proofs`).filter((f) => f.endsWith('.ndjson')).flatMap((f) => readFileSync(join(`${whole.out}-proofs`, f), 'utf8').trim().split('\n'));
    expect(exported.length).toBe(users.size);
    expect(filesOf(`${parts.out}-proofs`)).toEqual(proofs);
  }, 300_000);

  it('--memory too small for the snapshot: read in parts on its own, the same bytes as in memory', async () => {
    // The samples (1 user in bad debt, 1 exchange-owned account), then users with 1,000-byte ids
    // until the file is past what --memory 256M builds in memory (the rule is partsFor's, however
    // its estimate per byte is tuned), with 40 more users in bad debt (1 BTC owed against 1 USDT)
    // and 3 more exchange-owned accounts among them (at least 20,000 rows, so all 40 are there),
    // spread over the parts by their ids.
    let size = 1 << 20;
    while (partsFor(size, MEMORY) === 1) size += 1 << 20;
    const file = join(dir, 'big.csv');
    const rows = [readFileSync('samples/liabilities.csv', 'utf8').trimEnd()];
    let bytes = rows[0]!.length;
    for (let i = 0; bytes < size || i < 20_000; i++) {
      const row = `${String(i).padStart(8, '0')}${'x'.repeat(992)},spot,USDT,0.000001,simple`;
      if (i % 500 === 1 && i < 20_000) rows.push(`bd${i},margin,BTC,-1,multi-currency-margin`, `bd${i},spot,USDT,1,multi-currency-margin`);
      if (i % 5000 === 2 && i < 15_000) rows.push(`fund${i},exchange:fund-${i},USDT,${i},simple`);
      rows.push(row);
      bytes += row.length + 1;
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    const want = partsFor(statSync(file).size, MEMORY);
    expect(want).toBeGreaterThan(1);
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const whole = await build(file, 'big-whole', ['--parts', '1']);
    expect(whole.stderr).not.toMatch(/error|parts/);
    const bounded = await build(file, 'big-bounded', ['--memory', '256M', '--tmp-dir', tmp]);
    expect(bounded.stderr).toMatch(new RegExp(`read in ${want} parts`));
    expect(bounded.status).toBe(whole.status);
    expect(bounded.stdout).toBe(whole.stdout);
    expect(sameBytes(bounded.files)).toEqual(sameBytes(whole.files));
    expect(readdirSync(tmp)).toEqual([]);
    const report = JSON.parse(readFileSync(join(bounded.out, 'public/report.json'), 'utf8'));
    expect(report.netting.badDebt.users).toBe(41);
    expect(report.notes.join(' ')).toMatch(/4 exchange-owned accounts/);
    // A proof from each store, for users of the samples and of the long ids, first and last rows.
    for (const user of ['alice', 'bob', 'bd1', `00000000${'x'.repeat(992)}`, rows.at(-1)!.split(',')[0]!]) {
      const [a, b] = await Promise.all([whole, bounded].map((x) => por(['proof', x.out, '--user', user])));
      expect(a!.status).toBe(0);
      expect(b!.stdout).toBe(a!.stdout);
    }
    for (const b of [whole, bounded]) rmSync(b.out, { recursive: true, force: true });
    rmSync(file);
  }, 600_000);

  it('a bad row in a part is named at its line in the original file, as in memory; nothing written, no temporary file left', async () => {
    const lines = readFileSync('samples/liabilities.csv', 'utf8').split('\n');
    lines[700] = lines[700]!.replace(/,(\d+)(\.\d+)?,/, ',$1.5.5,');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, lines.join('\n'));
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const whole = await build(file, 'bad-whole', ['--parts', '1']);
    const parts = await build(file, 'bad-parts', ['--parts', '3', '--tmp-dir', tmp]);
    expect(whole.status).toBe(2);
    const located = (s: string) => s.split('\n').filter((l) => l.includes(file));
    expect(located(whole.stderr)).toHaveLength(1);
    expect(located(whole.stderr)[0]).toContain(`${file}:701:`);
    expect(parts.status).toBe(2);
    expect(parts.stderr).toMatch(/read in 3 parts/);
    expect(located(parts.stderr)).toEqual(located(whole.stderr));
    expect(parts.files).toBeNull();
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);
});

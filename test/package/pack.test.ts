// por as a package, the way a user gets it: `npm pack` (its prepack builds dist/ from source, here
// in a copy of the repository with no git and no dist/), then the tarball installed into an empty
// folder with `npm install --omit=dev`, and there: `npx por --help`, a small tree built, one proof
// exported and verified, the library imported by name, and what the tarball must not carry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeReport } from '../report/fixture.js';
import { canonicalJson } from '../../src/report/assemble.js';

const repo = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const SKIP = new Set(['node_modules', 'dist', '.git', 'tmp', 'out', 'test-results']);

let work: string;
let app: string; // the user's empty folder the tarball is installed into
let tarball: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const npx = (...args: string[]) => run(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, app);
/** The installed bin link itself (npx resolves to it too, but costs seconds per call). */
const por = (...args: string[]) => run(process.execPath, [join(app, 'node_modules/.bin/por'), ...args], app);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'por-pack-'));
  // A copy of the sources (not of dist/ or .git): prepack must build everything itself.
  const src = join(work, 'src-copy');
  cpSync(repo, src, { recursive: true, filter: (from) => !SKIP.has(from.slice(repo.length + 1).split('/')[0] ?? '') });
  symlinkSync(join(repo, 'node_modules'), join(src, 'node_modules'), 'dir');
  const packed = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: src, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tarball = JSON.parse(packed.slice(packed.indexOf('[')))[0];
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-exchange', private: true, type: 'module' }));
  const inst = run(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball.filename)], app);
  if (inst.code !== 0) throw new Error(`npm install of the tarball failed:\n${inst.stderr}`);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the built CLI, worker, page, library and declarations, and no tests, sources or CI', () => {
    const paths = tarball.files.map((f) => f.path);
    for (const p of ['bin/por.mjs', 'dist/cli.mjs', 'dist/merkle-worker.mjs', 'dist/verify.html', 'dist/por.mjs', 'dist/verify.mjs', 'dist/types/api/index.d.ts', 'dist/types/api/verify.d.ts', 'CHANGELOG.md', 'README.md']) {
      expect(paths, p).toContain(p);
    }
    const unwanted = paths.filter((p) => /^(test|src|scripts|\.ci)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts'));
    expect(unwanted).toEqual([]);
    // samples: only the files the CLI's help names
    expect(paths.filter((p) => p.startsWith('samples/')).sort()).toEqual(['samples/assets.json', 'samples/liabilities.csv', 'samples/prices.csv', 'samples/reserves.csv', 'samples/wallets.json']);
  });

  it('installs without the dev-only packages (anvil, playwright, the test tools)', () => {
    const nm = join(app, 'node_modules');
    for (const dev of ['@foundry-rs', 'playwright-core', 'vitest', 'esbuild', 'typescript', 'merkletreejs', 'csv-parse']) {
      expect(existsSync(join(nm, dev)), dev).toBe(false);
    }
    expect(existsSync(join(nm, 'por/dist/cli.mjs'))).toBe(true);
    expect(existsSync(join(nm, 'ethers'))).toBe(true);
  });
});

describe('the installed package', () => {
  it('npx por --help lists the commands; --version names the version (and "unknown" commit: built outside git)', () => {
    const help = npx('por', '--help'); // the README's way
    expect(help.code).toBe(0);
    for (const c of ['build', 'proof', 'verify', 'keygen', 'report']) expect(help.stdout).toMatch(new RegExp(`^\\s+por ${c}\\b`, 'm'));
    const v = por('--version');
    const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
    expect(v.stdout).toBe(`${version} (commit unknown)\n`);
  });

  it('builds a small tree, exports a proof and verifies it', () => {
    cpSync(join(repo, 'test/fixtures/ingest/small.csv'), join(app, 'liabilities.csv'));
    cpSync(join(repo, 'test/fixtures/ingest/assets.json'), join(app, 'assets.json'));
    expect(por('keygen', '--secret-file', 'keys/tree.secret').code).toBe(0);
    const b = por('build', 'liabilities.csv', '--assets', 'assets.json', '--secret-file', 'keys/tree.secret', '--snapshot-id', 'pack-test', '--height', '8', '--out', 'tree', '--json');
    expect(b.code, b.stderr).toBe(0);
    const p = por('proof', 'tree', '--user', 'u2', '--out', 'u2-proof.json');
    expect(p.code, p.stderr).toBe(0);
    const v = por('verify', 'u2-proof.json', '--report', 'tree/public/root.json', '--json');
    expect(v.code, v.stderr).toBe(0);
    const verdict = JSON.parse(v.stdout);
    expect(verdict.valid).toBe(true);
    // u2 in small.csv: funding 0.00000001 BTC, margin −0.5 ETH, spot 1000 USDT
    expect(verdict.user).toEqual({ id: 'u2', balances: [
      { asset: 'BTC', amount: '0.00000001', debt: '0.00000000' },
      { asset: 'ETH', amount: '0.00000000', debt: '0.50000000' },
      { asset: 'USDT', amount: '1000.000000', debt: '0.000000' },
      { asset: 'USDC', amount: '0.000000', debt: '0.000000' },
      { asset: 'XTK', amount: '0.00000000', debt: '0.00000000' },
    ] });
  });

  it('the library imports by name: por (Node) and por/verify give the same verdict as the CLI', () => {
    writeFileSync(join(app, 'lib.mjs'), [
      "import { readFileSync } from 'node:fs';",
      "import * as por from 'por';",
      "import { verifyAnyProof } from 'por/verify';",
      "const proof = JSON.parse(readFileSync('u2-proof.json', 'utf8'));",
      "const report = JSON.parse(readFileSync('tree/public/root.json', 'utf8'));",
      'process.stdout.write(JSON.stringify({ version: por.VERSION, same: por.verifyAnyProof === verifyAnyProof, verdict: por.verdictDocument(verifyAnyProof(proof, { report })) }));',
    ].join('\n'));
    const r = run(process.execPath, ['lib.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const cli = JSON.parse(por('verify', 'u2-proof.json', '--report', 'tree/public/root.json', '--json').stdout);
    expect(out.verdict).toEqual(cli);
    expect(out.version).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
  });

  it('without the optional chart packages, a page names the package to install (exit 2); everything else still runs', () => {
    writeFileSync(join(app, 'report.json'), canonicalJson(makeReport()));
    expect(por('report', 'render', 'report.json', '--out', 'with-charts.html').code).toBe(0);
    rmSync(join(app, 'node_modules/vega-lite'), { recursive: true, force: true });
    const r = por('report', 'render', 'report.json', '--out', 'report.html');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/optional package vega-lite, which is not installed: run `npm install vega-lite`/);
    expect(existsSync(join(app, 'report.html'))).toBe(false);
    expect(por('verify', 'u2-proof.json', '--report', 'tree/public/root.json').code).toBe(0);
    expect(readdirSync(app)).not.toContain('report.html.partial');
  });
});

// Golden documents (test/fixtures/golden, README.md there): files por wrote once from fixed inputs.
// Today's code must (1) write the same bytes from the same inputs, (2) still read every committed
// file — including versions it no longer writes — with the meaning it had, and (3) refuse the old
// versions it no longer reads with an error naming the version. A format change that slips
// through without a version bump turns (1) red; a reader that drops an old version turns (2) red.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { goldenFiles, INPUTS, por, SIGNER } from '../fixtures/golden/generate.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const G = new URL('../fixtures/golden/', import.meta.url).pathname;
const golden = (rel: string) => readFileSync(join(G, rel));
/** Every committed golden document: all files except the generator, its README and its inputs. */
function committed(dir = G): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return dir === G && f === 'inputs' ? [] : committed(p);
    return ['generate.ts', 'make.mjs', 'README.md'].includes(f) && dir === G ? [] : [relative(G, p)];
  });
}
const tmp = () => mkdtempSync(join(tmpdir(), 'por-golden-read-'));
/** A copy of the committed build (git does not keep the 0700/0600 modes; por must not need them). */
function buildCopy(): string {
  const d = join(tmp(), 'build');
  cpSync(join(G, 'build'), d, { recursive: true });
  return d;
}

let made: Map<string, Buffer>;
beforeAll(async () => {
  made = await goldenFiles();
});

describe('golden documents: today’s code writes the same bytes', () => {
  it('the generator makes exactly the committed set of files', () => {
    expect([...made.keys()].sort()).toEqual(committed().sort());
  });

  for (const rel of committed()) {
    it(rel, () => {
      const want = golden(rel);
      const got = made.get(rel);
      expect(got, `${rel} was not generated`).toBeDefined();
      // Text first, so a difference shows as a diff; then the bytes themselves.
      if (!rel.endsWith('.bin') && !rel.endsWith('.off')) expect(got!.toString('utf8')).toBe(want.toString('utf8'));
      expect(Buffer.compare(got!, want), rel).toBe(0);
    });
  }
});

describe('golden documents: still read, with their meaning', () => {
  it('store (por-proof-store v2, compact leaf records): por proof serves the golden proof from it, byte for byte', () => {
    const out = join(tmp(), 'p.json');
    const r = por(['proof', buildCopy(), '--user', 'josé', '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out)).toEqual(golden('proof-jose.json'));
  });

  it('store v1 (old/store-v1: full leaf records, no leafRecord field): the same proof and the same export, byte for byte', () => {
    const d = join(tmp(), 'build');
    cpSync(join(G, 'build/public'), join(d, 'public'), { recursive: true });
    cpSync(join(G, 'old/store-v1'), join(d, 'private'), { recursive: true });
    expect(JSON.parse(readFileSync(join(d, 'private/store.json'), 'utf8')).version).toBe(1);
    const out = join(tmp(), 'p.json');
    const r = por(['proof', d, '--user', 'josé', '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(golden('proof-jose.json'));
    const ex = join(tmp(), 'export');
    const e = por(['proof', d, '--all', '--layout', 'files', '--out', ex, '--quiet']);
    expect(e.status, e.stderr).toBe(0);
    expect(readFileSync(join(ex, 'manifest.json'))).toEqual(golden('export/manifest.json'));
    for (const f of readdirSync(join(ex, 'users'))) expect(readFileSync(join(ex, 'users', f)), f).toEqual(golden(`export/users/${f}`));
  });

  it('store in the earlier layout (DIR/root.json beside DIR/store/): still read', () => {
    const d = join(tmp(), 'legacy');
    mkdirSync(d);
    cpSync(join(G, 'build/public/root.json'), join(d, 'root.json'));
    cpSync(join(G, 'build/private'), join(d, 'store'), { recursive: true });
    const out = join(tmp(), 'p.json');
    const r = por(['proof', d, '--user', 'josé', '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(golden('proof-jose.json'));
  });

  it('proof (por-proof v1) verifies against root (por-root v1) and report (por-report v2)', () => {
    for (const against of ['build/public/root.json', 'report.json']) {
      const r = por(['verify', join(G, 'proof-jose.json'), '--report', join(G, against), '--json']);
      expect(r.status, `${against}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).valid).toBe(true);
    }
    // Every exported proof too (por-proof-export v2): one file per user, each verifying.
    const m = JSON.parse(golden('export/manifest.json').toString());
    expect(m.files).toHaveLength(4);
    for (const f of m.files) expect(por(['verify', join(G, 'export', f.path), '--report', join(G, 'build/public/root.json')]).status, f.path).toBe(0);
  });

  it('signature (por-report-signature v1) is by the signer, over the report’s exact bytes', () => {
    const r = por(['report', 'verify-signature', join(G, 'report.json'), '--signer', SIGNER, '--json']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('reserves (por-reserves v2, and v1) give por solvency the reserves worked out by hand', () => {
    // Per address truncated to 8 ledger decimals: 2.000000000123456789 → 2.00000000, + 0.5 ETH; the
    // unproven wallet's 10 ETH left out. USDT: 2500.5.
    for (const file of ['reserves.json', 'old/reserves-v1.json']) {
      const r = por(['solvency', join(INPUTS, 'liabilities.csv'), '--assets', join(INPUTS, 'assets.json'), '--reserves', join(G, file), '--json']);
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.assets.map((a: { asset: string; reserves: string }) => [a.asset, a.reserves])).toEqual([['ETH', '2.50000000'], ['USDT', '2500.500000']]);
    }
  });

  it('wallet manifest (por-wallets v2): read, and its two signed messages are the exact ones', () => {
    const r = por(['ownership-message', join(G, 'inputs-generated/wallets.json'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).messages.map((x: { signed: boolean }) => x.signed)).toEqual([true, true, false]);
  });

  it('report (por-report v2) is audited offline with the golden audit (por-audit v3) as its result', () => {
    const d = tmp();
    for (const f of ['report.json', 'report.sig.json']) cpSync(join(G, f), join(d, f));
    const r = por(['audit', 'report.json', '--signer', SIGNER, '--offline', '--json'], d);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(golden('audit.json').toString());
  });
});

describe('old versions no longer read are refused, naming the version', () => {
  it('report v1: audit, history and render refuse it (its figures meant something else); verify reads its merkleRoot, which did not change', () => {
    const v1 = join(G, 'old/report-v1.json');
    for (const args of [['audit', v1], ['history', v1], ['report', 'render', v1, '--out', join(tmp(), 'r.html')]]) {
      const a = por([...args, '--json']);
      expect(a.status, args[0]).toBe(2);
      expect(JSON.parse(a.stdout).error.message, args[0]).toMatch(/version 1 is no longer read/);
      expect(JSON.parse(a.stdout).error.info.field, args[0]).toBe('version');
    }
    const v = por(['verify', join(G, 'proof-jose.json'), '--report', join(G, 'old/report-v1.json')]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('wallet manifest v1 is refused', () => {
    const r = por(['ownership-message', join(G, 'old/wallets-v1.json'), '--json']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_INPUT', info: { field: 'version' } });
    expect(JSON.parse(r.stdout).error.message).toMatch(/version 1 manifests are no longer read/);
  });

  it('a document of a version this por never wrote is refused naming it (root, proof, store, signature, reserves)', () => {
    const bump = (rel: string, file: string) => {
      const d = tmp();
      const doc = JSON.parse(golden(rel).toString());
      doc.version = 99;
      const f = join(d, file);
      writeFileSync(f, JSON.stringify(doc));
      return f;
    };
    const cases: [string, string[]][] = [
      ['root', ['verify', join(G, 'proof-jose.json'), '--report', bump('build/public/root.json', 'root.json')]],
      ['proof', ['verify', bump('proof-jose.json', 'p.json'), '--report', join(G, 'build/public/root.json')]],
      ['reserves', ['solvency', join(INPUTS, 'liabilities.csv'), '--assets', join(INPUTS, 'assets.json'), '--reserves', bump('reserves.json', 'r.json')]],
    ];
    // The store: its store.json says version 99.
    const store = buildCopy();
    const meta = JSON.parse(golden('build/private/store.json').toString());
    writeFileSync(join(store, 'private', 'store.json'), JSON.stringify({ ...meta, version: 99 }));
    cases.push(['store', ['proof', store, '--user', 'josé']]);
    // The signature, beside a copy of the report.
    const sig = bump('report.sig.json', 'report.sig.json');
    cpSync(join(G, 'report.json'), join(sig, '..', 'report.json'));
    cases.push(['signature', ['report', 'verify-signature', join(sig, '..', 'report.json'), '--signer', SIGNER]]);
    for (const [what, args] of cases) {
      const r = por([...args, '--json']);
      expect(r.status, what).toBe(2);
      expect(JSON.parse(r.stdout).error.message, what).toMatch(/version.*99|99.*version/);
    }
  });
});

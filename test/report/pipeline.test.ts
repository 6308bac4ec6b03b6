// The whole story on the samples: por build publishes, a user verifies their proof against the
// report, a journalist checks the signature and audits with their own nodes. demoChain() starts a
// private anvil and an Esplora fixture, funded from samples/demo-funding.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { demoChain } from '../../scripts/demo-chain.mjs';
import { porAsync } from '../helpers/por-async.js';

// Spawned asynchronously: the Esplora fixture answers from this process's event loop.
const por = porAsync;

const KEY = '0x' + '4'.repeat(64);

/** Every file under dir (relative path → SHA-256 of its bytes). */
async function filesOf(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = join(dir, rel, name);
    if (statSync(p).isDirectory()) Object.assign(out, await filesOf(dir, `${rel}${name}/`));
    else out[`${rel}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}
let chain: Awaited<ReturnType<typeof demoChain>>;
let dir: string;
let rpcArgs: string[];

beforeAll(async () => {
  chain = await demoChain();
  dir = await mkdtemp(join(tmpdir(), 'por-pipeline-'));
  await writeFile(join(dir, 'secret.key'), 'b'.repeat(64), { mode: 0o600 });
  await writeFile(join(dir, 'sign.key'), KEY, { mode: 0o600 });
  rpcArgs = Object.entries(chain.rpc).flatMap(([k, v]) => ['--rpc', `${k}=${v}`]);
});
afterAll(async () => chain?.stop());

describe('build → publish → verify → audit on the samples', () => {
  it('publish options without --wallets are a usage error before any work (exit 2)', async () => {
    const r = await por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'x', '--out', join(dir, 'nothing'), '--sign-key-file', join(dir, 'sign.key')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give --wallets too/);
  });

  it('a bad publish input (signing key, prices, manifest, --block chain) fails before the tree is built: nothing written', async () => {
    const base = ['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--wallets', 'samples/wallets.json', ...rpcArgs];
    const cases: [string[], RegExp][] = [
      [['--sign-key-file', 'samples/assets.json'], /samples\/assets\.json, field sign-key-file: the signing key is not a 32-byte hex private key/],
      [['--prices', 'samples/assets.json'], /samples\/assets\.json:1:1.*bad header/],
      [['--block', 'solana=1'], /chain solana, field block: --block names chain solana/],
      [['--block', 'ethereum=abc'], /field block: --block ethereum=abc: the block must be a number/],
      [['--confirmations', '-3'], /field confirmations: --confirmations must be a whole number ≥ 0/],
    ];
    for (const [i, [extra, want]] of cases.entries()) {
      const out = join(dir, `bad-${i}`);
      const r = await por([...base, '--out', out, ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/merkle leaves|reserves /); // no tree built, no chain read
      expect(existsSync(out)).toBe(false);
    }
  });

  it('por build writes root, store, report.json, its signature and report.html', async () => {
    const blocks = Object.entries(chain.blocks).flatMap(([k, v]) => ['--block', `${k}=${v}`]);
    const r = await por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--out', join(dir, 'out'), '--wallets', 'samples/wallets.json', ...rpcArgs, ...blocks, '--prices', 'samples/prices.csv', '--sign-key-file', join(dir, 'sign.key'), '--exchange', 'Demo Exchange', '--json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.report.signer).toBe(new Wallet(KEY).address);
    const report = JSON.parse(await readFile(join(dir, 'out', 'public', 'report.json'), 'utf8'));
    const eth = report.solvency.find((s: { asset: string }) => s.asset === 'ETH');
    // samples/demo-funding.json at the snapshot block, each wallet truncated to 8 dp:
    // 1500.25 + 500.12345678 (500.123456789012345678) + 6000 + 1500 (custody, EIP-1271) = 9500.37345678
    expect(eth.reserves).toBe('9500.37345678');
    // BTC: 600 + 80.5 (two bitcoin wallets, sats at height 870000)
    expect(report.solvency.find((s: { asset: string }) => s.asset === 'BTC').reserves).toBe('680.50000000');
    expect(report.merkleRoot).toMatchObject({ snapshotId: 'demo-2026-11-24' });
    expect(report.merkleRoot).not.toHaveProperty('format');
    expect(report.addresses).toHaveLength(6);
  });

  it('the signature verifies for the exchange key', async () => {
    const r = await por(['report', 'verify-signature', join(dir, 'out', 'public', 'report.json'), '--signer', new Wallet(KEY).address]);
    expect(r.status).toBe(0);
  });

  it('errors of the report sub-commands name the whole command', async () => {
    const notReport = join(dir, 'out', 'public', 'root.json');
    const r = await por(['report', 'render', notReport, '--out', join(dir, 'x.html')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^por report render: error: /);
    const s = await por(['report', 'verify-signature', notReport]);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/^por report verify-signature: error: /);
  });

  it("a user's proof verifies against the published report", async () => {
    const p = await por(['proof', join(dir, 'out'), '--user', 'alice', '--out', join(dir, 'alice.json')]);
    expect(p.status).toBe(0);
    const v = await por(['verify', join(dir, 'alice.json'), '--report', join(dir, 'out', 'public', 'report.json')]);
    expect(v.status).toBe(0);
  });

  it('--offline: a contract wallet that cannot be checked offline leaves coverage undecided (WARN), not failed', async () => {
    const r = await por(['audit', join(dir, 'out', 'public', 'report.json'), '--json', '--offline']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const eth = doc.checks.find((c: { name: string; subject: string }) => c.name === 'coverage' && c.subject === 'ETH');
    // 9500.37345678 held, of which 1500 at the EIP-1271 custody wallet (see above): 8000.37345678 checked offline
    expect(eth.status).toBe('warn');
    // No prices here, nothing netted: 8000.37345678 / 9043.15363101 = 0.884688… → 88.46 %, rounded down
    // (9043.15363101 × 0.8847 = 8000.48… > 8000.37…); the exact ratio stays in the evidence
    expect(eth.detail).toMatch(/verified reserves 8,000\.37345678 cover 88\.46 % of the 9,043\.15363101 owed .*not decided: 1,500\.00000000 ETH more is held at addresses whose ownership could not be checked here/);
    expect(eth.evidence.ratio).toMatch(/^0\.88468843759834086530/);
    expect(doc.summary.fail).toBe(0);
  });

  it('a --force re-publish that fails on a down chain leaves the old set (root, store, signed report, pages) byte for byte, and still consistent', async () => {
    const out = join(dir, 'out');
    const before = await filesOf(out);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['public/report.json', 'public/report.sig.json', 'public/report.html', 'public/verify.html', 'public/root.json', 'private/store.json']));
    // The ethereum node is down (nothing listens on port 9 of loopback); bitcoin answers. Another
    // secret, so the new tree (root hash) differs from the old one: a half-replaced folder would show.
    const down = rpcArgs.map((a) => (a.startsWith('ethereum=') ? 'ethereum=http://127.0.0.1:9' : a));
    await writeFile(join(dir, 'secret2.key'), 'e'.repeat(64), { mode: 0o600 });
    const r = await por(['build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', join(dir, 'secret2.key'), '--snapshot-id', 'demo-2026-11-24', '--out', out, '--force', '--wallets', 'samples/wallets.json', ...down, '--sign-key-file', join(dir, 'sign.key')]);
    expect(r.stderr).toMatch(/chain ethereum/);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await filesOf(out)).toEqual(before);
    expect(readdirSync(dir).filter((n) => n.startsWith('.out.'))).toEqual([]);
    const p = await por(['proof', out, '--user', 'bob', '--out', join(dir, 'bob.json')]);
    expect(p.status).toBe(0);
    expect((await por(['verify', join(dir, 'bob.json'), '--report', join(out, 'public', 'report.json')])).status).toBe(0);
  });

  it('the audit from independent nodes passes (the exchange token is only a warning)', async () => {
    const r = await por(['audit', join(dir, 'out', 'public', 'report.json'), ...rpcArgs, '--signer', new Wallet(KEY).address, '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.fail).toBe(0);
    expect(doc.checks.filter((c: { status: string }) => c.status === 'warn').map((c: { name: string }) => c.name)).toEqual(['exchange-token']);
    // 4 ethereum addresses (12 balances) + 2 bitcoin addresses
    expect(doc.checks.filter((c: { name: string; status: string }) => c.name === 'balance' && c.status === 'pass')).toHaveLength(14);
  });
});

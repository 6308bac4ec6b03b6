// A bad --rpc is found before any long work (issue 16): `por build --wallets` asks every node of
// the manifest one question (eth_chainId, or an Esplora tip) before the snapshot is read and hashed;
// a URL that is not http(s), or a loopback port nobody listens on, is exit 2 naming the --rpc, with
// nothing read, nothing hashed and --out not created. (`por audit` on OKX files: test/formats/okx-audit-cli.test.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadUrl } from '../helpers/anvil-proxy.js';

const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('por build --wallets: nodes checked before the snapshot is hashed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'por-nodecheck-'));
  const secret = join(dir, 'secret.key');
  writeFileSync(secret, 'ab'.repeat(32) + '\n', { mode: 0o600 });
  const build = (rpc: string[]) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = por('build', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--secret-file', secret, '--snapshot-id', 'demo-2026-11-24', '--out', out, '--wallets', 'samples/wallets.json', ...rpc.flatMap((x) => ['--rpc', x]), '--retries', '0');
    return { ...r, out };
  };
  /** The reporter's lines for reading and hashing the snapshot ("liabilities: …", "merkle leaves: …"). */
  const longWork = /^(liabilities|merkle)/m;

  it('an unreachable loopback port: exit 2 naming --rpc CHAIN=URL, before any row is read', async () => {
    const dead = await deadUrl();
    const r = build([`ethereum=${dead}`, `bitcoin=${dead}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--rpc (ethereum|bitcoin)=${dead.replace(/[.]/g, '\\.')}/?: .*cannot reach .*check the URL and that the node is up \\(nothing was read\\)`));
    expect(r.stderr).not.toMatch(longWork);
    expect(existsSync(r.out)).toBe(false);
  });

  it('a non-http scheme: exit 2 naming it, before any row is read', async () => {
    const r = build(['ethereum=ftp://127.0.0.1:8545', `bitcoin=${await deadUrl()}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rpc ethereum=ftp:\/\/127\.0\.0\.1:8545: the URL must start with http:\/\/ or https:\/\//);
    expect(r.stderr).not.toMatch(longWork);
    expect(existsSync(r.out)).toBe(false);
  });

  it('a chain of the manifest with no --rpc: exit 2 naming the chain, before any row is read', async () => {
    const r = build([`ethereum=${await deadUrl()}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no node for chain bitcoin, which holds addresses of the wallet manifest: give --rpc bitcoin=URL/);
    expect(r.stderr).not.toMatch(longWork);
  });
});

// `por reserves` end to end: spawns the built CLI against the anvil of test/setup/anvil.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, goodEntries, manifestJson, sign } from '../helpers/anvil-fixture.js';
import { deadUrl } from '../helpers/anvil-proxy.js';

const f = fixture();
let dir: string;
const file = (name: string) => join(dir, name);

function por(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync('dist/cli.mjs')) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'por-reserves-cli-'));
  writeFileSync(
    file('assets.json'),
    JSON.stringify({
      format: 'por-assets',
      version: 1,
      assets: [
        { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
        { symbol: 'TKA', decimals: 6, onchain: [{ chain: 'ethereum', contract: f.tka, decimals: 6 }] },
        { symbol: 'TKB', decimals: 8, onchain: [{ chain: 'ethereum', contract: f.tkb, decimals: 18 }] },
        { symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] },
      ],
    }),
  );
  const good = goodEntries().slice(0, 4);
  writeFileSync(file('good.json'), JSON.stringify(manifestJson(good)));
  const bad = goodEntries().slice(0, 4);
  bad[2]!.ownership!.signature = sign(f.wallets[3]!.key, bad[2]!.ownership!.message);
  writeFileSync(file('bad.json'), JSON.stringify(manifestJson(bad)));
  const two = manifestJson(good.slice(0, 2)) as { chains: unknown[]; addresses: unknown[] };
  two.chains.push({ name: 'bitcoin', kind: 'bitcoin', network: 'testnet' });
  two.addresses.push({ chain: 'bitcoin', address: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', label: 'btc', assets: ['BTC'], ownership: { message: 'test-2026-11-24', signature: 'AAAA' } });
  writeFileSync(file('two.json'), JSON.stringify(two));
  writeFileSync(file('broken.json'), '{ "format": "por-wallets",\n  "version": 1,\n  oops }');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ledger units of the first four wallets, worked out from what the setup funded.
const sumLedger = (k: 'eth' | 'tka' | 'tkb', ws = f.wallets.slice(0, 4), div = k === 'tka' ? 1n : 10n ** 10n) => ws.reduce((s, w) => s + BigInt(w[k]) / div, 0n);

describe('por reserves', () => {
  it('exit 0, reserves.json written, totals equal what was funded at the snapshot block', () => {
    const r = por('reserves', file('good.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--block', `ethereum=${f.snapshot}`, '--out', file('res.json'), '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`ethereum: block ${f.snapshot} 0x[0-9a-f]{64}`));
    const doc = JSON.parse(readFileSync(file('res.json'), 'utf8'));
    expect(doc.format).toBe('por-reserves');
    expect(doc.chains[0].block.number).toBe(f.snapshot);
    expect(doc.totals.map((t: { asset: string; balance: string }) => [t.asset, t.balance])).toEqual([
      ['ETH', sumLedger('eth').toString()],
      ['TKA', sumLedger('tka').toString()],
      ['TKB', sumLedger('tkb').toString()],
    ]);
    expect(doc.addresses[1].balances[0]).toMatchObject({ asset: 'ETH', balance: f.wallets[1]!.eth });
    expect(doc.addresses[1].block).toBe(f.snapshot);
  });

  it('--json prints the same document on stdout and nothing else', () => {
    const r = por('reserves', file('good.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--block', `ethereum=${f.snapshot}`, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.totals[0].balance).toBe(sumLedger('eth').toString());
  });

  it('a failed ownership proof: exit 1, listed, left out unless --include-unproven', () => {
    const r = por('reserves', file('bad.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--block', `ethereum=${f.snapshot}`, '--json', '--quiet');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.addresses[2]).toMatchObject({ counted: false, ownership: { status: 'failed' } });
    const without2 = [0, 1, 3].map((i) => f.wallets[i]!);
    expect(doc.totals[0].balance).toBe(sumLedger('eth', without2).toString());
    expect(doc.totals[0].unprovenExcluded).toBe((BigInt(f.wallets[2]!.eth) / 10n ** 10n).toString());
    const inc = por('reserves', file('bad.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--block', `ethereum=${f.snapshot}`, '--include-unproven', '--quiet');
    expect(inc.code).toBe(1);
    expect(inc.stdout).toMatch(/COUNTED: --include-unproven/);
    expect(inc.stdout).toMatch(/includes \d+\.\d{8} unproven/);
  });

  it('node down: exit 2 (nothing could be read), the chain named', async () => {
    const r = por('reserves', file('good.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${await deadUrl()}`, '--retries', '0', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/ethereum: could not read: node did not answer after 1 attempts: cannot reach node \(ECONNREFUSED\)/);
  });

  it('one chain down, another read: exit 2, the readable chain still reported, the unread one in no total', async () => {
    const r = por('reserves', file('two.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--rpc', `bitcoin=${await deadUrl()}`, '--retries', '0', '--json', '--quiet');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.chains[0].block.number).toBe(f.latest);
    expect(doc.chains[1].error).toMatch(/cannot reach Esplora server/);
    const btc = doc.totals.find((t: { asset: string }) => t.asset === 'BTC');
    expect(btc).toMatchObject({ complete: false, addresses: 0, unread: [{ chain: 'bitcoin', address: doc.addresses[2].address }] });
    expect(btc.balance).toBeUndefined();
    expect(doc.addresses[2]).toMatchObject({ counted: false, unread: true });
    expect(doc.addresses[2].balances[0].error).toMatch(/chain bitcoin could not be read/);
  });

  it('usage and input errors: exit 2 with the place named', () => {
    const noRpc = por('reserves', file('good.json'), '--assets', file('assets.json'));
    expect(noRpc.code).toBe(2);
    expect(noRpc.stderr).toMatch(/chain ethereum: no node URL for chain ethereum: give --rpc ethereum=URL/);
    const broken = por('reserves', file('broken.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json:3:\d+: not valid JSON/);
    const badBlock = por('reserves', file('good.json'), '--assets', file('assets.json'), '--rpc', `ethereum=${f.url}`, '--block', 'ethereum=latest');
    expect(badBlock.code).toBe(2);
    expect(badBlock.stderr).toMatch(/--block takes CHAIN=NUMBER/);
  });
});

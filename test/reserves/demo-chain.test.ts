// The demo chain (scripts/demo-chain.mjs) and the sample wallets: `por reserves` and
// `por solvency --wallets` read exactly what samples/demo-funding.json funded at the snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { demoChain } from '../../scripts/demo-chain.mjs';

let chain: Awaited<ReturnType<typeof demoChain>>;
beforeAll(async () => {
  chain = await demoChain();
});
afterAll(() => chain?.stop());

const flags = (blocks: Record<string, bigint>) => Object.keys(chain.rpc).flatMap((c) => ['--rpc', `${c}=${chain.rpc[c]}`, '--block', `${c}=${blocks[c]}`]);
function por(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// By hand from samples/make-wallets.mjs: ETH 1500.25 + 500.123456789012345678 + 6000 + 1500
// = 9500.373456789012345678 → 9500.37345678 at 8 ledger decimals; USDT 8M + 2,000,000.5 + 30M + 10M;
// USDC 2M + 10M; XTK 100k + 400k; BTC 600 + 80.5.
const AT_SNAPSHOT = { BTC: '680.50000000', ETH: '9500.37345678', USDT: '50000000.500000', USDC: '12000000.000000', XTK: '500000.00000000' };

describe('demo chain + sample wallets', () => {
  it('por reserves reads the funded figures at the snapshot blocks, exit 0', () => {
    const r = por('reserves', 'samples/wallets.json', '--assets', 'samples/assets.json', ...flags(chain.blocks), '--json', '--quiet');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.fromEntries(doc.totals.map((t: { asset: string; amount: string }) => [t.asset, t.amount]))).toEqual(AT_SNAPSHOT);
    expect(doc.addresses.find((a: { label: string }) => a.label.startsWith('custody')).ownership.scheme).toBe('eip1271');
  });

  it('the faulty manifest: wrong keys, a replayed signature and a duplicate are caught, exit 1', () => {
    const r = por('reserves', 'samples/wallets-faulty.json', '--assets', 'samples/assets.json', ...flags(chain.blocks), '--json', '--quiet');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const byLabel = (l: string) => doc.addresses.find((a: { label: string }) => a.label.startsWith(l));
    expect(byLabel('cold-2').ownership.status).toBe('failed');
    expect(byLabel('hot-3').ownership.reason).toContain('says "snapshot: demo-2026-10-24" where this report\'s says "snapshot: demo-2026-11-24"');
    expect(byLabel('hot-1 again').duplicateOf).toBe(0);
    expect(byLabel('btc-hot-2').ownership.status).toBe('failed');
    // Totals are unchanged: nothing unproven or duplicated counts.
    expect(Object.fromEntries(doc.totals.map((t: { asset: string; amount: string }) => [t.asset, t.amount]))).toEqual(AT_SNAPSHOT);
  });

  it('por solvency --wallets: solvent at the snapshot; after the post-snapshot outflows it is not', () => {
    const snap = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--wallets', 'samples/wallets.json', ...flags(chain.blocks), '--json', '--quiet');
    expect(snap.stderr).toBe('');
    expect(snap.code).toBe(0);
    const doc = JSON.parse(snap.stdout);
    expect(JSON.stringify(doc)).toContain('"9500.37345678"');
    const now = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--wallets', 'samples/wallets.json', ...flags(chain.latest), '--quiet');
    // 5,000 ETH and 550 BTC left after the snapshot: 4500.37… ETH and 130.4999 BTC no longer cover what users are owed.
    expect(now.code).toBe(1);
    expect(now.stdout).toMatch(/NOT SOLVENT in (BTC, ETH|ETH, BTC)/);
  });

  it('por solvency needs exactly one of --reserves and --wallets', () => {
    const r = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give either --reserves FILE or --wallets/);
  });
});

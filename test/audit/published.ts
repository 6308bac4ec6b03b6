// A real publication on a private anvil (each test file starts its own, so no sending account is
// shared): four funded wallets that sign ownership messages, a report built from src/reserves'
// reading at the snapshot block, signed, written with publishReport. Expected figures are what
// this helper sent, not what the code under test reports.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, computeAddress, keccak256, toUtf8Bytes } from 'ethers';
import { startAnvil, deploy, mintBatch, setBalances, mine, rpc } from '../../scripts/demo-chain.mjs';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { readReserves, ownershipMessage, type WalletManifest } from '../../src/reserves/index.js';
import { assembleReport } from '../../src/report/assemble.js';
import { addressesFromReserves, chainsFromReserves } from '../../src/report/from-reserves.js';
import { publishReport } from '../../src/report/publish.js';
import type { Report } from '../../src/core/report/types.js';
import { formatAmount } from '../../src/core/money/index.js';

export const E18 = 10n ** 18n;
export const keyOf = (label: string) => keccak256(toUtf8Bytes(`por audit TEST ONLY key: ${label}`));
export const EXCHANGE_KEY = keyOf('exchange report signer');

export interface Publication {
  url: string;
  stop: () => Promise<void>;
  dir: string;
  reportFile: string;
  report: Report;
  token: string;
  keys: string[];
  addresses: string[];
  snapshotBlock: bigint;
  snapshotId: string;
  signer: string;
  /** What the helper funded: ETH wei and USDT units (6 dp) per wallet. */
  eth: bigint[];
  usdt: bigint[];
}

/** `beforeSnapshot` runs on the chain before the snapshot block is mined (e.g. to deploy a contract wallet). */
export async function publishOnAnvil(snapshotId: string, opts: { beforeSnapshot?: (url: string) => Promise<void> } = {}): Promise<Publication> {
  const anvil = await startAnvil();
  try {
    const url = anvil.url;
    const token = await deploy(url, 'TestToken', ['Tether USD (TEST)', 'USDT', 6]);
    const keys = [0, 1, 2, 3].map((i) => keyOf(`${snapshotId} wallet ${i}`));
    const addresses = keys.map((k) => computeAddress(k));
    // ETH: 1.5, 2.25, 0.000000015 (1.5 ledger units: truncates to 1), 3 ETH; USDT: 1000, 0, 250.5, 0.
    const eth = [1_500000000000000000n, 2_250000000000000000n, 15_000_000_000n, 3n * E18];
    const usdt = [1000_000000n, 0n, 250_500000n, 0n];
    await setBalances(url, addresses, eth);
    await mintBatch(url, token, addresses, usdt);
    const registry = parseAssetRegistry({
      assets: [
        { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
        { symbol: 'USDT', decimals: 6, onchain: [{ chain: 'ethereum', contract: token, decimals: 6 }] },
      ],
    });
    const snapshot = { id: snapshotId, time: new Date().toISOString() };
    const exchange = `Exchange ${snapshotId}`;
    const manifest: WalletManifest = {
      exchange,
      snapshot,
      chains: [{ name: 'ethereum', kind: 'evm', chainId: 31337, id: 'eip155:31337' }],
      addresses: await Promise.all(
        keys.map(async (k, i) => {
          const message = ownershipMessage({ exchange, snapshot, chain: 'eip155:31337', address: addresses[i]! });
          return { chain: 'ethereum', address: addresses[i]!, label: i === 3 ? 'cold' : 'hot', assets: ['ETH', 'USDT'], index: i, ownership: { message, signature: await new Wallet(k).signMessage(message) } };
        }),
      ),
    };
    await opts.beforeSnapshot?.(url);
    const snapshotBlock = await mine(url, 1);
    await mine(url, 2);
    const reserves = await readReserves({ wallets: manifest, registry, rpc: { ethereum: url }, blocks: { ethereum: snapshotBlock } });
    // Reserves (ledger units): ETH 1.5 + 2.25 + 0.00000001 + 3 = 6.75000001; USDT 1250.5.
    // Liabilities chosen below them: ETH owed 6.5, debt 0.25; USDT owed 1200, debt 0.
    const liabilities = [
      { asset: 'ETH', gross: 650000000n, debt: 25000000n },
      { asset: 'USDT', gross: 1200_000000n, debt: 0n },
    ];
    const root = {
      format: 'por-root',
      version: 1,
      snapshotId,
      height: 24,
      leafCount: 7,
      hash: '0x' + 'ab'.repeat(32),
      assets: [{ symbol: 'ETH', decimals: 8 }, { symbol: 'USDT', decimals: 6 }],
      sums: liabilities.map((l, i) => {
        const d = [8, 6][i]!;
        return { asset: l.asset, equity: formatAmount(l.gross, d), debt: formatAmount(l.debt, d), equityUnits: l.gross.toString(), debtUnits: l.debt.toString() };
      }),
    };
    const report = assembleReport({
      snapshot,
      registry,
      root,
      liabilities,
      chains: chainsFromReserves(reserves),
      addresses: addressesFromReserves(reserves, manifest),
      tool: { name: 'por', version: 'test' },
      exchange,
    });
    const dir = await mkdtemp(join(tmpdir(), 'por-audit-'));
    await writeFile(join(dir, 'key.hex'), EXCHANGE_KEY);
    const pub = await publishReport(dir, report, { signKeyFile: join(dir, 'key.hex') });
    return { url, stop: anvil.stop, dir, reportFile: pub.reportFile, report, token, keys, addresses, snapshotBlock, snapshotId, signer: new Wallet(EXCHANGE_KEY).address, eth, usdt };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

export { rpc };

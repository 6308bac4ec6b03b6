// A small report built by hand: the figures each test expects are worked out in the comments.
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { assembleReport, type AddressInput } from '../../src/report/assemble.js';
import type { Report } from '../../src/core/report/types.js';

export const registry = parseAssetRegistry({
  format: 'por-assets',
  version: 1,
  assets: [
    { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
    { symbol: 'USDT', decimals: 6, onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000aa', decimals: 6 }] },
    { symbol: 'XT', decimals: 2, exchangeToken: true, onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000bb', decimals: 18 }] },
  ],
});

export const SNAPSHOT = { id: 'snap-2026-11-24', time: '2026-11-24T00:00:00.000Z' };

// Liabilities (ledger units): ETH gross 2.00000000 debt 0.10000000; USDT gross 900 debt 0; XT gross 50.00 debt 0.
export const liabilities = [
  { asset: 'ETH', gross: 200000000n, debt: 10000000n },
  { asset: 'USDT', gross: 900000000n, debt: 0n },
  { asset: 'XT', gross: 5000n, debt: 0n },
];

export const root = {
  format: 'por-root',
  version: 1,
  snapshotId: SNAPSHOT.id,
  height: 20,
  leafCount: 3,
  hash: '0x' + '11'.repeat(32),
  assets: [{ symbol: 'ETH', decimals: 8 }, { symbol: 'USDT', decimals: 6 }, { symbol: 'XT', decimals: 2 }],
  sums: [
    { asset: 'ETH', equity: '2.00000000', debt: '0.10000000', equityUnits: '200000000', debtUnits: '10000000' },
    { asset: 'USDT', equity: '900.000000', debt: '0.000000', equityUnits: '900000000', debtUnits: '0' },
    { asset: 'XT', equity: '50.00', debt: '0.00', equityUnits: '5000', debtUnits: '0' },
  ],
};

const own = (valid: boolean) => ({ scheme: 'eip191', message: `por ownership ${SNAPSHOT.id}`, signature: '0x' + '22'.repeat(65), valid });

export function addresses(): AddressInput[] {
  return [
    // 1.5 ETH + 1000 USDT + 60 XT
    {
      chain: 'ethereum',
      address: '0x00000000000000000000000000000000000000a1',
      label: 'cold',
      balances: [
        { asset: 'ETH', source: 'native', units: 1_500000000000000000n, decimals: 18 },
        { asset: 'USDT', source: '0xaa', units: 1000_000000n, decimals: 6 },
        { asset: 'XT', source: '0xbb', units: 60_000000000000000000n, decimals: 18 },
      ],
      ownership: own(true),
    },
    // 0.333333333333333333 ETH
    { chain: 'ethereum', address: '0x00000000000000000000000000000000000000a2', balances: [{ asset: 'ETH', source: 'native', units: 333333333333333333n, decimals: 18 }], ownership: own(true) },
    // 10 ETH, but no valid proof: listed, not counted
    { chain: 'ethereum', address: '0x00000000000000000000000000000000000000a3', balances: [{ asset: 'ETH', source: 'native', units: 10_000000000000000000n, decimals: 18 }], ownership: own(false) },
  ];
}

export function makeReport(over: { id?: string; time?: string; ethWei?: bigint } = {}): Report {
  const snapshot = { id: over.id ?? SNAPSHOT.id, time: over.time ?? SNAPSHOT.time };
  const addrs = addresses();
  if (over.ethWei !== undefined) addrs[0]!.balances[0]!.units = over.ethWei;
  return assembleReport({
    snapshot,
    registry,
    root: { ...root, snapshotId: snapshot.id },
    liabilities,
    chains: [{ chain: 'ethereum', kind: 'evm', chainId: '31337', block: { number: '100', hash: '0x' + '33'.repeat(32), time: '2026-11-24T00:00:05.000Z' } }],
    addresses: addrs,
    tool: { name: 'por', version: '0.1.0' },
    exchange: 'Example Exchange',
  });
}

// A small exchange with margin users, priced and haircut, published as report.json would be, with
// real EIP-191 ownership signatures (checked offline), so an audit without --rpc has nothing to fail
// but what a test changes. Every figure is worked out by hand in the comments.
//
// Prices: BTC 50,000 · USDT 1 · XTK 2 (XTK is the exchange's own token). Haircuts: BTC 0.95 up to
// 1,000,000 USD of one holding, 0.9 above; USDT 1; XTK not listed (counts for nothing).
// Users:  alice +10 BTC · bob +1,000,000 USDT · erin +1,000 XTK
//         carol −2 BTC, +200,000 USDT: collateral 200,000 ≥ debt 100,000 → healthy, debt netted
//         dave  −1 BTC, +10,000 USDT: equity 10,000 − 50,000 = −40,000 → bad debt
// Totals: BTC owned 10, owed 3 (carol 2, dave 1); USDT owned 1,210,000; XTK owned 1,000.
// Netting: BTC bad debt 1 (dave), netted 2 (carol) → must cover 10 − 2 = 8;
//          USDT bad-debt holdings 10,000 (dave's) → must cover 1,200,000; XTK 1,000.
// Reserves: BTC 9 (gross 90 %, netted 112.5 %), USDT 1,250,000, XTK 1,000.
import { Wallet, computeAddress, keccak256, toUtf8Bytes } from 'ethers';
import { parseAssetRegistry, type AssetRegistry } from '../../src/core/assets/index.js';
import { assembleReport } from '../../src/report/assemble.js';
import type { LiabilityTotals } from '../../src/core/report/solvency.js';
import type { Report, ReportNetting } from '../../src/core/report/types.js';
import { ownershipMessage } from '../../src/reserves/index.js';
import type { HaircutTable } from '../../src/core/solvency/haircuts.js';

export const SNAP = { id: 'netting-2026-11-24', time: '2026-11-24T00:00:00.000Z' };
const E8 = 10n ** 8n;
const E6 = 10n ** 6n;

export function registryWith(over: { usdtExchangeToken?: boolean } = {}): AssetRegistry {
  return parseAssetRegistry({
    assets: [
      { symbol: 'BTC', decimals: 8, onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000b1', decimals: 8 }] },
      { symbol: 'USDT', decimals: 6, ...(over.usdtExchangeToken ? { exchangeToken: true } : {}), onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000b2', decimals: 6 }] },
      { symbol: 'XTK', decimals: 8, exchangeToken: true, onchain: [{ chain: 'ethereum', contract: '0x00000000000000000000000000000000000000b3', decimals: 8 }] },
    ],
  });
}

export const HAIRCUTS: HaircutTable = [
  { asset: 'BTC', tiers: [{ upToUsd: '1000000', ratio: '0.95' }, { upToUsd: null, ratio: '0.9' }] },
  { asset: 'USDT', tiers: [{ upToUsd: null, ratio: '1' }] },
];

export const PRICES = { BTC: '50000', USDT: '1', XTK: '2' } as const;

/** The honest netting (see the top of this file). */
export function honestLiabilities(): LiabilityTotals[] {
  return [
    { asset: 'BTC', gross: 10n * E8, debt: 3n * E8, netting: { badDebtHoldings: 0n, badDebt: 1n * E8, uncollateralised: 0n } },
    { asset: 'USDT', gross: 1_210_000n * E6, debt: 0n, netting: { badDebtHoldings: 10_000n * E6, badDebt: 0n, uncollateralised: 0n } },
    { asset: 'XTK', gross: 1000n * E8, debt: 0n, netting: { badDebtHoldings: 0n, badDebt: 0n, uncollateralised: 0n } },
  ];
}

export function honestNetting(): ReportNetting {
  return {
    pricesTime: null,
    prices: Object.entries(PRICES).map(([asset, usd]) => ({ asset, usd })),
    haircuts: HAIRCUTS,
    badDebt: { users: 1, usd: '40000' },
    uncollateralised: { users: 0 },
  };
}

const KEY = keccak256(toUtf8Bytes('por netting fixture TEST ONLY key'));

export interface FixtureOptions {
  liabilities?: LiabilityTotals[];
  netting?: ReportNetting;
  registry?: AssetRegistry;
  /** Reserves in ledger units, by asset; default BTC 9, USDT 1,250,000, XTK 1,000. */
  reserves?: Partial<Record<'BTC' | 'USDT' | 'XTK', bigint>>;
}

/** The report an exchange would publish: its own (possibly dishonest) netting, the root's honest sums. */
export async function nettingReport(o: FixtureOptions = {}): Promise<Report> {
  const liabilities = o.liabilities ?? honestLiabilities();
  const registry = o.registry ?? registryWith();
  const held = { BTC: 9n * E8, USDT: 1_250_000n * E6, XTK: 1000n * E8, ...o.reserves };
  const address = computeAddress(KEY);
  // The whole message por's template gives this exchange, snapshot, chain (eip155:31337) and address.
  const message = ownershipMessage({ exchange: 'Netting Exchange', snapshot: SNAP, chain: 'eip155:31337', address });
  const root = {
    format: 'por-root',
    version: 1,
    snapshotId: SNAP.id,
    height: 8,
    leafCount: 5,
    hashFunction: 'sha256',
    hash: '5'.repeat(64),
    assets: registry.assets.map((a) => ({ symbol: a.symbol, decimals: a.decimals })),
    sums: liabilities.map((l) => {
      const d = registry.assets[registry.index.get(l.asset)!]!.decimals;
      const text = (u: bigint) => `${u / 10n ** BigInt(d)}.${(u % 10n ** BigInt(d)).toString().padStart(d, '0')}`;
      return { asset: l.asset, equity: text(l.gross), debt: text(l.debt), equityUnits: l.gross.toString(), debtUnits: l.debt.toString() };
    }),
  };
  return assembleReport({
    snapshot: SNAP,
    registry,
    root,
    liabilities,
    ...(o.netting !== null ? { netting: o.netting ?? honestNetting() } : {}),
    chains: [{ chain: 'ethereum', kind: 'evm', chainId: '31337', block: { number: '10', hash: '0x' + '44'.repeat(32), time: SNAP.time } }],
    addresses: [
      {
        chain: 'ethereum',
        address,
        balances: (['BTC', 'USDT', 'XTK'] as const).map((asset, i) => ({ asset, source: `0x00000000000000000000000000000000000000b${i + 1}`, units: held[asset], decimals: asset === 'USDT' ? 6 : 8 })),
        ownership: { scheme: 'eip191', message, signature: await new Wallet(KEY).signMessage(message), valid: true },
      },
    ],
    tool: { name: 'por', version: 'test' },
    exchange: 'Netting Exchange',
  });
}

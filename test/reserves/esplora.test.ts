// Bitcoin balances at a snapshot height from an Esplora-format server (local fixtures: no Bitcoin
// node runs here). Expected figures are worked out by hand from the fixture transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { chainIdentity, ownershipMessage, parseWalletManifest, readReserves, type ReservesResult } from '../../src/reserves/index.js';
import { defaultBitcoinVerifier } from '../../src/reserves/load.js';
import { startEsplora, testnetP2wpkh, signBip137P2wpkh, txid, TESTNET3_GENESIS, type EsploraTx } from '../helpers/esplora-server.js';

const key = (s: string) => sha256(new TextEncoder().encode(`por esplora TEST ONLY ${s}`));
const kA = key('A');
const kB = key('B');
const A = testnetP2wpkh(kA);
const B = testnetP2wpkh(kB);
const C = testnetP2wpkh(key('C'));
const X = testnetP2wpkh(key('X'));
const SNAP = { id: 'btc-test-1', time: '2026-11-24T00:00:00Z' };

// A: +150,000,000 at 100; +25,000,000 at 103; at 106 (after the snapshot) spends the first output:
// 100,000,000 to X and 49,990,000 change back to A. At height 104 A holds 175,000,000 sats.
// B: 30 receipts of 1,000 × (i + 1) sats at heights 50 + i → 1,000 × (1 + … + 30) = 465,000 sats,
// across two pages of history (25 + 5).
const txs: EsploraTx[] = [
  { txid: txid('a1'), status: { confirmed: true, block_height: 100 }, vin: [], vout: [{ scriptpubkey_address: A, value: 150_000_000 }] },
  { txid: txid('a2'), status: { confirmed: true, block_height: 103 }, vin: [], vout: [{ scriptpubkey_address: A, value: 25_000_000 }] },
  {
    txid: txid('a3'),
    status: { confirmed: true, block_height: 106 },
    vin: [{ txid: txid('a1'), vout: 0, prevout: { scriptpubkey_address: A, value: 150_000_000 } }],
    vout: [{ scriptpubkey_address: X, value: 100_000_000 }, { scriptpubkey_address: A, value: 49_990_000 }],
  },
  { txid: txid('a-mempool'), status: { confirmed: false }, vin: [], vout: [{ scriptpubkey_address: A, value: 7 }] },
  ...Array.from({ length: 30 }, (_, i): EsploraTx => ({ txid: txid(`b${i}`), status: { confirmed: true, block_height: 50 + i }, vin: [], vout: [{ scriptpubkey_address: B, value: 1000 * (i + 1) }] })),
];

const registry = parseAssetRegistry({ assets: [{ symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] }] });
let server: Awaited<ReturnType<typeof startEsplora>>;
beforeAll(async () => {
  server = await startEsplora({ genesis: TESTNET3_GENESIS, tip: 110, broken: [C], txs });
});
afterAll(() => server.close());

function manifest(entries: { address: string; signer?: Uint8Array; snap?: typeof SNAP }[], network = 'testnet') {
  return parseWalletManifest(
    {
      format: 'por-wallets',
      version: 2,
      exchange: 'Test Exchange',
      snapshot: SNAP,
      chains: [{ name: 'bitcoin', kind: 'bitcoin', network }],
      addresses: entries.map((e, i) => {
        const message = ownershipMessage({ exchange: 'Test Exchange', snapshot: e.snap ?? SNAP, chain: chainIdentity({ kind: 'bitcoin', network })!, address: e.address });
        return { chain: 'bitcoin', address: e.address, label: `btc-${i}`, assets: ['BTC'], ownership: { message, signature: e.signer ? signBip137P2wpkh(e.signer, message) : 'AAAA' } };
      }),
    },
    'wallets',
    registry,
  );
}

const sats = (r: ReservesResult, i: number) => r.addresses[i]!.balances[0]!.balance;

describe('Bitcoin reserves from Esplora at the snapshot height', () => {
  it('rebuilds each balance at the height from history, including coins spent after it', async () => {
    const r = await readReserves({ wallets: manifest([{ address: A, signer: kA }, { address: B, signer: kB }]), registry, rpc: { bitcoin: server.url }, blocks: { bitcoin: 104n }, verifyBitcoin: await defaultBitcoinVerifier() });
    expect(r.chains[0]).toMatchObject({ name: 'bitcoin', block: { number: 104n, timestamp: 1_795_000_000 + 104 * 600 } });
    expect(sats(r, 0)).toBe(175_000_000n);
    expect(sats(r, 1)).toBe(465_000n);
    expect(server.requests.some((p) => p.startsWith(`/address/${B}/txs/chain/`))).toBe(true); // paged
    expect(r.totals[0]!.balance).toBe(175_465_000n);
    expect(r.addresses.map((a) => a.ownership.status)).toEqual(['proven', 'proven']);
    expect(r.addresses[0]!.ownership.scheme).toBe('bip137');
  });

  it('warns when the pinned block is far from the snapshot time (reserves and liabilities must be simultaneous)', async () => {
    const warnings: string[] = [];
    await readReserves({ wallets: manifest([{ address: A }]), registry, rpc: { bitcoin: server.url }, blocks: { bitcoin: 104n }, ownership: false, reporter: { progress() {}, done() {}, warn: (m) => warnings.push(m) } });
    // Block 104 is dated 1,795,000,000 + 104 × 600 = 1,795,062,400 s = 2026-11-19T04:26:40Z; the snapshot is 1,795,478,400: 115.6 h later.
    expect(warnings).toEqual(['chain bitcoin: block 104 is dated 2026-11-19T04:26:40.000Z, 115.6 h before the snapshot time 2026-11-24T00:00:00Z']);
  });

  it('at the tip (no --block) the later spend shows', async () => {
    const r = await readReserves({ wallets: manifest([{ address: A }]), registry, rpc: { bitcoin: server.url }, ownership: false });
    expect(r.chains[0]!.block!.number).toBe(110n);
    expect(sats(r, 0)).toBe(25_000_000n + 49_990_000n);
  });

  it('wrong key and replayed message fail ownership; a server error for one address is that address\'s error', async () => {
    const r = await readReserves({
      wallets: manifest([{ address: A, signer: kB }, { address: B, signer: kB, snap: { id: 'btc-test-0', time: '2026-10-24T00:00:00Z' } }, { address: C, signer: key('C') }]),
      registry,
      rpc: { bitcoin: server.url },
      blocks: { bitcoin: 104n },
      retries: 1,
      backoffMs: 5,
      verifyBitcoin: await defaultBitcoinVerifier(),
    });
    expect(r.addresses[0]!.ownership.status).toBe('failed');
    expect(r.addresses[0]!.ownership.reason).toMatch(/does not own/);
    expect(r.addresses[1]!.ownership.reason).toContain('says "snapshot: btc-test-0" where this report\'s says "snapshot: btc-test-1"');
    expect(r.addresses[2]!.balances[0]!.balance).toBeUndefined();
    expect(r.addresses[2]!.balances[0]!.error).toMatch(/HTTP 500/);
    expect(r.addresses[2]!.ownership.status).toBe('proven');
    expect(r.totals[0]).toMatchObject({ complete: false, balance: 0n });
  });

  it('a server whose paged history drops a transaction is caught by its own totals (chain_stats)', async () => {
    const bad = await startEsplora({ genesis: TESTNET3_GENESIS, tip: 110, txs, dropFromHistory: [txid('a2')] });
    try {
      const r = await readReserves({ wallets: manifest([{ address: A }, { address: B }]), registry, rpc: { bitcoin: bad.url }, blocks: { bitcoin: 104n }, ownership: false });
      // Without the check, A would read 150,000,000 instead of 175,000,000.
      expect(r.addresses[0]!.balances[0]!.balance).toBeUndefined();
      expect(r.addresses[0]!.balances[0]!.error).toMatch(/disagrees with its own totals \(2 transactions in the history, 3 in chain_stats\)/);
      expect(sats(r, 1)).toBe(465_000n);
    } finally {
      await bad.close();
    }
  });

  it('a server on another network, or a height it does not have, is a chain error', async () => {
    const main = await readReserves({ wallets: manifest([{ address: A }], 'mainnet'), registry, rpc: { bitcoin: server.url }, ownership: false });
    expect(main.chains[0]!.error).toMatch(/genesis block is 000000000933ea01…, not 000000000019d668… \(mainnet\): it serves another chain/);
    const far = await readReserves({ wallets: manifest([{ address: A }]), registry, rpc: { bitcoin: server.url }, blocks: { bitcoin: 5000n }, ownership: false, retries: 0 });
    expect(far.chains[0]!.error).toMatch(/no block at height 5000/);
  });
});

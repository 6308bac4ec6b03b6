// Reserves read from a real node (anvil, started by test/setup/anvil.ts) at the snapshot block.
// Expected figures are what the setup funded (plannedFunding), never what the reader returns.
import { describe, expect, it } from 'vitest';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { readReserves, readCurrentBalances, toReserveRows, parseWalletManifest, type ReservesResult } from '../../src/reserves/index.js';
import { startAnvil, deploy, mintBatch } from '../../scripts/demo-chain.mjs';
import { fixture, goodEntries, manifest, sign, testMessage, testRegistry, EXCHANGE, type EntryJson } from '../helpers/anvil-fixture.js';

const f = fixture();
const snapshot = BigInt(f.snapshot);
const rpc = { ethereum: f.url };

function balanceOf(r: ReservesResult, address: string, asset: string): bigint | undefined {
  const a = r.addresses.find((x) => x.address.toLowerCase() === address.toLowerCase() && x.duplicateOf === undefined);
  return a?.balances.find((b) => b.asset === asset)?.balance;
}

describe('readReserves on anvil at the snapshot block', () => {
  const registry = testRegistry();

  it('reports exactly what the setup funded, not what the chain holds now', async () => {
    const r = await readReserves({ wallets: manifest(goodEntries(), registry), registry, rpc, blocks: { ethereum: snapshot } });
    expect(r.chains[0]!.error).toBeUndefined();
    expect(r.chains[0]!.block!.number).toBe(snapshot);
    expect(r.chains[0]!.block!.hash).toMatch(/^0x[0-9a-f]{64}$/);
    // The setup dated the snapshot block 2026-11-24T00:00:00Z = 1,795,478,400 s.
    expect(r.chains[0]!.block!.timestamp).toBe(1_795_478_400);
    for (const w of f.wallets) {
      expect(balanceOf(r, w.address, 'ETH')).toBe(BigInt(w.eth));
      expect(balanceOf(r, w.address, 'TKA')).toBe(BigInt(w.tka));
      expect(balanceOf(r, w.address, 'TKB')).toBe(BigInt(w.tkb));
    }
    // Funds moved after the snapshot do not show: wallet 0 still has its full ETH, wallet 1 its TKA.
    expect(balanceOf(r, f.wallets[1]!.address, 'TKA')).toBe(BigInt(f.wallets[1]!.tka));
    expect(r.addresses.every((a) => a.ownership.status === 'proven' && a.counted)).toBe(true);
    const cw = r.addresses.find((a) => a.address.toLowerCase() === f.contractWallet.address.toLowerCase())!;
    expect(cw.ownership.scheme).toBe('eip1271');
    expect(balanceOf(r, cw.address, 'ETH')).toBe(BigInt(f.contractWallet.eth));

    // Totals: a second, simpler computation: truncate each funded amount to ledger precision and sum.
    let eth = BigInt(f.contractWallet.eth) / 10n ** 10n;
    let tka = BigInt(f.contractWallet.tka);
    let tkb = 0n;
    for (const w of f.wallets) {
      eth += BigInt(w.eth) / 10n ** 10n;
      tka += BigInt(w.tka);
      tkb += BigInt(w.tkb) / 10n ** 10n;
    }
    expect(r.totals.map((t) => [t.asset, t.balance, t.addresses, t.complete])).toEqual([
      ['ETH', eth, 51, true],
      ['TKA', tka, 51, true],
      ['TKB', tkb, 50, true],
    ]);
    // Hand check of one figure: wallet 3 has 4 ETH + 22 wei → 400000000 ledger units (8 decimals).
    expect(BigInt(f.wallets[3]!.eth)).toBe(4_000_000_000_000_000_022n);
    const rows = toReserveRows(r, registry);
    expect(rows.find((x) => x.address === f.wallets[3]!.address && x.asset === 'ETH')!.balance).toBe(400_000_000n);
    expect(rows.length).toBe(50 * 3 + 2);
  });

  it('reading the latest block shows the post-snapshot moves (so pinning matters)', async () => {
    const r = await readCurrentBalances({ wallets: manifest(goodEntries(), registry), registry, rpc });
    expect(r.chains[0]!.block!.number).toBe(BigInt(f.latest));
    expect(balanceOf(r, f.wallets[0]!.address, 'ETH')).toBe(BigInt(f.wallets[0]!.eth) - BigInt(f.after.wallet0EthOut));
    expect(balanceOf(r, f.wallets[1]!.address, 'TKA')).toBe(0n);
    expect(balanceOf(r, f.wallets[2]!.address, 'TKB')).toBe(BigInt(f.wallets[2]!.tkb) + BigInt(f.after.wallet2TkbIn));
  });

  it('latest − confirmations pins the block that many below the head', async () => {
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 2), registry), registry, rpc, confirmations: 3 });
    expect(r.chains[0]!.block!.number).toBe(BigInt(f.latest) - 3n);
  });

  it('checks EIP-1271 at the pinned block: the contract wallet changed owner after the snapshot', async () => {
    const cwEntry = goodEntries().at(-1)!;
    const atSnap = await readReserves({ wallets: manifest([cwEntry], registry), registry, rpc, blocks: { ethereum: snapshot } });
    expect(atSnap.addresses[0]!.ownership).toMatchObject({ status: 'proven', scheme: 'eip1271' });
    const atLatest = await readReserves({ wallets: manifest([cwEntry], registry), registry, rpc });
    expect(atLatest.addresses[0]!.ownership.status).toBe('failed');
    expect(atLatest.addresses[0]!.ownership.reason).toMatch(/rejected the signature at block/);
  });

  it('per-address ownership faults: wrong key, replayed snapshot, malformed, missing — the rest still reported', async () => {
    const entries = goodEntries().slice(0, 6);
    const w = f.wallets;
    // 1: signed by wallet 2's key instead of wallet 1's.
    entries[1]!.ownership!.signature = sign(w[2]!.key, entries[1]!.ownership!.message);
    // 2: a proper signature, but of last snapshot's message (replay).
    const old = testMessage(w[2]!.address, { id: 'test-2026-10-24', time: '2026-10-24T00:00:00Z' });
    entries[2]!.ownership = { message: old, signature: sign(w[2]!.key, old) };
    // 3: malformed signature (truncated).
    entries[3]!.ownership!.signature = entries[3]!.ownership!.signature.slice(0, 100);
    // 4: no proof at all.
    delete entries[4]!.ownership;
    const r = await readReserves({ wallets: manifest(entries, registry), registry, rpc, blocks: { ethereum: snapshot } });
    const o = r.addresses.map((a) => a.ownership);
    expect(o[0]!.status).toBe('proven');
    expect(o[1]).toMatchObject({ status: 'failed', scheme: 'eip191' });
    expect(o[1]!.reason).toContain(`signed by ${w[2]!.address}`);
    expect(o[2]).toMatchObject({ status: 'failed' });
    expect(o[2]!.reason).toContain('says "snapshot: test-2026-10-24" where this report\'s says "snapshot: test-2026-11-24"');
    expect(o[3]!.status).toBe('failed');
    expect(o[3]!.reason).toMatch(/49 bytes; expected 65/);
    expect(o[4]).toMatchObject({ status: 'failed', reason: 'no ownership proof in the manifest' });
    expect(o[5]!.status).toBe('proven');
    // Balances are still read for every address; failed ones are left out of the totals.
    expect(balanceOf(r, w[1]!.address, 'TKA')).toBe(BigInt(w[1]!.tka));
    expect(r.addresses.map((a) => a.counted)).toEqual([true, false, false, false, false, true]);
    const tka = r.totals.find((t) => t.asset === 'TKA')!;
    expect(tka.balance).toBe(BigInt(w[0]!.tka) + BigInt(w[5]!.tka));
    expect(tka.unprovenExcluded).toBe(BigInt(w[1]!.tka) + BigInt(w[2]!.tka) + BigInt(w[3]!.tka) + BigInt(w[4]!.tka));

    const inc = await readReserves({ wallets: manifest(entries, registry), registry, rpc, blocks: { ethereum: snapshot }, includeUnproven: true });
    const tkaInc = inc.totals.find((t) => t.asset === 'TKA')!;
    let all = 0n;
    for (const x of w.slice(0, 6)) all += BigInt(x.tka);
    expect(tkaInc.balance).toBe(all);
    expect(tkaInc.unprovenIncluded).toBe(all - BigInt(w[0]!.tka) - BigInt(w[5]!.tka));
    expect(inc.addresses.filter((a) => a.unprovenCounted).length).toBe(4);
  });

  it('a contract that is not an EIP-1271 wallet fails ownership with the revert, without retrying', async () => {
    const e = goodEntries()[0]!;
    const asToken: EntryJson = { ...e, address: f.tka, label: 'a token, not a wallet', assets: ['ETH'], ownership: { message: testMessage(f.tka), signature: sign(f.wallets[0]!.key, testMessage(f.tka)) } };
    const warnings: string[] = [];
    const r = await readReserves({ wallets: manifest([asToken], registry), registry, rpc, blocks: { ethereum: snapshot }, reporter: { progress() {}, done() {}, warn: (m) => warnings.push(m) } });
    expect(r.addresses[0]!.ownership).toMatchObject({ status: 'failed', scheme: 'eip1271' });
    expect(r.addresses[0]!.ownership.reason).toMatch(/isValidSignature failed at block \d+: execution reverted/);
    expect(warnings.filter((w) => /retrying/.test(w))).toEqual([]);
  });

  it('one asset on two chains with different on-chain decimals sums in ledger precision', async () => {
    // USDX is TKA (6 decimals) on "ethereum" and an 18-decimal token on "l2" (a second anvil, chain
    // id 31338: one chain under two names is refused), like USDT on Ethereum and on BNB Chain.
    const l2 = await startAnvil({ chainId: 31338 });
    try {
      const w = f.wallets;
      const token = await deploy(l2.url, 'TestToken', ['USDX on l2 (TEST)', 'USDX', 18]);
      await mintBatch(l2.url, token, [w[3]!.address, w[4]!.address], [BigInt(w[3]!.tkb), BigInt(w[4]!.tkb)]);
      const reg = parseAssetRegistry({ assets: [{ symbol: 'USDX', decimals: 6, onchain: [{ chain: 'ethereum', contract: f.tka, decimals: 6 }, { chain: 'l2', contract: token, decimals: 18 }] }] });
      const e = goodEntries();
      const onL2 = (i: number) => ({ ...e[i]!, chain: 'l2', assets: ['USDX'], ownership: { message: testMessage(w[i]!.address, undefined, 'eip155:31338'), signature: sign(w[i]!.key, testMessage(w[i]!.address, undefined, 'eip155:31338')) } });
      const entries = [0, 1, 2].map((i) => ({ ...e[i]!, assets: ['USDX'] })).concat([3, 4].map(onL2));
      const chains = [{ name: 'ethereum', kind: 'evm', chainId: 31337 }, { name: 'l2', kind: 'evm', chainId: 31338 }];
      const wallets = parseWalletManifest({ format: 'por-wallets', version: 2, exchange: EXCHANGE, snapshot: { id: 'test-2026-11-24', time: '2026-11-24T00:00:00Z' }, chains, addresses: entries }, 'w', reg);
      const r = await readReserves({ wallets, registry: reg, rpc: { ethereum: f.url, l2: l2.url }, blocks: { ethereum: snapshot } });
      const expected = BigInt(w[0]!.tka) + BigInt(w[1]!.tka) + BigInt(w[2]!.tka) + BigInt(w[3]!.tkb) / 10n ** 12n + BigInt(w[4]!.tkb) / 10n ** 12n;
      expect(r.chains.map((c) => [c.name, c.id])).toEqual([['ethereum', 'eip155:31337'], ['l2', 'eip155:31338']]);
      expect(r.totals).toEqual([{ asset: 'USDX', decimals: 6, balance: expected, unprovenIncluded: 0n, unprovenExcluded: 0n, addresses: 5, complete: true, unread: [] }]);
      // Wallet 3 holds 3 + 0.003 + 3e-18 TKB = 3003000000000000003 units (18 decimals) → 3.003000 USDX.
      expect(BigInt(w[3]!.tkb)).toBe(3_003_000_000_000_000_003n);
      expect(toReserveRows(r, reg).find((x) => x.chain === 'l2' && x.address === w[3]!.address)!.balance).toBe(3_003_000n);
    } finally {
      await l2.stop();
    }
  });

  it('an address listed twice is read and counted once, and flagged', async () => {
    const e = goodEntries();
    const dup: EntryJson = { ...e[7]!, address: e[7]!.address.toLowerCase(), label: 'again', assets: ['ETH'] };
    const r = await readReserves({ wallets: manifest([e[7]!, e[8]!, dup], registry), registry, rpc, blocks: { ethereum: snapshot } });
    expect(r.addresses[2]).toMatchObject({ duplicateOf: 0, counted: false });
    expect(r.totals.find((t) => t.asset === 'ETH')!.balance).toBe((BigInt(f.wallets[7]!.eth) + BigInt(f.wallets[8]!.eth)) / 10n ** 10n);
  });

  it('a registry whose decimals disagree with the token contract gives an error, never a figure', async () => {
    const bad = testRegistry({ tkaDecimals: 18 });
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 3), bad), registry: bad, rpc, blocks: { ethereum: snapshot } });
    const b = r.addresses[0]!.balances.find((x) => x.asset === 'TKA')!;
    expect(b.balance).toBeUndefined();
    expect(b.error).toMatch(/has 6 decimals on-chain, but the asset registry says 18/);
    expect(r.totals.find((t) => t.asset === 'TKA')!.complete).toBe(false);
    expect(() => toReserveRows(r, bad)).toThrow(/could not read/);
    // ETH on the same addresses is unaffected.
    expect(balanceOf(r, f.wallets[0]!.address, 'ETH')).toBe(BigInt(f.wallets[0]!.eth));
  });

  it('a wrong chain id, or a block the node does not have, is a chain error naming the chain', async () => {
    const wrong = await readReserves({ wallets: manifest(goodEntries().slice(0, 2), registry, 1), registry, rpc, blocks: { ethereum: snapshot } });
    expect(wrong.chains[0]!.error).toMatch(/serves chain id 31337, but the manifest says chain ethereum has chain id 1/);
    expect(wrong.addresses.every((a) => !a.counted && a.balances.every((b) => b.balance === undefined && b.error))).toBe(true);
    expect(() => toReserveRows(wrong, registry)).toThrow(/could not read reserves on chain ethereum/);
    const future = await readReserves({ wallets: manifest(goodEntries().slice(0, 2), registry), registry, rpc, blocks: { ethereum: 10_000_000n } });
    expect(future.chains[0]!.error).toMatch(/no block 10000000/);
  });

  it('an unknown token address answers "0x", which is an error and not a zero', async () => {
    const reg = testRegistry();
    reg.assets[1]!.onchain[0]!.contract = '0x000000000000000000000000000000000000dEaD';
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 1), reg), registry: reg, rpc, blocks: { ethereum: snapshot } });
    const b = r.addresses[0]!.balances.find((x) => x.asset === 'TKA')!;
    expect(b.balance).toBeUndefined();
    expect(b.error).toMatch(/decimals\(\) on token 0x000000000000000000000000000000000000dEaD: unexpected answer "0x"/);
  });
});


// Pure parts of the reserves stage: the wallet manifest, snapshot binding, EIP-191 checks, and
// the conversion to solvency rows.
import { describe, expect, it } from 'vitest';
import { SigningKey, hashMessage, computeAddress } from 'ethers';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { ownershipMessage, ownershipMessageProblem, parseWalletManifest, toReserveRows, reservesDocument, type ReservesResult } from '../../src/reserves/index.js';
import { parseChainBlocks, parseChainUrls } from '../../src/reserves/load.js';
import { verifyEip191, recoverEip191 } from '../../src/signatures/evm.js';

const registry = parseAssetRegistry({
  assets: [
    { symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] },
    { symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] },
  ],
});
const base = () => ({
  format: 'por-wallets',
  version: 2,
  exchange: 'Ex',
  snapshot: { id: 'snap-1', time: '2026-11-24T00:00:00Z' },
  chains: [{ name: 'ethereum', kind: 'evm', chainId: 1 }, { name: 'bitcoin', kind: 'bitcoin' }],
  addresses: [{ chain: 'ethereum', address: '0x000000000000000000000000000000000000dead', label: 'hot', assets: ['ETH'] }] as Record<string, unknown>[],
});

describe('wallet manifest', () => {
  it('parses, checksums EVM addresses and defaults bitcoin to mainnet', () => {
    const m = parseWalletManifest(base(), 'w.json', registry);
    expect(m.addresses[0]!.address).toBe('0x000000000000000000000000000000000000dEaD');
    expect(m.chains[1]!.network).toBe('mainnet');
  });

  it.each([
    [(j: ReturnType<typeof base>) => ((j as Record<string, unknown>).format = 'por-assets'), 'format'],
    [(j: ReturnType<typeof base>) => ((j.chains[0] as Record<string, unknown>).chainId = undefined), 'chains[0].chainId'],
    [(j: ReturnType<typeof base>) => (j.addresses[0]!.chain = 'solana'), 'addresses[0].chain'],
    [(j: ReturnType<typeof base>) => (j.addresses[0]!.address = '0x123'), 'addresses[0].address'],
    [(j: ReturnType<typeof base>) => (j.addresses[0]!.assets = ['BTC']), 'addresses[0].assets'],
    [(j: ReturnType<typeof base>) => (j.addresses[0]!.assets = ['DOGE']), 'addresses[0].assets'],
    [(j: ReturnType<typeof base>) => (j.addresses[0]!.ownership = { message: 'x' }), 'addresses[0].ownership'],
    [(j: ReturnType<typeof base>) => (j.snapshot.time = 'yesterday'), 'snapshot.time'],
    [(j: ReturnType<typeof base>) => ((j as Record<string, unknown>).exchange = 'Ex\u001b[2J'), 'exchange'],
    [(j: ReturnType<typeof base>) => ((j as Record<string, unknown>).exchange = undefined), 'exchange'],
    [(j: ReturnType<typeof base>) => ((j.chains[1] as Record<string, unknown>).genesis = '00'.repeat(32)), 'chains[1].genesis'],
  ])('rejects a bad manifest with the field named (%#)', (mutate, field) => {
    const j = base();
    mutate(j);
    expect(() => parseWalletManifest(j, 'w.json', registry)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', info: expect.objectContaining({ file: 'w.json', field }) }));
  });

  it('a version 1 manifest is refused, naming the version and what to do', () => {
    const j = { ...base(), version: 1 };
    expect(() => parseWalletManifest(j, 'w.json', registry)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringMatching(/version 1 manifests are no longer read.*replayed.*por ownership-message/), info: expect.objectContaining({ file: 'w.json', field: 'version' }) }));
  });

  it('the ownership message is the documented template, line by line', () => {
    // Written out by hand from docs/RESERVES.md, not produced by the code under test.
    const want = 'por ownership proof v1\nexchange: Ex\nsnapshot: snap-1\ntime: 2026-11-24T00:00:00.000Z\nchain: eip155:1\naddress: 0x000000000000000000000000000000000000dEaD';
    const subject = { exchange: 'Ex', snapshot: { id: 'snap-1', time: '2026-11-24T00:00:00Z' }, chain: 'eip155:1', address: '0x000000000000000000000000000000000000dEaD' };
    expect(ownershipMessage(subject)).toBe(want);
    expect(ownershipMessageProblem(want, subject)).toBeUndefined();
    expect(ownershipMessageProblem(`${want}\n`, subject)).toMatch(/lines after/);
    expect(ownershipMessageProblem(want.replace('Ex', 'Other'), subject)).toMatch(/"exchange: Other" where this report's says "exchange: Ex"/);
    expect(ownershipMessageProblem(want.replace('eip155:1', 'eip155:5'), subject)).toMatch(/chain differs/);
    expect(ownershipMessageProblem(`I control snap-1 ${want}`, subject)).toMatch(/not a por ownership message/);
  });

  it('parses CHAIN=URL and CHAIN=NUMBER flags, rejecting malformed ones', () => {
    expect(parseChainUrls(['ethereum=http://a:1', 'bitcoin=https://b/api'])).toEqual({ ethereum: 'http://a:1', bitcoin: 'https://b/api' });
    expect(() => parseChainUrls(['http://a'])).toThrow(/CHAIN=URL/);
    expect(() => parseChainUrls(['e=ftp://a'])).toThrow(/http/);
    expect(() => parseChainUrls(['e=http://a', 'e=http://b'])).toThrow(/twice/);
    expect(parseChainBlocks(['ethereum=21000000'])).toEqual({ ethereum: 21_000_000n });
    expect(() => parseChainBlocks(['ethereum=-1'])).toThrow(/CHAIN=NUMBER/);
  });
});

describe('EIP-191', () => {
  // Key 0x…01's address is the well-known 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf.
  const key = '0x0000000000000000000000000000000000000000000000000000000000000001';
  const sig = new SigningKey(key).sign(hashMessage('hello snap-1')).serialized;
  it('recovers the signer', () => {
    expect(computeAddress(key)).toBe('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf');
    expect(recoverEip191('hello snap-1', sig)).toEqual({ address: '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf' });
    expect(verifyEip191('0x7e5f4552091a69125d5dfcb7b8c2659029395bdf', 'hello snap-1', sig).ok).toBe(true);
  });
  it('says why a signature fails', () => {
    expect(verifyEip191('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf', 'hello snap-2', sig)).toMatchObject({ ok: false, reason: expect.stringMatching(/^signed by 0x/) });
    expect(verifyEip191('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf', 'hello snap-1', 'zz').reason).toBe('signature is not 0x-prefixed hex');
    expect(verifyEip191('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf', 'hello snap-1', sig.slice(0, 20)).reason).toMatch(/9 bytes; expected 65/);
    expect(verifyEip191('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf', 'hello snap-1', `0x${'00'.repeat(65)}`).ok).toBe(false);
  });
});

describe('toReserveRows and reserves.json', () => {
  const result = (): ReservesResult => ({
    snapshot: { id: 'snap-1', time: '2026-11-24T00:00:00Z' },
    includeUnproven: false,
    chains: [{ name: 'ethereum', kind: 'evm', chainId: 1, id: 'eip155:1', block: { number: 7n, hash: '0xab', timestamp: 1_795_000_000 } }],
    addresses: [
      { chain: 'ethereum', address: '0xA', label: 'a', index: 0, ownership: { status: 'proven', reason: 'ok' }, counted: true, balances: [{ asset: 'ETH', decimals: 18, balance: 1_234_567_899_999_999_999n }] },
      { chain: 'ethereum', address: '0xB', label: 'b', index: 1, ownership: { status: 'failed', reason: 'no' }, counted: false, balances: [{ asset: 'ETH', decimals: 18, balance: 5n * 10n ** 18n }] },
    ],
    totals: [],
  });
  it('truncates on-chain precision to the ledger (never rounding up) and skips uncounted addresses', () => {
    // 1.234567899999999999 ETH → 1.23456789 at 8 decimals = 123,456,789 units.
    expect(toReserveRows(result(), registry)).toEqual([{ chain: 'ethereum', address: '0xA', asset: 'ETH', balance: 123_456_789n }]);
  });
  it('refuses to turn an unread balance into a row', () => {
    const r = result();
    delete r.addresses[0]!.balances[0]!.balance;
    r.addresses[0]!.balances[0]!.error = 'eth_getBalance: boom';
    expect(() => toReserveRows(r, registry)).toThrow(expect.objectContaining({ code: 'NETWORK', info: expect.objectContaining({ address: '0xA', block: 7n }) }));
  });
  it('writes amounts as base-unit strings plus decimals, blocks with hash and time', () => {
    const d = reservesDocument(result(), new Date('2026-11-24T01:00:00Z'));
    expect(d).toMatchObject({ format: 'por-reserves', version: 2, chains: [{ block: { number: '7', hash: '0xab', time: '2026-11-18T11:06:40.000Z' } }] });
    expect(d.addresses[0]!.balances[0]).toEqual({ asset: 'ETH', decimals: 18, balance: '1234567899999999999', amount: '1.234567899999999999' });
  });
});

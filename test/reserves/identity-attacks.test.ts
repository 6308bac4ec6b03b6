// Issue 11, items 1–5, built as a dishonest exchange would and refused: one chain under two names,
// one token contract backing two assets, old signatures replayed under a common-word snapshot id,
// a contract wallet that says yes to everything. Expected figures come from the funding plan of
// test/setup/anvil.ts or are written out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { ownershipMessage, ownershipMessageProblem, parseWalletManifest, readReserves, toReserveRows, type WalletManifest } from '../../src/reserves/index.js';
import { defaultBitcoinVerifier } from '../../src/reserves/load.js';
import { startAnvil, setBalances, mine, rpc } from '../../scripts/demo-chain.mjs';
import { EXCHANGE, SNAPSHOT, fixture, goodEntries, manifestJson, sign, testMessage, testRegistry } from '../helpers/anvil-fixture.js';
import { ACCEPT_ALL_RUNTIME, deployAcceptAll } from '../helpers/accept-all-1271.js';
import { startProxy } from '../helpers/anvil-proxy.js';
import { eip191Hash } from '../../src/signatures/evm.js';
import { startEsplora, testnetP2wpkh, TESTNET3_GENESIS } from '../helpers/esplora-server.js';

const f = fixture();
const snapshot = BigInt(f.snapshot);
const registry = testRegistry();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'por-identity-'));
  writeFileSync(join(dir, 'secret.key'), 'ab'.repeat(32) + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const por = (...args: string[]) => spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
const SAMPLE_WALLETS = JSON.parse(readFileSync('samples/wallets.json', 'utf8'));
const SAMPLE_ASSETS = JSON.parse(readFileSync('samples/assets.json', 'utf8'));

/** `por build --wallets` on the samples with the given manifest and registry: what an exchange runs. */
function build(name: string, wallets: unknown, assets: unknown, rpcs: string[]) {
  const w = join(dir, `${name}-wallets.json`);
  const a = join(dir, `${name}-assets.json`);
  const out = join(dir, `${name}-out`);
  writeFileSync(w, JSON.stringify(wallets));
  writeFileSync(a, JSON.stringify(assets));
  const r = por('build', 'samples/liabilities.csv', '--assets', a, '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 'demo-2026-11-24', '--out', out, '--wallets', w, ...rpcs.flatMap((x) => ['--rpc', x]));
  return { ...r, w, a, out };
}

describe('1. one chain under two names counts once, or not at all', () => {
  it('a manifest listing the same chain id under a second name is refused: exit 2, file and field, before the tree is built', () => {
    // The attack: "ethereum-b" is the same chain (31337, same node); every ethereum address is listed
    // again under it, and the registry says ETH lives natively on both.
    const wallets = structuredClone(SAMPLE_WALLETS);
    wallets.chains.push({ name: 'ethereum-b', kind: 'evm', chainId: 31337 });
    const copies = wallets.addresses.filter((a: { chain: string }) => a.chain === 'ethereum').map((a: object) => ({ ...a, chain: 'ethereum-b' }));
    wallets.addresses.push(...copies);
    const assets = structuredClone(SAMPLE_ASSETS);
    assets.assets.find((x: { symbol: string }) => x.symbol === 'ETH').onchain.push({ chain: 'ethereum-b', native: true, decimals: 18 });
    const r = build('twice', wallets, assets, [`ethereum=${f.url}`, `ethereum-b=${f.url}`, 'bitcoin=http://127.0.0.1:9']);
    expect(r.status).toBe(2);
    // Located: file, line:column of the field, and the field path.
    expect(r.stderr).toContain(`${r.w}:1:`);
    expect(r.stderr).toMatch(/:1:\d+, field chains\[2\]\.chainId: chain ethereum-b is the same chain as ethereum \(chains\[0\]\): both are eip155:31337/);
    expect(existsSync(join(r.out, 'public', 'root.json')) || existsSync(join(r.out, 'root.json'))).toBe(false);
  });

  it('two Bitcoin chains on one network are one chain; the genesis tells testnet3 from testnet4', () => {
    const base = { format: 'por-wallets', version: 2, exchange: EXCHANGE, snapshot: SNAPSHOT, addresses: [] };
    const two = { ...base, chains: [{ name: 'bitcoin', kind: 'bitcoin' }, { name: 'btc', kind: 'bitcoin', network: 'mainnet' }] };
    expect(() => parseWalletManifest(two, 'w.json')).toThrow(expect.objectContaining({ info: { file: 'w.json', field: 'chains[1].network' }, message: expect.stringContaining('both are bip122:000000000019d6689c085ae165831e93') }));
    const t4 = '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043';
    const testnets = parseWalletManifest({ ...base, chains: [{ name: 't3', kind: 'bitcoin', network: 'testnet' }, { name: 't4', kind: 'bitcoin', network: 'testnet', genesis: t4 }] }, 'w.json');
    expect(testnets.chains.map((c) => c.id)).toEqual(['bip122:000000000933ea01ad0ee984209779ba', 'bip122:00000000da84f2bafbbc53dee25a72ae']);
  });

  it('a manifest built by hand (library use) with one chain under two names is refused by readReserves', async () => {
    const m = parseWalletManifest(manifestJson(goodEntries().slice(0, 2)), 'w', registry);
    const forged: WalletManifest = { ...m, chains: [...m.chains, { ...m.chains[0]!, name: 'ethereum-b' }], addresses: [...m.addresses, ...m.addresses.map((a) => ({ ...a, chain: 'ethereum-b', index: a.index + 2 }))] };
    await expect(readReserves({ wallets: forged, registry, rpc: { ethereum: f.url, 'ethereum-b': f.url }, blocks: { ethereum: snapshot } })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/eip155:31337.*count its coins twice/) });
  });

  it('the chain identity is what the node answers: a node serving another chain id is an error, and the result records the identity', async () => {
    const r = await readReserves({ wallets: parseWalletManifest(manifestJson(goodEntries().slice(0, 1)), 'w', registry), registry, rpc: { ethereum: f.url }, blocks: { ethereum: snapshot } });
    expect(r.chains[0]).toMatchObject({ name: 'ethereum', id: 'eip155:31337', chainId: 31337 });
    const wrong = await readReserves({ wallets: parseWalletManifest(manifestJson(goodEntries().slice(0, 1), 1), 'w', registry), registry, rpc: { ethereum: f.url }, blocks: { ethereum: snapshot } });
    expect(wrong.chains[0]!.error).toMatch(/serves chain id 31337, but the manifest says chain ethereum has chain id 1/);
    expect(wrong.addresses[0]!.counted).toBe(false);
  });

  it('an Esplora server with another genesis than the manifest chain is a chain error; with the right genesis it reads', async () => {
    const t4 = '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043';
    const server = await startEsplora({ genesis: t4, tip: 10, txs: [] });
    try {
      const addr = testnetP2wpkh(new Uint8Array(32).fill(7));
      const reg = parseAssetRegistry({ assets: [{ symbol: 'BTC', decimals: 8, onchain: [{ chain: 'bitcoin', native: true, decimals: 8 }] }] });
      const m = (chain: Record<string, unknown>) => parseWalletManifest({ format: 'por-wallets', version: 2, exchange: EXCHANGE, snapshot: SNAPSHOT, chains: [{ name: 'bitcoin', kind: 'bitcoin', network: 'testnet', ...chain }], addresses: [{ chain: 'bitcoin', address: addr, assets: ['BTC'] }] }, 'w', reg);
      const opts = { registry: reg, rpc: { bitcoin: server.url }, blocks: { bitcoin: 5n }, ownership: false, verifyBitcoin: await defaultBitcoinVerifier() };
      const t3 = await readReserves({ ...opts, wallets: m({}) });
      expect(t3.chains[0]!.error).toMatch(/genesis block is 00000000da84f2ba…, not 000000000933ea01… \(testnet\): it serves another chain \(another testnet: give its "genesis" in the manifest\)/);
      expect(TESTNET3_GENESIS.startsWith('000000000933ea01')).toBe(true);
      const ok = await readReserves({ ...opts, wallets: m({ genesis: t4 }) });
      expect(ok.chains[0]).toMatchObject({ id: 'bip122:00000000da84f2bafbbc53dee25a72ae', block: { number: 5n } });
      expect(ok.chains[0]!.error).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('3. one on-chain holding backs one asset', () => {
  it('a registry pointing USDC at the USDT contract is refused: exit 2, file and field, before the tree is built', () => {
    const assets = structuredClone(SAMPLE_ASSETS);
    const usdt = assets.assets.find((x: { symbol: string }) => x.symbol === 'USDT').onchain[0].contract as string;
    const usdcAt = assets.assets.findIndex((x: { symbol: string }) => x.symbol === 'USDC');
    // Lower-cased, as an exchange might paste it: still the same contract.
    assets.assets[usdcAt].onchain[0].contract = usdt.toLowerCase();
    const r = build('usdc', SAMPLE_WALLETS, assets, [`ethereum=${f.url}`, 'bitcoin=http://127.0.0.1:9']);
    expect(r.status).toBe(2);
    // file:line:column of the contract, then the field path.
    expect(r.stderr).toMatch(new RegExp(`${r.a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+, field assets\\[${usdcAt}\\]\\.onchain\\[0\\]\\.contract: `));
    expect(r.stderr).toContain(`field assets[${usdcAt}].onchain[0].contract: token contract ${usdt.toLowerCase()} on ethereum is already listed as USDT (assets[2].onchain[0])`);
    expect(existsSync(join(r.out, 'public', 'root.json')) || existsSync(join(r.out, 'root.json'))).toBe(false);
  });

  it('the native coin listed under two symbols, or one contract twice under one symbol, is refused too', () => {
    const native = { assets: [{ symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] }, { symbol: 'WETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] }] };
    expect(() => parseAssetRegistry(native, 'a.json')).toThrow(expect.objectContaining({ info: { file: 'a.json', field: 'assets[1].onchain[0].native' } }));
    const c = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const twice = { assets: [{ symbol: 'USDT', decimals: 6, onchain: [{ chain: 'ethereum', contract: c, decimals: 6 }, { chain: 'ethereum', contract: c, decimals: 6 }] }] };
    expect(() => parseAssetRegistry(twice, 'a.json')).toThrow(expect.objectContaining({ info: { file: 'a.json', field: 'assets[0].onchain[1].contract' } }));
    // The same contract address on two different chains is two holdings (e.g. a CREATE2 deployment).
    expect(parseAssetRegistry({ assets: [{ symbol: 'USDT', decimals: 6, onchain: [{ chain: 'ethereum', contract: c, decimals: 6 }, { chain: 'l2', contract: c, decimals: 6 }] }] }).assets).toHaveLength(1);
  });
});

describe('4. ownership messages are compared whole: no snapshot id makes an old signature fit', () => {
  const COMMON = ['control', 'reserves', 'address', 'I', 'proof', 'por', 'snapshot', 'chain', 'time', 'exchange'];

  it('old signatures re-used under a common-word snapshot id all fail on anvil, and nothing is counted', async () => {
    const w = f.wallets.slice(0, 3);
    // What the exchange signed last time: por's old free-form text, and the v1 template of an old snapshot.
    const legacy = (a: string) => `por proof of reserves\nsnapshot: test-2026-10-24\ntime: 2026-10-24T00:00:00Z\nchain: ethereum\naddress: ${a}\nI control this address.`;
    const oldTemplate = (a: string) => testMessage(a, { id: 'test-2026-10-24', time: '2026-10-24T00:00:00Z' });
    for (const id of COMMON) {
      const entries = w.map((x, i) => {
        const message = i === 2 ? oldTemplate(x.address) : legacy(x.address);
        return { chain: 'ethereum', address: x.address, label: `w${i}`, assets: ['ETH'], ownership: { message, signature: sign(x.key, message) } };
      });
      const json = { ...manifestJson(entries), snapshot: { id, time: SNAPSHOT.time } };
      const r = await readReserves({ wallets: parseWalletManifest(json, 'w', registry), registry, rpc: { ethereum: f.url }, blocks: { ethereum: snapshot } });
      expect(r.addresses.map((a) => a.ownership.status), id).toEqual(['failed', 'failed', 'failed']);
      expect(r.addresses[0]!.ownership.reason).toMatch(/not a por ownership message/);
      expect(r.addresses[2]!.ownership.reason).toContain(`says "snapshot: test-2026-10-24" where this report's says "snapshot: ${id}"`);
      expect(r.totals.find((t) => t.asset === 'ETH')!.balance).toBe(0n);
    }
  });

  it('property: a message made for one snapshot never passes for another, whatever the two ids', () => {
    const id = fc.oneof(fc.constantFrom(...COMMON), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/));
    const subject = (sid: string) => ({ exchange: EXCHANGE, snapshot: { id: sid, time: SNAPSHOT.time }, chain: 'eip155:1', address: '0x000000000000000000000000000000000000dEaD' });
    fc.assert(fc.property(id, id, (a, b) => (ownershipMessageProblem(ownershipMessage(subject(a)), subject(b)) === undefined) === (a === b)));
  });
});

describe('5. a contract wallet that accepts anything proves nothing', () => {
  let chain: Awaited<ReturnType<typeof startAnvil>>;
  let cheat: string;
  let block: bigint;
  const held = 7n * 10n ** 18n + 3n;
  beforeAll(async () => {
    chain = await startAnvil({ timestamp: Date.parse(SNAPSHOT.time) / 1000 - 60 });
    cheat = await deployAcceptAll(chain.url);
    await setBalances(chain.url, [cheat], [held]);
    block = await mine(chain.url, 1);
  });
  afterAll(() => chain?.stop());

  it('the hand-written contract is on chain and answers the magic value to anything', async () => {
    expect(await rpc(chain.url, 'eth_getCode', [cheat, 'latest'])).toBe(ACCEPT_ALL_RUNTIME);
    const anything = await rpc(chain.url, 'eth_call', [{ to: cheat, data: '0xdeadbeef' }, 'latest']);
    expect(anything).toBe('0x1626ba7e' + '00'.repeat(28));
  });

  it('its "yes" to a 65-byte zero signature is reported accepts-anything, and its ETH is not counted', async () => {
    const reg = parseAssetRegistry({ assets: [{ symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] }] });
    const message = testMessage(cheat, SNAPSHOT, 'eip155:31337');
    const json = manifestJson([{ chain: 'ethereum', address: cheat, label: 'custody', assets: ['ETH'], ownership: { message, signature: `0x${'00'.repeat(65)}` } }], 31337);
    const r = await readReserves({ wallets: parseWalletManifest(json, 'w', reg), registry: reg, rpc: { ethereum: chain.url }, blocks: { ethereum: block } });
    expect(r.addresses[0]!.ownership).toMatchObject({ status: 'accepts-anything', scheme: 'eip1271' });
    expect(r.addresses[0]!.ownership.reason).toMatch(/^accepts-anything: the contract wallet's isValidSignature also accepts a random hash with a junk signature at block \d+/);
    expect(r.addresses[0]!.balances[0]!.balance).toBe(held);
    expect(r.addresses[0]!.counted).toBe(false);
    expect(r.totals[0]).toMatchObject({ balance: 0n, unprovenExcluded: held / 10n ** 10n });
  });

  it('a node fault during the probe itself is "unchecked (node error)": neither accepts-anything nor failed, unread, refused downstream', async () => {
    const reg = parseAssetRegistry({ assets: [{ symbol: 'ETH', decimals: 8, onchain: [{ chain: 'ethereum', native: true, decimals: 18 }] }] });
    const message = testMessage(cheat, SNAPSHOT, 'eip155:31337');
    const realHash = eip191Hash(message).slice(2).toLowerCase();
    // The node answers the wallet's own isValidSignature call, then fails (no revert) every probe:
    // isValidSignature calls about any other hash than the message's.
    const isProbe = (c: { method: string; params: unknown[] }) => {
      const data = String((c.params[0] as { data?: string } | undefined)?.data ?? '').toLowerCase();
      return c.method === 'eth_call' && data.startsWith('0x1626ba7e') && !data.includes(realHash);
    };
    const proxy = await startProxy(chain.url, { errorFor: (c) => (isProbe(c) ? 'upstream request timeout' : undefined) });
    try {
      const json = manifestJson([{ chain: 'ethereum', address: cheat, label: 'custody', assets: ['ETH'], ownership: { message, signature: `0x${'00'.repeat(65)}` } }], 31337);
      const r = await readReserves({ wallets: parseWalletManifest(json, 'w', reg), registry: reg, rpc: { ethereum: proxy.url }, blocks: { ethereum: block }, retries: 0 });
      const a = r.addresses[0]!;
      expect(a.ownership).toMatchObject({ status: 'unchecked', nodeError: true, scheme: 'eip1271' });
      expect(a.ownership.reason).toMatch(/^not checked \(node error\): contract wallet could not be probed with a random hash at block \d+: .*upstream request timeout/);
      expect(a.counted).toBe(false);
      expect(a.unread).toBe(true);
      expect(r.totals[0]).toMatchObject({ complete: false, unprovenExcluded: 0n, unread: [{ chain: 'ethereum', address: a.address }] });
      expect(() => toReserveRows(r, reg)).toThrow(/could not check ownership: not checked \(node error\)/);
    } finally {
      await proxy.close();
    }
  });

  it('the honest EIP-1271 wallet of the shared chain still proves ownership (it refuses the probe)', async () => {
    const cw = goodEntries().at(-1)!;
    const r = await readReserves({ wallets: parseWalletManifest(manifestJson([cw]), 'w', registry), registry, rpc: { ethereum: f.url }, blocks: { ethereum: snapshot } });
    expect(r.addresses[0]!.ownership).toMatchObject({ status: 'proven', scheme: 'eip1271' });
    expect(r.addresses[0]!.ownership.reason).toMatch(/refused a random hash/);
  });
});

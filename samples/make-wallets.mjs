// Dev-time: regenerates samples/wallets.json, samples/wallets-faulty.json and
// samples/demo-funding.json from the TEST ONLY seed phrase in samples/TEST-ONLY-seed.txt.
// Run: node samples/make-wallets.mjs   (output is deterministic; commit the result)
import { readFileSync, writeFileSync } from 'node:fs';
import { HDNodeWallet, getCreateAddress, hashMessage, parseUnits } from 'ethers';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// Bitcoin message hashing, address encoding and the ownership message template come from por's own
// src (bundled on the fly), so these samples are signed exactly as por verifies them.
mkdirSync('node_modules/.cache', { recursive: true });
await build({
  stdin: { contents: "export { bitcoinMessageHash } from './src/signatures/bitcoin.ts'; export { encodeAddress, hash160 } from './src/signatures/bitcoin-address.ts'; export { BITCOIN } from './src/signatures/bitcoin-networks.ts'; export { ownershipMessage } from './src/reserves/manifest.ts'; export { chainIdentity } from './src/core/reserves/identity.ts';", resolveDir: process.cwd(), loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', outfile: 'node_modules/.cache/por-make-wallets.mjs', packages: 'external', logLevel: 'error',
});
const btc = await import(pathToFileURL('node_modules/.cache/por-make-wallets.mjs').href);

const dir = new URL('./', import.meta.url);
const phrase = readFileSync(new URL('TEST-ONLY-seed.txt', dir), 'utf8').split('\n').find((l) => l && !l.startsWith('#')).trim();
const key = (i) => HDNodeWallet.fromPhrase(phrase, '', `m/44'/60'/0'/0/${i}`);
const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const snapshot = { id: 'demo-2026-11-24', time: '2026-11-24T00:00:00Z' };
const EXCHANGE = 'Demo Exchange';
const chains = [{ name: 'ethereum', kind: 'evm', chainId: 31337 }, { name: 'bitcoin', kind: 'bitcoin', network: 'mainnet' }];
// The message is por's template (docs/RESERVES.md): exchange, snapshot, time, chain identity, address.
const message = (snap, address, chain = 'ethereum') => btc.ownershipMessage({ exchange: EXCHANGE, snapshot: snap, chain: btc.chainIdentity(chains.find((c) => c.name === chain)), address });

// Bitcoin keys: BIP-84 paths of the same seed; native segwit (P2WPKH) addresses; BIP-137 signatures.
const btcKey = (i) => HDNodeWallet.fromPhrase(phrase, '', `m/84'/0'/0'/0/${i}`);
const btcAddress = (w) => btc.encodeAddress({ type: 'p2wpkh', hash: btc.hash160(Buffer.from(w.publicKey.slice(2), 'hex')) }, btc.BITCOIN);
const btcSign = (w, msg) => {
  const rec = secp256k1.sign(btc.bitcoinMessageHash(msg, 'bitcoin'), Buffer.from(w.privateKey.slice(2), 'hex'), { prehash: false, format: 'recovered' });
  const out = Buffer.alloc(65);
  out[0] = 39 + rec[0]; // BIP-137 header for a P2WPKH address
  out.set(rec.slice(1), 1);
  return out.toString('base64');
};

// Sample tokens are account 0's deployments at nonces 0–2 (see scripts/demo-chain.mjs); the
// custody contract wallet (EIP-1271) comes next, at nonce 3, owned by key 3.
const custody = getCreateAddress({ from: DEPLOYER, nonce: 3 });
const k = [0, 1, 2, 3, 4, 5, 6].map(key);
const units = (sym, text) => parseUnits(text, sym === 'USDT' || sym === 'USDC' ? 6 : 18).toString();
const plan = [
  { label: 'hot-1', address: k[0].address, signer: k[0], balances: { ETH: '1500.25', USDT: '8000000', USDC: '2000000', XTK: '100000' } },
  { label: 'hot-2', address: k[1].address, signer: k[1], balances: { ETH: '500.123456789012345678', USDT: '2000000.5' } },
  { label: 'cold-1', address: k[2].address, signer: k[2], balances: { ETH: '6000', USDT: '30000000', USDC: '10000000', XTK: '400000' } },
  { label: 'custody (EIP-1271 contract wallet)', address: custody, signer: k[3], balances: { ETH: '1500', USDT: '10000000' } },
];
const entry = (p, snap = snapshot, signer = p.signer) => {
  const msg = message(snap, p.address);
  return { chain: 'ethereum', address: p.address, label: p.label, assets: Object.keys(p.balances), ownership: { message: msg, signature: signer.signingKey.sign(hashMessage(msg)).serialized } };
};
const bk = [0, 1, 2, 3].map(btcKey);
const btcPlan = [
  { label: 'btc-cold-1', address: btcAddress(bk[0]), signer: bk[0], balances: { BTC: '600' } },
  { label: 'btc-hot-1', address: btcAddress(bk[1]), signer: bk[1], balances: { BTC: '80.5' } },
];
const btcEntry = (p, snap = snapshot, signer = p.signer) => {
  const msg = message(snap, p.address, 'bitcoin');
  return { chain: 'bitcoin', address: p.address, label: p.label, assets: ['BTC'], ownership: { message: msg, signature: btcSign(signer, msg) } };
};
const manifest = (addresses) => ({ format: 'por-wallets', version: 2, exchange: EXCHANGE, snapshot, chains, addresses });
writeFileSync(new URL('wallets.json', dir), JSON.stringify(manifest([...plan.map((p) => entry(p)), ...btcPlan.map((p) => btcEntry(p))]), null, 2) + '\n');

// The faulty variant: what `por reserves` must catch.
const cold2 = { label: 'cold-2 (signed by the wrong key)', address: k[4].address, signer: k[5], balances: { ETH: '250' } };
const hot3 = { label: 'hot-3 (signature replayed from the previous snapshot)', address: k[6].address, signer: k[6], balances: { ETH: '75', USDT: '500000' } };
const faulty = manifest([
  ...plan.map((p) => entry(p)),
  entry(cold2),
  entry(hot3, { id: 'demo-2026-10-24', time: '2026-10-24T00:00:00Z' }),
  { ...entry(plan[0]), label: 'hot-1 again (listed twice)' },
  ...btcPlan.map((p) => btcEntry(p)),
  btcEntry({ label: 'btc-hot-2 (signed by the wrong key)', address: btcAddress(bk[3]) }, snapshot, bk[2]),
]);
writeFileSync(new URL('wallets-faulty.json', dir), JSON.stringify(faulty, null, 2) + '\n');

const funding = {
  note: 'TEST ONLY. What scripts/demo-chain.mjs puts on the demo chain at the snapshot block (base units), and what it moves afterwards.',
  custody: { address: custody, owner: k[3].address },
  wallets: [...plan, cold2, hot3].map((p) => ({ label: p.label, address: p.address, balances: Object.fromEntries(Object.entries(p.balances).map(([s, v]) => [s, units(s, v)])) })),
  bitcoin: {
    note: 'Esplora fixture served by scripts/demo-chain.mjs: each address receives its balance in two transactions at or below the snapshot height; after it, btc-cold-1 sends 550 BTC away.',
    snapshotHeight: 870000,
    tip: 870006,
    wallets: btcPlan.map((p) => ({ label: p.label, address: p.address, sats: parseUnits(p.balances.BTC, 8).toString() })),
    movedAfterSnapshot: [{ from: btcPlan[0].address, sats: parseUnits('550', 8).toString(), height: 870003 }],
  },
  movedAfterSnapshot: [
    { from: k[2].address, to: '0x000000000000000000000000000000000000dEaD', asset: 'ETH', amount: units('ETH', '5000') },
    { from: k[0].address, to: '0x000000000000000000000000000000000000dEaD', asset: 'USDT', amount: units('USDT', '7000000') },
  ],
};
writeFileSync(new URL('demo-funding.json', dir), JSON.stringify(funding, null, 2) + '\n');
console.log('wrote samples/wallets.json, samples/wallets-faulty.json, samples/demo-funding.json');

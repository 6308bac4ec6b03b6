import { describe, expect, it } from 'vitest';
import { Wallet, getBytes, keccak256, toUtf8Bytes } from 'ethers';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifyEip191, verifyEvmOwnership, verifyOkxEcdsa, verifyOkxEvm } from '../../src/signatures/okx-evm.js';
import { verifyMultisigMessage } from '../../src/signatures/multisig.js';
import { verifyTronMessage } from '../../src/signatures/tron.js';
import { SigningKey, concat } from 'ethers';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const okxDir = path.resolve(repoRoot, 'test/fixtures/okx/upstream');
// Minimal split: the real files have no quoted fields.
const rows = (f: string) => readFileSync(path.join(okxDir, f), 'utf8').trim().split('\n').map((l) => l.split(','));

describe("OKX's EVM scheme on the real reserve files", () => {
  const old = rows('okx_por_example.csv').filter((r) => r[1] === 'ETH' && r[0] === 'ETH');
  it('each single-signer ETH row of the 2022 file holds under OKX scheme, not under plain EIP-191', () => {
    const single = old.filter((r) => !r[9]);
    expect(single).toHaveLength(2);
    for (const r of single) {
      expect(verifyOkxEvm(r[3]!, r[5]!, r[6]!).ok).toBe(true);
      expect(verifyEip191(r[3]!, r[5]!, r[6]!).ok).toBe(false);
    }
  });
  it('the contract-wallet row: signature 1 by eoa1, signature 2 by eoa2', () => {
    const r = old.find((x) => x[9])!;
    expect(verifyOkxEvm(r[9]!, r[5]!, r[6]!).ok).toBe(true);
    expect(verifyOkxEvm(r[10]!.trim(), r[5]!, r[7]!).ok).toBe(true);
    // and not by the contract itself
    expect(verifyOkxEvm(r[3]!, r[5]!, r[6]!).ok).toBe(false);
  });
  it('the 2025 file: the ETH row (OKX EVM) and the OKC row (OKX ECDSA)', () => {
    const f = rows('okx_por_signatures_2025.csv');
    const eth = f.find((r) => r[1] === 'ETH')!;
    expect(verifyEvmOwnership(eth[2]!, eth[5]!, eth[3]!)).toMatchObject({ ok: true, scheme: 'okx-eip191-keccak32' });
    const okc = f.find((r) => r[1] === 'OKC')!;
    expect(verifyOkxEvm(okc[2]!, okc[5]!, okc[3]!).ok).toBe(false);
    expect(verifyOkxEcdsa(okc[2]!, okc[5]!, okc[3]!)).toMatchObject({ ok: true, scheme: 'okx-ecdsa-keccak' });
  });
  it('the 2025 file: BTC (P2WSH) and DOGE (P2SH) 2-of-3 multisig rows', () => {
    const f = rows('okx_por_signatures_2025.csv');
    const btc = f.find((r) => r[1] === 'BTC')!;
    expect(verifyMultisigMessage({ address: btc[2]!, redeemScriptHex: btc[6]!, message: btc[5]!, signatures: [btc[3]!, btc[4]!], network: 'bitcoin' })).toMatchObject({ ok: true, addressType: 'p2wsh', m: 2, n: 3 });
    const doge = f.find((r) => r[1] === 'DOGE')!;
    expect(verifyMultisigMessage({ address: doge[2]!, redeemScriptHex: doge[6]!, message: doge[5]!, signatures: [doge[3]!, doge[4]!], network: 'dogecoin' })).toMatchObject({ ok: true, addressType: 'p2sh', m: 2, n: 3 });
    // signatures swapped between the rows: neither key is in the other's script
    expect(verifyMultisigMessage({ address: btc[2]!, redeemScriptHex: btc[6]!, message: btc[5]!, signatures: [doge[3]!, doge[4]!], network: 'bitcoin' })).toMatchObject({ ok: false, failed: 'signature' });
    // one BTC key twice: OKX's validator passes this (below); por does not
    expect(verifyMultisigMessage({ address: btc[2]!, redeemScriptHex: btc[6]!, message: btc[5]!, signatures: [btc[3]!, btc[3]!], network: 'bitcoin' })).toMatchObject({ ok: false, failed: 'distinct' });
  });

  it("OKX's own multisig rule, transcribed, accepts one key used twice", () => {
    // common/verify.go: m := {addr1, addr, addr2}; delete every script key's address; fail if len(m) > 1.
    // The script address `addr` is never a key's address, so m keeps it; with addr1 == addr2 the set
    // has two entries, one is deleted, and the check passes without a second signer.
    const f = rows('okx_por_signatures_2025.csv');
    const btc = f.find((r) => r[1] === 'BTC')!;
    const prefix = new TextEncoder().encode('Bitcoin Signed Message:\n');
    const msg = new TextEncoder().encode(btc[5]!);
    const digest = sha256(sha256(new Uint8Array([prefix.length, ...prefix, msg.length, ...msg])));
    const recover = (b64: string) => {
      const raw = Uint8Array.from(Buffer.from(b64, 'base64'));
      const sig = secp256k1.Signature.fromBytes(raw.slice(1), 'compact').addRecoveryBit((raw[0]! - 27) & 3);
      return Buffer.from(sig.recoverPublicKey(digest).toBytes(true)).toString('hex');
    };
    const scriptKeys = btc[6]!.match(/21(0[23][0-9a-f]{64})/g)!.map((k) => k.slice(2));
    const okxRule = (k1: string, k2: string) => {
      const m = new Set([k1, `address:${btc[2]}`, k2]);
      for (const k of scriptKeys) m.delete(k);
      return m.size <= 1;
    };
    const k1 = recover(btc[3]!);
    const k2 = recover(btc[4]!);
    expect(okxRule(k1, k2)).toBe(true); // the real row
    expect(okxRule(k1, k1)).toBe(true); // one key twice: OKX accepts
    expect(okxRule(k1, '02' + '00'.repeat(32))).toBe(false); // an outsider: OKX rejects
  });
});

describe('EVM schemes, generated vectors', () => {
  const w = new Wallet('0x' + '11'.repeat(32));
  const msg = 'por reserves snapshot 42';
  it('OKX scheme and plain EIP-191 are told apart', async () => {
    const okxSig = await w.signMessage(getBytes(keccak256(toUtf8Bytes(msg))));
    const plainSig = await w.signMessage(msg);
    expect(verifyOkxEvm(w.address, msg, okxSig).ok).toBe(true);
    expect(verifyEip191(w.address, msg, okxSig).ok).toBe(false);
    expect(verifyEip191(w.address, msg, plainSig).ok).toBe(true);
    expect(verifyEvmOwnership(w.address, msg, plainSig)).toMatchObject({ ok: true, scheme: 'eip191' });
    expect(verifyEvmOwnership(w.address, msg, okxSig)).toMatchObject({ ok: true, scheme: 'okx-eip191-keccak32' });
  });
  it('a signature from another address, another message, or truncated, fails', async () => {
    const other = new Wallet('0x' + '22'.repeat(32));
    const sig = await other.signMessage(getBytes(keccak256(toUtf8Bytes(msg))));
    expect(verifyOkxEvm(w.address, msg, sig)).toMatchObject({ ok: false, reason: expect.stringMatching(/recovers/) });
    const mine = await w.signMessage(getBytes(keccak256(toUtf8Bytes(msg))));
    expect(verifyOkxEvm(w.address, `${msg}!`, mine).ok).toBe(false);
    expect(verifyOkxEvm(w.address, msg, mine.slice(0, -2))).toMatchObject({ ok: false, reason: expect.stringMatching(/65 bytes/) });
    expect(verifyOkxEvm('0x1234', msg, mine)).toMatchObject({ ok: false, reason: expect.stringMatching(/not an EVM address/) });
  });
});

describe('TRON (OKX rows on network TRON)', () => {
  it('the real 2025 row verifies (TIP-191 digest)', () => {
    const r = rows('okx_por_signatures_2025.csv').find((x) => x[1] === 'TRON')!;
    expect(verifyTronMessage(r[2]!, r[5]!, r[3]!)).toMatchObject({ ok: true, scheme: 'tron-tip191' });
    expect(verifyTronMessage(r[2]!, 'OKC_DTT_AUP2026', r[3]!).ok).toBe(false);
  });
  it('a generated v1 signature (keccak32 digest) verifies; another address does not', () => {
    // Written out here: digest = keccak256("\x19TRON Signed Message:\n32" ‖ keccak256(msg)),
    // address = base58check(0x41 ‖ EVM address).
    const key = new SigningKey('0x' + '33'.repeat(32));
    const msg = 'por tron snapshot 7';
    const digest = keccak256(concat([toUtf8Bytes('\x19TRON Signed Message:\n32'), getBytes(keccak256(toUtf8Bytes(msg)))]));
    const sig = key.sign(digest).serialized;
    const evmAddr = new Wallet(key.privateKey).address;
    const tronAddr = createBase58check(sha256).encode(Uint8Array.of(0x41, ...getBytes(evmAddr)));
    expect(tronAddr.startsWith('T')).toBe(true);
    expect(verifyTronMessage(tronAddr, msg, sig)).toMatchObject({ ok: true, scheme: 'tron-keccak32' });
    expect(verifyTronMessage('TSBg5SM1TXVXneSivmzpZa9hpccLNeYcWq', msg, sig).ok).toBe(false);
    expect(verifyTronMessage(tronAddr, msg, sig.slice(0, 100))).toMatchObject({ ok: false, reason: expect.stringMatching(/65 bytes/) });
  });
});

import { describe, expect, it } from 'vitest';
import { bytesToHex } from '@noble/hashes/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { WIF, getAddress, NETWORK, p2ms, p2wsh, p2sh, p2wpkh } from '@scure/btc-signer';
import { verifyBitcoinMessage, bip322ToSpendHash, bip322ToSignHash, bip322MessageHash, bitcoinMessageHash } from '../../src/signatures/bitcoin.js';
import { decodeAddress, outputScript } from '../../src/signatures/bitcoin-address.js';
import { BITCOIN, DOGECOIN, LITECOIN } from '../../src/signatures/bitcoin-networks.js';
import { verifyMultisigMessage, parseMultisigScript } from '../../src/signatures/multisig.js';

// BIP-322 vectors: bitcoin/bips, bip-0322/basic-test-vectors.json (and the BIP's text, which gives
// the same P2WPKH signatures without the "smp" prefix).
const P2WPKH = 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l';
const P2WSH_3OF3 = 'bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9';
const SIG_EMPTY = 'AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=';
const SIG_EMPTY_2 = 'AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy';
const SIG_HELLO = 'AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=';
const SIG_HELLO_2 = 'AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy';
const SIG_3OF3 = 'BQBHMEQCIFX9aaqPJWq2Ff2kpen5bFDTid+ehgUOpHV0LfjncXy4AiA3GNicF7aKPzdpa9PCpmaYQs3pHd+qbvvhXdxOCKCAMAFIMEUCIQD/ELXg6CNYyUQijCg96JtgvgjZb9dsl1Ctof4QAeyTcQIgVM/1AAblFl/DCt6A1gJg+T/i2qU5SQD09+chFJzolRwBSDBFAiEAlqRfSFyWNVQhvaCnmeV5tyneiCWMTcFbuujoD/pFa3wCIGnZjfQb8NolSYq9asV+ZeBSkCGHJcqnaV4JYS5MYPEGAWlTIQJ1aLEfEi/4p7wcV+XHZCBVvGGJZ7L3v+jhH+mZA8lN0yECCovfec+kIdllXpKCgA8RX/HZ2x5yHOtCSKP8/sf6pnwhAwxSng6kCgCXXSAmJOOZFdr3vdK3HzGqCFloOHgc5fM6U64=';
const MSG_3OF3 = 'This will be a p2wsh 3-of-3 multisig BIP 322 signed message';
const P2TR = 'bc1pss0zhytly75awhm6x2hhvd5lnzv3vssgrf9axfheq8ldyzn88ges79fler';
const SIG_P2TR = 'AUCJYOwOjxYAvatTAGYaVlNXBVyFuc4MwNQkOuK2tl8xhfKDONd0NjfYyNSYcRqeCp8hsAnCEPHAVEkO9h6vbQ/R';

const display = (h: Uint8Array) => bytesToHex(h.slice().reverse());

describe('BIP-322 simple, published vectors', () => {
  it('message hashes and virtual transactions match the BIP', () => {
    expect(bytesToHex(bip322MessageHash(''))).toBe('c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1');
    expect(bytesToHex(bip322MessageHash('Hello World'))).toBe('f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a');
    const script = outputScript(decodeAddress(P2WPKH, BITCOIN)!);
    const toSpend = bip322ToSpendHash('', script);
    expect(display(toSpend)).toBe('c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7');
    expect(display(bip322ToSignHash(toSpend))).toBe('1e9654e951a5ba44c8604c4de6c67fd78a27e81dcadcfe1edf638ba3aaebaed6');
    const toSpend2 = bip322ToSpendHash('Hello World', script);
    expect(display(toSpend2)).toBe('b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b');
    expect(display(bip322ToSignHash(toSpend2))).toBe('88737ae86f2077145f93cc4b153ae9a1cb8d56afa511988c149c5c8c9d93bddf');
  });

  it('P2WPKH signatures verify, with and without the "smp" prefix', () => {
    for (const [msg, sig] of [['', SIG_EMPTY], ['', SIG_EMPTY_2], ['Hello World', SIG_HELLO], ['Hello World', SIG_HELLO_2]] as const) {
      for (const s of [sig, `smp${sig}`]) {
        const r = verifyBitcoinMessage(P2WPKH, msg, s);
        expect(r, `${msg}/${s.slice(0, 12)}`).toMatchObject({ ok: true, scheme: 'bip322-simple-p2wpkh' });
      }
    }
  });

  it('P2WSH 3-of-3 multisig and P2TR key-path signatures verify', () => {
    expect(verifyBitcoinMessage(P2WSH_3OF3, MSG_3OF3, `smp${SIG_3OF3}`)).toMatchObject({ ok: true, scheme: 'bip322-simple-p2wsh' });
    expect(verifyBitcoinMessage(P2TR, 'No prefix fallback', SIG_P2TR)).toMatchObject({ ok: true, scheme: 'bip322-simple-p2tr' });
  });

  it("the BIP's error vectors fail", () => {
    expect(verifyBitcoinMessage(P2WPKH, '', 'not-valid-base64!!!')).toMatchObject({ ok: false, reason: expect.stringMatching(/base64/) });
    expect(verifyBitcoinMessage(P2WPKH, '', '')).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(verifyBitcoinMessage(P2WPKH, 'Wrong message that was not signed', `smp${SIG_EMPTY}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid signature/) });
    expect(verifyBitcoinMessage(P2WSH_3OF3, '', `smp${SIG_EMPTY}`).ok).toBe(false);
    expect(verifyBitcoinMessage(P2WPKH, '', 'smpAA==').ok).toBe(false);
    expect(verifyBitcoinMessage(P2WSH_3OF3, 'This is not the message that was signed', `smp${SIG_3OF3}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid signature/) });
    expect(verifyBitcoinMessage(P2TR, 'No prefix fallbacK', SIG_P2TR)).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid signature/) });
  });
});

describe('BIP-137 (legacy compact), published vectors', () => {
  // From Bitcoin Core / Electrum, as collected in btclib's tests (btclib/tests/test_bms.py).
  it('P2PKH, uncompressed and compressed keys', () => {
    const G = 'G/iew/NhHV9V9MdUEn/LFOftaTy1ivGPKPKyMlr8OSokNC755fAxpSThNRivwTNsyY9vPUDTRYBPc2cmGd5d4y4=';
    const H = 'H/iew/NhHV9V9MdUEn/LFOftaTy1ivGPKPKyMlr8OSokNC755fAxpSThNRivwTNsyY9vPUDTRYBPc2cmGd5d4y4=';
    expect(verifyBitcoinMessage('1HUBHMij46Hae75JPdWjeZ5Q7KaL7EFRSD', 'test message', G)).toMatchObject({ ok: true, scheme: 'bip137' });
    expect(verifyBitcoinMessage('14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY', 'test message', H)).toMatchObject({ ok: true, scheme: 'bip137' });
    // header says uncompressed key, address is of the compressed one (and the reverse)
    expect(verifyBitcoinMessage('14dD6ygPi5WXdwwBTt1FBZK3aD8uDem1FY', 'test message', G).ok).toBe(false);
    expect(verifyBitcoinMessage('1HUBHMij46Hae75JPdWjeZ5Q7KaL7EFRSD', 'test message', H).ok).toBe(false);
    expect(verifyBitcoinMessage('1FEz167JCVgBvhJBahpzmrsTNewhiwgWVG', 'Hello, world!', 'G+WptuOvPCSswt/Ncm1upO4lPSCWbS2cpKariPmHvxX5eOJwgqmdEExMTKvaR0S3f1TXwggLn/m4CbI2jv0SCuM=').ok).toBe(true);
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', 'HPDs1TesA48a9up4QORIuub67VHBM37X66skAYz0Esg23gdfMuCTYDFORc6XGpKZ2/flJ2h/DUF569FJxGoVZ50=').ok).toBe(true);
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message 2', 'HPDs1TesA48a9up4QORIuub67VHBM37X66skAYz0Esg23gdfMuCTYDFORc6XGpKZ2/flJ2h/DUF569FJxGoVZ50=').ok).toBe(false);
  });

  it('segwit header ranges: 31–34 P2PKH, 35–38 P2SH-P2WPKH, 39–42 P2WPKH', () => {
    // Addresses derived here with @scure/btc-signer (a separate implementation) from the key.
    const priv = WIF().decode('L4xAvhKR35zFcamyHME2ZHfhw5DEyeJvEMovQHQ7DttPTM8NLWCK');
    const pkh = getAddress('pkh', priv)!;
    const wpkh = getAddress('wpkh', priv)!;
    const shwpkh = p2sh(p2wpkh(secp256k1.getPublicKey(priv, true))).address!;
    const I = 'IBFyn+h9m3pWYbB4fBFKlRzBD4eJKojgCIZSNdhLKKHPSV2/WkeV7R7IOI0dpo3uGAEpCz9eepXLrA5kF35MXuU=';
    const J = 'JBFyn+h9m3pWYbB4fBFKlRzBD4eJKojgCIZSNdhLKKHPSV2/WkeV7R7IOI0dpo3uGAEpCz9eepXLrA5kF35MXuU=';
    const K = 'KBFyn+h9m3pWYbB4fBFKlRzBD4eJKojgCIZSNdhLKKHPSV2/WkeV7R7IOI0dpo3uGAEpCz9eepXLrA5kF35MXuU=';
    expect(verifyBitcoinMessage(pkh, 'test', I).ok).toBe(true);
    expect(verifyBitcoinMessage(shwpkh, 'test', J).ok).toBe(true);
    expect(verifyBitcoinMessage(wpkh, 'test', K).ok).toBe(true);
    // Electrum signs segwit addresses with the P2PKH header; the key is the same, accepted and said so.
    expect(verifyBitcoinMessage(wpkh, 'test', I)).toMatchObject({ ok: true, reason: expect.stringMatching(/Electrum/) });
    // A header for one segwit form used on the other is rejected.
    expect(verifyBitcoinMessage(wpkh, 'test', J).ok).toBe(false);
    expect(verifyBitcoinMessage(pkh, 'test', K).ok).toBe(false);
  });

  it('malformed compact signatures say why', () => {
    const good = 'HPDs1TesA48a9up4QORIuub67VHBM37X66skAYz0Esg23gdfMuCTYDFORc6XGpKZ2/flJ2h/DUF569FJxGoVZ50=';
    const raw = base64.decode(good);
    const truncated = base64.encode(raw.slice(0, 64));
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', truncated).ok).toBe(false);
    const badHeader = raw.slice(); badHeader[0] = 26;
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', base64.encode(badHeader))).toMatchObject({ ok: false, reason: expect.stringMatching(/header/) });
    expect(verifyBitcoinMessage('not-an-address', 'test message', good)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a bitcoin address/) });
  });
});

// ---------------------------------------------------------------------------------------------
// Multisig by signed messages (OKX's form), with vectors made here.

function compactSign(priv: Uint8Array, message: string, prefix: string): string {
  // Written out from BIP-137 directly (not via the module under test): sha256d of the
  // varint-framed prefix and message; header 31 + recovery id for a compressed key.
  const enc = new TextEncoder();
  const p = enc.encode(prefix);
  const m = enc.encode(message);
  const digest = sha256(sha256(new Uint8Array([p.length, ...p, m.length, ...m])));
  const sig = secp256k1.sign(digest, priv, { prehash: false, format: 'recovered' });
  // noble's "recovered" format is recovery ‖ r ‖ s
  return base64.encode(new Uint8Array([31 + sig[0]!, ...sig.slice(1)]));
}

const keys = [1, 2, 3].map((i) => sha256(new TextEncoder().encode(`por test key ${i}`)));
const pubs = keys.map((k) => secp256k1.getPublicKey(k, true));

describe('multisig ownership by signed messages', () => {
  const ms = p2ms(2, pubs);
  const script = ms.script;
  const scriptHex = bytesToHex(script);
  const btcWsh = p2wsh(ms, NETWORK).address!;
  const btcSh = p2sh(ms, NETWORK).address!;
  const btcShWsh = p2sh(p2wsh(ms, NETWORK), NETWORK).address!;
  const DOGE = { bech32: 'doge', pubKeyHash: 0x1e, scriptHash: 0x16, wif: 0x9e };
  const dogeSh = p2sh(ms, DOGE).address!;
  const LTC = { bech32: 'ltc', pubKeyHash: 0x30, scriptHash: 0x32, wif: 0xb0 };
  const ltcWsh = p2wsh(ms, LTC).address!;
  const msg = 'por snapshot 2026-11-24 block 871234';
  const btcSigs = [compactSign(keys[0]!, msg, 'Bitcoin Signed Message:\n'), compactSign(keys[2]!, msg, 'Bitcoin Signed Message:\n')];

  it('parses the script and the coin-specific address forms', () => {
    expect(parseMultisigScript(script)).toMatchObject({ m: 2, n: 3 });
    for (const [addr, type] of [[btcWsh, 'p2wsh'], [btcSh, 'p2sh'], [btcShWsh, 'p2sh-p2wsh']] as const) {
      expect(verifyMultisigMessage({ address: addr, redeemScriptHex: scriptHex, message: msg, signatures: btcSigs })).toMatchObject({ ok: true, addressType: type, m: 2, n: 3 });
    }
    const dogeSigs = [compactSign(keys[1]!, msg, 'Dogecoin Signed Message:\n'), compactSign(keys[0]!, msg, 'Dogecoin Signed Message:\n')];
    expect(verifyMultisigMessage({ address: dogeSh, redeemScriptHex: scriptHex, message: msg, signatures: dogeSigs, network: DOGECOIN })).toMatchObject({ ok: true, addressType: 'p2sh' });
    // Bitcoin-prefixed signatures do not count for a Dogecoin address
    expect(verifyMultisigMessage({ address: dogeSh, redeemScriptHex: scriptHex, message: msg, signatures: btcSigs, network: DOGECOIN })).toMatchObject({ ok: false, failed: 'signature' });
    const ltcSigs = [compactSign(keys[1]!, msg, 'Litecoin Signed Message:\n'), compactSign(keys[2]!, msg, 'Litecoin Signed Message:\n')];
    expect(verifyMultisigMessage({ address: ltcWsh, redeemScriptHex: scriptHex, message: msg, signatures: ltcSigs, network: LITECOIN })).toMatchObject({ ok: true, addressType: 'p2wsh' });
    // Litecoin P2SH: the current M… version byte and the legacy 3… one
    const ltcShM = p2sh(ms, LTC).address!;
    const ltcSh3 = p2sh(ms, { ...LTC, scriptHash: 0x05 }).address!;
    expect(ltcShM.startsWith('M')).toBe(true);
    for (const a of [ltcShM, ltcSh3]) expect(verifyMultisigMessage({ address: a, redeemScriptHex: scriptHex, message: msg, signatures: ltcSigs, network: LITECOIN })).toMatchObject({ ok: true, addressType: 'p2sh' });
  });

  it('each tampering fails with the right reason', () => {
    // a redeem script that does not hash to the address (keys in another order)
    const other = bytesToHex(p2ms(2, [pubs[1]!, pubs[0]!, pubs[2]!]).script);
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: other, message: msg, signatures: btcSigs })).toMatchObject({ ok: false, failed: 'address' });
    // one key used twice for a 2-of-3
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: scriptHex, message: msg, signatures: [btcSigs[0]!, btcSigs[0]!] })).toMatchObject({ ok: false, failed: 'distinct' });
    // below the threshold
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: scriptHex, message: msg, signatures: [btcSigs[0]!, ''] })).toMatchObject({ ok: false, failed: 'threshold' });
    // a truncated signature
    const truncated = base64.encode(base64.decode(btcSigs[1]!).slice(0, 60));
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: scriptHex, message: msg, signatures: [btcSigs[0]!, truncated] })).toMatchObject({ ok: false, failed: 'signature', reason: expect.stringMatching(/65 bytes/) });
    // a signer outside the script
    const outsider = compactSign(sha256(new TextEncoder().encode('outsider')), msg, 'Bitcoin Signed Message:\n');
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: scriptHex, message: msg, signatures: [btcSigs[0]!, outsider] })).toMatchObject({ ok: false, failed: 'signature' });
    // a script that is not multisig
    expect(verifyMultisigMessage({ address: btcWsh, redeemScriptHex: '51', message: msg, signatures: btcSigs })).toMatchObject({ ok: false, failed: 'script' });
  });

  it('single-key compact signatures verify for LTC and DOGE P2PKH with their own prefixes', () => {
    const pkhLtc = getAddress('pkh', keys[0]!, LTC)!;
    const pkhDoge = getAddress('pkh', keys[0]!, DOGE)!;
    expect(verifyBitcoinMessage(pkhLtc, msg, compactSign(keys[0]!, msg, 'Litecoin Signed Message:\n'), 'litecoin').ok).toBe(true);
    expect(verifyBitcoinMessage(pkhDoge, msg, compactSign(keys[0]!, msg, 'Dogecoin Signed Message:\n'), 'dogecoin').ok).toBe(true);
    expect(verifyBitcoinMessage(pkhDoge, msg, compactSign(keys[0]!, msg, 'Bitcoin Signed Message:\n'), 'dogecoin').ok).toBe(false);
    expect(bitcoinMessageHash('x', 'litecoin')).not.toEqual(bitcoinMessageHash('x', 'bitcoin'));
  });
});

describe('network names', () => {
  it("accepts por's manifest names and refuses unknown ones without throwing", () => {
    const sig = 'HPDs1TesA48a9up4QORIuub67VHBM37X66skAYz0Esg23gdfMuCTYDFORc6XGpKZ2/flJ2h/DUF569FJxGoVZ50=';
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', sig, 'mainnet').ok).toBe(true);
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', sig, 'nonsense' as never)).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown Bitcoin network/) });
    expect(verifyMultisigMessage({ address: 'x', redeemScriptHex: '51', message: '', signatures: [], network: 'nonsense' as never }).ok).toBe(false);
    // a mainnet address is not a testnet one
    expect(verifyBitcoinMessage('16vqGo3KRKE9kTsTZxKoJKLzwZGTodK3ce', 'test message', sig, 'testnet')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a testnet address/) });
  });
});

// Bitcoin-family message signatures: BIP-137 (the legacy 65-byte compact form, header byte says
// the address type) and BIP-322 "simple" (a witness that spends a virtual output locked to the
// address: P2WPKH, P2TR key path, P2WSH multisig). Pure: @noble/curves for the curve,
// @noble/hashes, @scure/base, and @scure/btc-signer only for the BIP-341 (taproot) sighash.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { decodeAddress, hash160, outputScript, p2shP2wpkhHash, sameBytes, type DecodedAddress } from './bitcoin-address.js';
import { resolveNetwork, type BitcoinNetwork, type BitcoinNetworkName } from './bitcoin-networks.js';
import { checkMultisigSignatures, parseMultisigScript } from './multisig-script.js';
import type { SignatureResult } from './result.js';

const enc = new TextEncoder();

function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const sha256d = (b: Uint8Array): Uint8Array => sha256(sha256(b));

/** The digest a Bitcoin-family signed message signs: sha256d(varint ‖ prefix ‖ varint ‖ message). */
export function bitcoinMessageHash(message: string, network?: BitcoinNetwork | BitcoinNetworkName): Uint8Array {
  const prefix = enc.encode(resolveNetwork(network).messagePrefix);
  const msg = enc.encode(message);
  return sha256d(concat(varint(prefix.length), prefix, varint(msg.length), msg));
}

export interface RecoveredKey {
  /** The public key, compressed (33 bytes) or uncompressed (65) as the header says. */
  pubkey: Uint8Array;
  header: number;
  /** The address type the BIP-137 header claims. */
  kind: 'p2pkh-uncompressed' | 'p2pkh' | 'p2sh-p2wpkh' | 'p2wpkh';
}

function decodeBase64(sig: string): Uint8Array | string {
  const t = sig.trim();
  if (t === '') return 'the signature is empty';
  try {
    return base64.decode(t);
  } catch {
    return 'the signature is not valid base64';
  }
}

/** Recovers the key behind a 65-byte compact signature; a string says why it cannot. */
export function recoverCompactKey(message: string, signatureBase64: string, network?: BitcoinNetwork | BitcoinNetworkName): RecoveredKey | string {
  const raw = decodeBase64(signatureBase64);
  if (typeof raw === 'string') return raw;
  if (raw.length !== 65) return `a compact signature is 65 bytes; this one is ${raw.length}`;
  const header = raw[0] as number;
  if (header < 27 || header > 42) return `header byte ${header} is outside BIP-137's 27–42`;
  const recovery = (header - 27) & 3;
  const kind = header < 31 ? 'p2pkh-uncompressed' : header < 35 ? 'p2pkh' : header < 39 ? 'p2sh-p2wpkh' : 'p2wpkh';
  try {
    const sig = secp256k1.Signature.fromBytes(raw.slice(1), 'compact').addRecoveryBit(recovery);
    const point = sig.recoverPublicKey(bitcoinMessageHash(message, network));
    return { pubkey: point.toBytes(kind !== 'p2pkh-uncompressed'), header, kind };
  } catch (err) {
    return `no public key can be recovered from this signature (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Does `pubkey` own the single-key address `addr`? Returns the address form it matched. */
function keyMatches(pubkey: Uint8Array, addr: DecodedAddress): string | undefined {
  const h = hash160(pubkey);
  if (addr.type === 'p2pkh' && sameBytes(addr.hash, h)) return 'P2PKH';
  if (pubkey.length === 33 && addr.type === 'p2wpkh' && sameBytes(addr.hash, h)) return 'P2WPKH';
  if (pubkey.length === 33 && addr.type === 'p2sh' && sameBytes(addr.hash, p2shP2wpkhHash(pubkey))) return 'P2SH-P2WPKH';
  return undefined;
}

function verifyBip137(address: string, addr: DecodedAddress, message: string, signatureBase64: string, net: BitcoinNetwork): SignatureResult {
  const rec = recoverCompactKey(message, signatureBase64, net);
  if (typeof rec === 'string') return { ok: false, scheme: 'bip137', reason: rec };
  const matched = keyMatches(rec.pubkey, addr);
  const wanted = { 'p2pkh-uncompressed': 'P2PKH', p2pkh: 'P2PKH', 'p2sh-p2wpkh': 'P2SH-P2WPKH', p2wpkh: 'P2WPKH' }[rec.kind];
  if (matched === undefined) {
    return { ok: false, scheme: 'bip137', reason: `the signature recovers a key that does not own ${address} (header ${rec.header}: ${wanted}); wrong message, wrong address or a tampered signature` };
  }
  if (matched === wanted) return { ok: true, scheme: 'bip137', reason: `${matched} key recovered from header ${rec.header} owns ${address}` };
  // Electrum and Trezor sign segwit addresses with the P2PKH header (31–34); Bitcoin Core's verifier
  // would reject it, but the key is the same one, so ownership is shown.
  if (rec.kind === 'p2pkh') {
    return { ok: true, scheme: 'bip137', reason: `${matched} key recovered; header ${rec.header} says P2PKH (Electrum-style), the key owns ${address}` };
  }
  return { ok: false, scheme: 'bip137', reason: `header ${rec.header} says ${wanted} but ${address} is ${matched}` };
}

// ---------------------------------------------------------------------------------------------
// BIP-322 simple

function taggedHash(tag: string, msg: Uint8Array): Uint8Array {
  const t = sha256(enc.encode(tag));
  return sha256(concat(t, t, msg));
}

export function bip322MessageHash(message: string): Uint8Array {
  return taggedHash('BIP0322-signed-message', enc.encode(message));
}

const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
const ZERO8 = new Uint8Array(8);

/** txid (internal byte order) of BIP-322's virtual `to_spend` transaction. */
export function bip322ToSpendHash(message: string, scriptPubKey: Uint8Array): Uint8Array {
  const scriptSig = concat(Uint8Array.of(0x00, 0x20), bip322MessageHash(message));
  const tx = concat(
    le32(0), // version
    varint(1), new Uint8Array(32), le32(0xffffffff), varint(scriptSig.length), scriptSig, le32(0), // input
    varint(1), ZERO8, varint(scriptPubKey.length), scriptPubKey, // output
    le32(0), // locktime
  );
  return sha256d(tx);
}

const OP_RETURN_SCRIPT = Uint8Array.of(0x6a);

/** txid of `to_sign` (without witness), for tests against BIP-322's published hashes. */
export function bip322ToSignHash(toSpend: Uint8Array): Uint8Array {
  return sha256d(concat(le32(0), varint(1), toSpend, le32(0), varint(0), le32(0), varint(1), ZERO8, varint(1), OP_RETURN_SCRIPT, le32(0)));
}

/** BIP-143 sighash of to_sign's only input (SIGHASH_ALL). */
function bip143Sighash(toSpend: Uint8Array, scriptCode: Uint8Array): Uint8Array {
  const outpoint = concat(toSpend, le32(0));
  const outputs = concat(ZERO8, varint(1), OP_RETURN_SCRIPT);
  return sha256d(concat(
    le32(0),
    sha256d(outpoint),
    sha256d(le32(0)),
    outpoint,
    varint(scriptCode.length), scriptCode,
    ZERO8,
    le32(0),
    sha256d(outputs),
    le32(0),
    le32(1),
  ));
}

function readWitness(raw: Uint8Array): Uint8Array[] | string {
  let o = 0;
  const readVarint = (): number | undefined => {
    const b = raw[o++];
    if (b === undefined) return undefined;
    if (b < 0xfd) return b;
    const size = b === 0xfd ? 2 : b === 0xfe ? 4 : 8;
    if (o + size > raw.length || size === 8) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v += (raw[o + i] as number) * 2 ** (8 * i);
    o += size;
    return v;
  };
  const count = readVarint();
  if (count === undefined || count === 0) return 'the BIP-322 witness is empty';
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = readVarint();
    if (len === undefined || o + len > raw.length) return 'the BIP-322 witness is truncated';
    items.push(raw.slice(o, o + len));
    o += len;
  }
  if (o !== raw.length) return 'the BIP-322 witness has trailing bytes';
  return items;
}

function ecdsaOk(sigWithType: Uint8Array, digest: Uint8Array, pubkey: Uint8Array): boolean | string {
  if (sigWithType.length < 9) return 'a witness signature is too short';
  const hashType = sigWithType[sigWithType.length - 1];
  if (hashType !== 0x01) return `sighash type ${hashType} is not SIGHASH_ALL`;
  try {
    return secp256k1.verify(sigWithType.slice(0, -1), digest, pubkey, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

function verifyBip322Simple(address: string, addr: DecodedAddress, message: string, raw: Uint8Array): SignatureResult {
  const witness = readWitness(raw);
  const scheme = `bip322-simple-${addr.type}`;
  if (typeof witness === 'string') return { ok: false, scheme, reason: witness };
  const toSpend = bip322ToSpendHash(message, outputScript(addr));
  if (addr.type === 'p2wpkh') {
    const [sig, pub] = witness;
    if (witness.length !== 2 || !sig || !pub || pub.length !== 33) return { ok: false, scheme, reason: 'a P2WPKH witness is [signature, 33-byte key]' };
    if (!sameBytes(hash160(pub), addr.hash)) return { ok: false, scheme, reason: `the witness key does not hash to ${address}` };
    const scriptCode = Uint8Array.of(0x76, 0xa9, 0x14, ...addr.hash, 0x88, 0xac);
    const ok = ecdsaOk(sig, bip143Sighash(toSpend, scriptCode), pub);
    if (typeof ok === 'string') return { ok: false, scheme, reason: ok };
    return ok
      ? { ok: true, scheme, reason: `the witness spends BIP-322's virtual output of ${address} for this message` }
      : { ok: false, scheme, reason: 'the signature does not sign this message for this address (invalid signature)' };
  }
  if (addr.type === 'p2tr') {
    const [sig] = witness;
    if (witness.length !== 1 || !sig || (sig.length !== 64 && sig.length !== 65)) return { ok: false, scheme, reason: 'only the taproot key path (one 64/65-byte signature) is supported' };
    const hashType = sig.length === 65 ? (sig[64] as number) : 0;
    if (hashType !== 0 && hashType !== 1) return { ok: false, scheme, reason: `sighash type ${hashType} is not DEFAULT or ALL` };
    let digest: Uint8Array;
    try {
      const tx = new Transaction({ version: 0, allowUnknownOutputs: true, disableScriptCheck: true });
      tx.addInput({ txid: toSpend.slice().reverse(), index: 0, sequence: 0, witnessUtxo: { script: outputScript(addr), amount: 0n } });
      tx.addOutput({ script: OP_RETURN_SCRIPT, amount: 0n });
      digest = tx.preimageWitnessV1(0, [outputScript(addr)], hashType, [0n]);
    } catch (err) {
      return { ok: false, scheme, reason: `cannot build the BIP-322 transaction: ${err instanceof Error ? err.message : String(err)}` };
    }
    let ok = false;
    try {
      ok = schnorr.verify(sig.slice(0, 64), digest, addr.pubkey);
    } catch {
      ok = false;
    }
    return ok
      ? { ok: true, scheme, reason: `the taproot key-path signature spends BIP-322's virtual output of ${address}` }
      : { ok: false, scheme, reason: 'the signature does not sign this message for this address (invalid signature)' };
  }
  if (addr.type === 'p2wsh') {
    const script = witness[witness.length - 1] as Uint8Array;
    if (!sameBytes(sha256(script), addr.hash)) return { ok: false, scheme, reason: `the witness script does not hash to ${address}` };
    const ms = parseMultisigScript(script);
    if (typeof ms === 'string') return { ok: false, scheme, reason: `only multisig witness scripts are supported: ${ms}` };
    if (witness.length < 2 || (witness[0] as Uint8Array).length !== 0) return { ok: false, scheme, reason: 'a multisig witness starts with an empty item' };
    const digest = bip143Sighash(toSpend, script);
    const res = checkMultisigSignatures(ms, witness.slice(1, -1), (sig, pub) => ecdsaOk(sig, digest, pub) === true);
    return { ok: res.ok, scheme, reason: res.reason };
  }
  return { ok: false, scheme, reason: `BIP-322 simple signatures for ${addr.type.toUpperCase()} addresses are not supported` };
}

/**
 * Verifies a signed message for a Bitcoin-family address. A 65-byte base64 signature is read as
 * BIP-137; anything else (optionally prefixed "smp") as BIP-322 simple. Never throws.
 */
export function verifyBitcoinMessage(address: string, message: string, signatureBase64: string, network?: BitcoinNetwork | BitcoinNetworkName): SignatureResult {
  let net: BitcoinNetwork;
  try {
    net = resolveNetwork(network);
  } catch (err) {
    return { ok: false, scheme: 'unknown', reason: (err as Error).message };
  }
  const addr = decodeAddress(address.trim(), net);
  if (!addr) return { ok: false, scheme: 'unknown', reason: `${address} is not a ${net.name} address` };
  let text = signatureBase64.trim();
  const smp = text.startsWith('smp');
  if (smp) text = text.slice(3);
  const raw = decodeBase64(text);
  if (typeof raw === 'string') return { ok: false, scheme: smp ? 'bip322-simple' : 'unknown', reason: raw };
  if (raw.length === 65 && !smp && raw[0] !== undefined && raw[0] >= 27 && raw[0] <= 42) {
    return verifyBip137(address, addr, message, text, net);
  }
  if (addr.type === 'p2pkh' || addr.type === 'p2sh') {
    return { ok: false, scheme: raw.length === 65 ? 'bip137' : 'bip322-simple', reason: raw.length === 65 ? `header byte ${raw[0]} is outside BIP-137's 27–42` : `a ${raw.length}-byte signature for a ${addr.type.toUpperCase()} address is neither BIP-137 (65 bytes) nor a supported BIP-322 form` };
  }
  return verifyBip322Simple(address, addr, message, raw);
}

// EVM ownership signatures as exchanges publish them: plain EIP-191 personal_sign over the message
// text, and OKX's variant, EIP-191 over the 32-byte keccak256 of the message
// (keccak256("\x19Ethereum Signed Message:\n32" ‖ keccak256(message))). Also OKX's "OKC" scheme:
// keccak256 of the Bitcoin-style varint-prefixed "OKX Signed Message:\n" ‖ message. Pure (ethers
// runs in browsers).
// Subpath imports: the root 'ethers' entry drags in Node-only provider types (IPC sockets).
import { isAddress } from 'ethers/address';
import { keccak256 } from 'ethers/crypto';
import { hashMessage } from 'ethers/hash';
import { recoverAddress } from 'ethers/transaction';
import { concat, getBytes, toUtf8Bytes } from 'ethers/utils';
import type { SignatureResult } from './result.js';

export const SCHEME_EIP191 = 'eip191';
export const SCHEME_OKX_EVM = 'okx-eip191-keccak32';
export const SCHEME_OKX_ECDSA = 'okx-ecdsa-keccak';

/** The digest OKX's EVM signatures sign. */
export function okxEvmDigest(message: string): string {
  return keccak256(concat([toUtf8Bytes('\x19Ethereum Signed Message:\n32'), getBytes(keccak256(toUtf8Bytes(message)))]));
}

/** The digest of OKX's "OKX Signed Message" ECDSA scheme (networks such as OKC). */
export function okxEcdsaDigest(message: string): string {
  const prefix = toUtf8Bytes('OKX Signed Message:\n');
  const msg = toUtf8Bytes(message);
  if (msg.length >= 0xfd) throw new Error('message too long for this scheme');
  return keccak256(concat([Uint8Array.of(prefix.length), prefix, Uint8Array.of(msg.length), msg]));
}

function normalizeSig(sig: string): string | undefined {
  const t = sig.trim();
  const hex = t.startsWith('0x') || t.startsWith('0X') ? t.slice(2) : t;
  if (!/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return `0x${hex}`;
}

function recover(digest: string, sig: string): string | string[] {
  const s = normalizeSig(sig);
  if (s === undefined) return ['the signature is not hex'];
  if (s.length !== 132) return [`an r‖s‖v signature is 65 bytes; this one is ${(s.length - 2) / 2}`];
  try {
    return recoverAddress(digest, s);
  } catch (err) {
    return [`no address can be recovered: ${err instanceof Error ? err.message.split(' (')[0] : String(err)}`];
  }
}

function check(scheme: string, digest: string, address: string, sig: string): SignatureResult {
  if (!isAddress(address.trim())) return { ok: false, scheme, reason: `${address} is not an EVM address` };
  const r = recover(digest, sig);
  if (Array.isArray(r)) return { ok: false, scheme, reason: r[0] as string };
  return r.toLowerCase() === address.trim().toLowerCase()
    ? { ok: true, scheme, reason: `recovers ${r}, the address` }
    : { ok: false, scheme, reason: `recovers ${r}, not ${address}` };
}

/** Plain EIP-191 personal_sign over the message text. */
export function verifyEip191(address: string, message: string, signature: string): SignatureResult {
  return check(SCHEME_EIP191, hashMessage(message), address, signature);
}

/** OKX's EVM scheme: EIP-191 over keccak256(message). */
export function verifyOkxEvm(address: string, message: string, signature: string): SignatureResult {
  return check(SCHEME_OKX_EVM, okxEvmDigest(message), address, signature);
}

export function verifyOkxEcdsa(address: string, message: string, signature: string): SignatureResult {
  return check(SCHEME_OKX_ECDSA, okxEcdsaDigest(message), address, signature);
}

/**
 * OKX's scheme first (what its files use), then plain EIP-191; the result names the scheme that
 * held, or OKX's failure when neither did.
 */
export function verifyEvmOwnership(address: string, message: string, signature: string): SignatureResult {
  const okx = verifyOkxEvm(address, message, signature);
  if (okx.ok) return okx;
  const plain = verifyEip191(address, message, signature);
  if (plain.ok) return plain;
  return { ok: false, scheme: SCHEME_OKX_EVM, reason: `${okx.reason} (plain EIP-191: ${plain.reason})` };
}

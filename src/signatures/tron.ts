// TRON ownership signatures as OKX publishes them: secp256k1 r‖s‖v over
// keccak256("\x19TRON Signed Message:\n32" ‖ keccak256(message)) (v1), or over
// keccak256("\x19TRON Signed Message:\n" ‖ len ‖ message) (TIP-191, v2). The address is
// base58check(0x41 ‖ last 20 bytes of keccak256(uncompressed key)). Pure.
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
// Subpath imports: the root 'ethers' entry drags in Node-only provider types (IPC sockets).
import { keccak256 } from 'ethers/crypto';
import { recoverAddress } from 'ethers/transaction';
import { concat, getBytes, toUtf8Bytes } from 'ethers/utils';
import type { SignatureResult } from './result.js';

const base58check = createBase58check(sha256);

export const SCHEME_TRON = 'tron-keccak32';
export const SCHEME_TRON_V2 = 'tron-tip191';

export function tronDigestV1(message: string): string {
  return keccak256(concat([toUtf8Bytes('\x19TRON Signed Message:\n32'), getBytes(keccak256(toUtf8Bytes(message)))]));
}

export function tronDigestV2(message: string): string {
  const m = toUtf8Bytes(message);
  return keccak256(concat([toUtf8Bytes(`\x19TRON Signed Message:\n${m.length}`), m]));
}

/** The 0x EVM-style address → TRON's base58 T… address. */
export function tronAddressFromEvm(evmAddress: string): string {
  return base58check.encode(Uint8Array.of(0x41, ...getBytes(evmAddress)));
}

function recoverTron(digest: string, signature: string): string | undefined {
  const hex = signature.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{130}$/.test(hex)) return undefined;
  try {
    return tronAddressFromEvm(recoverAddress(digest, `0x${hex}`));
  } catch {
    return undefined;
  }
}

/** Checks a TRON signature under both of OKX's digests; names the one that held. */
export function verifyTronMessage(address: string, message: string, signature: string): SignatureResult {
  const hex = signature.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, scheme: SCHEME_TRON, reason: 'the signature is not hex' };
  if (hex.length !== 130) return { ok: false, scheme: SCHEME_TRON, reason: `an r‖s‖v signature is 65 bytes; this one is ${hex.length / 2}` };
  const v1 = recoverTron(tronDigestV1(message), signature);
  if (v1 === address.trim()) return { ok: true, scheme: SCHEME_TRON, reason: `recovers ${v1}, the address` };
  const v2 = recoverTron(tronDigestV2(message), signature);
  if (v2 === address.trim()) return { ok: true, scheme: SCHEME_TRON_V2, reason: `recovers ${v2}, the address` };
  return { ok: false, scheme: SCHEME_TRON, reason: `recovers ${v1 ?? 'no key'} (TIP-191: ${v2 ?? 'no key'}), not ${address}` };
}

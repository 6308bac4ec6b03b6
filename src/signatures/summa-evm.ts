// Summa's address-ownership signatures (summa-dev/summa-solvency, `Summa.sol`
// `submitProofOfAddressOwnership`): ECDSA.recover(toEthSignedMessageHash(keccak256(abi.encode(message)))),
// i.e. EIP-191 over the 32-byte keccak256 of the ABI-ENCODED message string — a third variant beside
// plain EIP-191 (over the text) and OKX's (over keccak256 of the raw text). Pure.
import { keccak256 } from 'ethers/crypto';
import { concat, getBytes, toUtf8Bytes } from 'ethers/utils';
import { recoverAddress } from 'ethers/transaction';
import { isAddress } from 'ethers/address';
import type { SignatureResult } from './result.js';

export const SCHEME_SUMMA_EVM = 'summa-eip191-keccak-abi';

/** abi.encode(string): offset 0x20, the byte length, then the bytes right-padded to 32. */
export function abiEncodeString(message: string): Uint8Array {
  const bytes = toUtf8Bytes(message);
  const padded = Math.ceil(bytes.length / 32) * 32;
  const out = new Uint8Array(64 + padded);
  out[31] = 0x20;
  let len = BigInt(bytes.length);
  for (let i = 63; i >= 32 && len > 0n; i--, len >>= 8n) out[i] = Number(len & 0xffn);
  out.set(bytes, 64);
  return out;
}

/** The digest Summa's contract recovers from. */
export function summaEvmDigest(message: string): string {
  return keccak256(concat([toUtf8Bytes('\x19Ethereum Signed Message:\n32'), getBytes(keccak256(abiEncodeString(message)))]));
}

export function verifySummaEvm(address: string, message: string, signature: string): SignatureResult {
  const scheme = SCHEME_SUMMA_EVM;
  if (!isAddress(address.trim())) return { ok: false, scheme, reason: `${address} is not an EVM address` };
  const sig = signature.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{130}$/.test(sig)) return { ok: false, scheme, reason: 'an r‖s‖v signature is 65 bytes of hex' };
  let r: string;
  try {
    r = recoverAddress(summaEvmDigest(message), `0x${sig}`);
  } catch (err) {
    return { ok: false, scheme, reason: `no address can be recovered: ${err instanceof Error ? err.message.split(' (')[0] : String(err)}` };
  }
  return r.toLowerCase() === address.trim().toLowerCase()
    ? { ok: true, scheme, reason: `recovers ${r}, the address` }
    : { ok: false, scheme, reason: `recovers ${r}, not ${address}` };
}

// EIP-191 ("personal_sign") ownership signatures: hash the message, recover the signer, compare.
// Pure (ethers' hashing and secp256k1 recovery run in the browser too). EIP-1271 contract wallets
// need a node at the pinned block, so that check lives in src/reserves/evm.ts.
// Subpath imports: the root 'ethers' entry drags in Node-only provider types (IPC sockets).
import { getAddress, isAddress } from 'ethers/address';
import { Signature } from 'ethers/crypto';
import { hashMessage } from 'ethers/hash';
import { recoverAddress } from 'ethers/transaction';
import type { SignatureResult } from './result.js';


/** The 32-byte digest an EIP-191 signer signs: keccak256("\x19Ethereum Signed Message:\n" + len + message). */
export function eip191Hash(message: string): string {
  return hashMessage(message);
}

/**
 * Parses a 65-byte r‖s‖v signature (0x-hex; v 27/28 or 0/1; EIP-2098 64-byte compact also
 * accepted). Returns the reason instead of throwing: a malformed signature is a per-address result.
 */
function parseEvmSignature(signature: string): { sig: Signature } | { error: string } {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]*$/.test(signature)) return { error: 'signature is not 0x-prefixed hex' };
  const bytes = (signature.length - 2) / 2;
  if (bytes !== 65 && bytes !== 64) return { error: `signature is ${bytes} bytes; expected 65 (r, s, v) or 64 (EIP-2098)` };
  try {
    return { sig: Signature.from(signature) };
  } catch (err) {
    return { error: `malformed signature: ${shortReason(err)}` };
  }
}

/** The address that signed `message` with EIP-191, or the reason no address can be recovered. */
export function recoverEip191(message: string, signature: string): { address: string } | { error: string } {
  const parsed = parseEvmSignature(signature);
  if ('error' in parsed) return parsed;
  try {
    return { address: recoverAddress(hashMessage(message), parsed.sig) };
  } catch (err) {
    return { error: `signature does not recover to any key: ${shortReason(err)}` };
  }
}

/** Did `address`'s key sign `message` (EIP-191)? Never throws for bad signatures. */
export function verifyEip191(address: string, message: string, signature: string): SignatureResult {
  if (!isAddress(address)) return { ok: false, scheme: 'eip191', reason: `"${address}" is not an EVM address` };
  const rec = recoverEip191(message, signature);
  if ('error' in rec) return { ok: false, scheme: 'eip191', reason: rec.error };
  if (rec.address === getAddress(address)) return { ok: true, scheme: 'eip191', reason: 'EIP-191 signature recovers to the address' };
  return { ok: false, scheme: 'eip191', reason: `signed by ${rec.address}, not by ${getAddress(address)}` };
}

function shortReason(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string };
  return e.shortMessage ?? e.message ?? String(err);
}

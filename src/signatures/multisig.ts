// Ownership of a Bitcoin-family multisig address shown by signed messages (OKX's reserve files):
// the redeem script must hash to the address (P2SH, P2WSH or P2SH-P2WSH, with the coin's own
// version bytes), and compact message signatures by DISTINCT keys of the script must reach its
// threshold. OKX's own validator checks neither the threshold nor distinctness (see docs/OKX.md).
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { decodeAddress, hash160, sameBytes } from './bitcoin-address.js';
import { recoverCompactKey } from './bitcoin.js';
import type { SignatureResult } from './result.js';
import { resolveNetwork, type BitcoinNetwork, type BitcoinNetworkName } from './bitcoin-networks.js';
import { keyHex, parseMultisigScript, type MultisigScript } from './multisig-script.js';

export { parseMultisigScript, type MultisigScript } from './multisig-script.js';

export type ScriptAddressType = 'p2sh' | 'p2wsh' | 'p2sh-p2wsh';

export interface MultisigResult extends SignatureResult {
  /** Which failed, for a precise verdict: script, address, signature, distinct, threshold. */
  failed?: 'script' | 'address' | 'signature' | 'distinct' | 'threshold';
  m?: number;
  n?: number;
  addressType?: ScriptAddressType;
  /** Hex keys of the script that signed, in the order of the signatures. */
  signers?: string[];
}

/** Which script-hash form of `script` the address is, if any. */
function scriptMatchesAddress(address: string, script: Uint8Array, network?: BitcoinNetwork | BitcoinNetworkName): ScriptAddressType | undefined {
  let net: BitcoinNetwork;
  try {
    net = resolveNetwork(network);
  } catch {
    return undefined;
  }
  const addr = decodeAddress(address.trim(), net);
  if (!addr) return undefined;
  if (addr.type === 'p2wsh' && sameBytes(addr.hash, sha256(script))) return 'p2wsh';
  if (addr.type === 'p2sh') {
    if (sameBytes(addr.hash, hash160(script))) return 'p2sh';
    const nested = Uint8Array.of(0x00, 0x20, ...sha256(script));
    if (sameBytes(addr.hash, hash160(nested))) return 'p2sh-p2wsh';
  }
  return undefined;
}

function parseHex(text: string): Uint8Array | undefined {
  const t = text.trim().replace(/^0x/i, '');
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) return undefined;
  return hexToBytes(t.toLowerCase());
}

/**
 * Checks that `signatures` (base64 compact, the coin's message prefix) prove control of the
 * multisig `address` built from `redeemScriptHex`. Never throws.
 */
export function verifyMultisigMessage(args: {
  address: string;
  redeemScriptHex: string;
  message: string;
  signatures: string[];
  network?: BitcoinNetwork | BitcoinNetworkName;
}): MultisigResult {
  const scheme = 'bip137-multisig';
  let net: BitcoinNetwork;
  try {
    net = resolveNetwork(args.network);
  } catch (err) {
    return { ok: false, scheme, failed: 'address', reason: (err as Error).message };
  }
  const script = parseHex(args.redeemScriptHex);
  if (!script) return { ok: false, scheme, failed: 'script', reason: 'the redeem script is not hex' };
  const ms: MultisigScript | string = parseMultisigScript(script);
  if (typeof ms === 'string') return { ok: false, scheme, failed: 'script', reason: `the redeem script is not m-of-n multisig: ${ms}` };
  const base = { m: ms.m, n: ms.n };
  if (!decodeAddress(args.address.trim(), net)) return { ok: false, scheme, failed: 'address', reason: `${args.address} is not a ${net.name} address`, ...base };
  const addressType = scriptMatchesAddress(args.address, script, net);
  if (!addressType) {
    return { ok: false, scheme, failed: 'address', reason: `the redeem script does not hash to ${args.address} (as P2SH, P2WSH or P2SH-P2WSH on ${net.name})`, ...base };
  }
  const keys = ms.pubkeys.map(keyHex);
  const signers: string[] = [];
  const sigs = args.signatures.map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== 'null');
  for (let i = 0; i < sigs.length; i++) {
    const rec = recoverCompactKey(args.message, sigs[i] as string, net);
    if (typeof rec === 'string') return { ok: false, scheme, failed: 'signature', reason: `signature ${i + 1}: ${rec}`, ...base, addressType, signers };
    // A compact signature recovers either form of the key; the script holds one of them.
    const compressed = keyHex(rec.pubkey.length === 33 ? rec.pubkey : compress(rec.pubkey));
    const full = rec.pubkey.length === 65 ? keyHex(rec.pubkey) : undefined;
    const hit = keys.find((k) => k === compressed || k === full);
    if (hit === undefined) {
      return { ok: false, scheme, failed: 'signature', reason: `signature ${i + 1} recovers key ${compressed}, which is not in the script (wrong message or not a signer)`, ...base, addressType, signers };
    }
    if (signers.includes(hit)) {
      return { ok: false, scheme, failed: 'distinct', reason: `signatures ${signers.indexOf(hit) + 1} and ${i + 1} come from the same key ${hit}; ${ms.m}-of-${ms.n} needs ${ms.m} distinct keys`, ...base, addressType, signers: [...signers, hit] };
    }
    signers.push(hit);
  }
  if (signers.length < ms.m) {
    return { ok: false, scheme, failed: 'threshold', reason: `${signers.length} valid signature(s) from distinct keys; the ${ms.m}-of-${ms.n} script needs ${ms.m}`, ...base, addressType, signers };
  }
  return { ok: true, scheme, reason: `${addressType.toUpperCase()} ${ms.m}-of-${ms.n}: the script hashes to the address and ${signers.length} distinct keys of it signed`, ...base, addressType, signers };
}

function compress(pub65: Uint8Array): Uint8Array {
  const y = pub65[64] as number;
  return Uint8Array.of(y & 1 ? 3 : 2, ...pub65.slice(1, 33));
}

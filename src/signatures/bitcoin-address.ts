// Bitcoin-family addresses <-> output scripts, with the coin's own version bytes. Pure.
// Base58check and bech32/bech32m via @scure/base, so DOGE and LTC need no special library.
import { sha256 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import type { BitcoinNetwork } from './bitcoin-networks.js';

const base58check = createBase58check(sha256);

export type DecodedAddress =
  | { type: 'p2pkh'; hash: Uint8Array }
  | { type: 'p2sh'; hash: Uint8Array }
  | { type: 'p2wpkh'; hash: Uint8Array }
  | { type: 'p2wsh'; hash: Uint8Array }
  | { type: 'p2tr'; pubkey: Uint8Array };

export const hash160 = (b: Uint8Array): Uint8Array => ripemd160(sha256(b));

/** Decodes an address for `net`; undefined when it is not one of that coin's address forms. */
export function decodeAddress(address: string, net: BitcoinNetwork): DecodedAddress | undefined {
  if (net.bech32 && address.toLowerCase().startsWith(`${net.bech32}1`)) {
    try {
      const lower = address.toLowerCase();
      if (address !== lower && address !== address.toUpperCase()) return undefined; // mixed case is invalid
      const isV0 = lower.charAt(net.bech32.length + 1) === 'q';
      const dec = (isV0 ? bech32 : bech32m).decode(lower as `${string}1${string}`, 120);
      if (dec.prefix !== net.bech32) return undefined;
      const [version, ...rest] = dec.words;
      const prog = (isV0 ? bech32 : bech32m).fromWords(rest);
      if (version === 0 && prog.length === 20) return { type: 'p2wpkh', hash: prog };
      if (version === 0 && prog.length === 32) return { type: 'p2wsh', hash: prog };
      if (version === 1 && prog.length === 32) return { type: 'p2tr', pubkey: prog };
      return undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const raw = base58check.decode(address);
    if (raw.length !== 21) return undefined;
    const hash = raw.slice(1);
    if (raw[0] === net.pubKeyHash) return { type: 'p2pkh', hash };
    if (raw[0] === net.scriptHash || (net.scriptHashLegacy !== undefined && raw[0] === net.scriptHashLegacy)) return { type: 'p2sh', hash };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The output script (scriptPubKey) an address pays to. */
export function outputScript(a: DecodedAddress): Uint8Array {
  switch (a.type) {
    case 'p2pkh':
      return Uint8Array.of(0x76, 0xa9, 0x14, ...a.hash, 0x88, 0xac);
    case 'p2sh':
      return Uint8Array.of(0xa9, 0x14, ...a.hash, 0x87);
    case 'p2wpkh':
      return Uint8Array.of(0x00, 0x14, ...a.hash);
    case 'p2wsh':
      return Uint8Array.of(0x00, 0x20, ...a.hash);
    case 'p2tr':
      return Uint8Array.of(0x51, 0x20, ...a.pubkey);
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** P2SH-P2WPKH: the redeem script is `0 <hash160(pubkey)>`. */
export function p2shP2wpkhHash(pubkey: Uint8Array): Uint8Array {
  return hash160(Uint8Array.of(0x00, 0x14, ...hash160(pubkey)));
}

// Bare multisig scripts: OP_m <pubkey>… OP_n OP_CHECKMULTISIG. Pure.
import { bytesToHex } from '@noble/hashes/utils.js';

export interface MultisigScript {
  m: number;
  n: number;
  /** Public keys in script order (33-byte compressed or 65-byte uncompressed). */
  pubkeys: Uint8Array[];
}

const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_CHECKMULTISIG = 0xae;

/** Parses a redeem/witness script as m-of-n multisig; a string says why it is not one. */
export function parseMultisigScript(script: Uint8Array): MultisigScript | string {
  if (script.length < 3) return 'script too short for multisig';
  const first = script[0] as number;
  if (first < OP_1 || first > OP_16) return `script starts with 0x${first.toString(16)}, not OP_1…OP_16 (the threshold)`;
  const m = first - OP_1 + 1;
  const pubkeys: Uint8Array[] = [];
  let o = 1;
  while (o < script.length - 2) {
    const len = script[o] as number;
    if (len !== 33 && len !== 65) return `byte ${o}: expected a 33- or 65-byte key push, found 0x${len.toString(16)}`;
    const key = script.slice(o + 1, o + 1 + len);
    if (key.length !== len) return 'script ends inside a public key';
    const prefix = key[0];
    if ((len === 33 && prefix !== 2 && prefix !== 3) || (len === 65 && prefix !== 4)) return `key ${pubkeys.length + 1} is not a valid public key encoding`;
    pubkeys.push(key);
    o += 1 + len;
  }
  if (o !== script.length - 2) return 'script does not end with OP_n OP_CHECKMULTISIG';
  const nOp = script[o] as number;
  if (nOp < OP_1 || nOp > OP_16) return 'key count is not OP_1…OP_16';
  const n = nOp - OP_1 + 1;
  if (script[o + 1] !== OP_CHECKMULTISIG) return 'script does not end with OP_CHECKMULTISIG';
  if (n !== pubkeys.length) return `script says ${n} keys but holds ${pubkeys.length}`;
  if (m > n) return `threshold ${m} exceeds the ${n} keys`;
  return { m, n, pubkeys };
}

/**
 * OP_CHECKMULTISIG's rule for witness signatures: signatures in key order, each key used at most
 * once, exactly m of them. `verify` checks one signature against one key.
 */
export function checkMultisigSignatures(
  ms: MultisigScript,
  sigs: Uint8Array[],
  verify: (sig: Uint8Array, pubkey: Uint8Array) => boolean,
): { ok: boolean; reason: string } {
  if (sigs.length !== ms.m) return { ok: false, reason: `${sigs.length} signatures for a ${ms.m}-of-${ms.n} script` };
  let k = 0;
  for (let i = 0; i < sigs.length; i++) {
    const sig = sigs[i] as Uint8Array;
    while (k < ms.pubkeys.length && !verify(sig, ms.pubkeys[k] as Uint8Array)) k++;
    if (k === ms.pubkeys.length) return { ok: false, reason: `signature ${i + 1} matches no remaining key of the script (invalid signature)` };
    k++;
  }
  return { ok: true, reason: `${ms.m} of ${ms.n} keys signed, in script order` };
}

export const keyHex = (k: Uint8Array): string => bytesToHex(k);

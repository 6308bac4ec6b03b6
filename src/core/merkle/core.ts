// The Merkle sum tree's byte rules: salts, user hashes, leaves, nodes, padding, value bounds.
// Pure (no Node builtins): the verifier and the web page run this very module. docs/SPEC.md is
// the normative description; every constant here is written down there.
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { porError } from '../errors/index.js';
import { checkHeight, leafBound, MAX_ID_BYTES } from './bounds.js';

// The value bounds live in ./bounds.ts (no hashing imports) so the snapshot reader can check them.
export { checkHeight, DEFAULT_HEIGHT, leafBound, MAX_HEIGHT, MAX_ID_BYTES, MIN_HEIGHT, SUM_WIDTH_BITS } from './bounds.js';

/** SHA-256 behind one small interface, so the builder can plug in node:crypto for speed. */
export interface Sha256 {
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

export const nobleSha256: Sha256 = {
  digest: (data) => sha256(data),
  hmac: (key, data) => hmac(sha256, key, data),
};

/** Spec version byte, written after every domain tag. */
export const SPEC_VERSION = 1;
export const HASH_LEN = 32;
/** Bytes of one amount: equity and debt are each an unsigned 128-bit big-endian integer. */
export const AMOUNT_LEN = 16;
export const MIN_SECRET_BYTES = 32;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
// 8-byte ASCII tags, each followed by SPEC_VERSION: one hash input can never be read as another.
export const TAG_SALT = ascii('por.salt');
export const TAG_USER = ascii('por.user');
export const TAG_LEAF = ascii('por.leaf');
export const TAG_NODE = ascii('por.node');
export const TAG_PAD = ascii('por.pad.');
export const TAG_ASSETS = ascii('por.asst');

const utf8 = new TextEncoder();

/** Bytes of one node record: hash, then per asset equity ‖ debt. Also the layout in the proof store. */
export function recordSize(assetCount: number): number {
  return HASH_LEN + assetCount * 2 * AMOUNT_LEN;
}

/** Largest sum a node `level` levels above the leaves may carry: 2^level · leafBound. */
export function nodeBound(height: number, level: number): bigint {
  return leafBound(height) << BigInt(level);
}


/** UTF-8 bytes of an id (user or snapshot), checked non-empty and at most MAX_ID_BYTES. */
export function idBytes(id: string, what: string): Uint8Array {
  const b = utf8.encode(id);
  if (b.length === 0) throw porError('BAD_INPUT', `${what} is empty`, { field: what });
  if (b.length > MAX_ID_BYTES) throw porError('BAD_INPUT', `${what} is ${b.length} bytes of UTF-8; at most ${MAX_ID_BYTES} are allowed`, { field: what });
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const u16 = (n: number) => Uint8Array.of(n >>> 8, n & 0xff);
const lp = (b: Uint8Array) => concat([u16(b.length), b]);
const ver = Uint8Array.of(SPEC_VERSION);

/** HMAC message for a user's salt: "por.salt" ‖ 0x01 ‖ u16 len ‖ snapshot id ‖ u16 len ‖ user id. */
export function saltMessage(snapshotId: Uint8Array, userId: Uint8Array): Uint8Array {
  return concat([TAG_SALT, ver, lp(snapshotId), lp(userId)]);
}

/** "por.user" ‖ 0x01 ‖ u16 len ‖ user id ‖ salt(32). */
export function userHashInput(userId: Uint8Array, salt: Uint8Array): Uint8Array {
  if (salt.length !== HASH_LEN) throw porError('BAD_INPUT', 'salt must be 32 bytes', { field: 'salt' });
  return concat([TAG_USER, ver, lp(userId), salt]);
}

/** Writes an unsigned value as 16 big-endian bytes; the caller has checked the bound. */
export function writeU128(out: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >> 128n !== 0n) throw porError('OVERFLOW', `value ${value} does not fit 128 bits`);
  let v = value;
  for (let i = AMOUNT_LEN - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function readU128(buf: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 0; i < AMOUNT_LEN; i++) v = (v << 8n) | BigInt(buf[offset + i]!);
  return v;
}

/** Per asset equity ‖ debt, 16 bytes each, big-endian. */
export function encodeSums(equity: readonly bigint[], debt: readonly bigint[]): Uint8Array {
  if (equity.length !== debt.length) throw porError('INTERNAL', 'equity and debt lists differ in length');
  const out = new Uint8Array(equity.length * 2 * AMOUNT_LEN);
  for (let a = 0; a < equity.length; a++) {
    writeU128(out, a * 2 * AMOUNT_LEN, equity[a]!);
    writeU128(out, a * 2 * AMOUNT_LEN + AMOUNT_LEN, debt[a]!);
  }
  return out;
}

export function decodeSums(bytes: Uint8Array, assetCount: number): { equity: bigint[]; debt: bigint[] } {
  const equity: bigint[] = [];
  const debt: bigint[] = [];
  for (let a = 0; a < assetCount; a++) {
    equity.push(readU128(bytes, a * 2 * AMOUNT_LEN));
    debt.push(readU128(bytes, a * 2 * AMOUNT_LEN + AMOUNT_LEN));
  }
  return { equity, debt };
}

/**
 * "por.asst" ‖ 0x01 ‖ u16 count ‖ per asset (u8 len ‖ ASCII symbol ‖ u8 decimals): hashed once per
 * tree and committed in every leaf, so a proof's asset symbols and decimals are bound to the root.
 */
export function assetsInput(assets: readonly { symbol: string; decimals: number }[]): Uint8Array {
  const parts: Uint8Array[] = [TAG_ASSETS, ver, u16(assets.length)];
  for (const a of assets) {
    const sym = utf8.encode(a.symbol);
    if (sym.length === 0 || sym.length > 255) throw porError('BAD_INPUT', `asset symbol "${a.symbol}" must be 1 to 255 bytes`);
    if (!Number.isInteger(a.decimals) || a.decimals < 0 || a.decimals > 255) throw porError('BAD_INPUT', `asset ${a.symbol}: decimals must be 0 to 255`);
    parts.push(Uint8Array.of(sym.length), sym, Uint8Array.of(a.decimals));
  }
  return concat(parts);
}

export function assetsHash(h: Sha256, assets: readonly { symbol: string; decimals: number }[]): Uint8Array {
  return h.digest(assetsInput(assets));
}

/** "por.leaf" ‖ 0x01 ‖ u16 len ‖ snapshot id ‖ assets hash(32) ‖ user hash(32) ‖ sums. */
export function leafInput(snapshotId: Uint8Array, aHash: Uint8Array, userHash: Uint8Array, sums: Uint8Array): Uint8Array {
  return concat([TAG_LEAF, ver, lp(snapshotId), aHash, userHash, sums]);
}

/** "por.node" ‖ 0x01 ‖ left hash ‖ left sums ‖ right hash ‖ right sums. */
export function nodeInput(leftHash: Uint8Array, leftSums: Uint8Array, rightHash: Uint8Array, rightSums: Uint8Array): Uint8Array {
  return concat([TAG_NODE, ver, leftHash, leftSums, rightHash, rightSums]);
}

export function computeSalt(h: Sha256, secret: Uint8Array, snapshotId: Uint8Array, userId: Uint8Array): Uint8Array {
  return h.hmac(secret, saltMessage(snapshotId, userId));
}

export function userHash(h: Sha256, userId: Uint8Array, salt: Uint8Array): Uint8Array {
  return h.digest(userHashInput(userId, salt));
}

export function leafHash(h: Sha256, snapshotId: Uint8Array, aHash: Uint8Array, uHash: Uint8Array, sums: Uint8Array): Uint8Array {
  return h.digest(leafInput(snapshotId, aHash, uHash, sums));
}

export function nodeHash(h: Sha256, leftHash: Uint8Array, leftSums: Uint8Array, rightHash: Uint8Array, rightSums: Uint8Array): Uint8Array {
  return h.digest(nodeInput(leftHash, leftSums, rightHash, rightSums));
}

/**
 * Padding records per level: pad[0] = H("por.pad." ‖ 0x01) with zero sums; pad[k+1] is the node
 * over two pad[k]. An empty subtree of height k is pad[k]: nothing is materialised.
 */
export function paddingRecords(h: Sha256, height: number, assetCount: number): Uint8Array[] {
  const zero = new Uint8Array(assetCount * 2 * AMOUNT_LEN);
  const out: Uint8Array[] = [];
  let hash = h.digest(concat([TAG_PAD, ver]));
  for (let k = 0; k <= height; k++) {
    out.push(concat([hash, zero]));
    hash = nodeHash(h, hash, zero, hash, zero);
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Strict lower-case or upper-case hex of exactly `len` bytes (no 0x prefix); undefined otherwise. */
export function fromHex(s: string, len?: number): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) return undefined;
  if (len !== undefined && s.length !== len * 2) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

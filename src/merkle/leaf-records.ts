// The proof store's two leaf record layouts (docs/FORMATS.md, "Proof store"; store.json's
// `leafRecord`): "full" is the SPEC's record, hash ‖ per asset 128-bit big-endian equity ‖ debt
// (32 + 32·assets bytes); "compact" is hash ‖ per asset the net as an int64 little-endian
// (32 + 8·assets bytes: 72 instead of 192 at 5 assets), written when every net fits int64. Readers
// expand a compact record here, through the builder's own netExpander (src/merkle/compute.ts), so a
// proof is byte for byte the one of a full store. Node-only.
import { porError } from '../core/errors/index.js';
import { HASH_LEN, recordSize } from '../core/merkle/core.js';
import type { LeafRecordLayout } from '../core/merkle/types.js';
import { netExpander } from './compute.js';

export { leafRecordSize } from '../core/documents/store-meta.js';
export type { LeafRecordLayout };

const I64_MAX = (1n << 63n) - 1n;

/**
 * Whether a store of these per-asset totals (Σ max(net, 0), Σ max(−net, 0)) may hold compact
 * records: every user's equity is at most the total equity and every debt at most the total debt,
 * so totals within int64 mean every net fits. A build in parts and por combine know the totals
 * before the first leaf is written (the build in memory knows every net: LeafSet.compact).
 */
export function totalsFitInt64(totals: readonly { gross: bigint; debt: bigint }[]): boolean {
  return totals.every((t) => t.gross <= I64_MAX && t.debt <= I64_MAX + 1n);
}

/** Compact record bytes → the SPEC's full record (a new Buffer each call: callers may keep it). */
export function leafExpander(assetCount: number): (compact: Uint8Array) => Buffer {
  const C = HASH_LEN + 8 * assetCount;
  const R = recordSize(assetCount);
  // Aligned scratch: the expander works on 32-bit words.
  const src = new Uint32Array(C >>> 2);
  const srcBytes = new Uint8Array(src.buffer);
  const full = new ArrayBuffer(R);
  const fullBytes = new Uint8Array(full);
  const expand = netExpander(assetCount, new Uint32Array(full), new DataView(full));
  return (compact) => {
    if (compact.length < C) throw porError('INTERNAL', `a compact leaf record is ${C} bytes, got ${compact.length}`);
    srcBytes.set(compact.subarray(0, C));
    fullBytes.set(srcBytes.subarray(0, HASH_LEN));
    expand(src, HASH_LEN >>> 2, HASH_LEN >>> 2);
    return Buffer.from(fullBytes);
  };
}

/**
 * Full records (`count` × (32 + 32·assets) bytes) → compact records into `out` (`count` ×
 * (32 + 8·assets) bytes). A record whose equity or debt does not fit int64, or with both an equity
 * and a debt in one asset (no net gives that), is an internal error: the caller chose the compact
 * layout knowing every net fits.
 */
export function compactRecords(full: Uint8Array, count: number, assetCount: number, out: Uint8Array): void {
  const R = recordSize(assetCount);
  const C = HASH_LEN + 8 * assetCount;
  const dv = new DataView(full.buffer, full.byteOffset, count * R);
  const ov = new DataView(out.buffer, out.byteOffset, count * C);
  for (let i = 0; i < count; i++) {
    out.set(full.subarray(i * R, i * R + HASH_LEN), i * C);
    for (let a = 0; a < assetCount; a++) {
      const e = i * R + HASH_LEN + 32 * a;
      const o = i * C + HASH_LEN + 8 * a;
      const eHi = dv.getUint32(e + 8);
      const eLo = dv.getUint32(e + 12);
      const dHi = dv.getUint32(e + 24);
      const dLo = dv.getUint32(e + 28);
      const wide = dv.getUint32(e) | dv.getUint32(e + 4) | dv.getUint32(e + 16) | dv.getUint32(e + 20);
      const hasDebt = (dHi | dLo) !== 0;
      if (wide !== 0 || eHi >= 0x80000000 || (hasDebt && ((eHi | eLo) !== 0 || dHi > 0x80000000 || (dHi === 0x80000000 && dLo !== 0)))) {
        throw porError('INTERNAL', `leaf record ${i}: asset ${a}'s sums do not fit a compact record (an int64 net)`);
      }
      // The net, little-endian: the equity, or the debt negated (two's complement).
      const lo = hasDebt ? (~dLo + 1) >>> 0 : eLo;
      const hi = hasDebt ? (~dHi + (lo === 0 ? 1 : 0)) >>> 0 : eHi;
      ov.setUint32(o, lo, true);
      ov.setUint32(o + 4, hi, true);
    }
  }
}

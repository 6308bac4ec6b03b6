// The store's index files as the one-machine build writes them (src/merkle/store-writer.ts):
// lookup.bin sorted by key then input index (docs/FORMATS.md, Proof store), and ids.off written
// over the offsets' own memory. Expectations by hand, or from a plain comparator sort.
import { describe, expect, it } from 'vitest';
import { idOffsetsInPlace, lookupFile } from '../../src/merkle/store-writer.js';

const pairs = (bytes: Uint8Array) => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [number, number][] = [];
  for (let o = 0; o < bytes.length; o += 8) out.push([v.getUint32(o, true), v.getUint32(o + 4, true)]);
  return out;
};

describe('store index files', () => {
  it('lookup.bin: (index, key) pairs by key, equal keys by index, keys across the top byte', () => {
    const keys = Uint32Array.of(5, 3, 5, 0xffffffff, 3, 0x01000000, 0);
    expect(pairs(lookupFile(keys, keys.length))).toEqual([
      [6, 0],
      [1, 3],
      [4, 3],
      [0, 5],
      [2, 5],
      [5, 0x01000000],
      [3, 0xffffffff],
    ]);
  });

  it('lookup.bin for 50,000 keys with many ties equals a comparator sort of the pairs', () => {
    let s = 12345;
    const keys = new Uint32Array(50_000);
    // Every top byte, and 64 low values spread over both 12-bit digits: ties in every run.
    for (let i = 0; i < keys.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      keys[i] = ((s & 0xff000000) | ((s >>> 3) & 0x00300c03)) >>> 0;
    }
    const expected = [...keys].map((k, i) => [i, k] as [number, number]).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    expect(pairs(lookupFile(keys, keys.length))).toEqual(expected);
  });

  it('ids.off over the offsets memory: (low u32, high u32) per offset, offsets past 2^32 too', () => {
    const offsets = Float64Array.of(0, 5, 2 ** 32 + 7, 3 * 2 ** 40 + 2 ** 32 * 3 + 9, 99);
    const bytes = idOffsetsInPlace(offsets, 3);
    expect(bytes.buffer).toBe(offsets.buffer);
    expect(pairs(bytes)).toEqual([
      [0, 0],
      [5, 0],
      [7, 1],
      [9, 3 * 2 ** 8 + 3],
    ]);
  });
});

// Step 2 of a build: the leaf order, ascending by user hash (secret-derived). Node-only.
import { porError } from '../core/errors/index.js';
import { HASH_LEN } from '../core/merkle/core.js';
import { idText, type LeafSet } from './leaves.js';

/**
 * Tree position → input index. Sorted on the user hash's top 32 bits by an LSD radix sort (2 × 16
 * bits, stable, so ties stay in input order like the comparator sort it replaced, at half its time
 * for 10M keys), then runs of equal keys are ordered by the whole hash. Two equal user hashes mean
 * one user id twice: refused. Shared memory, so block jobs hand it to workers without copying.
 */
export function sortByUserHash(set: LeafSet): Uint32Array {
  const n = set.n;
  const order = new Uint32Array(new SharedArrayBuffer(Math.max(4, 4 * n)), 0, n);
  const hi = radixSortTop32(set, order);
  fixTies(set, order, hi);
  return order;
}

function topKeys(set: LeafSet): Uint32Array {
  const n = set.n;
  const CHUNK = 2 ** set.chunkBits;
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = set.userHashes[i >>> set.chunkBits]!;
    const o = (i & (CHUNK - 1)) * set.uhBytes;
    hi[i] = ((c[o]! << 24) | (c[o + 1]! << 16) | (c[o + 2]! << 8) | c[o + 3]!) >>> 0;
  }
  return hi;
}

/** Fills `order` with the input indexes sorted by key; returns the keys in that order. */
function radixSortTop32(set: LeafSet, order: Uint32Array): Uint32Array {
  const n = set.n;
  let hi: Uint32Array = topKeys(set);
  // Two passes write idx2 then idx: the sorted indexes end up in `order`.
  let idx: Uint32Array = order;
  for (let i = 0; i < n; i++) idx[i] = i;
  let hi2: Uint32Array = new Uint32Array(n);
  let idx2: Uint32Array = new Uint32Array(n);
  for (let shift = 0; shift < 32; shift += 16) {
    const cnt = new Uint32Array(65537);
    for (let i = 0; i < n; i++) cnt[((hi[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) cnt[d + 1]! += cnt[d]!;
    for (let i = 0; i < n; i++) {
      const d = cnt[(hi[i]! >>> shift) & 0xffff]!++;
      hi2[d] = hi[i]!;
      idx2[d] = idx[i]!;
    }
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return hi; // hi[p] is now the key at tree position p
}

/**
 * Orders each run of equal top keys by the whole user hash; equal hashes are one id twice. When
 * only a prefix of each hash is kept, a tie in it is settled by the whole hashes (set.fullUserHash).
 */
function fixTies(set: LeafSet, order: Uint32Array, hi: Uint32Array): void {
  const n = set.n;
  const CHUNK = 2 ** set.chunkBits;
  const u = set.uhBytes;
  const prefixOf = (i: number) => set.userHashes[i >>> set.chunkBits]!.subarray((i & (CHUNK - 1)) * u, ((i & (CHUNK - 1)) + 1) * u);
  const whole = new Map<number, Uint8Array>();
  const wholeOf = (i: number) => {
    if (!whole.has(i)) whole.set(i, set.fullUserHash!(i));
    return whole.get(i)!;
  };
  const cmp = (x: number, y: number) => compareBytes(prefixOf(x), prefixOf(y)) || (u < HASH_LEN ? compareBytes(wholeOf(x), wholeOf(y)) : 0);
  if (u < HASH_LEN && set.fullUserHash === undefined) throw new Error('user hash prefixes need fullUserHash');
  for (let p = 1; p < n; ) {
    if (hi[p] !== hi[p - 1]) {
      p++;
      continue;
    }
    let e = p + 1;
    while (e < n && hi[e] === hi[p - 1]) e++;
    const run = Array.from(order.subarray(p - 1, e)).sort((x, y) => cmp(x, y) || x - y);
    for (let q = 1; q < run.length; q++) {
      if (cmp(run[q - 1]!, run[q]!) === 0) {
        throw porError('DUPLICATE', `user id "${idText(set, run[q]!)}" appears twice in the snapshot (users ${run[q - 1]! + 1} and ${run[q]! + 1}); every user must be one leaf`, { field: 'user_id' });
      }
    }
    order.set(run, p - 1);
    p = e;
  }
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

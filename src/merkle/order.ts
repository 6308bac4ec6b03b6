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
  for (let i = 0; i < set.n; i++) order[i] = i;
  // Two passes of 16 bits: the sorted indexes end up back in `order` (shared memory).
  const sorted = radixSort(topKeys(set), order, 32, 16);
  if (sorted.idx !== order) order.set(sorted.idx);
  return sorted.key; // key[p] is now the key at tree position p
}

/**
 * Stable LSD radix sort of `idx` by the low `bits` bits of `key`, in digits of `digit` bits; both
 * arrays are permuted (with one scratch copy of each). Returns the sorted keys and indexes, which
 * are the arrays passed in when the number of passes is even. Used for the whole tree (2 × 16 bits)
 * and for each bucket of a build in parts (./buckets.ts, keys relative to the bucket's least).
 */
export function radixSort(key: Uint32Array, idx: Uint32Array, bits: number, digit: number): { key: Uint32Array; idx: Uint32Array } {
  const m = key.length;
  let key2: Uint32Array = new Uint32Array(m);
  let idx2: Uint32Array = new Uint32Array(m);
  const mask = (1 << digit) - 1;
  const cnt = new Uint32Array(mask + 2);
  for (let shift = 0; shift < bits; shift += digit) {
    cnt.fill(0);
    for (let i = 0; i < m; i++) cnt[((key[i]! >>> shift) & mask) + 1]!++;
    for (let d = 0; d <= mask; d++) cnt[d + 1]! += cnt[d]!;
    for (let i = 0; i < m; i++) {
      const d = cnt[(key[i]! >>> shift) & mask]!++;
      key2[d] = key[i]!;
      idx2[d] = idx[i]!;
    }
    [key, key2] = [key2, key];
    [idx, idx2] = [idx2, idx];
  }
  return { key, idx };
}

/**
 * Sorts each run of equal values of `key` (ascending, as radixSort leaves it) in `order` by `cmp`;
 * `check` sees each run once sorted. The tie rule of both the in-memory sort and the buckets.
 */
export function sortTieRuns(order: Uint32Array, key: Uint32Array, cmp: (x: number, y: number) => number, check?: (run: number[]) => void): void {
  const n = order.length;
  for (let p = 1; p < n; ) {
    if (key[p] !== key[p - 1]) {
      p++;
      continue;
    }
    let e = p + 1;
    while (e < n && key[e] === key[p - 1]) e++;
    const run = Array.from(order.subarray(p - 1, e)).sort(cmp);
    check?.(run);
    order.set(run, p - 1);
    p = e;
  }
}

/**
 * Orders each run of equal top keys by the whole user hash; equal hashes are one id twice. When
 * only a prefix of each hash is kept, a tie in it is settled by the whole hashes (set.fullUserHash).
 */
function fixTies(set: LeafSet, order: Uint32Array, hi: Uint32Array): void {
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
  sortTieRuns(order, hi, (x, y) => cmp(x, y) || x - y, (run) => {
    for (let q = 1; q < run.length; q++) {
      if (cmp(run[q - 1]!, run[q]!) === 0) {
        throw porError('DUPLICATE', `user id "${idText(set, run[q]!)}" appears twice in the snapshot (users ${run[q - 1]! + 1} and ${run[q]! + 1}); every user must be one leaf`, { field: 'user_id' });
      }
    }
  });
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

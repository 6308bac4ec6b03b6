// Step 2 of a build: the leaf order, ascending by user hash (secret-derived). Node-only.
import { porError } from '../core/errors/index.js';
import { HASH_LEN } from '../core/merkle/core.js';
import { idText, type LeafSet } from './leaves.js';

/**
 * Tree position → input index. Sorted on the user hash's top 32 bits (stable, so ties stay in input
 * order like the comparator sort it replaced) in sortByKey32's passes, then runs of equal keys are ordered by
 * the whole hash. Two equal user hashes mean one user id twice: refused. Shared memory, so block
 * jobs hand it to workers without copying.
 */
export function sortByUserHash(set: LeafSet): Uint32Array {
  const sorter = userHashSorter(set);
  allSteps(sorter.steps());
  return sorter.order;
}

/**
 * sortByUserHash in steps: `order` is made (its runs by top byte placed) at once; each step sorts
 * one run and yields p, the tree positions [0, p) now final (256 steps), so the caller may start
 * work on them while the rest is sorted.
 */
export function userHashSorter(set: LeafSet): { order: Uint32Array; steps(): Generator<number> } {
  const n = set.n;
  const order = new Uint32Array(new SharedArrayBuffer(Math.max(4, 4 * n)), 0, n);
  const key = new Uint32Array(n);
  const runs = scatterTopByte(set, key, order);
  function* steps(): Generator<number> {
    const ties = tieFixer(set);
    const lows = lowSorter(runs);
    for (let b = 0; b < 256; b++) {
      const s = runs[b]!;
      const e = runs[b + 1]!;
      if (e - s > 1) {
        lows(key, 0, order, 0, 1, s, e);
        ties(order.subarray(s, e), key.subarray(s, e));
      }
      yield e;
    }
  }
  return { order, steps };
}

/**
 * The first pass of sortByKey32 for the user hashes: each input index and its key (the hash's top
 * 32 bits) go to the run of the key's top byte, in input order. Returns the 257 run bounds.
 */
function scatterTopByte(set: LeafSet, key: Uint32Array, order: Uint32Array): Uint32Array {
  const runs = new Uint32Array(257);
  const u = set.uhBytes;
  const mask = 2 ** set.chunkBits - 1;
  for (let i = 0; i < set.n; i++) runs[set.userHashes[i >>> set.chunkBits]![(i & mask) * u]! + 1]!++;
  for (let d = 0; d < 256; d++) runs[d + 1]! += runs[d]!;
  const at = runs.slice(0, 256);
  for (let i = 0; i < set.n; i++) {
    const c = set.userHashes[i >>> set.chunkBits]!;
    const o = (i & mask) * u;
    const d = at[c[o]!]!++;
    key[d] = ((c[o]! << 24) | (c[o + 1]! << 16) | (c[o + 2]! << 8) | c[o + 3]!) >>> 0;
    order[d] = i;
  }
  return runs;
}

/**
 * Stable sort of input indexes by a 32-bit key, for 10^7 keys: a pass on the top 8 bits into 256
 * runs, then each run by the low 24 bits in two passes of 12 bits. An LSD sort in 2 × 16 bits over
 * the whole array (radixSort) scatters each pass over 65,536 places at once, which misses the TLB on
 * every write (4 KB pages); here the first pass writes 256 streams and the rest stays within a run
 * (~40,000 keys at 10^7: in L2). 1.6 → 0.7 s for 10^7 keys, measured here. The pairs (index, key)
 * are written at out[stride·p + io], out[stride·p + ko]; lookup.bin's layout with stride 2.
 */
export function sortByKey32(keys: Uint32Array, out: Uint32Array, ko: number, io: number, stride: number): void {
  allSteps(sortByKey32Steps(keys, out, ko, io, stride));
}

/**
 * sortByKey32 in steps (yields after the first pass, then after every 16 runs): a caller that must
 * let its event loop run meanwhile (the pool's queued block jobs are sent as workers answer) awaits
 * a turn at each. ~0.7 s at once for 10^7 keys, when lookup.bin was made beside the block jobs.
 */
export function* sortByKey32Steps(keys: Uint32Array, out: Uint32Array, ko: number, io: number, stride: number): Generator<void> {
  const n = keys.length;
  const runs = new Uint32Array(257);
  for (let i = 0; i < n; i++) runs[(keys[i]! >>> 24) + 1]!++;
  for (let d = 0; d < 256; d++) runs[d + 1]! += runs[d]!;
  const at = runs.slice(0, 256);
  for (let i = 0; i < n; i++) {
    const d = stride * at[keys[i]! >>> 24]!++;
    out[d + ko] = keys[i]!;
    out[d + io] = i;
  }
  yield;
  const lows = lowSorter(runs);
  for (let b = 0; b < 256; b++) {
    if (runs[b + 1]! - runs[b]! > 1) lows(out, ko, out, io, stride, runs[b]!, runs[b + 1]!);
    if (b % 16 === 15) yield;
  }
}

/** A turn of the event loop (replies from workers are handled, queued jobs sent). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs work made in steps (a generator) at once; its result. */
export function allSteps<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs work made in steps with a turn of the event loop after each; its result. */
export async function turnSteps<T>(steps: Generator<unknown, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await turn();
  }
}

/**
 * Sorts pairs p ∈ [s, e) (key at k[stride·p + ko], index at x[stride·p + io]) by the key's low 24
 * bits, stably, in two passes of 12 bits through scratch as large as the largest of `runs`.
 */
function lowSorter(runs: Uint32Array): (k: Uint32Array, ko: number, x: Uint32Array, io: number, stride: number, s: number, e: number) => void {
  let most = 0;
  for (let b = 0; b + 1 < runs.length; b++) most = Math.max(most, runs[b + 1]! - runs[b]!);
  const tk = new Uint32Array(most);
  const ti = new Uint32Array(most);
  const cnt = new Uint32Array(4097);
  return (k, ko, x, io, stride, s, e) => {
    cnt.fill(0);
    for (let p = s; p < e; p++) cnt[(k[stride * p + ko]! & 0xfff) + 1]!++;
    for (let d = 0; d < 4096; d++) cnt[d + 1]! += cnt[d]!;
    for (let p = s; p < e; p++) {
      const d = cnt[k[stride * p + ko]! & 0xfff]!++;
      tk[d] = k[stride * p + ko]!;
      ti[d] = x[stride * p + io]!;
    }
    cnt.fill(0);
    for (let q = 0; q < e - s; q++) cnt[((tk[q]! >>> 12) & 0xfff) + 1]!++;
    for (let d = 0; d < 4096; d++) cnt[d + 1]! += cnt[d]!;
    for (let q = 0; q < e - s; q++) {
      const p = stride * (s + cnt[(tk[q]! >>> 12) & 0xfff]!++);
      k[p + ko] = tk[q]!;
      x[p + io] = ti[q]!;
    }
  };
}

/**
 * Stable LSD radix sort of `idx` by the low `bits` bits of `key`, in digits of `digit` bits; both
 * arrays are permuted (with one scratch copy of each). Returns the sorted keys and indexes, which
 * are the arrays passed in when the number of passes is even. Used for each bucket of a build in
 * parts (./buckets.ts, keys relative to the bucket's least); the whole tree uses sortByKey32's passes.
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
 * Orders each run of equal top keys (in `order`, with `key` beside it: one run of sortByUserHash)
 * by the whole user hash; equal hashes are one id twice. When only a prefix of each hash is kept, a
 * tie in it is settled by the whole hashes (set.fullUserHash).
 */
function tieFixer(set: LeafSet): (order: Uint32Array, key: Uint32Array) => void {
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
  const check = (run: number[]) => {
    for (let q = 1; q < run.length; q++) {
      if (cmp(run[q - 1]!, run[q]!) === 0) {
        throw porError('DUPLICATE', `user id "${idText(set, run[q]!)}" appears twice in the snapshot (users ${run[q - 1]! + 1} and ${run[q]! + 1}); every user must be one leaf`, { field: 'user_id' });
      }
    }
  };
  return (order, key) => sortTieRuns(order, key, (x, y) => cmp(x, y) || x - y, check);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

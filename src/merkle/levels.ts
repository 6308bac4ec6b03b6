// Steps 3 and 4 of a build: the levels above the leaves, and the root documents. Node-only.
// Levels 1 … storedFrom are hashed in blocks of 2^storedFrom leaves (only the block roots are
// kept); every level from storedFrom up goes to levels.bin as it is made. docs/SPEC.md, Shape.
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import type { Reporter } from '../core/progress/index.js';
import { decodeSums, HASH_LEN, toHex } from '../core/merkle/core.js';
import type { BlockJob } from './compute.js';
import { asOverflow, type Hashers, type TreeShape } from './hashing.js';
import { ROOT_FORMAT, ROOT_VERSION, type MerkleRoot, type RootDocument } from '../core/merkle/types.js';

/** Leaves per block job: a multiple of 2^storedFrom. */
export const BLOCK_JOB = 1 << 16;

/** Leaf records as the block jobs read them: tree position q is record order[q] of the chunks. */
export interface LeafView {
  chunks: Uint8Array[];
  chunkBits: number;
  order: Uint32Array;
  /** Leaves in this view. */
  count: number;
  /** The chunks hold compact records (src/merkle/leaves.ts, LeafSet.compact). */
  compact?: boolean;
}

/**
 * Starts the block jobs for the leaves of `view`, whose first leaf is at a multiple of 2^storedFrom:
 * block b's root goes to out[b · R]. Returns one promise per job (each already observed).
 */
export function startBlocks(h: Hashers, view: LeafView, out: Uint8Array): Promise<void>[] {
  const starter = blockStarter(h, view, out);
  starter.upTo(view.count);
  return starter.busy;
}

/**
 * startBlocks as the leaf order is made: upTo(p) starts the jobs whose leaves all lie in tree
 * positions [0, p) (all of them at p = view.count); `busy` holds one promise per job started.
 */
export function blockStarter(h: Hashers, view: LeafView, out: Uint8Array): { upTo(p: number): void; busy: Promise<void>[] } {
  const { storedFrom, R } = h.shape;
  const size = 2 ** storedFrom;
  const pads = h.pads.slice(0, storedFrom);
  const busy: Promise<void>[] = [];
  let next = 0; // the first leaf of the next job
  const upTo = (p: number) => {
    for (; next < view.count && (next + BLOCK_JOB <= p || p >= view.count); next += BLOCK_JOB) {
      const from = next / size;
      const to = from + Math.ceil(Math.min(BLOCK_JOB, view.count - next) / size);
      const job: BlockJob = { chunks: view.chunks, chunkBits: view.chunkBits, order: view.order, srcCount: view.count, levels: storedFrom, pads, from, to, out: out.subarray(from * R, to * R), compact: view.compact === true };
      busy.push(h.blocks(job));
    }
  };
  return { upTo, busy };
}

/** Waits for block jobs; a failure is a sum past 128 bits (after `settle`, e.g. index writes, ends). */
export async function awaitBlocks(busy: Promise<void>[], settle: Promise<unknown> = Promise.resolve()): Promise<void> {
  try {
    await Promise.all(busy);
  } catch (err) {
    await settle.catch(() => {}); // finished before the caller removes the folder
    throw asOverflow(err);
  }
}

/** Records per level 0 … storedFrom for n leaves. */
export function lowerCounts(n: number, storedFrom: number): number[] {
  const counts = [n];
  for (let k = 1; k <= storedFrom; k++) counts.push(Math.ceil(n / 2 ** k));
  return counts;
}

/**
 * Levels storedFrom+1 … height from level storedFrom (`src`, `srcCount` records, already written),
 * each handed to `put` as it is made. Returns the root record and the counts of those levels.
 */
export async function hashUpperLevels(h: Hashers, src: Uint8Array, srcCount: number, put: (level: Uint8Array) => Promise<void>, reporter: Reporter): Promise<{ root: Uint8Array; counts: number[] }> {
  const { R, height, storedFrom } = h.shape;
  let root: Uint8Array = srcCount === 0 ? h.pads[height]! : src.slice(0, R);
  const counts: number[] = [];
  reporter.progress('merkle levels', storedFrom, height, 'levels');
  for (let k = storedFrom + 1; k <= height; k++) {
    if (srcCount === 0) {
      counts.push(0);
      continue;
    }
    const count = Math.ceil(srcCount / 2);
    const out = new Uint8Array(new SharedArrayBuffer(count * R));
    const prev = src;
    const prevCount = srcCount;
    await h.level(count, (from, to) => ({ chunks: [prev], chunkBits: 32, order: null, srcCount: prevCount, pad: h.pads[k - 1]!, from, to, out: out.subarray(from * R, to * R) }));
    await put(out.subarray(0, count * R));
    counts.push(count);
    reporter.progress('merkle levels', k, height, 'levels');
    src = out;
    srcCount = count;
    if (k === height) root = out.slice(0, R);
  }
  reporter.done('merkle levels', `${height} levels`);
  return { root, counts };
}

/** root.json's content from the root record; asserts the root sums equal the snapshot totals when given. */
export function rootDocuments(shape: TreeShape, leafCount: number, rootRecord: Uint8Array, totals?: readonly { gross: bigint; debt: bigint }[]): { merkleRoot: MerkleRoot; root: RootDocument } {
  const { assets, A } = shape;
  const { equity, debt } = decodeSums(rootRecord.subarray(HASH_LEN), A);
  if (totals) {
    for (let a = 0; a < A; a++) {
      const t = totals[a];
      if (!t || t.gross !== equity[a] || t.debt !== debt[a]) {
        throw porError('INTERNAL', `root sums for ${assets[a]!.symbol} (equity ${equity[a]}, debt ${debt[a]}) differ from the liabilities totals (gross ${t?.gross}, debt ${t?.debt})`);
      }
    }
  }
  const merkleRoot: MerkleRoot = {
    snapshotId: shape.snapshotId,
    height: shape.height,
    leafCount,
    hashFunction: 'sha256',
    hash: toHex(rootRecord.subarray(0, HASH_LEN)),
    assets,
    sums: assets.map((a, i) => ({
      asset: a.symbol,
      equity: formatAmount(equity[i]!, a.decimals),
      debt: formatAmount(debt[i]!, a.decimals),
      equityUnits: equity[i]!.toString(),
      debtUnits: debt[i]!.toString(),
    })),
  };
  return { merkleRoot, root: { format: ROOT_FORMAT, version: ROOT_VERSION, ...merkleRoot } };
}

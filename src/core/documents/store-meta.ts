// The proof store's private/store.json: `por-proof-store` v2, v1 still read (docs/FORMATS.md,
// "Proof store"). src/merkle/store-writer.ts writes it through `write`, src/merkle/store.ts reads it
// through `read`. v2 added `leafRecord` and `leafRecordSize`: leaves.bin may hold compact records
// (hash ‖ int64 nets); a v1 store's leaves.bin always holds full records. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { HASH_LEN, recordSize } from '../merkle/core.js';
import { STORE_FORMAT, STORE_VERSION, type LeafRecordLayout, type StoreMeta } from '../merkle/types.js';
import { readMerkleRoot, writeMerkleRoot } from './root.js';

export const FORMAT = STORE_FORMAT;
export const VERSION = STORE_VERSION;
export type { StoreMeta };
export const FIELDS = ['format', 'version', 'recordSize', 'leafRecord', 'leafRecordSize', 'levelCounts', 'storedFrom', 'root'] as const;
/** Version 1's fields: no leafRecord (leaves.bin held full records). */
const FIELDS_V1 = ['format', 'version', 'recordSize', 'levelCounts', 'storedFrom', 'root'] as const;
const LAYOUTS: readonly LeafRecordLayout[] = ['full', 'compact'];

/** Bytes of one leaf record of `layout` for `assetCount` assets. */
export function leafRecordSize(layout: LeafRecordLayout, assetCount: number): number {
  return layout === 'compact' ? HASH_LEN + 8 * assetCount : recordSize(assetCount);
}

export function write(m: StoreMeta): Record<string, unknown> {
  return inOrder(FIELDS, { ...m, version: VERSION, root: writeMerkleRoot(m.root) });
}

export function read(json: unknown, where: string | Where = {}): StoreMeta {
  const doc = JsonAt.root(json, where);
  const version = readHeader(doc, FORMAT, [1, VERSION]) as 1 | 2;
  doc.exact(version === 1 ? FIELDS_V1 : FIELDS);
  const root = readMerkleRoot(doc.get('root'));
  const A = root.assets.length;
  const levelCounts = doc.get('levelCounts').array({ length: root.height + 1, what: 'counts, one per level from the leaves to the root' }).map((c) => c.int());
  const size = doc.get('recordSize').int(1);
  if (size !== recordSize(A)) doc.get('recordSize').fail(`must be ${recordSize(A)} (32 + 32 per asset, ${A} assets)`);
  const leafRecord = version === 1 ? 'full' : doc.get('leafRecord').oneOf(LAYOUTS);
  const leafSize = version === 1 ? size : doc.get('leafRecordSize').int(1);
  if (leafSize !== leafRecordSize(leafRecord, A)) doc.get('leafRecordSize').fail(`must be ${leafRecordSize(leafRecord, A)} for ${leafRecord} leaf records of ${A} assets`);
  return {
    format: FORMAT, version, recordSize: size, leafRecord, leafRecordSize: leafSize, levelCounts, storedFrom: doc.get('storedFrom').int(0, root.height),
    root: { snapshotId: root.snapshotId, height: root.height, leafCount: root.leafCount, hashFunction: 'sha256', hash: root.hash, assets: root.assets, sums: root.sums },
  };
}

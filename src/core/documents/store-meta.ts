// The proof store's private/store.json: `por-proof-store` v1 (docs/FORMATS.md, "Proof store").
// src/merkle/store-writer.ts writes it through `write`, src/merkle/store.ts reads it through `read`. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { STORE_FORMAT, STORE_VERSION, type StoreMeta } from '../merkle/types.js';
import { readMerkleRoot, writeMerkleRoot } from './root.js';

export const FORMAT = STORE_FORMAT;
export const VERSION = STORE_VERSION;
export type { StoreMeta };
export const FIELDS = ['format', 'version', 'recordSize', 'levelCounts', 'storedFrom', 'root'] as const;

export function write(m: StoreMeta): Record<string, unknown> {
  return inOrder(FIELDS, { ...m, root: writeMerkleRoot(m.root) });
}

export function read(json: unknown, where: string | Where = {}): StoreMeta {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const root = readMerkleRoot(doc.get('root'));
  const levelCounts = doc.get('levelCounts').array({ length: root.height + 1, what: 'counts, one per level from the leaves to the root' }).map((c) => c.int());
  return {
    format: FORMAT, version: VERSION, recordSize: doc.get('recordSize').int(1), levelCounts, storedFrom: doc.get('storedFrom').int(0, root.height),
    root: { snapshotId: root.snapshotId, height: root.height, leafCount: root.leafCount, hashFunction: 'sha256', hash: root.hash, assets: root.assets, sums: root.sums },
  };
}

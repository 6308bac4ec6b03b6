// DIR/manifest.json of `por proof --all --out DIR`: `por-proof-export` v2 (docs/FORMATS.md, "Proof
// export"), written last, listing every file of the export with its size and SHA-256. Read through
// the located reader; its `root` is read as strictly as root.json's fields. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import type { MerkleRoot } from '../merkle/types.js';
import { readMerkleRoot, writeMerkleRoot } from './root.js';

export const FORMAT = 'por-proof-export';
/** 2: the manifest lists every file with its size and SHA-256; per-user files live under users/. */
export const VERSION = 2;
export const FIELDS = ['format', 'version', 'layout', 'count', 'root', 'files'] as const;
const FILE_FIELDS = ['path', 'bytes', 'sha256'] as const;

export interface ExportedFile {
  /** Relative to the export folder, with "/" separators. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExportManifest {
  format: typeof FORMAT;
  version: typeof VERSION;
  layout: 'ndjson' | 'files';
  count: number;
  root: MerkleRoot;
  files: ExportedFile[];
}

export function write(m: ExportManifest): Record<string, unknown> {
  return inOrder(FIELDS, { ...m, root: writeMerkleRoot(m.root), files: m.files.map((f) => inOrder(FILE_FIELDS, f)) });
}

export function read(json: unknown, where: string | Where = {}): ExportManifest {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  doc.get('layout').oneOf(['ndjson', 'files']);
  doc.get('count').int();
  readMerkleRoot(doc.get('root'));
  for (const f of doc.get('files').array()) {
    f.exact(FILE_FIELDS);
    f.get('path').string(/^[^/\\][^\\]*$/, 'a path relative to the export folder, with "/" separators');
    f.get('bytes').int();
    f.get('sha256').string(/^[0-9a-f]{64}$/, '64 lower-case hex digits');
  }
  return json as ExportManifest;
}

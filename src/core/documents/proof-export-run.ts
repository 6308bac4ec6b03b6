// `por proof --all --out DIR --json`: `por-proof-export-run` v1, what one export run wrote (the
// export's own record is DIR/manifest.json, `por-proof-export`). Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-proof-export-run';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'count', 'files', 'layout', 'out', 'seconds'] as const;

export interface ProofExportRun {
  /** Proofs written. */
  count: number;
  /** Files written (shards or per-user files, the manifest included). */
  files: number;
  layout: 'ndjson' | 'files';
  out: string;
  /** Wall time of the export, seconds. */
  seconds: number;
}

export function write(v: ProofExportRun): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...v });
}

export function read(json: unknown, where: string | Where = {}): ProofExportRun {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const seconds = doc.get('seconds');
  if (typeof seconds.value !== 'number' || !(seconds.value >= 0)) seconds.fail('must be a non-negative number of seconds');
  return { count: doc.get('count').int(), files: doc.get('files').int(), layout: doc.get('layout').oneOf(['ndjson', 'files']), out: doc.get('out').string(), seconds: seconds.value as number };
}

// `por verify-page --json`: `por-verify-page` v1, the verifier page written and its digest (every
// copy from one por build is byte-identical, so the SHA-256 identifies the build). Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-verify-page';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'out', 'bytes', 'sha256'] as const;

export interface VerifyPageWritten {
  /** Absolute path of the verify.html written. */
  out: string;
  bytes: number;
  /** Hex SHA-256 of the written file. */
  sha256: string;
}

export function write(v: VerifyPageWritten): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, out: v.out, bytes: v.bytes, sha256: v.sha256 });
}

export function read(json: unknown, where: string | Where = {}): VerifyPageWritten {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return { out: doc.get('out').string(), bytes: doc.get('bytes').int(), sha256: doc.get('sha256').string(/^[0-9a-f]{64}$/, '64 lower-case hex digits') };
}

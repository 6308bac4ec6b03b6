// `por proof --user ID --out FILE --json`: `por-proof-written` v1, which proof went where and the
// root hash it proves against. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-proof-written';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'user', 'file', 'root'] as const;

export interface ProofWritten {
  user: string;
  /** The proof file written, as given. */
  file: string;
  /** The root hash (hex) the proof leads to. */
  root: string;
}

export function write(v: ProofWritten): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, user: v.user, file: v.file, root: v.root });
}

export function read(json: unknown, where: string | Where = {}): ProofWritten {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return { user: doc.get('user').string(), file: doc.get('file').string(), root: doc.get('root').string(/^[0-9a-f]{64}$/, '64 lower-case hex digits') };
}

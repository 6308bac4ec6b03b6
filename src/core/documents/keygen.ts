// `por keygen --json`: `por-keygen` v1, the files created and the signer address; never the key or
// the secret themselves. Each member is present when that file was asked for. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-keygen';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'signingKey', 'secret'] as const;

export interface KeygenResult {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** The signing key's file and its checksummed Ethereum address. */
  signingKey?: { file: string; address: string };
  /** The tree secret's file and how many random bytes it holds. */
  secret?: { file: string; bytes: number };
}

export function write(r: KeygenResult): Record<string, unknown> {
  return inOrder(FIELDS, { ...r, format: FORMAT, version: VERSION });
}

export function read(json: unknown, where: string | Where = {}): KeygenResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(['format', 'version'], ['signingKey', 'secret']);
  const r: KeygenResult = { format: FORMAT, version: VERSION };
  const key = doc.opt('signingKey');
  if (key !== undefined) {
    key.exact(['file', 'address']);
    r.signingKey = { file: key.get('file').string(), address: key.get('address').string(/^0x[0-9a-fA-F]{40}$/, 'an Ethereum address (0x and 40 hex digits)') };
  }
  const secret = doc.opt('secret');
  if (secret !== undefined) {
    secret.exact(['file', 'bytes']);
    r.secret = { file: secret.get('file').string(), bytes: secret.get('bytes').int(32, 1024) };
  }
  return r;
}

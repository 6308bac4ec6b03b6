// The one error envelope every command prints under --json when it cannot do its work (exit 2):
// `por-error` v1. Pure.
import { PorError, type ErrorCode, type ErrorInfo } from '../errors/index.js';
import { JsonAt, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-error';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'error'] as const;
const CODES: readonly ErrorCode[] = ['BAD_USAGE', 'BAD_INPUT', 'BAD_AMOUNT', 'UNKNOWN_ASSET', 'DUPLICATE', 'OVERFLOW', 'CANNOT_WRITE', 'NETWORK', 'INTERNAL'];

export interface ErrorDocument {
  format: typeof FORMAT;
  version: typeof VERSION;
  error: { code: ErrorCode; message: string; info?: ErrorInfo };
}

/** Any thrown value as the envelope: a PorError keeps its code and where; anything else is INTERNAL. */
export function write(err: unknown): ErrorDocument {
  const error: ErrorDocument['error'] = err instanceof PorError
    ? { code: err.code, message: err.message, info: err.info }
    : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  return { format: FORMAT, version: VERSION, error };
}

export function read(json: unknown, where: string | Where = {}): ErrorDocument['error'] {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const e = doc.get('error');
  const o = e.exact(['code', 'message'], ['info']);
  const out: ErrorDocument['error'] = { code: e.get('code').oneOf(CODES), message: e.get('message').string() };
  if (o.info !== undefined) out.info = e.get('info').object() as ErrorInfo;
  return out;
}

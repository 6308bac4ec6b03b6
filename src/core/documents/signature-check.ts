// `por report verify-signature --json`: `por-signature-check` v1. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-signature-check';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'valid', 'check', 'detail', 'signer', 'report', 'signature'] as const;
const CHECKS = ['ok', 'file-hash', 'signature', 'signer'] as const;

export interface SignatureCheckResult {
  valid: boolean;
  /** Which part failed ("file-hash", "signature", "signer"), or "ok". */
  check: (typeof CHECKS)[number];
  detail: string;
  /** The address the signature recovers to, when it recovers. */
  signer: string | null;
  /** The files checked, as given. */
  report: string;
  signature: string;
}

export function write(v: SignatureCheckResult): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...v });
}

export function read(json: unknown, where: string | Where = {}): SignatureCheckResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return {
    valid: doc.get('valid').bool(), check: doc.get('check').oneOf(CHECKS), detail: doc.get('detail').string(),
    signer: doc.get('signer').nullable((a) => a.string()), report: doc.get('report').string(), signature: doc.get('signature').string(),
  };
}

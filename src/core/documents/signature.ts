// report.sig.json: `por-report-signature` v1, the exchange's EIP-191 signature over the exact bytes
// of report.json. Pure: the key math (ethers) stays Node-side in src/report/signature.ts.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-report-signature';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'scheme', 'signer', 'signature', 'reportSha256', 'snapshotId'] as const;

export interface ReportSignature {
  format: typeof FORMAT;
  version: typeof VERSION;
  scheme: 'eip191';
  /** Checksummed address of the key that signed. */
  signer: string;
  /** 65-byte signature, 0x hex. */
  signature: string;
  /** SHA-256 of the signed bytes, so a mismatched file is named as such before any key math. */
  reportSha256: string;
  snapshotId: string;
}

export function write(v: ReportSignature): Record<string, unknown> {
  return inOrder(FIELDS, v);
}

/** Shape only; that `signer` is a valid (checksummed) address is checked where ethers is at hand. */
export function read(json: unknown, where: string | Where = {}): ReportSignature {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return {
    format: FORMAT,
    version: VERSION,
    scheme: doc.get('scheme').oneOf(['eip191']),
    signer: doc.get('signer').string(/^0x[0-9a-fA-F]{40}$/, 'an Ethereum address'),
    signature: doc.get('signature').string(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte 0x-hex signature'),
    reportSha256: doc.get('reportSha256').string(/^0x[0-9a-fA-F]{64}$/, 'a SHA-256 digest as 0x and 64 hex digits'),
    snapshotId: doc.get('snapshotId').string(),
  };
}

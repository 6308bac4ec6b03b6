// The exchange's EIP-191 signature over the exact bytes of report.json (personal_sign of the file's
// bytes, so any wallet that can sign bytes can produce it). Written beside the report as
// report.sig.json. Pure: callers read and write the files.
import { Wallet, getAddress, isAddress, sha256, verifyMessage } from 'ethers';
import { porError } from '../core/errors/index.js';

export const SIGNATURE_FORMAT = 'por-report-signature';
export const SIGNATURE_VERSION = 1;

export interface ReportSignature {
  format: typeof SIGNATURE_FORMAT;
  version: typeof SIGNATURE_VERSION;
  scheme: 'eip191';
  /** Checksummed address of the key that signed. */
  signer: string;
  /** 65-byte signature, 0x hex. */
  signature: string;
  /** SHA-256 of the signed bytes, so a mismatched file is named as such before any key math. */
  reportSha256: string;
  snapshotId: string;
}

export async function signReport(reportBytes: Uint8Array, privateKey: string, snapshotId: string): Promise<ReportSignature> {
  let wallet: Wallet;
  try {
    wallet = new Wallet(privateKey.trim());
  } catch (err) {
    throw porError('BAD_INPUT', 'the signing key is not a 32-byte hex private key', { field: 'sign-key-file' }, err);
  }
  const signature = await wallet.signMessage(reportBytes);
  return {
    format: SIGNATURE_FORMAT,
    version: SIGNATURE_VERSION,
    scheme: 'eip191',
    signer: wallet.address,
    signature,
    reportSha256: sha256(reportBytes),
    snapshotId,
  };
}

export function parseSignature(json: unknown, file = 'report.sig.json'): ReportSignature {
  const o = json as Record<string, unknown>;
  const fail = (field: string, m: string): never => {
    throw porError('BAD_INPUT', m, { file, field });
  };
  if (typeof o !== 'object' || o === null) return fail('(document)', 'must be a JSON object');
  if (o.format !== SIGNATURE_FORMAT) fail('format', `must be "${SIGNATURE_FORMAT}"`);
  if (o.version !== SIGNATURE_VERSION) fail('version', `unsupported version ${String(o.version)}`);
  if (o.scheme !== 'eip191') fail('scheme', 'must be "eip191"');
  if (typeof o.signer !== 'string' || !isAddress(o.signer)) fail('signer', 'must be an Ethereum address');
  if (typeof o.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(o.signature)) fail('signature', 'must be a 65-byte 0x-hex signature');
  if (typeof o.reportSha256 !== 'string') fail('reportSha256', 'must be 0x-hex');
  if (typeof o.snapshotId !== 'string') fail('snapshotId', 'must be text');
  return o as unknown as ReportSignature;
}

export interface SignatureCheck {
  ok: boolean;
  /** Which part failed: "file-hash", "signature", "signer" — or "ok". */
  check: 'ok' | 'file-hash' | 'signature' | 'signer';
  detail: string;
  recovered?: string;
}

/**
 * Checks the signature against the report's bytes and, when given, the signer the reader expects
 * (which must come from somewhere other than the signature file, or it proves nothing).
 */
export function checkReportSignature(reportBytes: Uint8Array, sig: ReportSignature, expectedSigner?: string): SignatureCheck {
  const digest = sha256(reportBytes);
  if (digest !== sig.reportSha256.toLowerCase()) {
    return { ok: false, check: 'file-hash', detail: `report.json's SHA-256 is ${digest}, but the signature file was made for ${sig.reportSha256}: the report was changed after signing, or this is another report's signature` };
  }
  let recovered: string;
  try {
    recovered = verifyMessage(reportBytes, sig.signature);
  } catch (err) {
    return { ok: false, check: 'signature', detail: `the signature is malformed: ${(err as Error).message}` };
  }
  if (recovered !== getAddress(sig.signer)) {
    return { ok: false, check: 'signature', recovered, detail: `the signature recovers to ${recovered}, not to the signer ${sig.signer} the file names` };
  }
  if (expectedSigner !== undefined) {
    if (!isAddress(expectedSigner)) throw porError('BAD_USAGE', `--signer ${expectedSigner} is not an Ethereum address`, { field: 'signer' });
    if (recovered !== getAddress(expectedSigner)) {
      return { ok: false, check: 'signer', recovered, detail: `signed by ${recovered}, not by the expected exchange key ${getAddress(expectedSigner)}` };
    }
    return { ok: true, check: 'ok', recovered, detail: `signed by ${recovered}, the expected exchange key, over these exact bytes` };
  }
  return { ok: true, check: 'ok', recovered, detail: `signed by ${recovered} over these exact bytes (no --signer given: compare this address with the one the exchange announced)` };
}

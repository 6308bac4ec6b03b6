// The exchange's EIP-191 signature over the exact bytes of report.json (personal_sign of the file's
// bytes, so any wallet that can sign bytes can produce it). Written beside the report as
// report.sig.json. Pure: callers read and write the files.
import { Wallet, getAddress, isAddress, sha256, verifyMessage } from 'ethers';
import { porError } from '../core/errors/index.js';
import { FORMAT, VERSION, read, type ReportSignature } from '../core/documents/signature.js';
import { JsonAt } from '../core/json/read.js';

export const SIGNATURE_FORMAT = FORMAT;
export const SIGNATURE_VERSION = VERSION;
export type { ReportSignature };

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

/** report.sig.json through its document module, plus the address checksum (ethers). */
export function parseSignature(json: unknown, file = 'report.sig.json'): ReportSignature {
  const sig = read(json, file);
  if (!isAddress(sig.signer)) JsonAt.root(json, file).get('signer').fail('must be an Ethereum address');
  return sig;
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

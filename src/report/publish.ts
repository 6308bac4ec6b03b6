// Writes what an exchange publishes: report.json (canonical bytes), report.sig.json (EIP-191 over
// those bytes) and report.html. Each file is written atomically; the signature is made over the
// very bytes written.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, toJson } from '../io/node.js';
import { porError } from '../errors/index.js';
import { canonicalJson } from './assemble.js';
import { renderReportHtml } from './html.js';
import { signReport, type ReportSignature } from './signature.js';
import type { Report } from './types.js';

export const REPORT_FILE = 'report.json';
export const SIGNATURE_FILE = 'report.sig.json';
export const HTML_FILE = 'report.html';

export interface PublishOptions {
  /** File holding the exchange's hex private key (never passed on the command line). */
  signKeyFile?: string;
  /** Link report.html to this page (e.g. "verify.html") — by default linked when DIR/verify.html exists. */
  verifyPage?: string;
}

export interface Published {
  reportFile: string;
  signatureFile?: string;
  htmlFile: string;
  signature?: ReportSignature;
}

export async function readSigningKey(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read the signing key: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, err);
  }
}

export async function publishReport(dir: string, report: Report, opts: PublishOptions = {}): Promise<Published> {
  const bytes = new TextEncoder().encode(canonicalJson(report));
  let signature: ReportSignature | undefined;
  if (opts.signKeyFile !== undefined) signature = await signReport(bytes, await readSigningKey(opts.signKeyFile), report.snapshot.id);
  const reportFile = join(dir, REPORT_FILE);
  const htmlFile = join(dir, HTML_FILE);
  const verifyPage = opts.verifyPage ?? (existsSync(join(dir, 'verify.html')) ? 'verify.html' : undefined);
  const html = await renderReportHtml(report, {
    ...(verifyPage !== undefined ? { verifyPage } : {}),
    ...(signature ? { signatureFile: SIGNATURE_FILE, signer: signature.signer } : {}),
  });
  await writeFileAtomic(reportFile, bytes);
  const out: Published = { reportFile, htmlFile };
  if (signature) {
    out.signatureFile = join(dir, SIGNATURE_FILE);
    out.signature = signature;
    await writeFileAtomic(out.signatureFile, toJson(signature));
  }
  await writeFileAtomic(htmlFile, html);
  return out;
}

/** Default signature path for a report: report.sig.json beside it (or REPORT.sig.json for other names). */
export function signaturePathFor(reportFile: string): string {
  if (reportFile.endsWith(`/${REPORT_FILE}`) || reportFile === REPORT_FILE) return reportFile.slice(0, -REPORT_FILE.length) + SIGNATURE_FILE;
  return reportFile.replace(/\.json$/, '') + '.sig.json';
}

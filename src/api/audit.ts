// A journalist's audit from a script: the same checks as `por audit report.json --rpc …`, on the
// published files as they are (the signature covers report.json's exact bytes).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { porError } from '../core/errors/index.js';
import { readFault, readJsonFile } from '../io/node.js';
import { parseReport } from '../core/report/parse.js';
import { parseSignature } from '../report/signature.js';
import { signaturePathFor } from '../report/publish.js';
import { auditReport, type AuditOptions, type AuditResult } from '../audit/audit.js';

export interface AuditFileOptions extends Omit<AuditOptions, 'report' | 'reportFile' | 'reportBytes' | 'signature' | 'others'> {
  /** The report's signature file; default report.sig.json beside the report, when it exists. */
  signatureFile?: string;
  /** Other exchanges' report.json files: an address claimed by two reports is flagged. */
  otherReports?: string[];
}

/** Reads a published report.json (and its signature), then runs every audit check against your nodes. */
export async function auditReportFile(file: string, options: AuditFileOptions): Promise<AuditResult> {
  let reportBytes: Uint8Array;
  try {
    reportBytes = new Uint8Array(await readFile(file));
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
  const report = parseReport(await readJsonFile(file), file);
  const sigFile = options.signatureFile ?? signaturePathFor(file);
  const signature = options.signatureFile !== undefined || existsSync(sigFile) ? parseSignature(await readJsonFile(sigFile), sigFile) : null;
  const others = [];
  for (const f of options.otherReports ?? []) others.push({ file: f, report: parseReport(await readJsonFile(f), f) });
  const { signatureFile: _s, otherReports: _o, ...rest } = options;
  return auditReport({ ...rest, report, reportFile: file, reportBytes, signature, others });
}

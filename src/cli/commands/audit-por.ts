// `por audit REPORT.json` (format por): re-reads the report's addresses from the auditor's own nodes
// and checks everything the report claims. Exit 0 when every check holds (warnings allowed),
// 1 when any fails, 2 when the report, or anything on a node, cannot be read, or a chain was not
// re-read because no node was given for it (unless --offline asked for exactly that).
import { write as writeAudit } from '../../core/documents/audit.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { porError } from '../../core/errors/index.js';
import { readJsonFile, writeFileAtomic, readFault } from '../../io/node.js';
import { parseReport } from '../../core/report/parse.js';
import { parseSignature } from '../../report/signature.js';
import { signaturePathFor } from '../../report/publish.js';
import { verifyBitcoinMessage } from '../../signatures/bitcoin.js';
import { auditReport } from '../../audit/audit.js';
import { parseChainUrls } from '../../reserves/load.js';
import { auditHtml, auditText } from '../../audit/render.js';
import { EXIT, type Context, type ExitCode } from '../context.js';
import { checkNodes, networkSettings, reportNodes } from '../network.js';

export interface AuditArgs {
  file: string;
  rpc: string[];
  other: string[];
  /** The HTML page to write (--out, -o or --html). */
  out?: string;
  json: boolean;
  /** The exchange key expected to have signed the report. */
  signer?: string;
  /** Signature file (default: report.sig.json beside the report). */
  signature?: string;
  /** Seconds between a block's time and the snapshot time before a warning. */
  maxSkew?: number;
  /** Print passing checks one by one too. */
  all?: boolean;
  /** Audit without any node, on purpose: the report's arithmetic and signatures only (exit 0/1, not 2). */
  offline?: boolean;
  timeoutMs?: number;
  retries?: number;
}

export async function runPorAudit(args: ArgumentsCamelCase<AuditArgs>, ctx: Context): Promise<ExitCode> {
  const rpc = parseChainUrls(args.rpc);
  if (args.offline === true && Object.keys(rpc).length > 0) throw porError('BAD_USAGE', '--offline audits without any node: drop --rpc, or give a node for every chain of the report', { field: 'offline' });
  const net = networkSettings(args);
  if (args.maxSkew !== undefined && !(Number.isFinite(args.maxSkew) && args.maxSkew >= 0)) throw porError('BAD_USAGE', '--max-skew must be a number of seconds, 0 or more', { field: 'max-skew' });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(args.file));
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file: args.file }, err);
  }
  if (/\.csv$/i.test(args.file)) {
    throw porError('BAD_INPUT', 'a .csv file that is not an OKX reserve file (no header line names address, message and signature columns) and not a por report.json: por audit reads those two', { file: args.file });
  }
  const report = parseReport(await readJsonFile(args.file), args.file);
  // A node that does not answer is named now (exit 2), not as COULD NOT READ after the whole audit.
  await checkNodes(reportNodes(report.chains, rpc), net, { reporter: ctx.reporter });
  const sigFile = args.signature ?? signaturePathFor(args.file);
  const signature = args.signature !== undefined || existsSync(sigFile) ? parseSignature(await readJsonFile(sigFile), sigFile) : null;
  const others = [];
  for (const f of args.other) {
    // The report itself as --other would flag every address as claimed twice.
    if (resolve(f) === resolve(args.file)) throw porError('BAD_USAGE', '--other names the report being audited; give another exchange\'s report', { file: f, field: 'other' });
    // Its signature (beside it, when published) tells whether it is this exchange's own earlier report.
    const otherSig = signaturePathFor(f);
    const signature = existsSync(otherSig) ? parseSignature(await readJsonFile(otherSig), otherSig) : null;
    others.push({ file: f, report: parseReport(await readJsonFile(f), f), bytes: new Uint8Array(await readFile(f)), signature });
  }
  if (Object.keys(rpc).length === 0) ctx.note(args.offline === true ? 'note: --offline: balances and blocks are not re-read, only the report\'s own arithmetic and signatures are checked' : 'note: no --rpc given: balances and blocks are not re-read on-chain, so the audit cannot pass (exit 2); give --rpc CHAIN=URL, or --offline for the report\'s own arithmetic and signatures only');
  const result = await auditReport({
    report,
    reportFile: args.file,
    reportBytes: bytes,
    signature,
    ...(args.signer !== undefined ? { signer: args.signer } : {}),
    rpc,
    others,
    ...(args.maxSkew !== undefined ? { maxSkewSeconds: args.maxSkew } : {}),
    ...(args.offline === true ? { offline: true } : {}),
    reporter: ctx.reporter,
    ...net,
    verifyBitcoin: (address, message, sig, network) => verifyBitcoinMessage(address, message, sig, network === 'mainnet' || network === undefined ? 'bitcoin' : 'testnet'),
  });
  if (args.out !== undefined) {
    await writeFileAtomic(args.out, await auditHtml(result));
    ctx.note(`wrote ${args.out}`);
  }
  if (ctx.json) ctx.printJson(writeAudit(result));
  ctx.print(auditText(result, args.all === true));
  // Something that could not be read decides nothing: exit 2 unless a check failed outright.
  return result.verdict === 'fail' ? EXIT.CHECK_FAILED : result.verdict === 'unread' ? EXIT.BAD_INPUT : EXIT.OK;
}

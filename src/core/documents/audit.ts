// `por audit --json`: `por-audit` v2, a journalist's checks of a report (docs/FORMATS.md, "Audit
// output"). The types live here so anything that reads an audit back (a page, `por history`, a
// newsroom's own tooling) reads it through the located reader. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import type { ReportSolvencyRow } from '../report/types.js';
import type { AuditCheck, Status } from '../checks/index.js';

export const FORMAT = 'por-audit';
/** v2: the `unread` status, summary count and verdict, and `unreadAssets`. v3: a chain with no node
 *  is `unread` (exit 2) unless the audit was asked to be offline; `other-report` passes the same
 *  exchange's report of another snapshot (compared, not a double claim); evidence sentences give
 *  ratios in percent (the exact ratio stays in `evidence`). v2 documents are still read: same fields. */
export const VERSION = 3;
const READ_VERSIONS = [2, 3] as const;
export const FIELDS = ['format', 'version', 'report', 'verdict', 'summary', 'checks', 'audited', 'unreadAssets', 'chainsRead', 'chainsNotRead'] as const;

export type { AuditCheck, Status } from '../checks/index.js';
const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'unread'];

export interface AuditResult {
  format: typeof FORMAT;
  version: typeof VERSION | 2;
  report: { file: string; snapshotId: string; snapshotTime: string; exchange?: string; merkleRoot: string };
  /** fail if any check failed; else unread if anything could not be read; else warn; else pass. */
  verdict: Status;
  summary: { pass: number; fail: number; warn: number; unread: number };
  checks: AuditCheck[];
  /** Per asset, from the balances this audit read itself (only addresses whose proof it verified);
   *  assets with any balance or proof it could not read are left out (see unreadAssets). */
  audited: ReportSolvencyRow[];
  /** Assets whose coverage is not decided because something of theirs could not be read. */
  unreadAssets: string[];
  /** Chains re-read from the auditor's nodes, and those that could not be (no --rpc). */
  chainsRead: string[];
  chainsNotRead: string[];
}

export function write(a: AuditResult): Record<string, unknown> {
  return inOrder(FIELDS, a);
}

/** The audit's header, summary and checks read strictly; `audited` rows as objects (report.json's row shape). */
export function read(json: unknown, where: string | Where = {}): AuditResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [...READ_VERSIONS]);
  doc.exact(FIELDS);
  const report = doc.get('report');
  report.exact(['file', 'snapshotId', 'snapshotTime', 'merkleRoot'], ['exchange']);
  for (const k of ['file', 'snapshotId', 'snapshotTime', 'merkleRoot']) report.get(k).string();
  report.opt('exchange')?.string();
  doc.get('verdict').oneOf(STATUSES);
  const summary = doc.get('summary');
  summary.exact(STATUSES);
  for (const s of STATUSES) summary.get(s).int();
  for (const c of doc.get('checks').array()) readCheck(c);
  for (const row of doc.get('audited').array()) row.object();
  for (const k of ['unreadAssets', 'chainsRead', 'chainsNotRead']) for (const s of doc.get(k).array()) s.string();
  return json as AuditResult;
}

function readCheck(c: JsonAt): void {
  c.exact(['name', 'status', 'subject', 'detail'], ['evidence']);
  c.get('name').string();
  c.get('status').oneOf(STATUSES);
  c.get('subject').string();
  c.get('detail').string();
  const evidence = c.opt('evidence');
  if (evidence === undefined) return;
  for (const k of Object.keys(evidence.object())) evidence.get(k).string();
}

// `por build --json` when a report is published: `por-build` v1, the root and the files written.
// (Without a report, `build --json` prints the root itself: a `por-root` document.) Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import type { RootDocument } from '../merkle/types.js';
import type { ReportSolvencyRow as SolvencyRow } from '../report/types.js';

export const FORMAT = 'por-build';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'root', 'report'] as const;
export const REPORT_FIELDS = ['file', 'signature', 'html', 'signer', 'verdict', 'solvency'] as const;

export interface BuildResult {
  /** The root document itself, as root.json (with its own format and version). */
  root: RootDocument;
  report: {
    file: string;
    /** report.sig.json, or null when unsigned. */
    signature: string | null;
    html: string;
    signer: string | null;
    /** The report's headline: pass, warn or fail. */
    verdict: string;
    solvency: SolvencyRow[];
  };
}

export function write(v: BuildResult): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, root: v.root, report: inOrder(REPORT_FIELDS, v.report) });
}

export function read(json: unknown, where: string | Where = {}): BuildResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const r = doc.get('report');
  r.exact(REPORT_FIELDS);
  return {
    root: doc.get('root').object() as unknown as RootDocument,
    report: {
      file: r.get('file').string(), signature: r.get('signature').nullable((a) => a.string()), html: r.get('html').string(),
      signer: r.get('signer').nullable((a) => a.string()), verdict: r.get('verdict').oneOf(['pass', 'warn', 'fail']),
      solvency: r.get('solvency').array().map((a) => a.object()) as unknown as SolvencyRow[],
    },
  };
}

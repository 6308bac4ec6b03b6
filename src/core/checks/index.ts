// The one vocabulary of check results, for every stage that checks something: proof verification
// and comparison (core/verify), `por audit` (src/audit) and the OKX reserve-file audit
// (src/formats/okx-audit.ts). Pure types, and `tally`.
//
// A check has a stable `name` and one plain sentence of evidence (`detail`). Its outcome is written
// one of two ways, fixed by the documents that carry it (docs/FORMATS.md):
// - `Check` — a verifier's check holds or fails (`ok`); verifiers stop at the first failure, so
//   what was not reached is absent, never a pass;
// - `AuditCheck` — an audit's check is about a subject (an asset, a chain, an address) and has one
//   of four statuses, `unread` being what could not be read or checked (it blocks the verdict).
// `tally` counts either kind by status (a verifier's check is pass or fail) and gives the verdict.

/** pass: checked and holds; fail: checked and fails; warn: holds with a caveat, or not checked by
 *  choice (no node given); unread: could not be read or checked (a fault): blocks the verdict. */
export type Status = 'pass' | 'fail' | 'warn' | 'unread';

interface CheckResult {
  /** Stable, machine-readable name, e.g. "leaf-hash", "block-hash", "ownership-message". */
  name: string;
  /** One plain sentence of evidence: what was compared with what. */
  detail: string;
}

/** A verifier's check: it holds or it does not. */
export interface Check extends CheckResult {
  ok: boolean;
}

/** An audit's check: its status, and what it is about. */
export interface AuditCheck extends CheckResult {
  status: Status;
  /** What was checked: an asset, "chain ethereum", "ethereum 0xAbc…". */
  subject: string;
  evidence?: Record<string, string>;
}

/** Either kind of check's outcome as a status. */
function statusOf(c: Check | AuditCheck): Status {
  return 'status' in c ? c.status : c.ok ? 'pass' : 'fail';
}

export interface Tally {
  summary: Record<Status, number>;
  /** fail if any check failed; else unread if anything could not be read; else warn; else pass. */
  verdict: Status;
}

/** How many checks have each status, and the verdict they give together. */
export function tally(checks: readonly (Check | AuditCheck)[]): Tally {
  const summary: Record<Status, number> = { pass: 0, fail: 0, warn: 0, unread: 0 };
  for (const c of checks) summary[statusOf(c)]++;
  const verdict: Status = summary.fail > 0 ? 'fail' : summary.unread > 0 ? 'unread' : summary.warn > 0 ? 'warn' : 'pass';
  return { summary, verdict };
}

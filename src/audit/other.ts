// `por audit --other`: another report beside the audited one. Another exchange claiming one of this
// report's addresses is a double claim (the same coins cannot back two exchanges: FAIL). The same
// exchange's report of another snapshot is not: its wallets are expected to recur, so it is named
// "same exchange, earlier (or later) snapshot" and compared, not failed. Which exchange a report is
// comes from its signature where both reports carry a valid one (the signer decides; a report
// cannot borrow another exchange's key), else from the exchange name both state.
import { checkReportSignature, type ReportSignature } from '../report/signature.js';
import { groupDigits } from '../core/money/display.js';
import type { Report } from '../core/report/types.js';

/** Another report given with --other: its bytes and signature file (when published) identify its signer. */
export interface OtherReport {
  file: string;
  report: Report;
  bytes?: Uint8Array;
  signature?: ReportSignature | null;
}

/** The key that validly signed these exact bytes, or undefined (no signature, or one that does not check out). */
export function verifiedSigner(bytes: Uint8Array | undefined, signature: ReportSignature | null | undefined): string | undefined {
  if (bytes === undefined || !signature) return undefined;
  const s = checkReportSignature(bytes, signature);
  return s.ok ? s.recovered?.toLowerCase() : undefined;
}

const nameKey = (name: string | undefined) => (name ?? '').trim().toLowerCase();

/** Why the two reports are one exchange's ("signed by the same key 0x…", "both name …"), or null when they are not. */
export function sameExchange(self: { report: Report; signer?: string | undefined }, other: { report: Report; signer?: string | undefined }): string | null {
  if (self.signer !== undefined && other.signer !== undefined) return self.signer === other.signer ? `signed by the same key ${self.signer}` : null;
  const a = nameKey(self.report.exchange);
  return a !== '' && a === nameKey(other.report.exchange) ? `both name the exchange "${self.report.exchange}"` : null;
}

/** "earlier" / "later" / "the same", by snapshot time. */
function when(self: Report, other: Report): string {
  const d = Date.parse(other.snapshot.time) - Date.parse(self.snapshot.time);
  return d < 0 ? 'earlier' : d > 0 ? 'later' : 'same-time';
}

/** Stated reserves then and now, per asset both list: "BTC 600.00000000 → 680.50000000". */
function reservesThenNow(self: Report, other: Report): string {
  const rows = self.solvency.flatMap((s) => {
    const o = other.solvency.find((x) => x.asset === s.asset);
    return o ? [`${s.asset} ${groupDigits(o.reserves)} → ${groupDigits(s.reserves)}`] : [];
  });
  return rows.length ? `; reserves as each report states them, then → now: ${rows.join(', ')}` : '';
}

/** The sentence for the same exchange's other report, and whether it contradicts this one (one snapshot, two roots). */
export function sameExchangeDetail(self: Report, other: OtherReport, why: string, shared: number): { ok: boolean; detail: string } {
  const o = other.report;
  const who = `${other.file} is the same exchange (${why})`;
  if (o.snapshot.id === self.snapshot.id) {
    return o.merkleRoot.hash === self.merkleRoot.hash
      ? { ok: true, detail: `${who}, same snapshot ${o.snapshot.id} and the same Merkle root: another copy of this report` }
      : { ok: false, detail: `${who} and the same snapshot ${o.snapshot.id}, but another Merkle root (${o.merkleRoot.hash}): the exchange published two different reports for one snapshot` };
  }
  const order = when(self, o);
  const label = order === 'same-time' ? 'another snapshot taken at the same time' : `${order} snapshot`;
  return {
    ok: true,
    detail: `${who}, ${label} ${o.snapshot.id} (${o.snapshot.time}): ${shared} address${shared === 1 ? '' : 'es'} in both, as expected of one exchange's wallets, not a double claim${reservesThenNow(self, o)}`,
  };
}

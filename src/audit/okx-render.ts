// An OKX reserve-file audit (src/formats/okx-audit.ts) as terminal text and as a page, in the words
// of por's own audit (src/audit/render.ts): each check PASS / FAIL / WARN / COULD NOT READ with its
// evidence, and one headline AUDIT PASSED / PASSED WITH WARNINGS / FAILED / NOT DECIDED with counts.
import { escapeHtml, htmlPage } from '../report/html.js';
import { textTable } from '../core/money/display.js';
import { tally, type AuditCheck, type Status, type Tally } from '../core/checks/index.js';
import { effectiveOwnership, type OkxAuditResult } from '../formats/okx-audit.js';

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', unread: 'COULD NOT READ' };
const ORDER: Record<Status, number> = { fail: 0, unread: 1, warn: 2, pass: 3 };

/** Nothing could be checked: every row is in a scheme por does not verify (exit 2). */
export function okxNothingChecked(r: OkxAuditResult): boolean {
  return r.counts.valid + r.counts.invalid === 0;
}

/** The result's checks and caveats in the audit's one vocabulary, failures first. */
export function okxAuditChecks(r: OkxAuditResult): AuditCheck[] {
  const checks: AuditCheck[] = r.checks.map((c) => ({ status: c.ok ? 'pass' : 'fail', name: c.name, subject: r.file, detail: c.detail }));
  for (const w of r.warnings) checks.push({ status: 'warn', name: 'caveat', subject: r.file, detail: w });
  if (okxNothingChecked(r)) checks.push({ status: 'unread', name: 'ownership', subject: r.file, detail: 'every row uses a scheme por does not verify: nothing could be checked' });
  return checks.sort((a, b) => ORDER[a.status] - ORDER[b.status]);
}

/** "AUDIT FAILED: 2 passed, 1 failed, 3 warnings": the same headline as `por audit` gives a por report. */
export function okxHeadline(t: Tally): string {
  const { pass, fail, warn, unread } = t.summary;
  const counts = `${pass} passed, ${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}${unread ? `, ${unread} could not be checked` : ''}`;
  if (t.verdict === 'fail') return `AUDIT FAILED: ${counts}`;
  if (t.verdict === 'unread') return `AUDIT NOT DECIDED: nothing in the file could be checked: ${counts}`;
  if (t.verdict === 'warn') return `AUDIT PASSED WITH WARNINGS: ${counts}`;
  return `AUDIT PASSED: ${counts}`;
}

/** Left-aligned columns, as this report always printed them (core/money/display.ts's table). */
const table = (head: string[], body: string[][]): string => textTable(head, body, head.map(() => 'left')).join('\n');

/** The rows, each row's reasons, and per coin what stands behind the published amount. */
function okxBody(res: OkxAuditResult): string[] {
  const out: string[] = [];
  out.push(table(
    ['line', 'coin', 'network', 'address', 'amount', 'ownership', 'scheme'],
    res.rows.map((r) => [String(r.line), r.coin, r.network, r.address, r.amount ?? '', effectiveOwnership(r), r.scheme]),
  ));
  out.push('', 'Reasons:');
  for (const r of res.rows) {
    out.push(`  line ${r.line}: ${effectiveOwnership(r)}: ${r.reason}`);
    if (r.contractLink) out.push(`    contract link ${r.contractLink.status}: ${r.contractLink.detail}`);
    if (r.balance) out.push(`    balance ${r.balance.status}: ${r.balance.detail}`);
  }
  if (res.coins.some((c) => c.amount !== '')) {
    out.push('', 'Per coin: the published amount and what stands behind it');
    out.push(table(
      ['coin', 'rows', 'amount', 'valid proof', 'invalid proof', 'unsupported scheme', '(valid, contract link unchecked)'],
      res.coins.map((c) => [c.coin, String(c.rows), c.amount, c.valid, c.invalid, c.unsupported, c.validLinkUnchecked === '0' ? '' : c.validLinkUnchecked]),
    ));
  }
  return out;
}

export function okxAuditText(res: OkxAuditResult): string {
  const checks = okxAuditChecks(res);
  const out = [`OKX reserve file ${res.file} (layout ${res.layout}, ${res.counts.rows} address rows)`, '', ...okxBody(res), ''];
  for (const c of checks) out.push(`${MARK[c.status]}  ${c.name}  ${c.detail}`);
  out.push('', okxHeadline(tally(checks)));
  return out.join('\n');
}

function checkRow(c: AuditCheck): string {
  const cls = c.status === 'pass' ? 'ok' : c.status === 'warn' ? 'warnc' : 'bad';
  return `<tr class="check-${c.status}" data-check="${escapeHtml(c.name)}"><td class="${cls}">${MARK[c.status]}</td><td><code>${escapeHtml(c.name)}</code></td><td>${escapeHtml(c.detail)}</td></tr>`;
}

function coinRows(res: OkxAuditResult): string {
  return res.coins.map((c) => `<tr><td>${escapeHtml(c.coin)}</td><td class="num">${c.rows}</td><td class="num">${escapeHtml(c.amount)}</td><td class="num">${escapeHtml(c.valid)}</td><td class="num">${escapeHtml(c.invalid)}</td><td class="num">${escapeHtml(c.unsupported)}</td></tr>`).join('\n');
}

/** A self-contained page (no network request), in the style of por's audit.html. */
export function okxAuditHtml(res: OkxAuditResult): string {
  const checks = okxAuditChecks(res);
  const t = tally(checks);
  const level = t.verdict === 'unread' ? 'warn' : t.verdict;
  const body = `
<h1>Independent audit of an OKX reserve file</h1>
<p class="sub">file <code>${escapeHtml(res.file)}</code> · layout ${escapeHtml(res.layout)} · ${res.counts.rows} address rows: ${res.counts.valid} valid, ${res.counts.invalid} invalid, ${res.counts.unsupported} in schemes por does not verify</p>
<div id="verdict" class="verdict ${level}"><strong>${escapeHtml(okxHeadline(t))}</strong></div>
<h2>Per coin: the published amount and what stands behind it</h2>
<div class="tw"><table id="coins"><thead><tr><th>Coin</th><th>Rows</th><th>Amount</th><th>Valid proof</th><th>Invalid proof</th><th>Unsupported scheme</th></tr></thead><tbody>
${coinRows(res)}
</tbody></table></div>
<h2>Every check (${checks.length})</h2>
<div class="tw"><table id="checks"><thead><tr><th>Result</th><th>Check</th><th>Evidence</th></tr></thead><tbody>
${checks.map(checkRow).join('\n')}
</tbody></table></div>
<p class="sub">Re-run it yourself: <code>por audit ${escapeHtml(res.file)} --rpc CHAIN=URL</code></p>
`;
  return htmlPage(`OKX reserve audit — ${res.file}`, body);
}

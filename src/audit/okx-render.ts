// An OKX reserve-file audit (src/formats/okx-audit.ts) as terminal text and as a page, in the words
// of por's own audit (src/audit/render.ts): each check PASS / FAIL / WARN / COULD NOT READ with its
// evidence, one headline AUDIT PASSED / PASSED WITH WARNINGS / FAILED / NOT DECIDED with counts, and
// under it what was checked and holds, checked and fails, and not checked.
import { escapeHtml, htmlPage } from '../report/html.js';
import { textTable } from '../core/money/display.js';
import { headlineLines, type AuditHeadline } from '../core/audit/headline.js';
import { tally, type AuditCheck, type Status } from '../core/checks/index.js';
import { effectiveOwnership, okxAllChecks, type OkxAuditResult } from '../formats/okx-audit.js';

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', unread: 'COULD NOT READ' };
const ORDER: Record<Status, number> = { fail: 0, unread: 1, warn: 2, pass: 3 };

/** The result's checks and caveats in the audit's one vocabulary, failures first. */
export function okxAuditChecks(r: OkxAuditResult): AuditCheck[] {
  return okxAllChecks(r).sort((a, b) => ORDER[a.status] - ORDER[b.status]);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "line 3 (ETH 0xAb…) balance: …": what could not be read, and the node's words. */
function unreadWords(checks: AuditCheck[]): string[] {
  return checks.filter((c) => c.status === 'unread').map((c) => (c.subject === '' || !c.subject.startsWith('line ') ? c.detail : `${c.subject} ${c.name}: ${c.detail}`));
}

/** "AUDIT FAILED: 2 passed, 1 failed, 3 warnings": the same headline as `por audit` gives a por
 *  report; when something could not be read it says what, with the node's error. */
export function okxHeadline(r: OkxAuditResult): string {
  const { pass, fail, warn, unread } = r.summary;
  const counts = `${pass} passed, ${fail} failed, ${plural(warn, 'warning')}${unread ? `, ${unread} could not be checked` : ''}`;
  const notRead = unreadWords(r.checks);
  if (r.verdict === 'fail') return `AUDIT FAILED: ${counts}${notRead.length ? `; NOT CHECKED (could not read): ${notRead.join('; ')}` : ''}`;
  if (r.verdict === 'unread') {
    const own = r.checks.some((c) => c.status === 'unread' && c.name === 'ownership' && c.subject === r.file);
    return own ? `AUDIT NOT DECIDED: nothing in the file could be checked: ${counts}` : `AUDIT NOT DECIDED: ${plural(notRead.length, 'item')} could not be read from your node, so the audit neither passes nor fails (${notRead.join('; ')}): ${counts}`;
  }
  if (r.verdict === 'warn') return `AUDIT PASSED WITH WARNINGS: ${counts}`;
  return `AUDIT PASSED: ${counts}`;
}

/** The three lists under the headline, as `por audit` prints them for a por report. */
function okxLists(r: OkxAuditResult): Pick<AuditHeadline, 'holds' | 'fails' | 'notChecked'> {
  const by = (s: Status) => r.checks.filter((c) => c.status === s);
  return {
    holds: [`${plural(by('pass').length, 'check')}; ownership of ${r.counts.valid} of ${plural(r.counts.rows, 'row')} proven`],
    fails: by('fail').map((c) => `${c.name}: ${c.detail}`),
    notChecked: unreadWords(r.checks),
  };
}

/** Left-aligned columns, as this report always printed them (core/money/display.ts's table). */
const table = (head: string[], body: string[][]): string => textTable(head, body, head.map(() => 'left')).join('\n');
const blankZero = (d: string) => (d === '0' ? '' : d);

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
    if (r.contractLink) out.push(`    contract link ${r.contractLink.status === 'unread' ? 'COULD NOT READ' : r.contractLink.status}: ${r.contractLink.detail}`);
    if (r.balance) out.push(`    balance ${r.balance.status === 'unread' ? 'COULD NOT READ' : r.balance.status}: ${r.balance.detail}`);
  }
  if (res.coins.some((c) => c.amount !== '')) {
    out.push('', 'Per coin: the published amount and what stands behind it');
    out.push(table(
      ['coin', 'rows', 'amount', 'valid proof', 'invalid proof', 'unsupported scheme', 'not checked (contract link could not be read)', '(valid, contract link unchecked)'],
      res.coins.map((c) => [c.coin, String(c.rows), c.amount, c.valid, c.invalid, c.unsupported, blankZero(c.unread), blankZero(c.validLinkUnchecked)]),
    ));
  }
  return out;
}

export function okxAuditText(res: OkxAuditResult): string {
  const out = [`OKX reserve file ${res.file} (layout ${res.layout}, ${res.counts.rows} address rows)`, '', ...okxBody(res), ''];
  for (const c of okxAuditChecks(res)) out.push(`${MARK[c.status]}  ${c.name}  ${c.subject === res.file ? '' : `${c.subject}: `}${c.detail}`);
  out.push('', okxHeadline(res), ...headlineLines(okxLists(res)));
  return out.join('\n');
}

function checkRow(c: AuditCheck, file: string): string {
  const cls = c.status === 'pass' ? 'ok' : c.status === 'warn' ? 'warnc' : 'bad';
  const about = c.subject === file ? '' : `${c.subject}: `;
  return `<tr class="check-${c.status}" data-check="${escapeHtml(c.name)}"><td class="${cls}">${MARK[c.status]}</td><td><code>${escapeHtml(c.name)}</code></td><td>${escapeHtml(about + c.detail)}</td></tr>`;
}

function coinRows(res: OkxAuditResult): string {
  const num = (d: string) => `<td class="num">${escapeHtml(d)}</td>`;
  return res.coins.map((c) => `<tr><td>${escapeHtml(c.coin)}</td>${num(String(c.rows))}${num(c.amount)}${num(c.valid)}${num(c.invalid)}${num(c.unsupported)}${num(blankZero(c.unread))}</tr>`).join('\n');
}

/** What was checked and holds, checked and fails, and not checked, under the page's headline. */
function listsHtml(res: OkxAuditResult): string {
  const l = okxLists(res);
  const item = (label: string, xs: string[]) => `<li><strong>${label}:</strong> ${xs.length ? xs.map(escapeHtml).join('; ') : 'nothing'}</li>`;
  return `<ul id="lists">${item('Checked and holds', l.holds)}${item('Checked and fails', l.fails)}${item('Not checked (could not read)', l.notChecked)}</ul>`;
}

/** A self-contained page (no network request), in the style of por's audit.html. */
export function okxAuditHtml(res: OkxAuditResult): string {
  const checks = okxAuditChecks(res);
  const level = res.verdict === 'unread' ? 'warn' : res.verdict;
  const body = `
<h1>Independent audit of an OKX reserve file</h1>
<p class="sub">file <code>${escapeHtml(res.file)}</code> · layout ${escapeHtml(res.layout)} · ${res.counts.rows} address rows: ${res.counts.valid} valid, ${res.counts.invalid} invalid, ${res.counts.unread} not checked (could not read), ${res.counts.unsupported} in schemes por does not verify</p>
<div id="verdict" class="verdict ${level}"><strong>${escapeHtml(okxHeadline(res))}</strong></div>
${listsHtml(res)}
<h2>Per coin: the published amount and what stands behind it</h2>
<div class="tw"><table id="coins"><thead><tr><th>Coin</th><th>Rows</th><th>Amount</th><th>Valid proof</th><th>Invalid proof</th><th>Unsupported scheme</th><th>Not checked (contract link could not be read)</th></tr></thead><tbody>
${coinRows(res)}
</tbody></table></div>
<h2>Every check (${checks.length})</h2>
<div class="tw"><table id="checks"><thead><tr><th>Result</th><th>Check</th><th>Evidence</th></tr></thead><tbody>
${checks.map((c) => checkRow(c, res.file)).join('\n')}
</tbody></table></div>
<p class="sub">Re-run it yourself: <code>por audit ${escapeHtml(res.file)} --rpc CHAIN=URL</code></p>
`;
  return htmlPage(`OKX reserve audit — ${res.file}`, body);
}

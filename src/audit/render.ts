// The audit as terminal text and as a self-contained page in the same style as report.html.
import { escapeHtml, htmlPage, solvencyChart, solvencyTable } from '../report/html.js';
import type { AuditResult } from './audit.js';
import type { AuditCheck, Status } from '../core/checks/index.js';
import { groupDigits, percentDown, textTable } from '../core/money/display.js';
import { auditHeadline, headlineLines } from '../core/audit/headline.js';

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', unread: 'COULD NOT READ' };
const ORDER: Record<Status, number> = { fail: 0, unread: 1, warn: 2, pass: 3 };

/** Failures and warnings line by line; passes summarised per check name unless `all`. */
export function auditText(r: AuditResult, all = false): string {
  const lines: string[] = [];
  lines.push(`report ${r.report.file}: snapshot ${r.report.snapshotId} (${r.report.snapshotTime})${r.report.exchange ? `, ${r.report.exchange}` : ''}`);
  if (r.chainsNotRead.length) lines.push(`chains NOT re-read (no --rpc): ${r.chainsNotRead.join(', ')}`);
  const sorted = [...r.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const passes = new Map<string, number>();
  for (const c of sorted) {
    if (c.status === 'pass' && !all) {
      passes.set(c.name, (passes.get(c.name) ?? 0) + 1);
      continue;
    }
    lines.push(`${mark(c)}  ${c.name}  ${c.subject}: ${c.detail}`);
  }
  for (const [name, n] of passes) lines.push(`PASS  ${name}  ×${n}`);
  lines.push('');
  lines.push(...assetTable(r));
  lines.push(coverageHeadline(r));
  lines.push('');
  const h = auditHeadline(r);
  lines.push(h.title, ...headlineLines(h));
  return lines.join('\n');
}

/** Per asset, aligned, amounts grouped, ratios in percent rounded down (as `por solvency`); --json keeps all digits. */
function assetTable(r: AuditResult): string[] {
  const g = groupDigits;
  const rows = r.audited.map((a) => [a.asset, g(a.reserves), g(a.grossLiabilities), percentDown(a.grossRatio), g(a.liabilities), percentDown(a.ratio), a.exchangeToken ? "(exchange's own token)" : '']);
  for (const asset of r.unreadAssets) rows.push([asset, 'could not read', '', '', '', 'no figure', '']);
  return textTable(['asset', 'verified reserves', 'owned by users', 'gross ratio', 'to cover (netted)', 'ratio', ''], rows, ['left', 'right', 'right', 'right', 'right', 'right', 'left']);
}

/** Which coverage is under 100 %, gross (what users own) or netted, and which is not decided, in one sentence. */
function coverageHeadline(r: AuditResult): string {
  const status = (name: string, asset: string) => r.checks.find((c) => c.name === name && c.subject === asset)?.status;
  const undecided = r.audited.filter((a) => status('coverage', a.asset) === 'warn').map((a) => a.asset);
  const under = r.audited.filter((a) => !a.covered && !undecided.includes(a.asset)).map((a) => a.asset);
  const grossUnder = r.audited.filter((a) => !a.grossCovered && !undecided.includes(a.asset)).map((a) => a.asset);
  const tail = [
    undecided.length ? ` Not decided (part of the reserves at addresses whose ownership was not checked here): ${undecided.join(', ')}.` : '',
    r.unreadAssets.length ? ` Not decided (could not read): ${r.unreadAssets.join(', ')}.` : '',
  ].join('');
  if (under.length) return `Under 100 % after netting users' debt: ${under.join(', ')}${grossUnder.length ? `; under 100 % of what users own: ${grossUnder.join(', ')}` : ''}.${tail}`;
  if (grossUnder.length) return `Under 100 % of what users own (gross): ${grossUnder.join(', ')} — covered only after netting users' debt, on the exchange's own account of it.${tail}`;
  const every = undecided.length || r.unreadAssets.length ? 'Every other asset' : 'Every asset';
  return `${every}: verified reserves cover everything users own, with nothing netted.${tail}`;
}

/** COULD NOT READ for a fault, NOT CHECKED for what nobody asked a node for (no --rpc). */
function mark(c: AuditCheck): string {
  return c.status === 'unread' && /^not checked/.test(c.detail) ? 'NOT CHECKED' : MARK[c.status];
}

function checkRow(c: AuditCheck): string {
  const cls = c.status === 'pass' ? 'ok' : c.status === 'warn' ? 'warnc' : 'bad';
  return `<tr class="check-${c.status}" data-check="${escapeHtml(c.name)}"><td class="${cls}">${mark(c)}</td><td><code>${escapeHtml(c.name)}</code></td><td class="mono">${escapeHtml(c.subject)}</td><td>${escapeHtml(c.detail)}</td></tr>`;
}

export async function auditHtml(r: AuditResult): Promise<string> {
  // The banner is the CLI's headline (core/audit/headline.ts): the same words, from the same document.
  const h = auditHeadline(r);
  const level = h.level === 'unchecked' ? 'warn' : h.level;
  const title = h.title;
  const detail = [
    h.fails.length ? `Checked and fails: ${h.fails.join('; ')}.` : '',
    h.notChecked.length ? `Not checked: ${h.notChecked.join('; ')}.` : '',
    `Checked and holds: ${h.holds.join('; ')}.`,
  ].filter(Boolean).join(' ');
  const sorted = [...r.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const chart = await solvencyChart(r.audited, 'Verified reserve ratio per asset');
  const body = `
<h1>Independent audit of a proof of reserves</h1>
<p class="sub">${r.report.exchange ? `${escapeHtml(r.report.exchange)} · ` : ''}report <code>${escapeHtml(r.report.file)}</code> · snapshot <code>${escapeHtml(r.report.snapshotId)}</code> (${escapeHtml(r.report.snapshotTime)})</p>
<div id="verdict" class="verdict ${level}"><strong>${escapeHtml(title)}</strong>${escapeHtml(detail)}</div>
${r.chainsNotRead.length ? `<p class="warnc">Not re-read (no node given): ${escapeHtml(r.chainsNotRead.join(', '))}. Figures on those chains are the exchange's own.</p>` : ''}
<h2>Per asset, from the audit's own readings</h2>
${solvencyTable(r.audited, 'Verified ratio')}
<div class="chart" id="chart">${chart}</div>
<p>${escapeHtml(coverageHeadline(r))}</p>
<p>Only addresses whose ownership proof this audit verified are counted. "Owed to users" and "owed by users" are the totals the liabilities tree's root commits to — the ones each user checks their own proof against, so the gross ratio rests on nothing the exchange states. Which debt was netted (bad debt, collateral short) is the exchange's word: the audit checks that those figures are possible (bad-debt-bounds, bad-debt-value, netting-collateral), not that they are true.</p>
<h2>Every check (${r.checks.length})</h2>
<div class="tw"><table id="checks"><thead><tr><th>Result</th><th>Check</th><th>Subject</th><th>Evidence</th></tr></thead><tbody>
${sorted.map(checkRow).join('\n')}
</tbody></table></div>
<p class="sub">Re-run it yourself: <code>por audit ${escapeHtml(r.report.file)} --rpc CHAIN=URL</code></p>
`;
  return htmlPage(`Audit — ${r.report.snapshotId}`, body);
}

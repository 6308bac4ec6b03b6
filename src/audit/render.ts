// The audit as terminal text and as a self-contained page in the same style as report.html.
import { escapeHtml, htmlPage, solvencyChart, solvencyTable, stackTable, type Cell, type Column } from '../report/html.js';
import { textWithIds, timeHtml } from '../core/display/identifier.js';
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

const CHECK_COLS: Column[] = [{ head: 'Result' }, { head: 'Check' }, { head: 'Subject' }, { head: 'Evidence' }];
const MARK_CLASS: Record<Status, string> = { pass: 'ok', fail: 'bad', warn: 'warnc', unread: 'bad' };

function checkCells(c: AuditCheck, withName: boolean): Cell[] {
  const cells: Cell[] = [{ html: mark(c), cls: `${MARK_CLASS[c.status]} nw` }, `<code class="nw">${escapeHtml(c.name)}</code>`, textWithIds(c.subject), { html: textWithIds(c.detail), cls: 'ev' }];
  return withName ? cells : [cells[2]!, cells[3]!];
}

const rowAttrs = (c: AuditCheck, withStatus: boolean) => `${withStatus ? `data-status="${c.status}" ` : ''}data-check="${escapeHtml(c.name)}" data-subject="${escapeHtml(c.subject)}"`;

/**
 * Every check: what failed, could not be read or warns first, one row each; then the passes,
 * one expandable line per check name with its count (×N), its rows inside.
 */
function checksSection(checks: readonly AuditCheck[]): string {
  const sorted = [...checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const notPass = sorted.filter((c) => c.status !== 'pass');
  const groups = new Map<string, AuditCheck[]>();
  for (const c of sorted) if (c.status === 'pass') groups.set(c.name, [...(groups.get(c.name) ?? []), c]);
  const table = notPass.length ? stackTable('class="checks"', CHECK_COLS, notPass.map((c) => ({ attrs: rowAttrs(c, true), cells: checkCells(c, true) }))) : '';
  const passes = [...groups].map(
    ([name, cs]) => `<details class="passes" data-status="pass" data-check="${escapeHtml(name)}"><summary><span class="ok">PASS</span> <code class="nw">${escapeHtml(name)}</code> <span class="nw">×${cs.length}</span></summary>
${stackTable('class="checks"', CHECK_COLS.slice(2), cs.map((c) => ({ attrs: rowAttrs(c, false), cells: checkCells(c, false) })))}</details>`,
  );
  return `<div id="checks">\n${table}\n${passes.join('\n')}\n</div>`;
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
  const chart = await solvencyChart(r.audited, 'Verified reserve ratio per asset');
  const body = `
<h1>Independent audit of a proof of reserves</h1>
<p class="sub">${r.report.exchange ? `${escapeHtml(r.report.exchange)} · ` : ''}report <code class="nw">${escapeHtml(r.report.file)}</code> · snapshot <code class="nw">${escapeHtml(r.report.snapshotId)}</code> (${timeHtml(r.report.snapshotTime)})</p>
<div id="verdict" class="verdict ${level}"><strong>${escapeHtml(title)}</strong>${textWithIds(detail)}</div>
${r.chainsNotRead.length ? `<p class="warnc">Not re-read (no node given): ${escapeHtml(r.chainsNotRead.join(', '))}. Figures on those chains are the exchange's own.</p>` : ''}
<h2>Per asset, from the audit's own readings</h2>
${solvencyTable(r.audited, 'Verified ratio')}
<div class="chart" id="chart">${chart}</div>
<p>${escapeHtml(coverageHeadline(r))}</p>
<p>Only addresses whose ownership proof this audit verified are counted. "Owed to users" and "owed by users" are the totals the liabilities tree's root commits to — the ones each user checks their own proof against, so the gross ratio rests on nothing the exchange states. Which debt was netted (bad debt, collateral short) is the exchange's word: the audit checks that those figures are possible (bad-debt-bounds, bad-debt-value, netting-collateral), not that they are true.</p>
<h2>Every check (${r.checks.length})</h2>
${checksSection(r.checks)}
<p class="sub">Re-run it yourself: <code>por audit ${escapeHtml(r.report.file)} --rpc CHAIN=URL</code></p>
`;
  return htmlPage(`Audit — ${r.report.snapshotId}`, body);
}

// The audit as terminal text and as a self-contained page in the same style as report.html.
import { escapeHtml, htmlPage, solvencyChart, solvencyTable, stackTable, type Cell, type Column } from '../report/html.js';
import { textWithIds, timeHtml } from '../core/display/identifier.js';
import type { AuditResult } from './audit.js';
import type { AuditCheck, Status } from '../core/checks/index.js';
import { formatRatio } from '../solvency/index.js';

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', unread: 'COULD NOT READ' };
const ORDER: Record<Status, number> = { fail: 0, unread: 1, warn: 2, pass: 3 };

function verdictLine(r: AuditResult): string {
  const { pass, fail, warn, unread } = r.summary;
  const counts = `${pass} passed, ${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}${unread ? `, ${unread} could not be read` : ''}`;
  if (r.verdict === 'fail') return `AUDIT FAILED: ${counts}`;
  if (r.verdict === 'unread') return `AUDIT NOT DECIDED: could not read what it needs from your node${r.unreadAssets.length ? ` (${r.unreadAssets.join(', ')})` : ''}: ${counts}`;
  if (r.verdict === 'warn') return `AUDIT PASSED WITH WARNINGS: ${counts}`;
  return `AUDIT PASSED: ${counts}`;
}

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
    lines.push(`${MARK[c.status]}  ${c.name}  ${c.subject}: ${c.detail}`);
  }
  for (const [name, n] of passes) lines.push(`PASS  ${name}  ×${n}`);
  lines.push('');
  // Same ratio form as `por solvency` (percent, 2 decimals rounded down); --json keeps all digits.
  const rows = r.audited.map((a) => [a.asset, a.reserves, a.grossLiabilities, formatRatio(a.grossRatio), a.liabilities, formatRatio(a.ratio), a.exchangeToken ? "(exchange's own token)" : ''] as const);
  const head = ['asset', 'verified reserves', 'owned by users', 'gross ratio', 'to cover (netted)', 'ratio'] as const;
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.slice(0, head.length).map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  lines.push(line(head));
  for (const row of rows) lines.push(line(row) + (row[6] ? `  ${row[6]}` : ''));
  for (const asset of r.unreadAssets) lines.push(`${asset.padEnd(w[0]!)}  could not read: no figure`);
  lines.push(coverageHeadline(r));
  lines.push('');
  lines.push(verdictLine(r));
  return lines.join('\n');
}

/** Which coverage is under 100 %, gross (what users own) or netted, in one sentence. */
function coverageHeadline(r: AuditResult): string {
  const under = r.audited.filter((a) => !a.covered).map((a) => a.asset);
  const grossUnder = r.audited.filter((a) => !a.grossCovered).map((a) => a.asset);
  if (under.length) return `Under 100 % after netting users' debt: ${under.join(', ')}${grossUnder.length ? `; under 100 % of what users own: ${grossUnder.join(', ')}` : ''}.${r.unreadAssets.length ? ` Not decided (could not read): ${r.unreadAssets.join(', ')}.` : ''}`;
  const unread = r.unreadAssets.length ? ` Not decided (could not read): ${r.unreadAssets.join(', ')}.` : '';
  if (grossUnder.length) return `Under 100 % of what users own (gross): ${grossUnder.join(', ')} — covered only after netting users' debt, on the exchange's own account of it.${unread}`;
  return unread ? `Every asset read: verified reserves cover everything users own, with nothing netted.${unread}` : 'Every asset: verified reserves cover everything users own, with nothing netted.';
}

const CHECK_COLS: Column[] = [{ head: 'Result' }, { head: 'Check' }, { head: 'Subject' }, { head: 'Evidence' }];
const MARK_CLASS: Record<Status, string> = { pass: 'ok', fail: 'bad', warn: 'warnc', unread: 'bad' };

function checkCells(c: AuditCheck, withName: boolean): Cell[] {
  const cells: Cell[] = [{ html: MARK[c.status], cls: `${MARK_CLASS[c.status]} nw` }, `<code class="nw">${escapeHtml(c.name)}</code>`, textWithIds(c.subject), { html: textWithIds(c.detail), cls: 'ev' }];
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
  const level = r.verdict === 'unread' ? 'warn' : r.verdict;
  const title =
    r.verdict === 'fail'
      ? `The audit found problems: ${r.summary.fail} check${r.summary.fail === 1 ? '' : 's'} failed`
      : r.verdict === 'unread'
        ? `Not decided: the audit could not read ${r.summary.unread} item${r.summary.unread === 1 ? '' : 's'} from the node`
      : level === 'warn'
        ? 'The audit passed, with warnings to read'
        : 'The audit passed: every check holds';
  const failing = r.checks.filter((c) => c.status === 'fail');
  const detail =
    level === 'fail'
      ? `Failed: ${[...new Set(failing.map((c) => c.name))].join(', ')}. Each is explained below.`
      : r.verdict === 'unread'
        ? `Could not read: ${[...new Set(r.checks.filter((c) => c.status === 'unread').map((c) => c.subject))].join(', ')}. No figure is computed without them${r.unreadAssets.length ? ` (${r.unreadAssets.join(', ')} not shown below)` : ''}.`
        : `Balances were re-read from the auditor's own node${r.chainsRead.length === 1 ? '' : 's'} (${r.chainsRead.join(', ') || 'none'}) at the blocks the report names.`;
  const chart = await solvencyChart(r.audited, 'Verified reserve ratio per asset');
  const body = `
<h1>Independent audit of a proof of reserves</h1>
<p class="sub">${r.report.exchange ? `${escapeHtml(r.report.exchange)} · ` : ''}report <code class="nw">${escapeHtml(r.report.file)}</code> · snapshot <code class="nw">${escapeHtml(r.report.snapshotId)}</code> (${timeHtml(r.report.snapshotTime)})</p>
<div id="verdict" class="verdict ${level}"><strong>${escapeHtml(title)}</strong>${escapeHtml(detail)}</div>
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

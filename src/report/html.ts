// report.html: one self-contained page (inline CSS and SVG, no script, no external resource) that a
// reader without an engineering background can follow: a verdict, a table, a chart, then the detail.
import { ratioBarChart } from './chart.js';
import { ID_CSS, fullIdHtml, idHtml, timeHtml } from '../core/display/identifier.js';
import { percentText } from '../core/report/solvency.js';
import { percentDown, percentUp } from '../core/report/detection.js';
import { groupDigits } from '../core/money/display.js';
import type { Detection, Report, ReportSolvencyRow } from '../core/report/types.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

// Layout rules the four pages keep (docs/WEB.md): nothing wider than the window at 390 px or on a
// desk; a wide table scrolls inside its own box (its first column stays put) or, on a phone, stacks
// into one card per row; identifiers and times never break across lines (src/core/display).
const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 16px 64px; }
main p, main ul, .note { max-width: 80ch; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #555; margin: 0 0 16px; }
.verdict { padding: 16px 20px; border-radius: 8px; font-size: 1.15rem; margin: 16px 0; max-width: none; }
.verdict.pass { background: #e8f5e9; border: 2px solid #2e7d32; }
.verdict.fail { background: #ffebee; border: 2px solid #c62828; }
.verdict.warn { background: #fff8e1; border: 2px solid #f9a825; }
.verdict strong { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; background: #fff; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid #e0e0e0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
tr.under td { background: #fff5f5; }
.ok { color: #2e7d32; font-weight: 600; } .bad { color: #c62828; font-weight: 600; } .warnc { color: #a66d00; font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; overflow-wrap: break-word; }
.nw { white-space: nowrap; }
${ID_CSS}
div.tw { overflow-x: auto; -webkit-overflow-scrolling: touch; }
div.tw th:first-child, div.tw td:first-child { position: sticky; left: 0; background: #fff; }
div.tw tr.under td:first-child { background: #fff5f5; }
td.ev { overflow-wrap: anywhere; min-width: 14em; }
#solvency { font-size: 0.92em; }
small.bd { display: block; white-space: normal; color: #555; }
.chart { background: #fff; padding: 8px; }
.chart svg { display: block; width: 100%; height: auto; }
.chart-narrow { display: none; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
details.passes { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
details.passes summary { font-weight: 400; }
th small { font-weight: 400; color: #555; }
.note { background: #fff; border-left: 4px solid #90a4ae; padding: 8px 12px; margin: 12px 0; }
pre { background: #263238; color: #eceff1; padding: 12px; overflow-x: auto; border-radius: 4px; }
@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: 16px 12px 48px; }
  th, td { padding: 4px; }
  .chart-wide { display: none; }
  .chart-narrow { display: block; }
  .verdict { padding: 12px 14px; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack { background: none; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; margin: 0 0 10px; padding: 2px 0; }
  table.stack tr.under { border-color: #c62828; }
  table.stack td, div.tw table.stack td:first-child { position: static; display: flex; justify-content: space-between; gap: 12px; text-align: right; white-space: normal; }
  table.stack td > * { min-width: 0; }
  table.stack td::before { content: attr(data-label); flex: 0 1 auto; text-align: left; font-weight: 600; color: #555; }
  table.stack td:first-child { font-weight: 700; justify-content: flex-start; text-align: left; background: #f3f3f3; }
  table.stack tr.under td:first-child { background: #fde8e8; }
  table.stack td:first-child::before { content: none; }
  table.stack td.ev { display: block; text-align: left; }
  table.stack td.ev::before { display: block; }
}
`;

/** A column of `stackTable`: its heading (HTML) and whether it holds figures (right-aligned). */
export interface Column {
  head: string;
  num?: boolean;
}

/** A cell: HTML, or HTML with extra classes. */
export type Cell = string | { html: string; cls: string };

/**
 * A table that scrolls inside its own box when wider than the page and, on a phone, shows each
 * row as a card of "heading: value" lines (the headings ride along as `data-label`).
 */
export function stackTable(attrs: string, cols: readonly Column[], rows: readonly { attrs?: string; cells: readonly Cell[] }[]): string {
  const label = (i: number) => escapeHtml((cols[i]?.head ?? '').replace(/<[^>]*>/g, ''));
  const td = (cell: Cell, i: number) => {
    const cls = [cols[i]?.num ? 'num' : '', typeof cell === 'string' ? '' : cell.cls].filter(Boolean).join(' ');
    return `<td${cls ? ` class="${cls}"` : ''} data-label="${label(i)}"><span>${typeof cell === 'string' ? cell : cell.html}</span></td>`;
  };
  const head = cols.map((c) => `<th${c.num ? ' class="num"' : ''}>${c.head}</th>`).join('');
  const body = rows.map((r) => `<tr${r.attrs ? ` ${r.attrs}` : ''}>${r.cells.map(td).join('')}</tr>`).join('\n');
  const cls = /\bclass="([^"]*)"/.exec(attrs)?.[1];
  const rest = attrs.replace(/\s*\bclass="[^"]*"/, '');
  return `<div class="tw"><table class="stack${cls ? ` ${cls}` : ''}"${rest ? ` ${rest.trim()}` : ''}>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** The shell both pages share (report and audit): no script, no network. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function percentNumber(ratio: string | null): number {
  // Display only (bar length); the exact ratio is printed beside it.
  return ratio === null ? 100 : Number(ratio) * 100;
}

export interface HeadlineVerdict {
  level: 'pass' | 'fail' | 'warn';
  title: string;
  detail: string;
}

export function reportVerdict(report: Report): HeadlineVerdict {
  const under = report.solvency.filter((s) => !s.covered);
  const grossUnder = report.solvency.filter((s) => !s.grossCovered);
  const uncounted = report.addresses.filter((a) => !a.counted).length;
  const names = (rows: readonly ReportSolvencyRow[]) => `${rows.map((s) => s.asset).join(', ')} ${rows.length === 1 ? 'is' : 'are'}`;
  const own = (rows: readonly ReportSolvencyRow[]) => (rows.some((s) => s.exchangeToken) ? ` (${rows.filter((s) => s.exchangeToken).map((s) => s.asset).join(', ')}: the exchange's own token)` : '');
  if (under.length > 0) {
    return {
      level: 'fail',
      // In words, with the figure (rounded down): "USDT reserves cover 82.61 % of what users are owed".
      title: `Not fully backed: ${under.map((s) => `${s.asset} reserves cover ${percentText(s.ratio)} of what users are owed`).join('; ')}${grossUnder.length ? `; under 100 % of what users own: ${grossUnder.map((s) => s.asset).join(', ')}` : ''}`,
      detail: `For ${under.length === 1 ? 'this asset' : 'these assets'}${own(under)} the exchange showed less on-chain than it owes its users, even after netting what users owe it. One asset's surplus never makes up for another's shortfall.`,
    };
  }
  const extra: string[] = [];
  if (uncounted) extra.push(`${uncounted} listed address${uncounted === 1 ? '' : 'es'} had no valid ownership proof and ${uncounted === 1 ? 'was' : 'were'} not counted`);
  const note = extra.length ? `; note that ${extra.join(', and ')}` : '';
  if (grossUnder.length > 0) {
    return {
      level: 'warn',
      title: `Backed only after netting users' debt: ${names(grossUnder)} under 100 % of what users own`,
      detail: `Reserves cover what users own in every other asset. In ${grossUnder.length === 1 ? 'this one' : 'these'}${own(grossUnder)} they cover it only once debt users owe the exchange is subtracted, at the exchange's own prices and haircuts (see "What the netted figure assumes" below)${note}.`,
    };
  }
  return {
    level: extra.length ? 'warn' : 'pass',
    title: `Fully backed: every asset's on-chain reserves cover everything users own, with nothing netted`,
    detail: `As stated by the exchange at snapshot ${report.snapshot.id}${note}. Anyone can re-check this with their own node: see "How to check" below.`,
  };
}

export interface ReportPageOptions {
  /** Relative link to the offline proof checker published beside the report. */
  verifyPage?: string;
  /** The file name of the signature published beside the report. */
  signatureFile?: string;
  signer?: string;
}

export function solvencyTable(rows: readonly ReportSolvencyRow[], headRatio = 'Reserve ratio'): string {
  const cols: Column[] = [
    { head: 'Asset' },
    { head: 'On-chain reserves', num: true },
    { head: 'Owed to users (gross)', num: true },
    { head: 'Gross ratio', num: true },
    { head: 'Owed by users (debt)', num: true },
    { head: 'Debt netted', num: true },
    { head: 'Reserves must cover', num: true },
    { head: 'Surplus / shortfall', num: true },
    { head: `${escapeHtml(headRatio)} after netting`, num: true },
    { head: 'Status' },
  ];
  const g = groupDigits;
  const body = rows.map((s) => {
    const status = !s.covered ? '<span class="bad nw">under 100 %</span>' : s.grossCovered ? '<span class="ok">covered</span>' : '<span class="warnc">covered only after netting</span>';
    const name = s.exchangeToken ? `${escapeHtml(s.asset)} <small>(exchange's own token)</small>` : escapeHtml(s.asset);
    const hasBad = s.badDebt !== null && (BigInt(s.badDebt.grossUnits) > 0n || BigInt(s.badDebt.debtUnits) > 0n);
    const bad = hasBad ? `<small class="bd">bad debt: held ${groupDigits(s.badDebt!.gross)} (not owed), owed ${groupDigits(s.badDebt!.debt)} (not netted)</small>` : '';
    const unc = s.uncollateralisedDebt && BigInt(s.uncollateralisedDebt.debtUnits) > 0n ? `<small class="bd">not netted, short of collateral: ${groupDigits(s.uncollateralisedDebt.debt)}</small>` : '';
    return {
      attrs: s.covered && s.grossCovered ? '' : 'class="under"',
      // Amounts grouped for people (core/money/display.ts); report.json keeps the exact text.
      cells: [name, g(s.reserves), g(s.grossLiabilities), percentText(s.grossRatio), g(s.userDebt), `${g(s.nettedDebt)}${bad}${unc}`, g(s.liabilities), g(s.surplus), percentText(s.ratio), status],
    };
  });
  return stackTable('id="solvency"', cols, body);
}

/** What the netted figure rests on, in plain words, with the prices and the haircut table. */
function nettingSection(report: Report): string {
  const n = report.netting;
  const head = `<h2 id="netting">What the netted figure assumes</h2>
<p>"Owed to users (gross)" is the sum of every user's positive balance in that asset: the total the liabilities tree commits to, which each user checks their own proof against. The gross ratio uses nothing else but the on-chain reserves, so nothing the exchange states can move it.</p>`;
  if (n === null) {
    return `${head}<p>No prices or haircuts were published, so no user debt was netted: reserves must cover everything users own.</p>`;
  }
  const prices = n.prices.map((p) => ({ cells: [escapeHtml(p.asset), escapeHtml(p.usd), escapeHtml(haircutText(n.haircuts.find((h) => h.asset === p.asset)?.tiers))] }));
  return `${head}
<p>"Reserves must cover" subtracts debt that margin users owe the exchange in the same asset, treating it as money that will come back. That holds only if those users really exist and their collateral is worth what the exchange says. The exchange netted a user's debt only where their holdings, valued at the prices below and cut by the haircuts below, cover it. Nobody outside the exchange can see other users' accounts, so this rests on the exchange's word: ${n.badDebt.users} user${n.badDebt.users === 1 ? '' : 's'} declared bad debt (${escapeHtml(n.badDebt.usd)} USD short; their holdings counted as nothing owed, their debt not netted) and ${n.uncollateralised.users} whose collateral fell short (debt not netted). An independent audit checks that these figures are possible, not that they are true. Assets without a haircut count for nothing as collateral, and so does the exchange's own token unless the table below says otherwise.</p>
${stackTable('id="haircuts"', [{ head: 'Asset' }, { head: `Price (USD)${n.pricesTime ? ` at ${timeHtml(n.pricesTime)}` : ''}`, num: true }, { head: 'Counts as collateral (haircut tiers, by the USD value of one user\'s holding)' }], prices)}`;
}

function haircutText(tiers: readonly { upToUsd: string | null; ratio: string }[] | undefined): string {
  if (!tiers || tiers.length === 0) return 'nothing';
  let from = '0';
  return tiers
    .map((t) => {
      const band = t.upToUsd === null ? `above ${from}` : `${from}–${t.upToUsd}`;
      from = t.upToUsd ?? from;
      return `${band} USD: ${t.ratio}`;
    })
    .join('; ');
}

export async function solvencyChart(rows: readonly ReportSolvencyRow[], title?: string): Promise<string> {
  return ratioBarChart(
    rows.map((s) => ({ asset: s.asset, percent: percentNumber(s.ratio), label: percentText(s.ratio), exchangeToken: s.exchangeToken })),
    title,
  );
}

/** Threats.md row 5 in plain words: the chance that left-out accounts are noticed, by share of users checking. */
function detectionSection(d: Detection | undefined): string {
  if (!d || d.rows.length === 0) return '';
  const shares = [...new Set(d.rows.map((r) => r.share))];
  const ks = [...new Set(d.rows.map((r) => r.omitted))];
  const cell = (f: string, k: number) => {
    const r = d.rows.find((x) => x.share === f && x.omitted === k);
    return `<td class="num">${r ? escapeHtml(percentDown(r.probability)) : '—'}</td>`;
  };
  const pct = (f: string) => escapeHtml(percentUp(f).replace(/\.?0+ %$/, ' %'));
  const rows = shares.map((f) => `<tr><th>${pct(f)} of users check</th>${ks.map((k) => cell(f, k)).join('')}</tr>`).join('\n');
  const need = (d.needed ?? []).filter((n) => n.confidence === '0.9');
  const needText = need.length
    ? `<p>Put the other way, for a 90 % chance that someone notices: ${need.map((n, i) => `${n.omitted.toLocaleString('en-US')} left-out account${n.omitted === 1 ? '' : 's'} ${i === 0 ? `need${n.omitted === 1 ? 's' : ''} ` : ''}${escapeHtml(percentUp(n.share))}${i === 0 ? ' of users checking' : ''}`).join('; ')}.</p>`
    : '';
  return `<h2>If accounts were left out</h2>
<p>No proof can show that nobody was left out of the tree: an exchange could leave out accounts whose owners it expects never to check. If the exchange left out <em>k</em> accounts and a share <em>f</em> of users check their proof, the chance someone notices is 1 − (1 − <em>f</em>)<sup><em>k</em></sup>:</p>
<div class="tw"><table id="detection">
<thead><tr><th>Chance someone notices</th>${ks.map((k) => `<th class="num">${k.toLocaleString('en-US')} left out</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
${needText}
<p class="sub">Assumes each user checks independently of the others. Chances are rounded down and shares needed rounded up, so neither is overstated.</p>`;
}

export async function renderReportHtml(report: Report, opts: ReportPageOptions = {}): Promise<string> {
  const v = reportVerdict(report);
  const who = report.exchange ? `${report.exchange} — ` : '';
  const chart = await solvencyChart(report.solvency);
  const chains = report.chains.map((c) => ({ cells: [escapeHtml(c.chain), escapeHtml(c.block.number), idHtml(c.block.hash), timeHtml(c.block.time)] }));
  const addresses = report.addresses
    .map((a) => {
      const bal = a.balances.map((b) => `${escapeHtml(groupDigits(b.amount))} ${escapeHtml(b.asset)}`).join('<br>') || '—';
      const own = a.ownership === null ? '<span class="bad">no proof</span>' : a.ownership.valid ? `<span class="ok">signed</span> (${escapeHtml(a.ownership.scheme)})` : `<span class="bad">invalid</span> ${escapeHtml(a.ownership.reason ?? '')}`;
      return { cells: [escapeHtml(a.chain), idHtml(a.address), escapeHtml(a.label ?? ''), bal, own, a.counted ? 'yes' : '<span class="bad">no</span>'] };
    });
  const root = report.merkleRoot;
  const verifyLink = opts.verifyPage
    ? `<p><a href="${escapeHtml(opts.verifyPage)}">Check that your own balance was counted</a> — open the proof file your exchange gives you in this page; it works offline and uploads nothing.</p>`
    : `<p>Ask the exchange for your proof file and check it with <code>por verify PROOF.json --report report.json</code>.</p>`;
  const sig = opts.signatureFile
    ? `<p>This report is signed by the exchange key ${idHtml(opts.signer ?? '')}; the signature is in <code>${escapeHtml(opts.signatureFile)}</code>. Check it with <code>por report verify-signature report.json --signer ADDRESS</code>, using the address the exchange announced elsewhere.</p>`
    : '<p class="warnc">This report was published without a signature file.</p>';
  const notes = (report.notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  const body = `
<h1>${escapeHtml(who)}Proof of reserves</h1>
<p class="sub">Snapshot <code class="nw">${escapeHtml(report.snapshot.id)}</code> taken ${timeHtml(report.snapshot.time)} · ${report.addresses.length} reserve address${report.addresses.length === 1 ? '' : 'es'} on ${report.chains.length} chain${report.chains.length === 1 ? '' : 's'} · ${escapeHtml(String(root.leafCount))} user accounts in the liabilities tree</p>
<div id="verdict" class="verdict ${v.level}"><strong>${escapeHtml(v.title)}</strong>${escapeHtml(v.detail)}</div>
<div class="note">What this shows: for each asset, the coins the exchange proved it controls on-chain at a stated block, against the total it owes its users at the same moment. What it cannot show: debts the exchange has elsewhere, or users left out of the tree — which is why every user should check their own proof.</div>
<h2>Per asset</h2>
${solvencyTable(report.solvency)}
<div class="chart" id="chart">${chart}</div>
<p>"Owed to users (gross)" is the sum of every user's positive balance in that asset; the gross ratio is on-chain reserves divided by it. "Owed by users" is what margin users borrowed in it. "Reserves must cover" is what users own minus the debt netted — only debt backed by haircut collateral — and minus the holdings of users declared bad debt. Ratios are rounded down.</p>
${notes ? `<ul>${notes}</ul>` : ''}
${nettingSection(report)}
<h2>Your own balance</h2>
${verifyLink}
<p>The liabilities tree's root: <span id="root-hash">${fullIdHtml(root.hash)}</span> (height ${escapeHtml(String(root.height))}).</p>
${detectionSection(report.detection)}
<h2>Blocks the balances were read at</h2>
${stackTable('id="chains"', [{ head: 'Chain' }, { head: 'Block', num: true }, { head: 'Block hash' }, { head: 'Block time (UTC)' }], chains)}
<details><summary>Reserve addresses (${report.addresses.length})</summary>
${stackTable('id="addresses"', [{ head: 'Chain' }, { head: 'Address' }, { head: 'Label' }, { head: 'Balance', num: true }, { head: 'Ownership proof' }, { head: 'Counted' }], addresses)}</details>
<h2>How to check</h2>
${sig}
<p>A journalist can re-read every balance from a node of their choosing and recompute every figure on this page:</p>
<pre>por audit report.json --rpc ethereum=https://YOUR-NODE --html audit.html</pre>
<p class="sub">Made by ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}, report format ${escapeHtml(report.format)} v${report.version}.</p>
`;
  return htmlPage(`${who}Proof of reserves — ${report.snapshot.id}`, body);
}

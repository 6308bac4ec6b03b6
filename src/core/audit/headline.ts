// The audit's headline, the line a journalist will quote: `por audit`'s last lines and audit.html's
// banner are both made here, from the audit document alone (so a page re-rendered from `--json`
// says the same). It never claims more than was checked: it separates what was checked and holds,
// what was checked and fails (in words, with the figure: "USDT reserves cover 82.61 % of what users
// are owed", never a check id), and what was not checked (no node given, a contract wallet offline,
// anything that could not be read). Pure.
import type { AuditCheck, AuditResult } from '../documents/audit.js';
import { percentDown } from '../money/display.js';

/** pass/warn/fail: checked (with warnings); unchecked: something that decides the verdict was not checked or read. */
export type HeadlineLevel = 'pass' | 'warn' | 'fail' | 'unchecked';

export interface AuditHeadline {
  level: HeadlineLevel;
  /** One line, led by the verdict in capitals. */
  title: string;
  /** What was checked and holds (summaries). */
  holds: string[];
  /** What was checked and fails, in words, one sentence per kind of failure. */
  fails: string[];
  /** What was not checked, and why. */
  notChecked: string[];
}

/** Checks of a kind, in plain words, when they fail: n is how many subjects failed it. */
const FAILURE_WORDS: Record<string, (n: number) => string> = {
  'report-signature': () => "the report's signature does not check out against these bytes and this signer",
  'root-snapshot': () => "the report's Merkle root is not this snapshot's",
  'root-assets': () => "the report's Merkle root commits to other assets than the report lists",
  'root-sums': (n) => `the report's liabilities do not match its Merkle root in ${n} asset${n === 1 ? '' : 's'}`,
  'reserve-totals': (n) => `the report's reserve totals do not add up in ${n} asset${n === 1 ? '' : 's'}`,
  totals: (n) => `the report's own arithmetic is wrong in ${n} place${n === 1 ? '' : 's'}`,
  ratio: (n) => `the report states a wrong coverage ratio for ${n} asset${n === 1 ? '' : 's'}`,
  'bad-debt-bounds': (n) => `the debt the exchange says it netted is impossible in ${n} asset${n === 1 ? '' : 's'}`,
  'bad-debt-value': () => 'the bad debt the exchange declares does not add up at its own prices',
  'netting-collateral': () => "users' debt was netted without the collateral the exchange's own haircuts require",
  'haircut-table': () => "the exchange's haircut table is not one that can be applied",
  'chain-identity': (n) => `${n} chain${n === 1 ? "'s identity contradicts" : "s' identities contradict"} itself`,
  'duplicate-chain': (n) => `${n} chain${n === 1 ? ' is' : 's are'} listed twice under different names, so coins would count twice`,
  'duplicate-address': (n) => `${n} address${n === 1 ? ' is' : 'es are'} listed twice, so coins would count twice`,
  'other-report': (n) => `${n} address${n === 1 ? ' is' : 'es are'} also claimed by another exchange's report: the same coins cannot back two exchanges`,
  'two-reports': () => 'the exchange published two different reports (two Merkle roots) for this one snapshot',
  'block-hash': (n) => `${n} block${n === 1 ? '' : 's'} the report names ${n === 1 ? 'is' : 'are'} not the one${n === 1 ? '' : 's'} on your node's chain`,
  'block-time': (n) => `${n} block time${n === 1 ? '' : 's'} in the report differ${n === 1 ? 's' : ''} from your node's`,
  'ownership-proof': (n) => `${n} address${n === 1 ? ' is' : 'es are'} counted without any ownership proof`,
  'ownership-message': (n) => `${n} ownership proof${n === 1 ? ' signs' : 's sign'} a message that is not this report's (it may be replayed)`,
  'ownership-signature': (n) => `${n} ownership signature${n === 1 ? ' is' : 's are'} invalid`,
  'ownership-accepts-anything': (n) => `${n} counted contract wallet${n === 1 ? ' accepts' : 's accept'} any signature as proof of ownership`,
  balance: (n) => `${n} balance${n === 1 ? '' : 's'} in the report differ${n === 1 ? 's' : ''} from what your node holds`,
};

/** A warning that is really "not checked" (no node, a contract wallet offline, coverage not decided). */
export function isNotChecked(c: AuditCheck): boolean {
  return c.status === 'unread' || (c.status === 'warn' && /^not checked|not decided/.test(c.detail));
}

/** "USDT reserves cover 82.61 % of what users are owed", per asset whose coverage failed. */
function coverageFailures(r: AuditResult): string[] {
  const failed = (name: string) => new Set(r.checks.filter((c) => c.name === name && c.status === 'fail').map((c) => c.subject));
  const netted = failed('coverage');
  const gross = failed('coverage-gross');
  const out: string[] = [];
  for (const a of r.audited) {
    if (netted.has(a.asset)) out.push(`${a.asset} reserves cover ${percentDown(a.ratio)} of what users are owed`);
    else if (gross.has(a.asset)) out.push(`${a.asset} reserves cover ${percentDown(a.grossRatio)} of what users own`);
  }
  return out;
}

/** Every failure in words: coverage first (with its figure), then each other kind once, with its count. */
export function failureSentences(r: AuditResult): string[] {
  const counts = new Map<string, number>();
  for (const c of r.checks) {
    if (c.status !== 'fail' || c.name === 'coverage' || c.name === 'coverage-gross') continue;
    // The same exchange's other report for this very snapshot, with another root (src/audit/other.ts).
    const name = c.name === 'other-report' && c.evidence?.sameExchange !== undefined ? 'two-reports' : c.name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const others = [...counts].map(([name, n]) => (FAILURE_WORDS[name] ?? ((k: number) => `${k} check${k === 1 ? '' : 's'} "${name}" failed`))(n));
  return [...coverageFailures(r), ...others];
}

/** Chains with no node (their block-hash check says so); offline when the user asked for it (a warning, not a fault). */
function noNode(r: AuditResult): { chains: string[]; offline: boolean } {
  const checks = r.checks.filter((c) => c.name === 'block-hash' && r.chainsNotRead.some((ch) => c.subject === `chain ${ch}`));
  return { chains: r.chainsNotRead, offline: r.chainsNotRead.length > 0 && checks.every((c) => c.status !== 'unread') };
}

function notCheckedSentences(r: AuditResult): string[] {
  const { chains } = noNode(r);
  const out: string[] = [];
  if (chains.length) out.push(`balances and blocks on ${chains.join(', ')} were not re-read on-chain (no node given: --rpc CHAIN=URL); the figures there are the report's own`);
  const other = r.checks.filter((c) => isNotChecked(c) && !(c.name === 'block-hash' && chains.some((ch) => c.subject === `chain ${ch}`)));
  const unread = other.filter((c) => c.status === 'unread');
  if (unread.length) out.push(`${unread.length} item${unread.length === 1 ? '' : 's'} could not be read from your node (${[...new Set(unread.map((c) => c.subject))].join(', ')})`);
  const undecided = [...new Set(other.filter((c) => c.status === 'warn' && c.name.startsWith('coverage')).map((c) => c.subject))];
  if (undecided.length) out.push(`coverage of ${undecided.join(', ')} not decided: part of the reserves sits at addresses whose ownership was not checked here`);
  const rest = other.filter((c) => c.status === 'warn' && !c.name.startsWith('coverage'));
  if (rest.length) out.push(...rest.map((c) => `${c.subject}: ${c.detail.replace(/^not checked: /, '')}`));
  return out;
}

function holdsSentences(r: AuditResult): string[] {
  const passed = r.checks.filter((c) => c.status === 'pass').length;
  const caveats = r.checks.filter((c) => c.status === 'warn' && !isNotChecked(c)).length;
  const out = [`${passed} check${passed === 1 ? '' : 's'}${caveats ? `, and ${caveats} with a caveat (WARN)` : ''}`];
  const fine = r.audited.filter((a) => a.covered && r.checks.some((c) => c.name === 'coverage' && c.subject === a.asset && c.status === 'pass'));
  if (fine.length) out.push(`reserves cover what users are owed in ${fine.map((a) => `${a.asset} (${percentDown(a.ratio)})`).join(', ')}`);
  return out;
}

/** The headline of an audit: verdict in capitals, and the three lists. */
export function auditHeadline(r: AuditResult): AuditHeadline {
  const fails = failureSentences(r);
  const notChecked = notCheckedSentences(r);
  const holds = holdsSentences(r);
  const { chains, offline } = noNode(r);
  const whereNot = chains.length ? ` (balances on ${chains.join(', ')} NOT re-read on-chain)` : '';
  const base = { holds, fails, notChecked };
  if (fails.length) return { ...base, level: 'fail', title: `AUDIT FAILED: ${fails.join('; ')}${whereNot}` };
  if (chains.length && !offline) {
    const what = r.chainsRead.length ? ` for ${chains.join(', ')}, so ${chains.length === 1 ? 'its' : 'their'} balances and blocks were not re-read` : ', so no balance or block was re-read';
    return { ...base, level: 'unchecked', title: `NOT VERIFIED ON-CHAIN: no node was given${what}; give --rpc CHAIN=URL (or --offline to audit only the report's own arithmetic and signatures)` };
  }
  if (r.verdict === 'unread') return { ...base, level: 'unchecked', title: `AUDIT NOT DECIDED: could not read what it needs from your node${r.unreadAssets.length ? ` (${r.unreadAssets.join(', ')})` : ''}` };
  if (offline) return { ...base, level: 'warn', title: `OFFLINE AUDIT: the report's signatures and arithmetic hold; balances on ${chains.join(', ')} were NOT re-read on-chain` };
  if (r.verdict === 'warn') return { ...base, level: 'warn', title: 'AUDIT PASSED WITH WARNINGS: every check made holds; read the WARN lines' };
  return { ...base, level: 'pass', title: 'AUDIT PASSED: every check holds, with balances re-read from your node' + (r.chainsRead.length === 1 ? '' : 's') };
}

/** The three lines under the headline: checked and holds, checked and fails, not checked. */
export function headlineLines(h: Pick<AuditHeadline, 'holds' | 'fails' | 'notChecked'>): string[] {
  return [
    `  checked and holds:  ${h.holds.join('; ')}`,
    `  checked and fails:  ${h.fails.length ? h.fails.join('; ') : 'nothing'}`,
    `  not checked:        ${h.notChecked.length ? h.notChecked.join('; ') : 'nothing'}`,
  ];
}

// `por audit FILE --format okx-csv`: a journalist's check of an OKX reserve file. Offline: every
// ownership signature by its network's scheme, per-coin amounts behind valid/invalid/unsupported
// proofs, the summary block against the rows. With --rpc CHAIN=URL: balances re-read at each row's
// snapshot height (EVM via JSON-RPC, Bitcoin via Esplora) and contract wallets' owners read on-chain.
import { readFault } from '../../io/node.js';
import { readFile } from 'node:fs/promises';
import type { ArgumentsCamelCase } from 'yargs';
import { porError } from '../../core/errors/index.js';
import { EXIT, type Context, type ExitCode } from '../context.js';
import type { AuditArgs } from './audit-por.js';
import { parseOkxReserveCsv, type OkxReserveFile } from '../../core/formats/okx-csv.js';
import { auditOkxSignatures, effectiveOwnership, summarizeOkxAudit, type OkxAuditResult } from '../../formats/okx-audit.js';
import { okxOnchainChecks, parseRpcOptions } from '../../formats/okx-onchain.js';
import { networkSettings } from '../network.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  return [head, ...body].map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, w[i]!))).join('  ')).join('\n');
}

export function renderOkxAudit(res: OkxAuditResult): string {
  const out: string[] = [];
  out.push(`OKX reserve file ${res.file} (layout ${res.layout}, ${res.counts.rows} address rows)`, '');
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
  out.push('', 'Checks:');
  for (const c of res.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (res.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of res.warnings) out.push(`  - ${w}`);
  }
  out.push('', res.ok
    ? `VERDICT: every supported row verifies${res.checks.some((c) => c.name.startsWith('summary')) ? ' and the summary agrees with the rows' : ''} (${res.counts.valid} valid, ${res.counts.unsupported} unsupported).`
    : `VERDICT: FAILED — ${res.checks.filter((c) => !c.ok).map((c) => c.name).filter((n, i, a) => a.indexOf(n) === i).join(', ')} (see above).`);
  return out.join('\n');
}

export async function runOkxAudit(args: ArgumentsCamelCase<AuditArgs>, ctx: Context): Promise<ExitCode> {
  if (args.other.length) throw porError('BAD_USAGE', '--other is for por reports; OKX files are audited one at a time');
  if (args.out !== undefined) throw porError('BAD_USAGE', '--html is not available for OKX files yet; use --json');
  const rpc = parseRpcOptions(args.rpc);
  const net = networkSettings(args);
  let text: string;
  try {
    text = await readFile(args.file, 'utf8');
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file: args.file }, err);
  }
  const file: OkxReserveFile = parseOkxReserveCsv(text, args.file);
  ctx.reporter.done('parse', `${file.rows.length} address rows, ${file.summary.length} summary lines (layout ${file.layout})`);
  const verdicts = auditOkxSignatures(file, (done, total) => ctx.reporter.progress('signatures', done, total, 'rows'));
  ctx.reporter.done('signatures', `${verdicts.filter((v) => v.ownership === 'valid').length} valid, ${verdicts.filter((v) => v.ownership === 'invalid').length} invalid, ${verdicts.filter((v) => v.ownership === 'unsupported').length} unsupported`);

  const unused = await okxOnchainChecks(file, verdicts, rpc, ctx.reporter, net);
  if (rpc.size && unused.length === rpc.size) ctx.reporter.warn(`no row is on the chains given with --rpc (${unused.join(', ')}); networks in the file: ${[...new Set(file.rows.map((r) => r.network.toUpperCase()))].join(', ')}`);

  const result = summarizeOkxAudit(args.file, file, verdicts);
  if (ctx.json) ctx.printJson(result);
  else ctx.print(renderOkxAudit(result));
  if (result.counts.valid + result.counts.invalid === 0) {
    ctx.note('nothing could be checked: every row uses a scheme por does not verify');
    return EXIT.BAD_INPUT;
  }
  return result.ok ? EXIT.OK : EXIT.CHECK_FAILED;
}

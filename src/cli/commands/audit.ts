// `por audit`: a journalist's independent checks. Dispatches on what the file is: por's own report
// (audit-por.ts) or an OKX reserve CSV (audit-okx.ts), recognised by its header as `por verify`
// recognises proof files (--format only confirms it).
import { defineCommand } from '../context.js';
import { porError } from '../../core/errors/index.js';
import { readTextFile } from '../../io/node.js';
import { looksLikeOkxReserveCsv } from '../../core/formats/okx-csv.js';
import { runPorAudit } from './audit-por.js';
import { runOkxAudit } from './audit-okx.js';
import { networkOptions } from '../network.js';

export const auditCommand = defineCommand({
  command: 'audit <file>',
  describe: 'Check a published reserve report independently: balances from your own node, signatures, totals',
  builder: (y) =>
    networkOptions(y, 'With --rpc: ')
      .positional('file', { type: 'string', demandOption: true, describe: 'The published report: por\'s report.json, or an OKX reserve CSV (recognised by its header)' })
      .option('format', { choices: ['por', 'okx-csv'] as const, describe: 'What kind of file <file> is (default: recognised from the file; a --format that contradicts it is refused)' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=URL of a node you trust (repeatable), e.g. ethereum=http://127.0.0.1:8545' })
      .option('other', { type: 'string', array: true, default: [] as string[], describe: "Another report (repeatable): another exchange's, whose addresses must not be this one's (FAIL); or this exchange's own of another snapshot (same signer or name), compared" })
      .option('out', { alias: ['o', 'html'], type: 'string', describe: 'Also write the audit as a self-contained HTML page to this file (--html is the same option)' })
      .option('signer', { type: 'string', describe: "por reports: the exchange's signing address as announced elsewhere; the report's signature must be by it" })
      .option('signature', { type: 'string', describe: 'por reports: the signature file (default: report.sig.json beside the report)' })
      .option('max-skew', { type: 'number', describe: "por reports: warn when a block's time is more than this many seconds from the snapshot time (default 3600)" })
      .option('offline', { type: 'boolean', default: false, describe: "por reports: audit without any node, on purpose: signatures and the report's own arithmetic only (exit 0/1; the headline still says balances were not re-read). Without it, no --rpc means exit 2" })
      .option('all', { type: 'boolean', default: false, describe: 'Print every passing check too, not just a count per check' })
      .example('$0 audit out/public/report.json --rpc ethereum=http://127.0.0.1:8545 --rpc bitcoin=http://127.0.0.1:3000 --signer 0xAbC… --html audit.html', 'exit 0 pass, 1 a check failed, 2 unreadable input or node')
      .example('$0 audit okx_por_example.csv --html okx-audit.html', "OKX's reserve file, recognised by its header: every address signature, per-coin amounts behind valid/invalid/unsupported proofs, summary vs rows; add --rpc CHAIN=URL to re-read balances (docs/OKX.md). → exit 1: OKX's 2022 example's summary does not match its rows")
      .example('$0 audit out/public/report.json --offline', "no node: the report's signature and arithmetic only; the headline says balances were NOT re-read on-chain")
      .epilogue('Each check prints PASS, FAIL, WARN or COULD NOT READ with its evidence; the last lines say what was checked and holds, what was checked and fails, and what was not checked. A chain with no --rpc is not re-read: NOT VERIFIED ON-CHAIN, exit 2, unless --offline. Check names: docs/FORMATS.md.\nExit codes: 0 every check made holds; 1 a check failed; 2 the file, or anything on a node (a chain, a balance, an ownership check), could not be read — never counted as zero — or a chain was not re-read (no --rpc, no --offline).'),
  run: async (args, ctx) => ((await auditFormat(args.file, args.format)) === 'okx-csv' ? runOkxAudit(args, ctx) : runPorAudit(args, ctx)),
});

/** What FILE is: an OKX reserve CSV by its header, anything else a por report (read strictly later). */
async function auditFormat(file: string, given: 'por' | 'okx-csv' | undefined): Promise<'por' | 'okx-csv'> {
  const okx = looksLikeOkxReserveCsv(await readTextFile(file));
  if (given === 'por' && okx) throw porError('BAD_USAGE', '--format por was given, but this file is an OKX reserve CSV (its header names address, message and signature columns); leave --format out', { file, field: 'format' });
  // --format okx-csv on another file: the OKX reader names what its header lacks, at its line.
  return given ?? (okx ? 'okx-csv' : 'por');
}

// `por audit`: a journalist's independent checks. Dispatches on --format: por's own report
// (audit-por.ts) or a foreign reserve file (audit-okx.ts).
import { defineCommand } from '../context.js';
import { runPorAudit } from './audit-por.js';
import { runOkxAudit } from './audit-okx.js';

export const auditCommand = defineCommand({
  command: 'audit <file>',
  describe: 'Check a published reserve report independently: balances from your own node, signatures, totals',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'The published report (por report.json, or an OKX reserve CSV with --format okx-csv)' })
      .option('format', { choices: ['por', 'okx-csv'] as const, default: 'por' as const, describe: 'What kind of file <file> is' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=URL of a node you trust (repeatable), e.g. ethereum=http://127.0.0.1:8545' })
      .option('other', { type: 'string', array: true, default: [] as string[], describe: "Another exchange's report: addresses claimed in both are flagged (repeatable)" })
      .option('html', { type: 'string', describe: 'Also write the audit as a self-contained HTML page' }),
  run: async (args, ctx) => (args.format === 'okx-csv' ? runOkxAudit(args, ctx) : runPorAudit(args, ctx)),
});

// `por audit FILE.csv` (an OKX reserve file, recognised by its header, or `--format okx-csv`): a
// journalist's check of an OKX reserve file. Offline: every ownership signature by its network's
// scheme, per-coin amounts behind valid/invalid/unsupported proofs, the summary block against the
// rows. With --rpc CHAIN=URL: each node asked one question first, then balances re-read at each
// row's snapshot height (EVM via JSON-RPC, Bitcoin via Esplora) and contract wallets' owners read
// on-chain. Printed in por audit's words (src/audit/okx-render.ts).
import type { ArgumentsCamelCase } from 'yargs';
import { porError } from '../../core/errors/index.js';
import { readTextFile, writeFileAtomic } from '../../io/node.js';
import { EXIT, type Context, type ExitCode } from '../context.js';
import type { AuditArgs } from './audit-por.js';
import { parseOkxReserveCsv, type OkxReserveFile } from '../../core/formats/okx-csv.js';
import { write as writeOkxAudit } from '../../core/documents/okx-audit.js';
import { okxNetworksForChain } from '../../core/formats/okx-networks.js';
import { auditOkxSignatures, summarizeOkxAudit } from '../../formats/okx-audit.js';
import { okxOnchainChecks, parseRpcOptions } from '../../formats/okx-onchain.js';
import { okxAuditHtml, okxAuditText } from '../../audit/okx-render.js';
import { parseChainUrls } from '../../reserves/load.js';
import { checkNodes, networkSettings, type NodeToCheck } from '../network.js';

/** One node per --rpc: Bitcoin's is an Esplora server, every other network's an EVM node. */
function okxNodes(rpcArgs: string[]): NodeToCheck[] {
  return Object.entries(parseChainUrls(rpcArgs)).map(([chain, url]) => ({ chain, url, kind: okxNetworksForChain(chain).includes('BTC') ? 'bitcoin' : 'evm' }));
}

export async function runOkxAudit(args: ArgumentsCamelCase<AuditArgs>, ctx: Context): Promise<ExitCode> {
  if (args.other.length) throw porError('BAD_USAGE', '--other is for por reports; OKX files are audited one at a time', { field: 'other' });
  if (args.signer !== undefined || args.signature !== undefined) throw porError('BAD_USAGE', `--${args.signer !== undefined ? 'signer' : 'signature'} is for por reports (their signature file); an OKX reserve file's signatures are in its rows`, { field: args.signer !== undefined ? 'signer' : 'signature' });
  const rpc = parseRpcOptions(args.rpc);
  const net = networkSettings(args);
  const file: OkxReserveFile = parseOkxReserveCsv(await readTextFile(args.file), args.file);
  ctx.reporter.done('parse', `${file.rows.length} address rows, ${file.summary.length} summary lines (layout ${file.layout})`);
  // A node that does not answer is named now (exit 2), not after every signature was checked.
  await checkNodes(okxNodes(args.rpc), net, { reporter: ctx.reporter });
  const verdicts = auditOkxSignatures(file, (done, total) => ctx.reporter.progress('signatures', done, total, 'rows'));
  ctx.reporter.done('signatures', `${verdicts.filter((v) => v.ownership === 'valid').length} valid, ${verdicts.filter((v) => v.ownership === 'invalid').length} invalid, ${verdicts.filter((v) => v.ownership === 'unsupported').length} unsupported`);

  const unused = await okxOnchainChecks(file, verdicts, rpc, ctx.reporter, net);
  if (rpc.size && unused.length === rpc.size) ctx.reporter.warn(`no row is on the chains given with --rpc (${unused.join(', ')}); networks in the file: ${[...new Set(file.rows.map((r) => r.network.toUpperCase()))].join(', ')}`);

  const result = summarizeOkxAudit(args.file, file, verdicts, { rpc: rpc.size > 0 });
  if (args.out !== undefined) {
    await writeFileAtomic(args.out, okxAuditHtml(result));
    ctx.note(`wrote ${args.out}`);
  }
  if (ctx.json) ctx.printJson(writeOkxAudit(result));
  else ctx.print(okxAuditText(result));
  // A check that failed decides (1); else anything not read or not checked blocks the verdict (2).
  if (result.verdict === 'fail') return EXIT.CHECK_FAILED;
  return result.verdict === 'unread' ? EXIT.BAD_INPUT : EXIT.OK;
}

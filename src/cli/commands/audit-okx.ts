// `por audit FILE --format okx-csv`: a journalist's check of an OKX reserve file. Offline: every
// ownership signature by its network's scheme, per-coin amounts behind valid/invalid/unsupported
// proofs, the summary block against the rows. With --rpc CHAIN=URL: balances re-read at each row's
// snapshot height (EVM via JSON-RPC, Bitcoin via Esplora) and contract wallets' owners read on-chain.
import { readFault } from '../../io/node.js';
import { readFile } from 'node:fs/promises';
import { AbiCoder, getAddress } from 'ethers';
import type { ArgumentsCamelCase } from 'yargs';
import { porError, isPorError } from '../../core/errors/index.js';
import { formatAmount } from '../../core/money/index.js';
import { EXIT, type Context, type ExitCode } from '../context.js';
import type { AuditArgs } from './audit-por.js';
import { parseOkxReserveCsv, type OkxReserveFile, type OkxReserveRow } from '../../core/formats/okx-csv.js';
import { auditOkxSignatures, effectiveOwnership, summarizeOkxAudit, type OkxAuditResult, type OkxRowVerdict } from '../../formats/okx-audit.js';
import { RpcClient } from '../../reserves/rpc.js';
import { networkSettings } from '../network.js';
import { parseChainUrls } from '../../reserves/load.js';
import { EsploraClient, bitcoinBalanceAt } from '../../reserves/esplora.js';
import { readEvmBalances } from '../../reserves/evm.js';
import type { Reporter } from '../../core/progress/index.js';

/** por's chain names (as in wallet manifests) → OKX's network names. */
const CHAIN_ALIASES: Record<string, string[]> = {
  ethereum: ['ETH'],
  arbitrum: ['ETH-ARBITRUM', 'ARBITRUM'],
  optimism: ['ETH-OPTIMISM', 'OPTIMISM'],
  polygon: ['POLYGON', 'POLY', 'MATIC'],
  bsc: ['BSC'],
  base: ['BASE'],
  avalanche: ['AVAXC'],
  linea: ['ETH-LINEA', 'ETH_LINEA', 'LINEA'],
  bitcoin: ['BTC'],
};

/** OKX networks whose native coin is ETH (for re-reading native balances). */
const ETH_NATIVE = new Set(['ETH', 'ETH-ARBITRUM', 'ARBITRUM', 'ETH-OPTIMISM', 'OPTIMISM', 'BASE', 'ETH-LINEA', 'ETH_LINEA', 'LINEA', 'ZKSYNC2']);

/** --rpc CHAIN=URL with CHAIN a por chain name (ethereum, bitcoin) or an OKX network (ETH, BTC, …). */
export function parseRpcOptions(list: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [chain, url] of Object.entries(parseChainUrls(list))) {
    const networks = CHAIN_ALIASES[chain.toLowerCase()] ?? [chain.toUpperCase()];
    for (const n of networks) out.set(n, url);
  }
  return out;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;
const SEL_GET_OWNERS = '0xa0e67e2b';
const SEL_GET_THRESHOLD = '0xe75235b8';

function nativeDecimals(row: OkxReserveRow, network: string): number | undefined {
  const coin = row.coin.toUpperCase();
  if (ETH_NATIVE.has(network) && (coin === 'ETH' || coin === network)) return 18;
  if (coin === network && ['BSC', 'POLYGON', 'AVAXC', 'ETC'].includes(network)) return 18;
  return undefined;
}

/** File amount as base units at `decimals`; undefined when it has more digits than the chain. */
function fileUnits(row: OkxReserveRow, decimals: number): bigint | undefined {
  if (!row.amount) return undefined;
  if (row.amount.scale > decimals) return undefined;
  return row.amount.units * 10n ** BigInt(decimals - row.amount.scale);
}

type Net = { timeoutMs: number; retries: number };

async function evmChecks(rows: OkxReserveRow[], verdicts: OkxRowVerdict[], network: string, url: string, reporter: Reporter, net: Net): Promise<void> {
  const client = new RpcClient(url, { reporter, chain: network, ...net });
  const idx = rows.map((r, i) => (r.network.toUpperCase() === network ? i : -1)).filter((i) => i >= 0);
  const blocks = new Map<bigint, { number: bigint; hash: string; timestamp: number } | string>();
  for (const i of idx) {
    const h = rows[i]!.height;
    if (h === undefined || blocks.has(h)) continue;
    try {
      const b = (await client.call('eth_getBlockByNumber', [hex(h), false])) as { hash?: string; timestamp?: string } | null;
      blocks.set(h, b && typeof b.hash === 'string' ? { number: h, hash: b.hash, timestamp: Number(BigInt(b.timestamp ?? '0x0')) } : `the node has no block ${h}`);
    } catch (err) {
      // A node that does not answer (after the client's retries) checked nothing: exit 2, as
      // `por audit` does for por reports, rather than a FAILED verdict about OKX.
      if (isPorError(err, 'NETWORK')) throw porError('NETWORK', `could not read ${network} from your node: ${err.message}`, { chain: network, field: 'rpc' }, err);
      blocks.set(h, isPorError(err) ? err.message : String(err));
    }
  }
  for (const i of idx) {
    const row = rows[i]!;
    const v = verdicts[i]!;
    const block = row.height === undefined ? 'the file gives no snapshot height for this row' : blocks.get(row.height)!;
    if (typeof block === 'string') {
      v.balance = { status: 'error', detail: `cannot read at the snapshot: ${block}` };
      // Not read is not disproven: the row's ownership must not turn invalid for want of a block.
      if (v.contractLink) v.contractLink = { status: 'unchecked', detail: `owners not read at the snapshot: ${block}` };
      continue;
    }
    // Balance, for the chain's native coin (token rows name no contract).
    const decimals = nativeDecimals(row, network);
    if (decimals === undefined) {
      v.balance = { status: 'not-read', detail: `${row.coin} on ${network} is a token; the file names no contract to read` };
    } else {
      const [out] = await readEvmBalances(client, block, [{ address: row.address }]);
      const want = fileUnits(row, decimals);
      if (!out || !out.ok) v.balance = { status: 'error', detail: `balance not read: ${out && !out.ok ? out.error : 'no answer'}` };
      else {
        const onchain = formatAmount(out.balance, decimals, { trim: true });
        v.balance = want === out.balance
          ? { status: 'matches', onchain, detail: `${onchain} at block ${row.height} (${block.hash.slice(0, 12)}…), as in the file` }
          : { status: 'differs', onchain, detail: `${onchain} ${row.coin} at block ${row.height}, the file says ${row.amountText ?? '(no amount)'}` };
      }
    }
    // Contract wallet: are the signing EOAs its owners (Safe getOwners / getThreshold)?
    if (v.contractLink) {
      try {
        const tag = hex(row.height!);
        const ownersRaw = (await client.call('eth_call', [{ to: row.address, data: SEL_GET_OWNERS }, tag])) as string;
        const [owners] = AbiCoder.defaultAbiCoder().decode(['address[]'], ownersRaw) as unknown as [string[]];
        let threshold: bigint | undefined;
        try {
          const t = (await client.call('eth_call', [{ to: row.address, data: SEL_GET_THRESHOLD }, tag])) as string;
          threshold = BigInt(t);
        } catch {
          threshold = undefined;
        }
        const set = new Set(owners.map((o) => getAddress(o)));
        const eoas = [row.eoa1, row.eoa2].filter((e) => e !== '').map((e) => getAddress(e));
        const missing = eoas.filter((e) => !set.has(e));
        const enough = threshold === undefined || BigInt(eoas.length) >= threshold;
        v.contractLink = missing.length === 0 && enough
          ? { status: 'owners', detail: `at block ${row.height} the contract's owners (${owners.length}${threshold !== undefined ? `, threshold ${threshold}` : ''}) include the ${eoas.length} signing EOAs` }
          : { status: 'not-owners', detail: missing.length ? `at block ${row.height}, ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among the contract's owners (${owners.join(', ')})` : `the ${eoas.length} signing EOAs are owners but the threshold is ${threshold}` };
      } catch (err) {
        v.contractLink = { status: 'error', detail: `getOwners() at block ${row.height} failed (not a Safe, or the node cannot read that block): ${isPorError(err) ? err.message : String(err)}` };
      }
    }
  }
}

async function bitcoinChecks(rows: OkxReserveRow[], verdicts: OkxRowVerdict[], url: string, reporter: Reporter, net: Net): Promise<void> {
  const client = new EsploraClient(url, { reporter, chain: 'bitcoin', ...net });
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.network.toUpperCase() !== 'BTC') continue;
    const v = verdicts[i]!;
    if (row.height === undefined) {
      v.balance = { status: 'not-read', detail: 'the file gives no snapshot height for this row' };
      continue;
    }
    try {
      const sats = await bitcoinBalanceAt(client, 'bitcoin', row.address, row.height);
      const onchain = formatAmount(sats, 8, { trim: true });
      const want = fileUnits(row, 8);
      v.balance = want === sats
        ? { status: 'matches', onchain, detail: `${onchain} BTC at height ${row.height}, as in the file` }
        : { status: 'differs', onchain, detail: `${onchain} BTC at height ${row.height}, the file says ${row.amountText ?? '(no amount)'}` };
    } catch (err) {
      v.balance = { status: 'error', detail: `balance not read: ${isPorError(err) ? err.message : String(err)}` };
    }
  }
}

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
  if (args.html) throw porError('BAD_USAGE', '--html is not available for OKX files yet; use --json');
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

  const networks = new Set(file.rows.map((r) => r.network.toUpperCase()));
  for (const [network, url] of rpc) {
    if (!networks.has(network)) continue;
    if (network === 'BTC') await bitcoinChecks(file.rows, verdicts, url, ctx.reporter, net);
    else await evmChecks(file.rows, verdicts, network, url, ctx.reporter, net);
    ctx.reporter.done(`rpc ${network}`, 'balances and contract owners read at the rows\' snapshot heights');
  }
  const unused = [...new Set([...rpc.keys()].filter((n) => !networks.has(n)))];
  if (rpc.size && unused.length === rpc.size) ctx.reporter.warn(`no row is on the chains given with --rpc (${unused.join(', ')}); networks in the file: ${[...networks].join(', ')}`);

  const result = summarizeOkxAudit(args.file, file, verdicts);
  if (ctx.json) ctx.printJson(result);
  else ctx.print(renderOkxAudit(result));
  if (result.counts.valid + result.counts.invalid === 0) {
    ctx.note('nothing could be checked: every row uses a scheme por does not verify');
    return EXIT.BAD_INPUT;
  }
  return result.ok ? EXIT.OK : EXIT.CHECK_FAILED;
}

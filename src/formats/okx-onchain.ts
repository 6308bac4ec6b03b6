// The on-chain half of `por audit OKX.csv --rpc CHAIN=URL`: native balances re-read at
// each row's snapshot height (EVM via JSON-RPC, Bitcoin via Esplora) and contract wallets' owners
// (Safe getOwners / getThreshold) at that height, written into the row verdicts. A node that does
// not answer at all was named before (checkNodes, exit 2); a read that fails later, on one row, makes
// that row's balance or contract link `unread` (COULD NOT READ: neither confirmed nor failed, it
// blocks the verdict), never a zero and never a failure; an answer that disproves a row fails it.
import { isPorError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { okxIsNative, okxNetworksForChain } from '../core/formats/okx-networks.js';
import type { OkxReserveFile, OkxReserveRow } from '../core/formats/okx-csv.js';
import type { Reporter } from '../core/progress/index.js';
import type { BalanceCheck, ContractLink, OkxRowVerdict } from './okx-audit.js';
import { RpcClient } from '../reserves/rpc.js';
import { parseChainUrls } from '../reserves/load.js';
import { EsploraClient, bitcoinBalanceAt } from '../reserves/esplora.js';
import { readEvmBalances } from '../reserves/evm.js';
import { readSafeOwners } from '../reserves/safe.js';

export type Net = { timeoutMs: number; retries: number };

/** --rpc CHAIN=URL with CHAIN a por chain name (ethereum, bitcoin) or an OKX network (ETH, BTC, …) → OKX network → URL. */
export function parseRpcOptions(list: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [chain, url] of Object.entries(parseChainUrls(list))) {
    for (const n of okxNetworksForChain(chain)) out.set(n, url);
  }
  return out;
}

/** File amount as base units at `decimals`; undefined when it has more digits than the chain. */
function fileUnits(row: OkxReserveRow, decimals: number): bigint | undefined {
  if (!row.amount || row.amount.scale > decimals) return undefined;
  return row.amount.units * 10n ** BigInt(decimals - row.amount.scale);
}

type Block = { number: bigint; hash: string; timestamp: number };

const why = (err: unknown): string => (isPorError(err) || err instanceof Error ? err.message : String(err));

/** Each snapshot height of the rows, read once; a string says why a block could not be read. */
async function readBlocks(client: RpcClient, rows: OkxReserveRow[]): Promise<Map<bigint, Block | string>> {
  const blocks = new Map<bigint, Block | string>();
  for (const h of new Set(rows.map((r) => r.height).filter((h): h is bigint => h !== undefined))) {
    try {
      const b = (await client.call('eth_getBlockByNumber', [`0x${h.toString(16)}`, false])) as { hash?: string; timestamp?: string } | null;
      blocks.set(h, b && typeof b.hash === 'string' ? { number: h, hash: b.hash, timestamp: Number(BigInt(b.timestamp ?? '0x0')) } : `the node has no block ${h}`);
    } catch (err) {
      // Its rows are unread (exit 2 unless something else fails), not a FAILED verdict about OKX.
      blocks.set(h, `the node could not give block ${h}: ${why(err)}`);
    }
  }
  return blocks;
}

/** Throws when the node gave up on the whole request (after its retries); an error answer for
 *  this one call is the row's `unread`. */
async function evmBalance(client: RpcClient, row: OkxReserveRow, network: string, block: Block): Promise<BalanceCheck> {
  if (!okxIsNative(row.coin, network)) return { status: 'not-read', detail: `${row.coin} on ${network} is a token; the file names no contract to read` };
  const [out] = await readEvmBalances(client, block, [{ address: row.address }]);
  if (!out || !out.ok) return { status: 'unread', detail: `eth_getBalance at block ${row.height} failed: ${out && !out.ok ? out.error : 'no answer'}` };
  const onchain = formatAmount(out.balance, 18, { trim: true });
  return fileUnits(row, 18) === out.balance
    ? { status: 'matches', onchain, detail: `${onchain} at block ${row.height} (${block.hash.slice(0, 12)}…), as in the file` }
    : { status: 'differs', onchain, detail: `${onchain} ${row.coin} at block ${row.height}, the file says ${row.amountText ?? '(no amount)'}` };
}

/** Contract wallet: are the signing EOAs its owners, enough of them for its threshold? */
async function contractLink(client: RpcClient, row: OkxReserveRow, height: bigint): Promise<ContractLink> {
  try {
    const { owners, threshold } = await readSafeOwners(client, row.address, height);
    const set = new Set(owners);
    const eoas = [row.eoa1, row.eoa2].filter((e) => e !== '');
    const missing = eoas.filter((e) => !set.has(e) && !owners.some((o) => o.toLowerCase() === e.toLowerCase()));
    const enough = threshold === undefined || BigInt(eoas.length) >= threshold;
    if (missing.length === 0 && enough) return { status: 'owners', detail: `at block ${height} the contract's owners (${owners.length}${threshold !== undefined ? `, threshold ${threshold}` : ''}) include the ${eoas.length} signing EOAs` };
    return { status: 'not-owners', detail: missing.length ? `at block ${height}, ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among the contract's owners (${owners.join(', ')})` : `the ${eoas.length} signing EOAs are owners but the threshold is ${threshold}` };
  } catch (err) {
    // A node fault, or a contract with no getOwners() (not a Safe): either way the link is not
    // read, so the row is neither proven nor disproven — unless there is no contract at all.
    return (await noContract(client, row.address, height)) ?? { status: 'unread', detail: `getOwners() at block ${height} failed (the node could not answer, or the contract is not a Safe): ${why(err)}` };
  }
}

/** An address with no code at the block is no contract wallet: the EOAs cannot control it through
 *  one (checked, and fails). Undefined when it holds code, or the node cannot say. */
async function noContract(client: RpcClient, address: string, height: bigint): Promise<ContractLink | undefined> {
  try {
    const code = await client.call('eth_getCode', [address, `0x${height.toString(16)}`]);
    if (code === '0x') return { status: 'not-owners', detail: `at block ${height}, ${address} holds no code: it is no contract wallet, so the signing EOAs cannot control it through one` };
  } catch {
    // The node cannot say either: the link stays unread.
  }
  return undefined;
}

/** Where the node stopped answering whole requests: later rows on that network are not asked
 *  (each would wait out every retry), and are unread too. */
type Down = { line: number; why: string };

/** Neither the balance nor the owners fail for want of an answer: both are unread. */
function notRead(v: OkxRowVerdict, why: string): void {
  v.balance = { status: 'unread', detail: why };
  if (v.contractLink) v.contractLink = { status: 'unread', detail: `owners not read: ${why}` };
}

/** One row at its snapshot block; returns where the node went down, if it did. */
async function evmRow(client: RpcClient, row: OkxReserveRow, v: OkxRowVerdict, network: string, block: Block | string, down: Down | undefined): Promise<Down | undefined> {
  if (typeof block === 'string' || down) {
    notRead(v, typeof block === 'string' ? `cannot read at the snapshot: ${block}` : `not asked: the node stopped answering at line ${down!.line} (${down!.why})`);
    return down;
  }
  try {
    v.balance = await evmBalance(client, row, network, block);
  } catch (err) {
    notRead(v, `eth_getBalance at block ${row.height} failed: ${why(err)}`);
    return { line: row.line, why: why(err) };
  }
  if (v.contractLink) v.contractLink = await contractLink(client, row, block.number);
  return undefined;
}

async function evmChecks(rows: OkxReserveRow[], verdicts: OkxRowVerdict[], network: string, url: string, reporter: Reporter, net: Net): Promise<void> {
  const client = new RpcClient(url, { reporter, chain: network, ...net });
  const idx = rows.map((r, i) => (r.network.toUpperCase() === network ? i : -1)).filter((i) => i >= 0);
  const blocks = await readBlocks(client, idx.map((i) => rows[i]!));
  let down: Down | undefined;
  for (const i of idx) {
    const row = rows[i]!;
    const v = verdicts[i]!;
    if (v.staking) v.balance = { status: 'not-read', detail: 'a validator\'s stake is on the beacon chain, not an execution-layer balance' };
    else if (row.height === undefined) v.balance = { status: 'not-read', detail: 'the file gives no snapshot height for this row' };
    else down = await evmRow(client, row, v, network, blocks.get(row.height)!, down);
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
      v.balance = fileUnits(row, 8) === sats
        ? { status: 'matches', onchain, detail: `${onchain} BTC at height ${row.height}, as in the file` }
        : { status: 'differs', onchain, detail: `${onchain} BTC at height ${row.height}, the file says ${row.amountText ?? '(no amount)'}` };
    } catch (err) {
      v.balance = { status: 'unread', detail: `balance at height ${row.height} not read: ${why(err)}` };
    }
  }
}

/** Re-reads every network given with --rpc that has rows; returns the --rpc names no row is on. */
export async function okxOnchainChecks(file: OkxReserveFile, verdicts: OkxRowVerdict[], rpc: Map<string, string>, reporter: Reporter, net: Net): Promise<string[]> {
  const networks = new Set(file.rows.map((r) => r.network.toUpperCase()));
  for (const [network, url] of rpc) {
    if (!networks.has(network)) continue;
    if (network === 'BTC') await bitcoinChecks(file.rows, verdicts, url, reporter, net);
    else await evmChecks(file.rows, verdicts, network, url, reporter, net);
    reporter.done(`rpc ${network}`, 'balances and contract owners read at the rows\' snapshot heights');
  }
  return [...new Set([...rpc.keys()].filter((n) => !networks.has(n)))];
}

// Bitcoin balances from an Esplora-compatible HTTP API (what mempool.space and Blockstream serve).
// The balance at height H is rebuilt from the address's confirmed history (GET
// /address/:a/txs/chain, paged): outputs paying the address minus inputs spending them, over the
// transactions confirmed at or below H. /address/:a/utxo alone would miss coins that were unspent
// at H but spent since, under-reporting a snapshot taken in the past.
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { GENESIS, type BitcoinNetwork } from '../core/reserves/identity.js';
import { DEFAULT_BACKOFF_MS, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, checkStopped, pause } from './rpc.js';
import type { BlockRef } from '../core/reserves/types.js';

/** Esplora pages confirmed history 25 transactions at a time. */
const PAGE = 25;

export interface EsploraOptions {
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  reporter?: Reporter;
  chain?: string;
  /** Aborts requests in flight and stops retrying when it fires (a caller's deadline). */
  signal?: AbortSignal;
}

export class EsploraClient {
  readonly base: string;
  private readonly o: Required<Omit<EsploraOptions, 'reporter' | 'chain' | 'signal'>> & Pick<EsploraOptions, 'reporter' | 'chain' | 'signal'>;

  constructor(base: string, options: EsploraOptions = {}) {
    this.base = base.replace(/\/+$/, '');
    this.o = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: options.retries ?? DEFAULT_RETRIES, backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS, reporter: options.reporter, chain: options.chain, signal: options.signal };
  }

  /** GET with timeout and retries (transport faults, 429 and 5xx); 4xx other than 429 is final. */
  async get(path: string): Promise<string> {
    let last = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) await pause(this.o.backoffMs * 2 ** (attempt - 1), this.o.signal);
      checkStopped(this.o.signal, this.where());
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), this.o.timeoutMs);
      const signal = this.o.signal ? AbortSignal.any([ctrl.signal, this.o.signal]) : ctrl.signal;
      try {
        // The timer covers the body too: a server that stalls mid-answer is given up on.
        const resp = await fetch(this.base + path, { signal });
        const text = await resp.text();
        if (resp.ok) return text;
        last = `HTTP ${resp.status} for ${path}: ${text.slice(0, 160)}`;
        if (resp.status !== 429 && resp.status < 500) break;
      } catch (err) {
        checkStopped(this.o.signal, this.where());
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        last = ctrl.signal.aborted ? `no answer for ${path} within ${this.o.timeoutMs} ms` : `cannot reach Esplora server (${cause ?? (err as Error).message})`;
      } finally {
        clearTimeout(timer);
      }
      if (attempt < this.o.retries) this.o.reporter?.warn(`${this.o.chain ?? 'esplora'}: ${last}; retrying (${attempt + 1}/${this.o.retries})`);
    }
    throw porError('NETWORK', last, this.where());
  }

  private where(): { chain?: string } {
    return this.o.chain === undefined ? {} : { chain: this.o.chain };
  }

  async getJson(path: string): Promise<unknown> {
    const text = await this.get(path);
    try {
      return JSON.parse(text);
    } catch {
      throw porError('NETWORK', `${path} did not answer JSON: ${text.slice(0, 80)}`, this.o.chain === undefined ? {} : { chain: this.o.chain });
    }
  }
}

/** Checks the server's network (genesis block), then fixes the height and records hash and time. */
export async function pinBitcoinBlock(client: EsploraClient, chain: string, network: BitcoinNetwork, opts: { block?: bigint; confirmations?: number; genesis?: string }): Promise<BlockRef> {
  const genesis = (await client.get('/block-height/0')).trim();
  // The chain's identity (docs/RESERVES.md): the manifest's genesis, else the network's first
  // (testnet3 for "testnet"), exactly: the identity recorded in the report must be the node's.
  const expected = opts.genesis ?? GENESIS[network][0]!;
  if (genesis !== expected) {
    const other = GENESIS[network].includes(genesis) ? ` (another ${network}: give its "genesis" in the manifest)` : '';
    throw porError('NETWORK', `Esplora server's genesis block is ${genesis.slice(0, 16)}…, not ${expected.slice(0, 16)}… (${network}): it serves another chain${other}`, { chain });
  }
  let height = opts.block;
  if (height === undefined) {
    const tip = BigInt((await client.get('/blocks/tip/height')).trim());
    const conf = BigInt(opts.confirmations ?? 0);
    if (tip < conf) throw porError('NETWORK', `the chain has only ${tip} blocks; cannot go back ${conf} confirmations`, { chain });
    // "latest − confirmations" as for EVM: 0 confirmations means the tip itself.
    height = tip - conf;
  }
  let hash: string;
  try {
    hash = (await client.get(`/block-height/${height}`)).trim();
  } catch (err) {
    throw porError('NETWORK', `server has no block at height ${height}: ${(err as Error).message}`, { chain, block: height }, err);
  }
  const header = (await client.getJson(`/block/${hash}`)) as { timestamp?: number; height?: number };
  if (typeof header?.timestamp !== 'number') throw porError('NETWORK', `block ${hash} has no timestamp`, { chain, block: height });
  return { number: height, hash, timestamp: header.timestamp };
}

/** After reading: the block at that height must still be the one pinned. */
export async function confirmBitcoinBlock(client: EsploraClient, chain: string, block: BlockRef): Promise<void> {
  const hash = (await client.get(`/block-height/${block.number}`)).trim();
  if (hash !== block.hash) throw porError('NETWORK', `block ${block.number} changed while reading (was ${block.hash}, now ${hash}): a reorganisation`, { chain, block: block.number });
}

interface EsploraTx {
  txid: string;
  status?: { confirmed?: boolean; block_height?: number };
  vin?: { prevout?: { scriptpubkey_address?: string; value?: number } | null }[];
  vout?: { scriptpubkey_address?: string; value?: number }[];
}

/**
 * The address's balance in satoshis at `height`, from its confirmed history. Throws PorError.
 * The history is cross-checked against the server's own totals for the address (GET /address/:a
 * chain_stats: transaction count, funded − spent): a server that drops transactions from the
 * paged history is caught instead of under-reporting. A new block arriving between the two reads
 * can also make them differ, so a mismatch is re-read once before it is an error.
 */
export async function bitcoinBalanceAt(client: EsploraClient, chain: string, address: string, height: bigint): Promise<bigint> {
  const where = { chain, address, block: height };
  for (let attempt = 0; ; attempt++) {
    const h = await readHistory(client, address, height, where);
    const mismatch = await checkAgainstStats(client, address, h, where);
    if (mismatch === undefined) return h.atHeight;
    if (attempt >= 1) throw porError('NETWORK', `the server's address history disagrees with its own totals (${mismatch}): history incomplete, refusing to guess`, where);
  }
}

type Where = { chain: string; address: string; block: bigint };
interface History {
  atHeight: bigint;
  /** Over every confirmed transaction, whatever its height: must match the server's chain_stats. */
  allConfirmed: bigint;
  txCount: number;
}

async function readHistory(client: EsploraClient, address: string, height: bigint, where: Where): Promise<History> {
  let atHeight = 0n;
  let allConfirmed = 0n;
  let last: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await client.getJson(`/address/${encodeURIComponent(address)}/txs/chain${last ? `/${last}` : ''}`).catch((err: unknown) => {
      throw porError('NETWORK', `cannot read the address's history: ${(err as Error).message}`, where, err);
    });
    if (!Array.isArray(page)) throw porError('NETWORK', 'address history is not a JSON array', where);
    for (const tx of page as EsploraTx[]) {
      if (typeof tx?.txid !== 'string') throw porError('NETWORK', 'a transaction in the history has no txid', where);
      if (seen.has(tx.txid)) throw porError('NETWORK', `transaction ${tx.txid} appears twice in the history (server paging is broken)`, where);
      seen.add(tx.txid);
      const h = tx.status?.block_height;
      if (tx.status?.confirmed !== true || typeof h !== 'number') continue;
      let delta = 0n;
      for (const o of tx.vout ?? []) if (o.scriptpubkey_address === address) delta += sats(o.value, tx.txid, where);
      for (const i of tx.vin ?? []) if (i.prevout?.scriptpubkey_address === address) delta -= sats(i.prevout.value, tx.txid, where);
      allConfirmed += delta;
      if (BigInt(h) <= height) atHeight += delta;
    }
    if (page.length < PAGE) break;
    last = (page[page.length - 1] as EsploraTx).txid;
  }
  if (atHeight < 0n || allConfirmed < 0n) throw porError('NETWORK', 'history spends more than it received (incomplete history from the server)', where);
  return { atHeight, allConfirmed, txCount: seen.size };
}

/** undefined when the history matches GET /address/:a chain_stats; otherwise what differs. */
async function checkAgainstStats(client: EsploraClient, address: string, h: History, where: Where): Promise<string | undefined> {
  const info = (await client.getJson(`/address/${encodeURIComponent(address)}`).catch((err: unknown) => {
    throw porError('NETWORK', `cannot read the address's totals: ${(err as Error).message}`, where, err);
  })) as { chain_stats?: { tx_count?: unknown; funded_txo_sum?: unknown; spent_txo_sum?: unknown } } | null;
  const st = info?.chain_stats;
  if (!st || typeof st.tx_count !== 'number' || typeof st.funded_txo_sum !== 'number' || typeof st.spent_txo_sum !== 'number') {
    throw porError('NETWORK', 'GET /address/:address has no chain_stats (not an Esplora server?)', where);
  }
  const total = sats(st.funded_txo_sum, 'chain_stats', where) - sats(st.spent_txo_sum, 'chain_stats', where);
  if (st.tx_count !== h.txCount) return `${h.txCount} transactions in the history, ${st.tx_count} in chain_stats`;
  if (total !== h.allConfirmed) return `history sums to ${h.allConfirmed} sats, chain_stats to ${total}`;
  return undefined;
}

function sats(v: unknown, txid: string, where: Where): bigint {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw porError('NETWORK', `transaction ${txid} has an output value that is not a whole number of satoshis`, where);
  return BigInt(v);
}

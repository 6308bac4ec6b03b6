// The reserves stage: every address in a wallet manifest, read at one pinned block per chain, with
// each address's ownership proof checked. Used by `por reserves`, `por solvency --wallets`,
// `por build`, `por audit` (re-reading published addresses at their blocks) and `por watch`.
import { porError, isPorError } from '../core/errors/index.js';
import { rescale } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { verifyEip191 } from '../signatures/evm.js';
import type { SignatureResult } from '../signatures/result.js';
import { ownershipMessageProblem, type ChainSpec, type WalletEntry, type WalletManifest, type BitcoinNetwork } from './manifest.js';
import { addressKey } from '../core/reserves/identity.js';
import { RpcClient } from './rpc.js';
import { checkEvmOwnership, checkTokenDecimals, confirmEvmBlock, pinEvmBlock, readEvmBalances, type EvmBalanceRequest, type OwnershipCheck } from './evm.js';
import { EsploraClient, bitcoinBalanceAt, confirmBitcoinBlock, pinBitcoinBlock } from './esplora.js';
import type { ReserveRow } from '../solvency/index.js';
import type { AddressBalance, AddressResult, AssetTotal, BlockRef, ChainResult, OwnershipResult, ReservesResult } from '../core/reserves/types.js';

export * from '../core/reserves/types.js';
export { parseWalletManifest, ownershipMessage, ownershipMessageProblem, ownershipMessages, OWNERSHIP_MESSAGE_HEADER, WALLETS_FORMAT, WALLETS_VERSION } from './manifest.js';
export type { WalletManifest, WalletEntry, ChainSpec, OwnershipProof, OwnershipSubject } from './manifest.js';
export { chainIdentity, normaliseAddress, addressKey, CHAIN_IDENTITY } from '../core/reserves/identity.js';
export { reservesDocument, RESERVES_FORMAT, RESERVES_VERSION } from '../core/reserves/document.js';

/** Checks a Bitcoin message signature (BIP-322 simple / BIP-137); supplied by src/signatures. */
export type BitcoinVerifier = (address: string, message: string, signatureBase64: string, network?: string) => SignatureResult | Promise<SignatureResult>;

export interface ReadReservesOptions {
  wallets: WalletManifest;
  registry: AssetRegistry;
  /** Chain name → node URL (EVM JSON-RPC, or Esplora base URL for bitcoin). */
  rpc: Record<string, string>;
  /** Chain name → block number (height) to read at. Default: latest − confirmations. */
  blocks?: Record<string, bigint>;
  /** Depth below the head when no block is given: one number for all chains, or per chain. Default 0. */
  confirmations?: number | Record<string, number>;
  reporter?: Reporter;
  /** Per HTTP request. Default 15,000 ms (DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Stops every read when it fires: what is not read by then is unread (a caller's deadline). */
  signal?: AbortSignal;
  /** Extra attempts after a failed request or call. Default 3. */
  retries?: number;
  /** First backoff between attempts. Default 200 ms. */
  backoffMs?: number;
  /** JSON-RPC calls per HTTP request. Default 1,000. */
  batchSize?: number;
  /** Count addresses whose ownership is not proven (they are marked). Default false. */
  includeUnproven?: boolean;
  /** Check ownership proofs. Default true; `por watch` reads balances only. */
  ownership?: boolean;
  /** Bitcoin signature checker; without it bitcoin ownership is "unchecked". */
  verifyBitcoin?: BitcoinVerifier;
  /** Warn when a block is far from the snapshot time. Default true; live reads (`por watch`) are meant to be. */
  warnSkew?: boolean;
}

/** Reads every chain of the manifest; per-chain and per-address failures are results, not throws. */
export async function readReserves(opts: ReadReservesOptions): Promise<ReservesResult> {
  const { wallets, registry } = opts;
  const reporter = opts.reporter ?? silentReporter;
  checkReadOptions(opts, reporter);
  const entries = groupDuplicates(wallets, reporter);
  const results = new Map<number, AddressResult>();
  const chains: ChainResult[] = [];
  // Chains are independent (own node, own block): read them at the same time.
  await Promise.all(wallets.chains.map((spec) => readChain(spec, entries, opts, reporter, chains, results)));
  const addresses = wallets.addresses.map((e) => results.get(e.index) ?? duplicateResult(e, entries, results));
  markCounted(addresses, opts.includeUnproven === true);
  return { snapshot: wallets.snapshot, chains, addresses, totals: computeTotals(addresses, registry), includeUnproven: opts.includeUnproven === true };
}

/** Every chain used has a node; --rpc and --block name listed chains; no chain is listed under two names. */
function checkReadOptions(opts: ReadReservesOptions, reporter: Reporter): void {
  const { wallets } = opts;
  const chainsUsed = new Set(wallets.addresses.map((a) => a.chain));
  for (const name of chainsUsed) {
    if (!opts.rpc[name]) throw porError('BAD_USAGE', `no node URL for chain ${name}: give --rpc ${name}=URL`, { chain: name });
  }
  for (const name of Object.keys(opts.rpc)) {
    if (!wallets.chains.some((c) => c.name === name)) reporter.warn(`--rpc names chain ${name}, which the manifest does not list; ignored`);
  }
  // Library callers may build a manifest by hand: one chain under two names would count twice.
  const twice = wallets.chains.find((c, i) => wallets.chains.findIndex((x) => x.id === c.id) !== i);
  if (twice) throw porError('BAD_INPUT', `chain ${twice.name} is ${twice.id}, like ${wallets.chains.find((x) => x.id === twice.id)!.name}: one chain listed under two names would count its coins twice`, { chain: twice.name, field: 'chains' });
  for (const name of Object.keys(opts.blocks ?? {})) {
    if (!wallets.chains.some((c) => c.name === name)) throw porError('BAD_USAGE', `--block names chain ${name}, which the manifest does not list`, { chain: name });
  }
}

/** The manifest's entries once each (by address key): the first is read, with the union of assets. */
interface Grouped {
  /** First entry per address key, in manifest order. */
  firsts: WalletEntry[];
  /** Entry index → assets to read (firsts only). */
  assetsOf: Map<number, Set<string>>;
  /** Entry index of a later duplicate → index of its first. */
  duplicateOf: Map<number, number>;
}

/** Duplicates: the first entry is read (with the union of assets); later ones are flagged. */
function groupDuplicates(wallets: WalletManifest, reporter: Reporter): Grouped {
  const firstByKey = new Map<string, WalletEntry>();
  const assetsOf = new Map<number, Set<string>>();
  const duplicateOf = new Map<number, number>();
  const chainOf = new Map(wallets.chains.map((c) => [c.name, c]));
  for (const e of wallets.addresses) {
    const key = addressKey(chainOf.get(e.chain)!.id, e.address);
    const first = firstByKey.get(key);
    if (first) {
      duplicateOf.set(e.index, first.index);
      for (const s of e.assets) assetsOf.get(first.index)!.add(s);
      reporter.warn(`address ${e.address} on ${e.chain} is listed twice (entries ${first.index} and ${e.index}); counted once`);
    } else {
      firstByKey.set(key, e);
      assetsOf.set(e.index, new Set(e.assets));
    }
  }
  return { firsts: [...firstByKey.values()], assetsOf, duplicateOf };
}

/** One chain at its pinned block; a chain that cannot be read makes every balance on it an error, never a zero. */
async function readChain(spec: ChainSpec, g: Grouped, opts: ReadReservesOptions, reporter: Reporter, chains: ChainResult[], results: Map<number, AddressResult>): Promise<void> {
  const entries = g.firsts.filter((e) => e.chain === spec.name);
  const chainResult: ChainResult = { name: spec.name, kind: spec.kind, id: spec.id };
  if (spec.chainId !== undefined) chainResult.chainId = spec.chainId;
  if (spec.network !== undefined) chainResult.network = spec.network;
  chains.push(chainResult);
  if (entries.length === 0) return;
  const conf = typeof opts.confirmations === 'number' ? opts.confirmations : opts.confirmations?.[spec.name] ?? 0;
  const pin = { block: opts.blocks?.[spec.name], confirmations: conf };
  const rows = entries.map((e) => newResult(e, [...g.assetsOf.get(e.index)!], opts.registry, spec.name));
  try {
    if (spec.kind === 'evm') await readEvmChain(spec, opts, reporter, pin, entries, rows, chainResult);
    else await readBitcoinChain(spec, opts, reporter, pin, entries, rows, chainResult);
    if (opts.warnSkew !== false) warnIfFarFromSnapshot(chainResult, opts.wallets.snapshot.time, reporter);
  } catch (err) {
    if (!isPorError(err)) throw err;
    // The whole chain could not be read: every balance on it is an error, never a zero.
    chainResult.error = err.message;
    delete chainResult.block;
    rows.forEach((r, i) => {
      for (const b of r.balances) {
        delete b.balance;
        b.error = `chain ${spec.name} could not be read: ${err.message}`;
      }
      // Ownership read at a block that failed (or never read) is no verdict either way.
      r.ownership = precheck(entries[i]!, opts.wallets, spec) ?? { status: 'unchecked', nodeError: true, reason: `not checked: chain ${spec.name} could not be read: ${err.message}` };
    });
    reporter.warn(`chain ${spec.name}: ${err.message}`);
  }
  rows.forEach((r) => results.set(r.index, r));
}

/** A later duplicate carries its first entry's outcome but is never counted again. */
function duplicateResult(e: WalletEntry, g: Grouped, results: ReadonlyMap<number, AddressResult>): AddressResult {
  const first = g.duplicateOf.get(e.index)!;
  const orig = results.get(first)!;
  return { chain: e.chain, address: e.address, label: e.label, index: e.index, ownership: orig.ownership, duplicateOf: first, counted: false, balances: [] };
}

/** Which addresses count: proven ones (all read ones with includeUnproven), never one with a node fault. */
function markCounted(addresses: AddressResult[], includeUnproven: boolean): void {
  for (const a of addresses) {
    if (a.duplicateOf !== undefined) continue;
    // Unread (a balance, or for a node fault its ownership): never silently dropped — computeTotals
    // lists it in the totals it would be part of (all its assets when ownership is unknown).
    if (a.ownership.nodeError || a.balances.some((b) => b.balance === undefined)) a.unread = true;
    a.counted = !a.ownership.nodeError && (a.ownership.status === 'proven' || includeUnproven);
    if (a.counted && a.ownership.status !== 'proven') a.unprovenCounted = true;
  }
}

/**
 * Balances only, at the latest block (or `blocks`), no ownership checks: for `por watch`. A live
 * read is far from the snapshot by design, so no block-skew warning.
 */
export function readCurrentBalances(opts: Omit<ReadReservesOptions, 'ownership' | 'includeUnproven' | 'warnSkew'>): Promise<ReservesResult> {
  return readReserves({ ...opts, ownership: false, includeUnproven: true, warnSkew: false });
}

function newResult(e: WalletEntry, assets: string[], registry: AssetRegistry, chain: string): AddressResult {
  const balances: AddressBalance[] = assets.map((sym) => {
    const onchain = registry.assets[registry.index.get(sym) ?? -1]?.onchain.find((o) => o.chain === chain);
    if (!onchain) throw porError('BAD_INPUT', `asset ${sym} has no on-chain representation on chain ${chain} in the asset registry`, { chain, address: e.address });
    const b: AddressBalance = { asset: sym, decimals: onchain.decimals };
    if (onchain.contract !== undefined) b.contract = onchain.contract;
    return b;
  });
  return { chain: e.chain, address: e.address, label: e.label, index: e.index, ownership: { status: 'unchecked', reason: 'not checked' }, counted: false, balances };
}

type Pin = { block: bigint | undefined; confirmations: number };

async function readEvmChain(spec: ChainSpec, opts: ReadReservesOptions, reporter: Reporter, pin: Pin, entries: WalletEntry[], rows: AddressResult[], out: ChainResult): Promise<void> {
  const client = new RpcClient(opts.rpc[spec.name]!, { timeoutMs: opts.timeoutMs, retries: opts.retries, backoffMs: opts.backoffMs, batchSize: opts.batchSize, reporter, chain: spec.name, signal: opts.signal });
  const block = await pinEvmBlock(client, spec.name, spec.chainId!, pin);
  out.block = block;

  // Token decimals first: a registry that disagrees with the contract would mis-state every balance.
  const tokens = new Map<string, { contract: string; decimals: number; asset: string }>();
  for (const r of rows) for (const b of r.balances) if (b.contract !== undefined) tokens.set(b.contract.toLowerCase(), { contract: b.contract, decimals: b.decimals, asset: b.asset });
  const badTokens = await checkTokenDecimals(client, block, [...tokens.values()]);
  for (const why of badTokens.values()) reporter.warn(`chain ${spec.name}, block ${block.number}: ${why}`);

  const reqs: EvmBalanceRequest[] = [];
  const slots: AddressBalance[] = [];
  for (const r of rows) {
    for (const b of r.balances) {
      const bad = b.contract === undefined ? undefined : badTokens.get(b.contract);
      if (bad !== undefined) {
        b.error = bad;
        continue;
      }
      reqs.push(b.contract === undefined ? { address: r.address } : { address: r.address, contract: b.contract });
      slots.push(b);
    }
  }
  const stage = `reserves ${spec.name}@${block.number}`;
  // Progress only for jobs long enough to need it (more than one batch).
  const onProgress = reqs.length > (opts.batchSize ?? 1000) ? (done: number) => reporter.progress(stage, done, reqs.length, 'reads') : undefined;
  const outcomes = await readEvmBalances(client, block, reqs, onProgress);
  outcomes.forEach((o, i) => {
    if (o.ok) slots[i]!.balance = o.balance;
    else slots[i]!.error = o.error;
  });

  if (opts.ownership !== false) {
    const idx: number[] = [];
    const items: { address: string; message: string; signature: string }[] = [];
    rows.forEach((r, i) => {
      const o = entries[i]!.ownership;
      const pre = precheck(entries[i]!, opts.wallets, spec);
      if (pre) r.ownership = pre;
      else {
        idx.push(i);
        items.push({ address: r.address, message: o!.message, signature: o!.signature });
      }
    });
    const checks = await checkEvmOwnership(client, block, items);
    checks.forEach((c, k) => (rows[idx[k]!]!.ownership = toOwnership(c)));
  } else rows.forEach((r) => (r.ownership = { status: 'unchecked', reason: 'ownership not checked (balances only)' }));

  await confirmEvmBlock(client, spec.name, block);
  const errors = slots.filter((s) => s.error !== undefined).length;
  reporter.done(stage, `${reqs.length - errors} balances read${errors ? `, ${errors} failed` : ''}`);
}

async function readBitcoinChain(spec: ChainSpec, opts: ReadReservesOptions, reporter: Reporter, pin: Pin, entries: WalletEntry[], rows: AddressResult[], out: ChainResult): Promise<void> {
  const client = new EsploraClient(opts.rpc[spec.name]!, { timeoutMs: opts.timeoutMs, retries: opts.retries, backoffMs: opts.backoffMs, reporter, chain: spec.name, signal: opts.signal });
  const network: BitcoinNetwork = spec.network ?? 'mainnet';
  const block = await pinBitcoinBlock(client, spec.name, network, { ...pin, genesis: spec.genesis });
  out.block = block;
  const stage = `reserves ${spec.name}@${block.number}`;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++]!;
      let balance: bigint | undefined;
      let error: string | undefined;
      try {
        balance = await bitcoinBalanceAt(client, spec.name, r.address, block.number);
      } catch (err) {
        if (!isPorError(err)) throw err;
        error = err.message;
      }
      for (const b of r.balances) {
        if (b.contract !== undefined) b.error = 'tokens on bitcoin are not supported';
        else if (error !== undefined) b.error = error;
        else b.balance = balance!;
      }
      ++done;
      if (rows.length > 20) reporter.progress(stage, done, rows.length, 'addresses');
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, rows.length) }, worker));

  if (opts.ownership !== false) {
    for (let i = 0; i < rows.length; i++) {
      const e = entries[i]!;
      const pre = precheck(e, opts.wallets, spec);
      if (pre) rows[i]!.ownership = pre;
      else if (!opts.verifyBitcoin) rows[i]!.ownership = { status: 'unchecked', reason: 'no Bitcoin message verifier available in this build' };
      else {
        try {
          rows[i]!.ownership = toOwnership(await opts.verifyBitcoin(e.address, e.ownership!.message, e.ownership!.signature, network));
        } catch (err) {
          rows[i]!.ownership = { status: 'failed', reason: `signature could not be checked: ${(err as Error).message}` };
        }
      }
    }
  } else rows.forEach((r) => (r.ownership = { status: 'unchecked', reason: 'ownership not checked (balances only)' }));

  await confirmBitcoinBlock(client, spec.name, block);
  reporter.done(stage, `${rows.length} addresses read`);
}

/** Reserves and liabilities must be taken at the same time: say so when a block is far off. */
const BLOCK_SKEW_WARN_SECONDS = 6 * 3600;
function warnIfFarFromSnapshot(c: ChainResult, snapshotTime: string, reporter: Reporter): void {
  if (!c.block) return;
  const skew = c.block.timestamp - Date.parse(snapshotTime) / 1000;
  if (Math.abs(skew) > BLOCK_SKEW_WARN_SECONDS) {
    const hours = (Math.abs(skew) / 3600).toFixed(1);
    reporter.warn(`chain ${c.name}: block ${c.block.number} is dated ${new Date(c.block.timestamp * 1000).toISOString()}, ${hours} h ${skew > 0 ? 'after' : 'before'} the snapshot time ${snapshotTime}`);
  }
}

/** Checks that need no node: a proof exists and its message is exactly this report's for the address. */
function precheck(e: WalletEntry, m: Pick<WalletManifest, 'exchange' | 'snapshot'>, chain: ChainSpec): OwnershipResult | undefined {
  if (!e.ownership) return { status: 'failed', reason: 'no ownership proof in the manifest' };
  const wrong = ownershipMessageProblem(e.ownership.message, { exchange: m.exchange, snapshot: m.snapshot, chain: chain.id, address: e.address });
  if (wrong) return { status: 'failed', reason: wrong };
  return undefined;
}

function toOwnership(c: OwnershipCheck): OwnershipResult {
  if (c.nodeError) return { status: 'unchecked', nodeError: true, scheme: c.scheme, reason: `not checked (node error): ${c.reason}` };
  if (c.acceptsAnything) return { status: 'accepts-anything', scheme: c.scheme, reason: c.reason };
  return { status: c.ok ? 'proven' : 'failed', scheme: c.scheme, reason: c.reason };
}

/**
 * Per-asset totals in ledger units. Each address's on-chain balance is truncated to ledger
 * precision first (never claiming a fraction the ledger cannot hold), exactly as toReserveRows does.
 * An unread balance is in no sum: it is listed in its asset's `unread`, whatever the address's
 * ownership (every address's error is looked at), and that total is incomplete. An address whose
 * ownership a node fault left unchecked is unread in every one of its assets.
 */
function computeTotals(addresses: AddressResult[], registry: AssetRegistry): AssetTotal[] {
  const totals = new Map<string, AssetTotal>();
  for (const a of addresses) {
    if (a.duplicateOf !== undefined) continue;
    for (const b of a.balances) {
      const asset = registry.assets[registry.index.get(b.asset)!]!;
      let t = totals.get(b.asset);
      if (!t) {
        t = { asset: b.asset, decimals: asset.decimals, balance: 0n, unprovenIncluded: 0n, unprovenExcluded: 0n, addresses: 0, complete: true, unread: [] };
        totals.set(b.asset, t);
      }
      if (b.balance === undefined || a.ownership.nodeError) {
        t.unread.push({ chain: a.chain, address: a.address, error: b.balance === undefined ? (b.error ?? 'not read') : a.ownership.reason });
        t.complete = false;
        continue;
      }
      const units = rescale(b.balance, b.decimals, asset.decimals);
      if (a.counted) {
        t.balance += units;
        t.addresses++;
        if (a.unprovenCounted) t.unprovenIncluded += units;
      } else t.unprovenExcluded += units;
    }
  }
  // Registry order, so reports list assets the same way every time.
  return [...totals.values()].sort((x, y) => registry.index.get(x.asset)! - registry.index.get(y.asset)!);
}

/** One reserve row per counted (chain, address, asset), ledger units: what src/solvency consumes. */
export type { ReserveRow } from '../solvency/index.js';

/**
 * The counted balances as solvency rows. Refuses (PorError NETWORK) when any counted balance could
 * not be read or a chain could not be read: a missing balance must never become a zero.
 */
export function toReserveRows(result: ReservesResult, registry: AssetRegistry): ReserveRow[] {
  const rows: ReserveRow[] = [];
  for (const c of result.chains) {
    if (c.error !== undefined && result.addresses.some((a) => a.chain === c.name)) {
      throw porError('NETWORK', `could not read reserves on chain ${c.name}: ${c.error}`, { chain: c.name });
    }
  }
  // Every address, counted or not: one whose ownership a node fault left unchecked might count.
  for (const a of result.addresses) {
    if (a.duplicateOf !== undefined) continue;
    const where = { chain: a.chain, address: a.address, block: result.chains.find((c) => c.name === a.chain)?.block?.number };
    const unread = a.balances.find((b) => b.balance === undefined);
    if (unread) throw porError('NETWORK', `could not read the balance of ${unread.asset}: ${unread.error ?? 'unknown error'}`, where);
    if (a.ownership.nodeError) throw porError('NETWORK', `could not check ownership: ${a.ownership.reason}`, where);
  }
  for (const a of result.addresses) {
    if (!a.counted) continue;
    for (const b of a.balances) {
      if (b.balance === undefined) throw porError('NETWORK', `could not read the balance of ${b.asset}: ${b.error ?? 'unknown error'}`, { chain: a.chain, address: a.address, block: result.chains.find((c) => c.name === a.chain)?.block?.number });
      const ledger = registry.assets[registry.index.get(b.asset)!]!.decimals;
      rows.push({ chain: a.chain, address: a.address, asset: b.asset, balance: rescale(b.balance, b.decimals, ledger) });
    }
  }
  return rows;
}

/** Ownership of one address, for callers outside readReserves (e.g. `por audit` re-checking a report). */
export async function checkOwnership(args: {
  chain: ChainSpec;
  address: string;
  message: string;
  signature: string;
  exchange: string;
  snapshot: { id: string; time: string };
  /** EVM: node URL and block, needed for contract wallets (EIP-1271). */
  rpc?: string;
  block?: BlockRef;
  verifyBitcoin?: BitcoinVerifier;
  timeoutMs?: number;
  retries?: number;
}): Promise<OwnershipResult> {
  const pre = precheck({ chain: args.chain.name, address: args.address, label: '', assets: [], index: 0, ownership: { message: args.message, signature: args.signature } }, args, args.chain);
  if (pre) return pre;
  if (args.chain.kind === 'bitcoin') {
    if (!args.verifyBitcoin) return { status: 'unchecked', reason: 'no Bitcoin message verifier available in this build' };
    return toOwnership(await args.verifyBitcoin(args.address, args.message, args.signature, args.chain.network));
  }
  const direct = verifyEip191(args.address, args.message, args.signature);
  if (direct.ok || args.rpc === undefined || args.block === undefined) return toOwnership(direct);
  const client = new RpcClient(args.rpc, { timeoutMs: args.timeoutMs, retries: args.retries, chain: args.chain.name });
  const [c] = await checkEvmOwnership(client, args.block, [{ address: args.address, message: args.message, signature: args.signature }]);
  return toOwnership(c!);
}

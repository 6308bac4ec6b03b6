// reserves.json: `por-reserves` v2 (v1 still read), what `por reserves --out` writes and `por solvency
// --reserves` reads back (docs/FORMATS.md). Read through the located reader (file, field path,
// line:column). Anything the document could not read or check is refused here, counted or not
// (exit 2): a missing balance never becomes a zero. Pure.
import { porError, type PorError } from '../errors/index.js';
import type { AssetRegistry } from '../assets/index.js';
import { JsonAt, inOrder, type Where } from '../json/read.js';
import { RESERVES_FORMAT, RESERVES_VERSION, type reservesDocument } from '../reserves/document.js';

/** What reservesDocument makes of a reserves result. */
export type ReservesDocument = ReturnType<typeof reservesDocument>;

export const FORMAT = RESERVES_FORMAT;
export const VERSION = RESERVES_VERSION;
export const FIELDS = ['format', 'version', 'snapshot', 'generatedAt', 'includeUnproven', 'chains', 'addresses', 'totals'] as const;

/** One counted balance as the document states it: base units at the chain's `decimals`. */
export interface CountedBalance {
  chain: string;
  address: string;
  asset: string;
  units: bigint;
  decimals: number;
}

export function write(d: ReservesDocument): Record<string, unknown> {
  return inOrder(FIELDS, d);
}

type Chains = Array<{ name?: unknown; error?: unknown }>;

/**
 * The counted balances, in document order; with a registry, every asset must be in it. v1 and v2
 * mean the same per address (v2 marks unread addresses and drops incomplete totals).
 */
export function read(json: unknown, where: string | Where = {}, registry?: AssetRegistry): CountedBalance[] {
  const doc = JsonAt.root(json, where);
  const d = (json ?? {}) as { format?: unknown; version?: unknown; chains?: unknown; addresses?: unknown; totals?: unknown };
  if (d.format !== FORMAT) doc.get('format').fail('expected a reserve balances CSV or a por-reserves document (reserves.json from `por reserves --out`)');
  if (d.version !== 1 && d.version !== 2) doc.get('version').fail(`unsupported version ${String(d.version)}; this por reads versions 1 and 2`);
  if (!Array.isArray(d.addresses)) doc.get('addresses').fail('"addresses" must be an array');
  const chains: Chains = Array.isArray(d.chains) ? (d.chains as Chains) : [];
  refuseUnread(doc, d.addresses as unknown[], chains, d.totals);
  const out: CountedBalance[] = [];
  for (const at of doc.get('addresses').array()) out.push(...countedBalances(at, chains, registry));
  return out;
}

function countedBalances(at: JsonAt, chains: Chains, registry?: AssetRegistry): CountedBalance[] {
  const a = at.value as { chain?: unknown; address?: unknown; counted?: unknown; balances?: unknown };
  if (typeof a !== 'object' || a === null) at.fail('must be an object');
  if (a.counted !== true) return [];
  if (typeof a.chain !== 'string' || typeof a.address !== 'string') at.fail('needs "chain" and "address" strings');
  const chain = a.chain as string;
  const address = a.address as string;
  const chainError = chains.find((c) => c.name === chain)?.error;
  if (chainError !== undefined) throw porError('NETWORK', `chain ${chain} could not be read when this document was made: ${String(chainError)}`, { ...(at.file !== undefined ? { file: at.file } : {}), chain });
  if (!Array.isArray(a.balances)) at.get('balances').fail('"balances" must be an array');
  return at.get('balances').array().map((bAt) => {
    const b = bAt.value as { asset?: unknown; decimals?: unknown; balance?: unknown; error?: unknown };
    if (registry !== undefined && (typeof b.asset !== 'string' || registry.index.get(b.asset) === undefined)) {
      bAt.get('asset').fail(`unknown asset ${JSON.stringify(b.asset)}; the asset registry lists ${[...registry.index.keys()].join(', ')}`, 'UNKNOWN_ASSET');
    }
    if (typeof b.balance !== 'string') {
      throw withPlace(bAt.error(`the balance of ${String(b.asset)} was not read (${b.error === undefined ? 'no balance' : String(b.error)}); a missing balance is never counted as zero`, 'NETWORK'), chain, address);
    }
    if (!/^\d+$/.test(b.balance)) bAt.get('balance').fail('balance must be a string of base-unit digits');
    if (typeof b.decimals !== 'number' || !Number.isInteger(b.decimals)) bAt.get('decimals').fail('decimals must be an integer');
    return { chain, address, asset: String(b.asset), units: BigInt(b.balance), decimals: b.decimals as number };
  });
}

/** Adds the chain and address to a located error (the CLI prints them). */
function withPlace(err: Error, chain: string, address: string): Error {
  const info = (err as PorError).info;
  info.chain = chain;
  info.address = address;
  return err;
}

/**
 * Anything the document could not read or check stops here, counted or not (exit 2): an address
 * left uncounted because its chain or its ownership check failed may hold reserves, so the total
 * without it is not a figure. v1 documents marked such addresses only by errors; both are caught.
 */
function refuseUnread(doc: JsonAt, addresses: unknown[], chains: Chains, totals: unknown): void {
  addresses.forEach((raw, i) => {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as { chain?: unknown; address?: unknown; duplicateOf?: unknown; unread?: unknown; ownership?: { nodeError?: unknown; reason?: unknown }; balances?: unknown };
    if (a.duplicateOf !== undefined) return;
    const at = doc.get('addresses').get(i);
    const fail = (message: string): never => {
      throw withPlace(at.error(message, 'NETWORK'), String(a.chain), String(a.address));
    };
    const chainError = chains.find((c) => c.name === a.chain)?.error;
    if (chainError !== undefined) fail(`could not read: chain ${String(a.chain)} was not read when this document was made (${String(chainError)}); its balances are never counted as zero`);
    const unread = Array.isArray(a.balances) ? (a.balances as Array<{ asset?: unknown; balance?: unknown; error?: unknown }>).find((b) => typeof b?.balance !== 'string') : undefined;
    if (unread) fail(`could not read: the balance of ${String(unread.asset)} was not read (${unread.error === undefined ? 'no balance' : String(unread.error)}); a missing balance is never counted as zero`);
    if (a.unread === true || a.ownership?.nodeError === true) fail(`could not read: ownership was not checked (${String(a.ownership?.reason ?? 'node error')}); this address may hold reserves`);
  });
  if (!Array.isArray(totals)) return;
  totals.forEach((t: { asset?: unknown; complete?: unknown }, i) => {
    if (t?.complete === false) doc.get('totals').get(i).fail(`could not read: the total of ${String(t.asset)} is incomplete in this document`, 'NETWORK');
  });
}

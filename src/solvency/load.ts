// Node-side file readers for the solvency inputs; the parsing itself is pure (./index.ts).
import { readFault, readJsonFile } from '../io/node.js';
import { readFile } from 'node:fs/promises';
import { porError } from '../core/errors/index.js';
import { parseJson } from '../core/json/parse.js';
import { rescale } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { parsePrices, parseReserveBalances, type Prices, type ReserveRow } from './index.js';
import { parseHaircutsDocument, type HaircutTable } from '../core/solvency/haircuts.js';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
}

/**
 * Reads reserve balances: a CSV (`chain,address,asset,balance`, see parseReserveBalances), or the
 * reserves.json that `por reserves --out` writes (format por-reserves), whose counted addresses
 * become rows. A balance that document could not read stops here: it never becomes a zero.
 */
export async function readReserveBalances(file: string, registry: AssetRegistry): Promise<ReserveRow[]> {
  const text = await readText(file);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trimStart().startsWith('{')) return reserveRowsFromDocument(body, registry, file);
  return parseReserveBalances(text, registry, file);
}

function reserveRowsFromDocument(text: string, registry: AssetRegistry, file: string): ReserveRow[] {
  const doc = parseJson(text, { file });
  const bad = (message: string, field?: string): never => {
    throw porError('BAD_INPUT', message, field === undefined ? { file } : { file, field });
  };
  const d = doc as { format?: unknown; version?: unknown; chains?: unknown; addresses?: unknown };
  if (d.format !== 'por-reserves') bad('expected a reserve balances CSV or a por-reserves document (reserves.json from `por reserves --out`)', 'format');
  // v1 and v2 mean the same per address; v2 marks unread addresses and drops incomplete totals.
  if (d.version !== 1 && d.version !== 2) bad(`unsupported version ${String(d.version)}; this por reads versions 1 and 2`, 'version');
  if (!Array.isArray(d.addresses)) bad('"addresses" must be an array', 'addresses');
  const chains = Array.isArray(d.chains) ? (d.chains as Array<{ name?: unknown; error?: unknown }>) : [];
  refuseUnread(d.addresses as unknown[], chains, (d as { totals?: unknown }).totals, file);
  const rows: ReserveRow[] = [];
  (d.addresses as unknown[]).forEach((raw, i) => {
    const at = `addresses[${i}]`;
    const a = raw as { chain?: unknown; address?: unknown; counted?: unknown; balances?: unknown };
    if (typeof a !== 'object' || a === null) bad('must be an object', at);
    if (a.counted !== true) return;
    if (typeof a.chain !== 'string' || typeof a.address !== 'string') bad('needs "chain" and "address" strings', at);
    const chain = a.chain as string;
    const address = a.address as string;
    const chainError = chains.find((c) => c.name === chain)?.error;
    if (chainError !== undefined) throw porError('NETWORK', `chain ${chain} could not be read when this document was made: ${String(chainError)}`, { file, chain });
    if (!Array.isArray(a.balances)) bad('"balances" must be an array', `${at}.balances`);
    (a.balances as unknown[]).forEach((rb, j) => {
      const bf = `${at}.balances[${j}]`;
      const b = rb as { asset?: unknown; decimals?: unknown; balance?: unknown; error?: unknown };
      const idx = typeof b.asset === 'string' ? registry.index.get(b.asset) : undefined;
      if (idx === undefined) throw porError('UNKNOWN_ASSET', `unknown asset ${JSON.stringify(b.asset)}; the asset registry lists ${[...registry.index.keys()].join(', ')}`, { file, field: `${bf}.asset` });
      if (typeof b.balance !== 'string') {
        throw porError('NETWORK', `the balance of ${String(b.asset)} was not read (${b.error === undefined ? 'no balance' : String(b.error)}); a missing balance is never counted as zero`, { file, chain, address, field: bf });
      }
      if (!/^\d+$/.test(b.balance)) bad('balance must be a string of base-unit digits', `${bf}.balance`);
      if (typeof b.decimals !== 'number' || !Number.isInteger(b.decimals)) bad('decimals must be an integer', `${bf}.decimals`);
      const ledger = registry.assets[idx]!.decimals;
      rows.push({ chain, address, asset: b.asset as string, balance: rescale(BigInt(b.balance as string), b.decimals as number, ledger) });
    });
  });
  return rows;
}

/**
 * Anything the document could not read or check stops here, counted or not (exit 2): an address
 * left uncounted because its chain or its ownership check failed may hold reserves, so the total
 * without it is not a figure. v1 documents marked such addresses only by errors; both are caught.
 */
function refuseUnread(addresses: unknown[], chains: Array<{ name?: unknown; error?: unknown }>, totals: unknown, file: string): void {
  addresses.forEach((raw, i) => {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as { chain?: unknown; address?: unknown; duplicateOf?: unknown; unread?: unknown; ownership?: { nodeError?: unknown; reason?: unknown }; balances?: unknown };
    if (a.duplicateOf !== undefined) return;
    const where = { file, chain: String(a.chain), address: String(a.address), field: `addresses[${i}]` };
    const chainError = chains.find((c) => c.name === a.chain)?.error;
    if (chainError !== undefined) throw porError('NETWORK', `could not read: chain ${String(a.chain)} was not read when this document was made (${String(chainError)}); its balances are never counted as zero`, where);
    const unread = Array.isArray(a.balances) ? (a.balances as Array<{ asset?: unknown; balance?: unknown; error?: unknown }>).find((b) => typeof b?.balance !== 'string') : undefined;
    if (unread) throw porError('NETWORK', `could not read: the balance of ${String(unread.asset)} was not read (${unread.error === undefined ? 'no balance' : String(unread.error)}); a missing balance is never counted as zero`, where);
    if (a.unread === true || a.ownership?.nodeError === true) throw porError('NETWORK', `could not read: ownership was not checked (${String(a.ownership?.reason ?? 'node error')}); this address may hold reserves`, where);
  });
  if (!Array.isArray(totals)) return;
  totals.forEach((t: { asset?: unknown; complete?: unknown }, i) => {
    if (t?.complete === false) throw porError('NETWORK', `could not read: the total of ${String(t.asset)} is incomplete in this document`, { file, field: `totals[${i}]` });
  });
}

/** Reads a prices CSV (`asset,usd_price[,time]`); see parsePrices. */
export async function readPrices(file: string, registry: AssetRegistry): Promise<Prices> {
  return parsePrices(await readText(file), registry, file);
}

/** Reads a haircut table (format por-haircuts v1); see src/core/solvency/haircuts.ts. */
export async function readHaircuts(file: string, registry: AssetRegistry): Promise<HaircutTable> {
  return parseHaircutsDocument(await readJsonFile(file), registry.assets.map((a) => a.symbol), file);
}

// Node-side file readers for the solvency inputs; the parsing itself is pure (./index.ts).
import { readFault, readJsonFile } from '../io/node.js';
import { readFile } from 'node:fs/promises';
import { porError } from '../core/errors/index.js';
import { parseJson } from '../core/json/parse.js';
import { rescale } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { parsePrices, parseReserveBalances, type Prices, type ReserveRow } from './index.js';
import { read as readReservesDocument } from '../core/documents/reserves.js';
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

/** The counted balances of a por-reserves document (src/core/documents/reserves.ts), at ledger precision. */
function reserveRowsFromDocument(text: string, registry: AssetRegistry, file: string): ReserveRow[] {
  return readReservesDocument(parseJson(text, { file }), file, registry).map((b) => ({
    chain: b.chain,
    address: b.address,
    asset: b.asset,
    balance: rescale(b.units, b.decimals, registry.assets[registry.index.get(b.asset)!]!.decimals),
  }));
}

/** Reads a prices CSV (`asset,usd_price[,time]`); see parsePrices. */
export async function readPrices(file: string, registry: AssetRegistry): Promise<Prices> {
  return parsePrices(await readText(file), registry, file);
}

/** Reads a haircut table (format por-haircuts v1); see src/core/solvency/haircuts.ts. */
export async function readHaircuts(file: string, registry: AssetRegistry): Promise<HaircutTable> {
  return parseHaircutsDocument(await readJsonFile(file), registry.assets.map((a) => a.symbol), file);
}

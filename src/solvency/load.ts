// Node-side file readers for the solvency inputs; the parsing itself is pure (./index.ts).
import { readFile } from 'node:fs/promises';
import { porError } from '../errors/index.js';
import type { AssetRegistry } from '../assets/index.js';
import { parsePrices, parseReserveBalances, type Prices, type ReserveRow } from './index.js';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, err);
  }
}

/** Reads a reserve balances CSV (`chain,address,asset,balance`); see parseReserveBalances. */
export async function readReserveBalances(file: string, registry: AssetRegistry): Promise<ReserveRow[]> {
  return parseReserveBalances(await readText(file), registry, file);
}

/** Reads a prices CSV (`asset,usd_price[,time]`); see parsePrices. */
export async function readPrices(file: string, registry: AssetRegistry): Promise<Prices> {
  return parsePrices(await readText(file), registry, file);
}

// The haircut table (format por-haircuts v1): how much of a user's holding in each asset counts as
// collateral for their debt. Tiered by the USD value of one user's holding in that asset, as
// Binance's redesign against the dummy-user attack does: the first `upToUsd` dollars count at the
// first ratio, the next band at the next, and so on; ratios never rise from one tier to the next (a
// big position is harder to sell than a small one). An asset the table does not list counts for
// nothing as collateral, so the exchange's own token and thin tokens are worth nothing unless the
// table says otherwise — and report.json publishes the table, so everyone sees that it did.
// Pure: callers hand in parsed JSON.
import { FORMAT, VERSION, read, type HaircutTable } from '../documents/haircuts.js';

export type { AssetHaircut, HaircutTable, HaircutTier } from '../documents/haircuts.js';
export { compareDecimal, fractionDigits, scaled } from './decimal.js';

export const HAIRCUTS_FORMAT = FORMAT;
export const HAIRCUTS_VERSION = VERSION;

/** Reads a por-haircuts document (the input file; the por-haircuts module). `symbols`: the asset registry's. */
export function parseHaircutsDocument(json: unknown, symbols: readonly string[], file = 'haircuts.json'): HaircutTable {
  return read(json, file, symbols);
}


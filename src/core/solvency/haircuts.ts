// The haircut table (format por-haircuts v1): how much of a user's holding in each asset counts as
// collateral for their debt. Tiered by the USD value of one user's holding in that asset, as
// Binance's redesign against the dummy-user attack does: the first `upToUsd` dollars count at the
// first ratio, the next band at the next, and so on; ratios never rise from one tier to the next (a
// big position is harder to sell than a small one). An asset the table does not list counts for
// nothing as collateral, so the exchange's own token and thin tokens are worth nothing unless the
// table says otherwise — and report.json publishes the table, so everyone sees that it did.
// Pure: callers hand in parsed JSON.
import { porError } from '../errors/index.js';
import { isObject } from '../json/index.js';

export const HAIRCUTS_FORMAT = 'por-haircuts';
export const HAIRCUTS_VERSION = 1;

export interface HaircutTier {
  /** Upper end of this band, USD value of the user's holding in the asset (decimal text); null = no end. */
  upToUsd: string | null;
  /** Share of the band's value that counts as collateral, decimal text in [0, 1]. */
  ratio: string;
}

export interface AssetHaircut {
  asset: string;
  tiers: HaircutTier[];
}

export type HaircutTable = AssetHaircut[];

const DEC = /^\d+(\.\d+)?$/;

/** Reads a por-haircuts document (the input file). `symbols`: the asset registry's. */
export function parseHaircutsDocument(json: unknown, symbols: readonly string[], file = 'haircuts.json'): HaircutTable {
  const fail = (field: string, message: string): never => {
    throw porError('BAD_INPUT', message, { file, field });
  };
  if (!isObject(json)) return fail('(document)', 'a haircut table must be a JSON object');
  if (json.format !== HAIRCUTS_FORMAT) fail('format', `must be "${HAIRCUTS_FORMAT}"; ${typeof json.format === 'string' ? `this file is "${json.format}"` : 'this file has no "format"'}`);
  if (json.version !== HAIRCUTS_VERSION) fail('version', `unsupported version ${String(json.version)}; this por reads version ${HAIRCUTS_VERSION}`);
  for (const k of Object.keys(json)) if (!['format', 'version', 'assets'].includes(k)) fail(k, `unknown field "${k}"; a haircut table has format, version and assets`);
  return parseHaircutTable(json.assets, symbols, file, 'assets');
}

/** Reads the table itself: an array of { asset, tiers } (also how report.json embeds it). */
export function parseHaircutTable(list: unknown, symbols: readonly string[], file: string, at: string): HaircutTable {
  const fail = (field: string, message: string): never => {
    throw porError('BAD_INPUT', message, { file, field });
  };
  if (!Array.isArray(list)) return fail(at, 'must be an array of { "asset", "tiers" }');
  const seen = new Set<string>();
  return list.map((raw: unknown, i: number) => {
    const f = `${at}[${i}]`;
    if (!isObject(raw)) return fail(f, 'must be an object');
    for (const k of Object.keys(raw)) if (k !== 'asset' && k !== 'tiers') fail(`${f}.${k}`, `unknown field "${k}"; an entry has asset and tiers`);
    const asset = raw.asset;
    if (typeof asset !== 'string' || !symbols.includes(asset)) return fail(`${f}.asset`, `unknown asset ${JSON.stringify(asset)}; the assets are ${symbols.join(', ')}`);
    if (seen.has(asset)) fail(`${f}.asset`, `asset ${asset} is listed twice`);
    seen.add(asset);
    return { asset, tiers: parseTiers(raw.tiers, `${f}.tiers`, fail) };
  });
}

function parseTiers(raw: unknown, at: string, fail: (field: string, message: string) => never): HaircutTier[] {
  if (!Array.isArray(raw) || raw.length === 0) return fail(at, 'must be a non-empty array of { "upToUsd", "ratio" }');
  let prevCap: string | null = null;
  let prevRatio: string | null = null;
  return raw.map((t: unknown, j: number) => {
    const f = `${at}[${j}]`;
    if (!isObject(t)) return fail(f, 'must be an object');
    for (const k of Object.keys(t)) if (k !== 'upToUsd' && k !== 'ratio') fail(`${f}.${k}`, `unknown field "${k}"; a tier has upToUsd and ratio`);
    const last = j === raw.length - 1;
    const ratio = t.ratio;
    if (typeof ratio !== 'string' || !DEC.test(ratio) || compareDecimal(ratio, '1') > 0) return fail(`${f}.ratio`, 'must be decimal text from 0 to 1, e.g. "0.95"');
    if (prevRatio !== null && compareDecimal(ratio, prevRatio) > 0) fail(`${f}.ratio`, `${ratio} is above the previous tier's ${prevRatio}: ratios never rise with the size of a holding`);
    prevRatio = ratio;
    if (last) {
      if (t.upToUsd !== null) fail(`${f}.upToUsd`, 'the last tier has no end: give null');
      return { upToUsd: null, ratio };
    }
    const cap = t.upToUsd;
    if (typeof cap !== 'string' || !DEC.test(cap)) return fail(`${f}.upToUsd`, 'must be decimal text (USD), e.g. "1000000"; only the last tier has null');
    if (compareDecimal(cap, '0') <= 0 || (prevCap !== null && compareDecimal(cap, prevCap) <= 0)) fail(`${f}.upToUsd`, 'tier ends must be above zero and rise from one tier to the next');
    prevCap = cap;
    return { upToUsd: cap, ratio };
  });
}

/** Decimal text as an integer at `scale` fractional digits (scale ≥ the text's own). */
export function scaled(text: string, scale: number): bigint {
  const [int, frac = ''] = text.split('.');
  return BigInt(int! + frac.padEnd(scale, '0'));
}

/** Fractional digits of decimal text. */
export function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

export function compareDecimal(a: string, b: string): number {
  const s = Math.max(fractionDigits(a), fractionDigits(b));
  const x = scaled(a, s);
  const y = scaled(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

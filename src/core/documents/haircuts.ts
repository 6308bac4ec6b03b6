// haircuts.json: `por-haircuts` v1, the haircut table (src/core/solvency/haircuts.ts says what it
// means); report.json embeds the table itself as `netting.haircuts`. Read through the located
// reader: every refusal names the file, the field path and its line:column. Pure.
import { JsonAt, inOrder, type Where } from '../json/read.js';
import { compareDecimal } from '../solvency/decimal.js';

export const FORMAT = 'por-haircuts';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'assets'] as const;

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

export function write(table: HaircutTable): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, assets: table });
}

/** Reads a por-haircuts document (the input file). `symbols`: the asset registry's (without: any asset). */
export function read(json: unknown, where: string | Where = {}, symbols?: readonly string[]): HaircutTable {
  const doc = JsonAt.root(json, where);
  const o = doc.value as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return doc.fail('a haircut table must be a JSON object');
  if (o.format !== FORMAT) doc.get('format').fail(`must be "${FORMAT}"; ${typeof o.format === 'string' ? `this file is "${o.format}"` : 'this file has no "format"'}`);
  if (o.version !== VERSION) doc.get('version').fail(`unsupported version ${String(o.version)}; this por reads version ${VERSION}`);
  for (const k of Object.keys(o)) if (!(FIELDS as readonly string[]).includes(k)) doc.get(k).fail(`unknown field "${k}"; a haircut table has format, version and assets`);
  return readHaircutTable(doc.get('assets'), symbols);
}

/** Reads the table itself: an array of { asset, tiers } (also how report.json embeds it). */
export function readHaircutTable(list: JsonAt, symbols?: readonly string[]): HaircutTable {
  if (!Array.isArray(list.value)) return list.fail('must be an array of { "asset", "tiers" }');
  const seen = new Set<string>();
  return list.array().map((entry) => {
    const raw = entry.value as Record<string, unknown>;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return entry.fail('must be an object');
    for (const k of Object.keys(raw)) if (k !== 'asset' && k !== 'tiers') entry.get(k).fail(`unknown field "${k}"; an entry has asset and tiers`);
    const asset = raw.asset;
    if (typeof asset !== 'string' || (symbols !== undefined && !symbols.includes(asset))) {
      return entry.get('asset').fail(symbols === undefined ? 'must be an asset symbol' : `unknown asset ${JSON.stringify(asset)}; the assets are ${symbols.join(', ')}`);
    }
    if (seen.has(asset)) entry.get('asset').fail(`asset ${asset} is listed twice`);
    seen.add(asset);
    return { asset, tiers: readTiers(entry.get('tiers')) };
  });
}

function readTiers(at: JsonAt): HaircutTier[] {
  if (!Array.isArray(at.value) || at.value.length === 0) return at.fail('must be a non-empty array of { "upToUsd", "ratio" }');
  const n = at.value.length;
  let prevCap: string | null = null;
  let prevRatio: string | null = null;
  return at.array().map((tier, j) => {
    const t = tier.value as Record<string, unknown>;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) return tier.fail('must be an object');
    for (const k of Object.keys(t)) if (k !== 'upToUsd' && k !== 'ratio') tier.get(k).fail(`unknown field "${k}"; a tier has upToUsd and ratio`);
    const ratio = t.ratio;
    if (typeof ratio !== 'string' || !DEC.test(ratio) || compareDecimal(ratio, '1') > 0) return tier.get('ratio').fail('must be decimal text from 0 to 1, e.g. "0.95"');
    if (prevRatio !== null && compareDecimal(ratio, prevRatio) > 0) tier.get('ratio').fail(`${ratio} is above the previous tier's ${prevRatio}: ratios never rise with the size of a holding`);
    prevRatio = ratio;
    if (j === n - 1) {
      if (t.upToUsd !== null) tier.get('upToUsd').fail('the last tier has no end: give null');
      return { upToUsd: null, ratio };
    }
    const cap = t.upToUsd;
    if (typeof cap !== 'string' || !DEC.test(cap)) return tier.get('upToUsd').fail('must be decimal text (USD), e.g. "1000000"; only the last tier has null');
    if (compareDecimal(cap, '0') <= 0 || (prevCap !== null && compareDecimal(cap, prevCap) <= 0)) tier.get('upToUsd').fail('tier ends must be above zero and rise from one tier to the next');
    prevCap = cap;
    return { upToUsd: cap, ratio };
  });
}

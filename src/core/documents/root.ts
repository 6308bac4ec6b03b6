// The published Merkle root: root.json, `por-root` v1; report.json embeds the same fields (without
// format and version) as `merkleRoot`. Read strictly (docs/SPEC.md, "Published documents"): exact
// hash function, lower-case hex, every field of its type and nothing else; each sum's text must be
// its base units at the asset's decimals. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { MAX_HEIGHT, MAX_ID_BYTES, MIN_HEIGHT } from '../merkle/core.js';
import { ROOT_FORMAT, ROOT_VERSION, type MerkleRoot, type RootDocument } from '../merkle/types.js';
import { formatAmount } from '../money/index.js';

export const FORMAT = ROOT_FORMAT;
export const VERSION = ROOT_VERSION;
export type { RootDocument };
export const ROOT_FIELDS = ['snapshotId', 'height', 'leafCount', 'hashFunction', 'hash', 'assets', 'sums'] as const;
export const FIELDS = ['format', 'version', ...ROOT_FIELDS] as const;
export const ASSET_FIELDS = ['symbol', 'decimals'] as const;
export const SUM_FIELDS = ['asset', 'equity', 'debt', 'equityUnits', 'debtUnits'] as const;

/** A root as read, with its sums as base units. */
export interface ReadRoot {
  hashFunction: 'sha256';
  hash: string;
  snapshotId: string;
  height: number;
  leafCount: number;
  assets: { symbol: string; decimals: number }[];
  equity: bigint[];
  debt: bigint[];
  sums: MerkleRoot['sums'];
}

export function writeMerkleRoot(r: MerkleRoot): Record<string, unknown> {
  return inOrder(ROOT_FIELDS, { ...r, assets: r.assets.map((a) => inOrder(ASSET_FIELDS, a)), sums: r.sums.map((s) => inOrder(SUM_FIELDS, s)) });
}

export function write(r: MerkleRoot): Record<string, unknown> {
  return { format: FORMAT, version: VERSION, ...writeMerkleRoot(r) };
}

/** root.json. Errors say "published root: …" and name the field. */
export function read(json: unknown, where: string | Where = {}): ReadRoot {
  const doc = JsonAt.root(json, where).about('published root');
  doc.exact(FIELDS);
  readHeader(doc, FORMAT, [VERSION], {}, '');
  return readMerkleRoot(doc, true);
}

/** The root's fields at `at` (root.json itself, or a report's `merkleRoot`). */
export function readMerkleRoot(at: JsonAt, withHeader = false): ReadRoot {
  const m = at.about('published root');
  if (!withHeader) m.exact(ROOT_FIELDS);
  if (m.get('hashFunction').value !== 'sha256') m.get('hashFunction').fail(`hash function ${JSON.stringify(m.get('hashFunction').value)} is not one this por reads (it reads "sha256")`);
  const hash = m.get('hash').string(/^[0-9a-f]{64}$/, '64 lower-case hex digits, without 0x');
  const sid = m.get('snapshotId');
  const snapshotId = sid.string(undefined, `text of 1 to ${MAX_ID_BYTES} bytes`);
  if (snapshotId === '' || new TextEncoder().encode(snapshotId).length > MAX_ID_BYTES) sid.fail(`must be text of 1 to ${MAX_ID_BYTES} bytes`);
  const height = m.get('height').int(MIN_HEIGHT, MAX_HEIGHT);
  const lc = m.get('leafCount');
  if (typeof lc.value !== 'number' || !Number.isSafeInteger(lc.value) || lc.value < 0 || lc.value > 2 ** height) lc.fail('must be an integer from 0 to 2^height');
  const assets = readAssets(m.get('assets'));
  const { equity, debt, sums } = readSums(m.get('sums'), assets);
  return { hashFunction: 'sha256', hash, snapshotId, height, leafCount: lc.value as number, assets, equity, debt, sums };
}

function readAssets(at: JsonAt): ReadRoot['assets'] {
  const seen = new Set<string>();
  return at.array({ min: 1, max: 0xffff }).map((a) => {
    a.exact(ASSET_FIELDS);
    const symbol = a.get('symbol').string(/./, 'text');
    if (seen.has(symbol)) a.get('symbol').fail(`${symbol} is listed twice`);
    seen.add(symbol);
    return { symbol, decimals: a.get('decimals').int(0, 36) };
  });
}

function readSums(at: JsonAt, assets: ReadRoot['assets']): Pick<ReadRoot, 'equity' | 'debt' | 'sums'> {
  const equity: bigint[] = [];
  const debt: bigint[] = [];
  const sums = at.array({ length: assets.length, what: `sums, one per asset` }).map((s, i) => {
    const a = assets[i]!;
    s.exact(SUM_FIELDS);
    if (s.get('asset').value !== a.symbol) s.get('asset').fail(`must be ${a.symbol}, the asset at this place in "assets"`);
    const texts: string[] = [];
    for (const [units, text, out] of [['equityUnits', 'equity', equity], ['debtUnits', 'debt', debt]] as const) {
      const u = s.get(units).intText();
      const value = BigInt(u);
      if (s.get(text).value !== formatAmount(value, a.decimals)) s.get(text).fail(`${JSON.stringify(s.get(text).value)} does not equal ${units} ${u} at ${a.decimals} decimals`);
      texts.push(s.get(text).value as string);
      out.push(value);
    }
    return { asset: a.symbol, equity: texts[0]!, debt: texts[1]!, equityUnits: equity[i]!.toString(), debtUnits: debt[i]!.toString() };
  });
  return { equity, debt, sums };
}

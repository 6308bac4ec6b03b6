// What a user checks their proof against, read before it is trusted (docs/SPEC.md, "Published
// documents"). Pure: no Node builtins, so `por verify` and verify.html run this very module.
//
// A published root (root.json, or a report's `merkleRoot`) is read strictly: exact format, version
// and hash function, lower-case hex, every field of its type and nothing else. Anything else is bad
// input (exit 2): por does not guess what a document it does not know means. A report is then
// checked against its own root: the solvency table's owed and debt per asset must be the root's
// sums, with one snapshot id and one decimals per asset. A report that contradicts itself is not
// bad input but a failed check (INVALID, exit 1): the exchange published it, and it is wrong.
import { porError } from '../errors/index.js';
import { isObject } from '../json/index.js';
import { MAX_HEIGHT, MAX_ID_BYTES, MIN_HEIGHT } from '../merkle/core.js';
import { ROOT_FORMAT, ROOT_VERSION } from '../merkle/types.js';
import { formatAmount } from '../money/index.js';
import { REPORT_FORMAT, REPORT_VERSION } from '../report/types.js';
import type { Check } from './types.js';

/** What the user compares against: a published report / root document, or a bare root hash. */
export interface Published {
  /** Parsed JSON of a por report (with `merkleRoot`) or a por root document (`format: "por-root"`). */
  report?: unknown;
  /** Hex root hash, when that is all the user has. */
  rootHash?: string;
}

export interface Asset {
  symbol: string;
  decimals: number;
}

/** The published root as read; `consistency` is set when it came inside a report. */
export interface PublishedRoot {
  hash: string;
  snapshotId?: string;
  height?: number;
  leafCount?: number;
  assets?: Asset[];
  equity?: bigint[];
  debt?: bigint[];
  /** The report's internal consistency (check "report-consistent"), when a report was given. */
  consistency?: Check;
}

const UNITS = /^(0|[1-9][0-9]*)$/;
const HEX32 = /^[0-9a-fA-F]{64}$/;
const HEX32_LC = /^[0-9a-f]{64}$/;
const ROOT_KEYS = ['snapshotId', 'height', 'leafCount', 'hashFunction', 'hash', 'assets', 'sums'];
const SUM_KEYS = ['asset', 'equity', 'debt', 'equityUnits', 'debtUnits'];

type Fail = (field: string, why: string) => never;

export function parsePublished(published: Published): PublishedRoot {
  if (published.report !== undefined) {
    const out = readPublishedDocument(published.report);
    if (published.rootHash !== undefined && published.rootHash.trim().replace(/^0x/i, '').toLowerCase() !== out.hash) {
      throw porError('BAD_USAGE', 'both a report and a root hash were given, and they disagree; give one');
    }
    return out;
  }
  if (published.rootHash !== undefined) {
    // Typed by the user, not published by the exchange: 0x and either case are accepted.
    const h = published.rootHash.trim().replace(/^0x/i, '');
    if (!HEX32.test(h)) throw porError('BAD_INPUT', `root hash must be 64 hex digits, got "${published.rootHash}"`, { field: 'root' });
    return { hash: h.toLowerCase() };
  }
  throw porError('BAD_USAGE', 'give the published report (or root.json) or the published root hash to compare against');
}

/** A root.json, or a report (its `merkleRoot` read strictly, then the report checked against it). */
function readPublishedDocument(doc: unknown): PublishedRoot {
  if (!isObject(doc)) throw porError('BAD_INPUT', 'the published document is not a JSON object', { field: '(document)' });
  if (doc.format === ROOT_FORMAT) return readRoot(doc, '');
  if (doc.format === REPORT_FORMAT) {
    const v = doc.version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > REPORT_VERSION) {
      throw porError('BAD_INPUT', `${REPORT_FORMAT} version ${JSON.stringify(v)} is not one this por reads (versions 1 to ${REPORT_VERSION})`, { field: 'version' });
    }
    if (!isObject(doc.merkleRoot)) throw porError('BAD_INPUT', 'the report has no "merkleRoot" object', { field: 'merkleRoot' });
    const root = readRoot(doc.merkleRoot, 'merkleRoot.');
    return { ...root, consistency: reportConsistency(doc, root) };
  }
  const got = typeof doc.format === 'string' ? `"${doc.format}"` : 'no "format"';
  throw porError('BAD_INPUT', `expected a published root ("format": "${ROOT_FORMAT}") or report ("format": "${REPORT_FORMAT}"); this document has ${got}`, { field: 'format' });
}

/**
 * A published root, strictly (docs/FORMATS.md, "Merkle root"). `at` is "" for root.json, whose
 * `format` and `version` are part of it, and "merkleRoot." inside a report, where they are not.
 */
export function readRoot(m: Record<string, unknown>, at: string): PublishedRoot & Required<Pick<PublishedRoot, 'snapshotId' | 'height' | 'leafCount' | 'assets' | 'equity' | 'debt'>> {
  const fail: Fail = (field, why) => {
    throw porError('BAD_INPUT', `published root: ${why}`, { field: `${at}${field}` });
  };
  exactKeys(m, at === '' ? ['format', 'version', ...ROOT_KEYS] : ROOT_KEYS, fail, '');
  if (at === '' && m.version !== ROOT_VERSION) fail('version', `${ROOT_FORMAT} version ${JSON.stringify(m.version)} is not one this por reads (it reads version ${ROOT_VERSION})`);
  if (m.hashFunction !== 'sha256') fail('hashFunction', `hash function ${JSON.stringify(m.hashFunction)} is not one this por reads (it reads "sha256")`);
  if (typeof m.hash !== 'string' || !HEX32_LC.test(m.hash)) fail('hash', 'must be 64 lower-case hex digits, without 0x');
  const snapshotId = m.snapshotId;
  if (typeof snapshotId !== 'string' || snapshotId === '' || new TextEncoder().encode(snapshotId).length > MAX_ID_BYTES) fail('snapshotId', `must be text of 1 to ${MAX_ID_BYTES} bytes`);
  const height = m.height;
  if (typeof height !== 'number' || !Number.isInteger(height) || height < MIN_HEIGHT || height > MAX_HEIGHT) fail('height', `must be an integer from ${MIN_HEIGHT} to ${MAX_HEIGHT}`);
  const leafCount = m.leafCount;
  if (typeof leafCount !== 'number' || !Number.isSafeInteger(leafCount) || leafCount < 0 || leafCount > 2 ** (height as number)) fail('leafCount', `must be an integer from 0 to 2^height`);
  const assets = readRootAssets(m.assets, fail);
  const { equity, debt } = readRootSums(m.sums, assets, fail);
  return { hash: m.hash as string, snapshotId: snapshotId as string, height: height as number, leafCount: leafCount as number, assets, equity, debt };
}

function exactKeys(o: Record<string, unknown>, keys: string[], fail: Fail, at: string): void {
  for (const k of keys) if (!(k in o)) fail(`${at}${k}`, `"${k}" is missing`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${at}${k}`, `unknown field "${k}" (a published root has exactly ${keys.join(', ')})`);
}

function readRootAssets(v: unknown, fail: Fail): Asset[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 0xffff) return fail('assets', 'must be a non-empty array');
  const seen = new Set<string>();
  return v.map((a: unknown, i): Asset => {
    if (!isObject(a)) return fail(`assets[${i}]`, 'must be an object');
    exactKeys(a, ['symbol', 'decimals'], fail, `assets[${i}].`);
    if (typeof a.symbol !== 'string' || a.symbol === '') return fail(`assets[${i}].symbol`, 'must be text');
    if (seen.has(a.symbol)) return fail(`assets[${i}].symbol`, `${a.symbol} is listed twice`);
    seen.add(a.symbol);
    if (typeof a.decimals !== 'number' || !Number.isInteger(a.decimals) || a.decimals < 0 || a.decimals > 36) return fail(`assets[${i}].decimals`, 'must be an integer from 0 to 36');
    return { symbol: a.symbol, decimals: a.decimals };
  });
}

function readRootSums(v: unknown, assets: Asset[], fail: Fail): { equity: bigint[]; debt: bigint[] } {
  if (!Array.isArray(v) || v.length !== assets.length) return fail('sums', `must list the sums of the ${assets.length} assets`);
  const equity: bigint[] = [];
  const debt: bigint[] = [];
  v.forEach((s: unknown, i) => {
    const a = assets[i]!;
    if (!isObject(s)) return fail(`sums[${i}]`, 'must be an object');
    exactKeys(s, SUM_KEYS, fail, `sums[${i}].`);
    if (s.asset !== a.symbol) fail(`sums[${i}].asset`, `must be ${a.symbol}, the asset at this place in "assets"`);
    for (const [units, text, out] of [['equityUnits', 'equity', equity], ['debtUnits', 'debt', debt]] as const) {
      const u = s[units];
      if (typeof u !== 'string' || !UNITS.test(u)) return fail(`sums[${i}].${units}`, 'must be a non-negative integer string');
      const value = BigInt(u);
      if (s[text] !== formatAmount(value, a.decimals)) fail(`sums[${i}].${text}`, `${JSON.stringify(s[text])} does not equal ${units} ${u} at ${a.decimals} decimals`);
      out.push(value);
    }
  });
  return { equity, debt };
}

/** The report's solvency table, snapshot and asset list, against its own root (docs/SPEC.md). */
export function reportConsistency(report: Record<string, unknown>, root: ReturnType<typeof readRoot>): Check {
  const r = readReportSide(report);
  const problems: string[] = [];
  if (r.snapshotId !== root.snapshotId) problems.push(`the report is for snapshot "${r.snapshotId}", its Merkle root for "${root.snapshotId}"`);
  const rootDecimals = new Map(root.assets.map((a) => [a.symbol, a.decimals]));
  // Assets whose figures cannot be compared: listed twice, missing somewhere, or with two decimals.
  const broken = new Set<string>();
  const listed = tally(r.assets, problems, broken, 'the report\'s asset list');
  const rows = tally(r.rows, problems, broken, 'the solvency table');
  for (const symbol of new Set([...rootDecimals.keys(), ...listed.keys(), ...rows.keys()])) {
    const d = rootDecimals.get(symbol);
    const why =
      d === undefined ? `${symbol} is in the report but not in its Merkle root`
      : !listed.has(symbol) ? `${symbol} is in the Merkle root but not in the report's asset list`
      : !rows.has(symbol) ? `${symbol} is in the Merkle root but has no row in the solvency table`
      : listed.get(symbol)!.decimals !== d || rows.get(symbol)!.decimals !== d
        ? `${symbol} has ${d} decimals in the Merkle root, ${listed.get(symbol)!.decimals} in the asset list and ${rows.get(symbol)!.decimals} in the solvency table`
        : undefined;
    if (why !== undefined) {
      problems.push(why);
      broken.add(symbol);
    }
  }
  root.assets.forEach((a, i) => {
    const row = rows.get(a.symbol);
    if (!row || broken.has(a.symbol)) return;
    const owed = formatAmount(root.equity[i]!, a.decimals);
    const debt = formatAmount(root.debt[i]!, a.decimals);
    if (row.owedUnits !== root.equity[i]!.toString() || row.owed !== owed) problems.push(`the solvency table says ${a.symbol} owed to users is ${row.owed} (${row.owedUnits} units), the Merkle root's sum is ${owed}`);
    if (row.debtUnits !== root.debt[i]!.toString() || row.debt !== debt) problems.push(`the solvency table says ${a.symbol} owed by users is ${row.debt} (${row.debtUnits} units), the Merkle root's sum is ${debt}`);
  });
  const ok = problems.length === 0;
  return {
    name: 'report-consistent',
    ok,
    detail: ok
      ? `the report's snapshot id, asset decimals and solvency table (owed and debt per asset) agree with its Merkle root`
      : `report inconsistent: ${problems.join('; ')}`,
  };
}

interface Row {
  symbol: string;
  decimals: number;
  owed: string;
  owedUnits: string;
  debt: string;
  debtUnits: string;
}

/** By symbol; a symbol given twice is a problem (two decimals, two figures for one asset). */
function tally<T extends { symbol: string }>(list: T[], problems: string[], broken: Set<string>, where: string): Map<string, T> {
  const out = new Map<string, T>();
  for (const x of list) {
    if (!out.has(x.symbol)) out.set(x.symbol, x);
    else if (!broken.has(x.symbol)) {
      problems.push(`${x.symbol} appears twice in ${where}`);
      broken.add(x.symbol);
    }
  }
  return out;
}

/**
 * The fields of a report the consistency check reads, each of its type (else bad input, exit 2).
 * Solvency rows may carry more fields than these: later report versions add some.
 */
function readReportSide(r: Record<string, unknown>): { snapshotId: string; assets: Asset[]; rows: Row[] } {
  const fail: Fail = (field, why) => {
    throw porError('BAD_INPUT', `report: ${why}`, { field });
  };
  const text = (v: unknown, field: string, re?: RegExp): string => (typeof v === 'string' && (!re || re.test(v)) ? v : fail(field, re ? 'must be a number as text' : 'must be text'));
  const decimals = (v: unknown, field: string): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 36 ? v : fail(field, 'must be an integer from 0 to 36'));
  const list = (v: unknown, field: string): Record<string, unknown>[] =>
    Array.isArray(v) ? v.map((x: unknown, i) => (isObject(x) ? x : fail(`${field}[${i}]`, 'must be an object'))) : fail(field, 'must be an array');
  const snapshot = isObject(r.snapshot) ? r.snapshot : fail('snapshot', 'must be an object');
  const snapshotId = text(snapshot.id, 'snapshot.id');
  const assets = list(r.assets, 'assets').map((a, i) => ({ symbol: text(a.symbol, `assets[${i}].symbol`), decimals: decimals(a.decimals, `assets[${i}].decimals`) }));
  const DEC = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
  const rows = list(r.solvency, 'solvency').map((s, i): Row => ({
    symbol: text(s.asset, `solvency[${i}].asset`),
    decimals: decimals(s.decimals, `solvency[${i}].decimals`),
    owed: text(s.grossLiabilities, `solvency[${i}].grossLiabilities`, DEC),
    owedUnits: text(s.grossLiabilitiesUnits, `solvency[${i}].grossLiabilitiesUnits`, UNITS),
    debt: text(s.userDebt, `solvency[${i}].userDebt`, DEC),
    debtUnits: text(s.userDebtUnits, `solvency[${i}].userDebtUnits`, UNITS),
  }));
  return { snapshotId, assets, rows };
}

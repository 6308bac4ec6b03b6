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
import { ROOT_FORMAT } from '../merkle/types.js';
import { JsonAt } from '../json/read.js';
import { read as readRootDocument, readMerkleRoot, type ReadRoot } from '../documents/root.js';
import { readSide, type ReportSide } from '../documents/report.js';
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

const HEX32 = /^[0-9a-fA-F]{64}$/;

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
function readPublishedDocument(json: unknown): PublishedRoot {
  const doc = JsonAt.root(json);
  if (!isObject(json)) return doc.fail('the published document is not a JSON object');
  if (json.format === ROOT_FORMAT) return readRootDocument(json);
  if (json.format === REPORT_FORMAT) {
    const v = json.version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > REPORT_VERSION) {
      doc.get('version').fail(`${REPORT_FORMAT} version ${JSON.stringify(v)} is not one this por reads (versions 1 to ${REPORT_VERSION})`);
    }
    if (!isObject(json.merkleRoot)) doc.get('merkleRoot').fail('the report has no "merkleRoot" object');
    const root = readMerkleRoot(doc.get('merkleRoot'));
    return { ...root, consistency: reportConsistency(json, root) };
  }
  const got = typeof json.format === 'string' ? `"${json.format}"` : 'no "format"';
  return doc.get('format').fail(`expected a published root ("format": "${ROOT_FORMAT}") or report ("format": "${REPORT_FORMAT}"); this document has ${got}`);
}

/** The report's solvency table, snapshot and asset list, against its own root (docs/SPEC.md). */
export function reportConsistency(report: Record<string, unknown>, root: ReadRoot): Check {
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

type Row = ReportSide['rows'][number];

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

/** The fields of a report the consistency check reads (the por-report module's `readSide`). */
function readReportSide(r: Record<string, unknown>): ReportSide {
  return readSide(r);
}

// `por history --json`: `por-history` v1, several published reports lined up by snapshot time, per
// asset, with the change between consecutive reports and a three-part verdict (docs/FORMATS.md).
// The figures are the reports' own claims. Pure.
import { DECIMAL_TEXT, JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-history';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'reports', 'assets', 'verdict'] as const;

export interface HistoryPoint {
  snapshotId: string;
  time: string;
  file: string;
  reserves: string;
  /** What reserves must cover (see report.json's solvency rows). */
  liabilities: string;
  ratio: string | null;
  /** Change since the previous report holding this asset (absent on the first). */
  change?: {
    reserves: string;
    liabilities: string;
    /** Ratio change in percentage points, full precision; null when either ratio is undefined. */
    ratioPoints: string | null;
  };
}

export interface AssetHistory {
  asset: string;
  decimals: number;
  points: HistoryPoint[];
}

/**
 * The headline, in three honest parts. Every figure is the report's own claim: history does not
 * re-read chains (that is `por audit`), so even "holds" means "the reports say so".
 */
export interface HistoryVerdict {
  /** fails when any asset's coverage was below 100 % in any report; else holds. */
  status: 'holds' | 'fails';
  /** Per asset that went below 100 %: its lowest point (file, snapshot, ratio) and how many reports were under. */
  fails: { asset: string; file: string; snapshotId: string; ratio: string; under: number; of: number }[];
  /** Assets at or above 100 % in every report that lists them. */
  holds: string[];
  /** What the series cannot say: assets with nothing owed, assets missing from some reports. */
  notChecked: { asset: string; why: string }[];
}

export interface History {
  format: typeof FORMAT;
  version: typeof VERSION;
  reports: { file: string; snapshotId: string; time: string }[];
  assets: AssetHistory[];
  verdict: HistoryVerdict;
}

export function write(h: History): Record<string, unknown> {
  return inOrder(FIELDS, { ...h, format: FORMAT, version: VERSION });
}

/** Signed decimal text, as `change` writes it ("+1.5", "-0.25", "0"). */
const SIGNED_DECIMAL = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

function readPoint(p: JsonAt): HistoryPoint {
  p.exact(['snapshotId', 'time', 'file', 'reserves', 'liabilities', 'ratio'], ['change']);
  const point: HistoryPoint = {
    snapshotId: p.get('snapshotId').string(), time: p.get('time').time(), file: p.get('file').string(),
    reserves: p.get('reserves').decimalText(), liabilities: p.get('liabilities').decimalText(),
    ratio: p.get('ratio').nullable((r) => r.string(DECIMAL_TEXT, 'decimal text')),
  };
  const c = p.opt('change');
  if (c !== undefined) {
    c.exact(['reserves', 'liabilities', 'ratioPoints']);
    const signed = (a: JsonAt) => a.string(SIGNED_DECIMAL, 'signed decimal text');
    point.change = { reserves: signed(c.get('reserves')), liabilities: signed(c.get('liabilities')), ratioPoints: c.get('ratioPoints').nullable(signed) };
  }
  return point;
}

function readVerdict(v: JsonAt): HistoryVerdict {
  v.exact(['status', 'fails', 'holds', 'notChecked']);
  return {
    status: v.get('status').oneOf(['holds', 'fails']),
    fails: v.get('fails').array().map((f) => {
      f.exact(['asset', 'file', 'snapshotId', 'ratio', 'under', 'of']);
      return { asset: f.get('asset').string(), file: f.get('file').string(), snapshotId: f.get('snapshotId').string(), ratio: f.get('ratio').string(DECIMAL_TEXT, 'decimal text'), under: f.get('under').int(), of: f.get('of').int() };
    }),
    holds: v.get('holds').array().map((s) => s.string()),
    notChecked: v.get('notChecked').array().map((n) => {
      n.exact(['asset', 'why']);
      return { asset: n.get('asset').string(), why: n.get('why').string() };
    }),
  };
}

export function read(json: unknown, where: string | Where = {}): History {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const reports = doc.get('reports').array().map((r) => {
    r.exact(['file', 'snapshotId', 'time']);
    return { file: r.get('file').string(), snapshotId: r.get('snapshotId').string(), time: r.get('time').time() };
  });
  const assets = doc.get('assets').array().map((a) => {
    a.exact(['asset', 'decimals', 'points']);
    return { asset: a.get('asset').string(), decimals: a.get('decimals').int(0, 255), points: a.get('points').array().map(readPoint) };
  });
  return { format: FORMAT, version: VERSION, reports, assets, verdict: readVerdict(doc.get('verdict')) };
}

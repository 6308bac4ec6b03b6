// report.json: `por-report` v2 (src/core/report/types.ts says what each field means). Read through the
// located reader, so every refusal names the file, the field path and its line:column. The reader
// accepts exactly what the report's own checks need and no less: integer and decimal text in the
// forms por has always accepted (the patterns below), optional `id`, `detection`, `exchange`, `notes`.
// Written as canonical JSON (keys sorted: src/report/assemble.ts canonicalJson), so FIELDS orders
// the document as docs/FORMATS.md shows it, not as the bytes are. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { CHAIN_IDENTITY } from '../reserves/identity.js';
import { REPORT_FORMAT, REPORT_VERSION, type Report } from '../report/types.js';
import { readHaircutTable } from './haircuts.js';

export const FORMAT = REPORT_FORMAT;
export const VERSION = REPORT_VERSION;
export const FIELDS = [
  'format', 'version', 'tool', 'spec', 'exchange', 'snapshot', 'chains', 'assets', 'merkleRoot',
  'addresses', 'solvency', 'netting', 'ratioPrecision', 'notes', 'detection',
] as const;

/** Integer text as por has always read it in reports (base units; signed where a figure may be negative). */
const INT = /^-?\d+$/;
const UINT = /^\d+$/;
const DEC = /^-?\d+(\.\d+)?$/;
const PRICE = /^\d+(\.\d+)?$/;

const REFUSED: Record<number, string> = {
  1: `report format version 1 is no longer read: its "liabilities" netted every margin user's debt without haircuts, so its coverage figures cannot be compared with version ${REPORT_VERSION}'s (gross coverage beside debt netted only against haircut collateral); rebuild the report with this por`,
};

export function write(r: Report): Record<string, unknown> {
  return inOrder(FIELDS, r);
}

/** Checks every field the report's figures rest on; returns the document itself, typed. */
export function read(json: unknown, where: string | Where = {}): Report {
  const doc = JsonAt.root(json, where);
  doc.object();
  readHeader(doc, FORMAT, [VERSION], REFUSED, ' (is this a por report?)');
  doc.get('snapshot').object();
  doc.get('snapshot').get('id').string();
  doc.get('snapshot').get('time').time();
  doc.get('tool').object();
  doc.get('spec').object();
  doc.get('chains').array().forEach(readChain);
  const symbols = doc.get('assets').array().map(readAsset);
  readRootSums(doc.get('merkleRoot'));
  doc.get('addresses').array().forEach((a) => readAddress(a, new Set(symbols)));
  const rows = doc.get('solvency').array();
  rows.forEach(readSolvencyRow);
  const netting = doc.get('netting');
  if (netting.value !== null) readNetting(netting, symbols);
  // The rows' netting figures rest on the prices and haircuts in `netting`: both there, or neither.
  for (const row of rows) {
    if ((row.get('badDebt').value === null) !== (netting.value === null)) {
      row.get('badDebt').fail(netting.value === null ? 'netting figures without the prices and haircuts they rest on ("netting" is null)' : 'must be given: the report states prices and haircuts in "netting"');
    }
  }
  // Optional (added after v1 first shipped): older reports simply lack it.
  const detection = doc.opt('detection');
  if (detection !== undefined) readDetection(detection);
  return json as Report;
}

function readChain(c: JsonAt): void {
  c.object();
  c.get('chain').string();
  c.get('kind').string();
  // Optional (added with chain identities; older reports derive it from chainId / network).
  const id = c.opt('id');
  if (id !== undefined) id.string(CHAIN_IDENTITY, 'a CAIP-2 chain id (eip155:N or bip122:32 hex digits)');
  const b = c.get('block');
  b.object();
  b.get('number').string(UINT, 'a block number as integer text');
  b.get('hash').string();
  b.get('time').time();
}

/** Its symbol. */
function readAsset(a: JsonAt): string {
  a.object();
  const symbol = a.get('symbol').string();
  a.get('decimals').int();
  a.get('onchain').array();
  return symbol;
}

/** The embedded root as far as the report's figures need it (`por verify` reads it strictly: documents/root.ts). */
function readRootSums(root: JsonAt): void {
  root.object();
  root.get('hash').string();
  root.get('snapshotId').string();
  for (const s of root.get('sums').array()) {
    s.object();
    s.get('asset').string();
    s.get('equityUnits').string(UINT, 'integer text');
    s.get('debtUnits').string(UINT, 'integer text');
  }
}

function readAddress(a: JsonAt, symbols: ReadonlySet<string>): void {
  a.object();
  a.get('chain').string();
  a.get('address').string();
  a.get('counted').bool();
  for (const b of a.get('balances').array()) {
    b.object();
    const sym = b.get('asset').string();
    if (!symbols.has(sym)) b.get('asset').fail(`asset ${sym} is not in the report's asset list`);
    b.get('units').string(UINT, 'integer text');
    b.get('decimals').int();
  }
  const w = a.get('ownership');
  if (w.value !== null) {
    w.object();
    for (const k of ['scheme', 'message', 'signature']) w.get(k).string();
  }
}

const UNIT_FIGURES = ['reservesUnits', 'grossLiabilitiesUnits', 'userDebtUnits', 'netLiabilitiesUnits', 'grossSurplusUnits', 'nettedDebtUnits', 'liabilitiesUnits', 'surplusUnits'];
const DECIMAL_FIGURES = ['reserves', 'grossLiabilities', 'userDebt', 'netLiabilities', 'grossSurplus', 'nettedDebt', 'liabilities', 'surplus'];

function readSolvencyRow(o: JsonAt): void {
  o.object();
  o.get('asset').string();
  for (const k of UNIT_FIGURES) o.get(k).string(INT, 'integer text');
  for (const k of DECIMAL_FIGURES) o.get(k).string(DEC, 'decimal text');
  const bad = o.get('badDebt');
  const uncollateralised = o.get('uncollateralisedDebt');
  // Netting figures come together or not at all: half of them would be read as "not assessed".
  if ((bad.value === null) !== (uncollateralised.value === null)) uncollateralised.fail('badDebt and uncollateralisedDebt are both null (not assessed) or both given');
  if (bad.value !== null) {
    bad.object();
    bad.get('grossUnits').string(UINT, 'integer text');
    bad.get('debtUnits').string(UINT, 'integer text');
    uncollateralised.object();
    uncollateralised.get('debtUnits').string(UINT, 'integer text');
  }
  for (const k of ['covered', 'grossCovered']) o.get(k).bool();
  for (const k of ['ratio', 'grossRatio']) o.get(k).nullable((r) => r.string(DEC, 'decimal text or null'));
}

/** The `netting` section: prices for every asset, a valid haircut table, debtor counts. */
function readNetting(n: JsonAt, symbols: readonly string[]): void {
  n.object();
  const pricesTime = n.get('pricesTime');
  if (pricesTime.value !== null && typeof pricesTime.value !== 'string') pricesTime.fail('must be an ISO 8601 time or null');
  const prices = n.get('prices');
  if (!Array.isArray(prices.value)) prices.fail('must be an array of { "asset", "usd" }');
  const priced = new Set<string>();
  for (const p of prices.array()) {
    const asset = p.get('asset');
    const a = asset.value;
    if (typeof p.value !== 'object' || p.value === null || typeof a !== 'string' || !symbols.includes(a) || priced.has(a)) asset.fail('must name an asset of the report, once');
    p.get('usd').string(PRICE, 'a plain non-negative decimal');
    priced.add(a as string);
  }
  const missing = symbols.filter((s) => !priced.has(s));
  if (missing.length) prices.fail(`no price for ${missing.join(', ')}`);
  readHaircutTable(n.get('haircuts'), symbols);
  for (const k of ['badDebt', 'uncollateralised']) {
    const users = n.get(k).get('users');
    if (typeof users.value !== 'number' || !Number.isSafeInteger(users.value) || users.value < 0) users.fail('must be a non-negative integer');
  }
  n.get('badDebt').get('usd').string(PRICE, 'a plain non-negative decimal');
}

function readDetection(d: JsonAt): void {
  d.object();
  d.get('formula').string();
  for (const x of d.get('rows').array()) {
    x.object();
    x.get('share').string(DEC, 'decimal text');
    x.get('omitted').int();
    x.get('probability').string(DEC, 'decimal text');
  }
  const needed = d.opt('needed');
  if (needed === undefined) return;
  for (const x of needed.array()) {
    x.object();
    x.get('confidence').string(DEC, 'decimal text');
    x.get('omitted').int();
    x.get('share').string(DEC, 'decimal text');
  }
}

/** What `por verify` compares a report's figures with its Merkle root by. */
export interface ReportSide {
  snapshotId: string;
  assets: { symbol: string; decimals: number }[];
  rows: { symbol: string; decimals: number; owed: string; owedUnits: string; debt: string; debtUnits: string }[];
}

const SIDE_UNITS = /^(0|[1-9][0-9]*)$/;
const SIDE_DEC = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * The fields of a report (any version `por verify` reads) its consistency check needs, each of its
 * type (else bad input, exit 2), errors introduced by "report:". Rows may carry more fields.
 */
export function readSide(json: unknown, where: string | Where = {}): ReportSide {
  const doc = JsonAt.root(json, where).about('report');
  const list = (at: JsonAt): JsonAt[] => at.array().filter((x) => x.object() !== undefined);
  const decimals = (at: JsonAt): number => at.int(0, 36);
  const snapshot = doc.get('snapshot');
  snapshot.object();
  const snapshotId = snapshot.get('id').string();
  const assets = list(doc.get('assets')).map((a) => ({ symbol: a.get('symbol').string(), decimals: decimals(a.get('decimals')) }));
  const rows = list(doc.get('solvency')).map((s) => ({
    symbol: s.get('asset').string(),
    decimals: decimals(s.get('decimals')),
    owed: s.get('grossLiabilities').string(SIDE_DEC, 'a number as text'),
    owedUnits: s.get('grossLiabilitiesUnits').string(SIDE_UNITS, 'a number as text'),
    debt: s.get('userDebt').string(SIDE_DEC, 'a number as text'),
    debtUnits: s.get('userDebtUnits').string(SIDE_UNITS, 'a number as text'),
  }));
  return { snapshotId, assets, rows };
}

// OKX reserve files (CSV), read by header, not by position: the original 2022 7-column layout
// (amounts in base units, no network or height), the 11-column layout, the same with a `Type`
// column after `coin`, and the 2025 signature layout (digitalAsset, network, …). An optional
// summary block (coin, snapshot height, amount) comes first, separated by a blank line. A header
// por does not know is refused (naming it), never skipped. Pure: takes the text, returns rows with
// their line numbers; bad input is a PorError naming the line and column.
import { porError } from '../errors/index.js';
import { parseDec, type Dec } from './okx-decimal.js';
import { okxBaseUnitDecimals } from './okx-coins.js';
import { formatAmount } from '../money/index.js';

export type OkxField = 'coin' | 'type' | 'network' | 'height' | 'address' | 'amount' | 'message' | 'sig1' | 'sig2' | 'script' | 'eoa1' | 'eoa2';

/** Header text (lower-case, spaces and underscores removed) → field. */
const HEADERS: Record<string, OkxField> = {
  coin: 'coin',
  digitalasset: 'coin',
  type: 'type',
  network: 'network',
  snapshotheight: 'height',
  height: 'height',
  address: 'address',
  amount: 'amount',
  balance: 'amount',
  message: 'message',
  signature1: 'sig1',
  signature: 'sig1',
  signedmessage: 'sig1',
  signature2: 'sig2',
  signedmessage2: 'sig2',
  'redeemscript/publickey': 'script',
  redeemscript: 'script',
  publickey: 'script',
  eoa1: 'eoa1',
  owner1: 'eoa1',
  eoa2: 'eoa2',
  owner2: 'eoa2',
};

export type OkxLayout = 'okx-2022-original' | 'okx-2022' | 'okx-2022-typed' | 'okx-2025' | 'okx-other';

export interface OkxSummaryLine {
  line: number;
  /** As written, e.g. "ETH", "USDT-TRC20", "ETH(ALL)". */
  coin: string;
  height?: bigint;
  amount: Dec;
  amountText: string;
}

export interface OkxReserveRow {
  line: number;
  coin: string;
  type?: string;
  network: string;
  height?: bigint;
  address: string;
  amount?: Dec;
  /** The amount in whole coins, as written (or, for the original layout, converted from base units). */
  amountText?: string;
  /** The original layout only: the integer as written, in the coin's base units. */
  baseUnits?: string;
  message: string;
  sig1: string;
  sig2: string;
  script: string;
  eoa1: string;
  eoa2: string;
}

export interface OkxReserveFile {
  /** Which known layout the header matched (for the report). */
  layout: OkxLayout;
  columns: OkxField[];
  summary: OkxSummaryLine[];
  rows: OkxReserveRow[];
}

interface Cell {
  text: string;
  column: number;
}

/** Splits one CSV line (RFC 4180 quoting within the line), keeping each cell's 1-based column. */
function splitLine(line: string, lineNo: number, file?: string): Cell[] {
  const cells: Cell[] = [];
  let i = 0;
  for (;;) {
    const column = i + 1;
    let text = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw porError('BAD_INPUT', 'a quoted field is not closed on its line', { file, line: lineNo, column });
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw porError('BAD_INPUT', 'text after a closing quote', { file, line: lineNo, column: i + 1 });
    } else {
      const end = line.indexOf(',', i);
      text = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    cells.push({ text, column });
    if (i >= line.length) break;
    i++; // the comma
    if (i === line.length) {
      cells.push({ text: '', column: i + 1 });
      break;
    }
  }
  return cells;
}

const norm = (h: string) => h.trim().toLowerCase().replace(/[\s_]+/g, '');
const clean = (v: string | undefined) => {
  const t = (v ?? '').trim();
  return t.toLowerCase() === 'null' ? '' : t;
};

type Where = { file?: string; line: number; column: number };

function amountAt(text: string, where: Where): Dec {
  const t = text.trim();
  if (t === '') throw porError('BAD_INPUT', 'amount is empty', { ...where, field: 'amount' });
  try {
    const d = parseDec(t);
    if (d.units < 0n) throw porError('BAD_AMOUNT', `negative amount "${t}"`);
    return d;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw porError('BAD_INPUT', msg, { ...where, field: 'amount' }, err);
  }
}

/** The original layout's amount: an integer in the coin's base units, as whole coins. */
function baseUnitAmountAt(text: string, coin: string, where: Where): Dec {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw porError('BAD_INPUT', `amount "${t}" is not an integer; this layout writes amounts in base units`, { ...where, field: 'amount' });
  const scale = okxBaseUnitDecimals(coin);
  if (scale === undefined) throw porError('BAD_INPUT', `coin "${coin}": por does not know its base unit, so its amount "${t}" cannot be read`, { ...where, field: 'coin' });
  return { units: BigInt(t), scale };
}

function heightAt(text: string, where: Where): bigint | undefined {
  const t = text.trim();
  if (t === '' || t === '-') return undefined;
  if (!/^\d+$/.test(t)) throw porError('BAD_INPUT', `snapshot height "${t}" is not a block number`, { ...where, field: 'snapshot height' });
  return BigInt(t);
}

type Block = { start: number; lines: string[] };

/** Blocks of consecutive non-blank lines, each with its first line's number. */
function splitBlocks(text: string, file?: string): Block[] {
  const blocks: Block[] = [];
  let cur: Block | undefined;
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') {
      cur = undefined;
      return;
    }
    if (!cur) {
      cur = { start: i + 1, lines: [] };
      blocks.push(cur);
    }
    cur.lines.push(l);
  });
  if (blocks.length === 0) throw porError('BAD_INPUT', 'the file is empty', { file });
  return blocks;
}

function summaryLine(l: string, line: number, header: string[], file?: string): OkxSummaryLine {
  const cells = splitLine(l, line, file);
  if (cells.length > header.length) throw porError('BAD_INPUT', `${cells.length} fields; the summary header has ${header.length}`, { file, line, column: (cells[header.length] as Cell).column });
  const coinCell = cells[header.indexOf('coin')];
  const amountCell = cells[header.indexOf('amount')];
  if (!coinCell || clean(coinCell.text) === '') throw porError('BAD_INPUT', 'coin is empty', { file, line, column: 1, field: 'coin' });
  if (!amountCell) throw porError('BAD_INPUT', 'amount is missing', { file, line, column: l.length + 1, field: 'amount' });
  const entry: OkxSummaryLine = { line, coin: clean(coinCell.text), amount: amountAt(amountCell.text, { file, line, column: amountCell.column }), amountText: amountCell.text.trim() };
  const hi = header.indexOf('snapshotheight');
  const hc = hi >= 0 ? cells[hi] : undefined;
  const h = hc ? heightAt(hc.text, { file, line, column: hc.column }) : undefined;
  if (h !== undefined) entry.height = h;
  return entry;
}

const SUMMARY_HEADERS = new Set(['coin', 'snapshotheight', 'amount']);

function readSummary(b: Block, header: Cell[], file?: string): OkxSummaryLine[] {
  const names = header.map((c) => norm(c.text));
  const unknown = header.find((c) => !SUMMARY_HEADERS.has(norm(c.text)));
  if (unknown) throw porError('BAD_INPUT', `unknown summary column "${unknown.text.trim()}" (por reads coin, snapshot height, amount)`, { file, line: b.start, column: unknown.column });
  return b.lines.slice(1).map((l, k) => summaryLine(l, b.start + 1 + k, names, file));
}

/** Sorts the blocks into the summary lines and the one address table. */
function sortBlocks(blocks: Block[], file?: string): { summary: OkxSummaryLine[]; table: Block } {
  const summary: OkxSummaryLine[] = [];
  let table: Block | undefined;
  for (const b of blocks) {
    const header = splitLine(b.lines[0] as string, b.start, file);
    const names = header.map((c) => norm(c.text));
    if (names.includes('address')) {
      if (table) throw porError('BAD_INPUT', 'a second address table; por reads one per file', { file, line: b.start, column: 1 });
      table = b;
    } else if (names.includes('coin') && names.includes('amount')) {
      summary.push(...readSummary(b, header, file));
    } else {
      throw porError('BAD_INPUT', 'a block that is neither a summary (coin, snapshot height, amount) nor an address table (…, address, …)', { file, line: b.start, column: 1 });
    }
  }
  if (!table) throw porError('BAD_INPUT', 'no address table: no header line names an "address" column', { file });
  return { summary, table };
}

interface Header {
  cells: Cell[];
  columns: OkxField[];
  seen: Set<OkxField>;
  layout: OkxLayout;
}

/** Maps each header cell to its field; an unknown or repeated one is refused, naming it. */
function readHeader(table: Block, file?: string): Header {
  const cells = splitLine(table.lines[0] as string, table.start, file);
  const seen = new Set<OkxField>();
  const columns = cells.map((c) => {
    const f = HEADERS[norm(c.text)];
    if (f === undefined) throw porError('BAD_INPUT', `unknown column "${c.text.trim()}": por does not know what OKX means by it, so it does not read this file`, { file, line: table.start, column: c.column, field: c.text.trim() });
    if (seen.has(f)) throw porError('BAD_INPUT', `two columns mean "${f}"`, { file, line: table.start, column: c.column });
    seen.add(f);
    return f;
  });
  for (const need of ['address', 'message', 'sig1'] as const) {
    if (!seen.has(need)) throw porError('BAD_INPUT', `the header has no ${need === 'sig1' ? 'signature (signature1 / signedMessage)' : need} column`, { file, line: table.start, column: 1 });
  }
  if (!seen.has('coin') && !seen.has('network')) throw porError('BAD_INPUT', 'the header has neither a coin nor a network column', { file, line: table.start, column: 1 });
  return { cells, columns, seen, layout: layoutOf(seen, norm(cells[0]?.text ?? '')) };
}

function layoutOf(seen: Set<OkxField>, first: string): OkxLayout {
  if (seen.has('eoa1') && seen.has('height')) return seen.has('type') ? 'okx-2022-typed' : 'okx-2022';
  if (first === 'digitalasset') return 'okx-2025';
  // The original 2022 file: coin and amount, but neither network nor height.
  if (seen.has('coin') && seen.has('amount') && !seen.has('network') && !seen.has('height')) return 'okx-2022-original';
  return 'okx-other';
}

function readRow(l: string, line: number, h: Header, file?: string): OkxReserveRow {
  const cells = splitLine(l, line, file);
  if (cells.length > h.cells.length) throw porError('BAD_INPUT', `${cells.length} fields; the header has ${h.cells.length}`, { file, line, column: (cells[h.cells.length] as Cell).column });
  const get = (f: OkxField): Cell | undefined => cells[h.columns.indexOf(f)];
  const val = (f: OkxField) => clean(get(f)?.text);
  const address = val('address');
  if (address === '') throw porError('BAD_INPUT', 'address is empty', { file, line, column: get('address')?.column ?? l.length + 1, field: 'address' });
  const row: OkxReserveRow = {
    line,
    coin: val('coin') || val('network'),
    network: val('network') || val('coin'),
    address,
    message: val('message'),
    sig1: val('sig1'),
    sig2: val('sig2'),
    script: val('script'),
    eoa1: val('eoa1'),
    eoa2: val('eoa2'),
  };
  if (h.seen.has('type')) row.type = val('type');
  if (h.seen.has('amount')) readAmount(row, get('amount'), h.layout, { file, line, column: get('amount')?.column ?? l.length + 1 });
  const hc = get('height');
  const height = hc ? heightAt(hc.text, { file, line, column: hc.column }) : undefined;
  if (height !== undefined) row.height = height;
  return row;
}

function readAmount(row: OkxReserveRow, c: Cell | undefined, layout: OkxLayout, where: Where): void {
  const text = (c?.text ?? '').trim();
  if (layout === 'okx-2022-original') {
    row.amount = baseUnitAmountAt(text, row.coin, where);
    row.baseUnits = text;
    row.amountText = formatAmount(row.amount.units, row.amount.scale, { trim: true });
  } else {
    row.amount = amountAt(text, where);
    row.amountText = text;
  }
}

/** Reads an OKX reserve CSV. `file` only labels errors. */
export function parseOkxReserveCsv(text: string, file?: string): OkxReserveFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { summary, table } = sortBlocks(splitBlocks(text, file), file);
  const header = readHeader(table, file);
  const rows = table.lines.slice(1).map((l, k) => readRow(l, table.start + 1 + k, header, file));
  return { layout: header.layout, columns: header.columns, summary, rows };
}

/**
 * Whether `text` is an OKX reserve file: one of its first blocks has a header line naming an
 * address, a message and a signature column (the columns `parseOkxReserveCsv` needs). By shape, as
 * `por verify` recognises proof files; no JSON document passes (its first line is not a CSV header).
 * `por audit` uses it to tell an OKX CSV from a por report.json.
 */
export function looksLikeOkxReserveCsv(text: string): boolean {
  const lines = text.split(/\r?\n/, 200);
  return lines.some((l, i) => {
    if (l.trim() === '' || (i > 0 && lines[i - 1]!.trim() !== '')) return false;
    let fields: Set<OkxField | undefined>;
    try {
      fields = new Set(splitLine(l, i + 1).map((c) => HEADERS[norm(c.text)]));
    } catch {
      return false;
    }
    return fields.has('address') && fields.has('message') && fields.has('sig1');
  });
}

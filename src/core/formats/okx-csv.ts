// OKX reserve files (CSV), read by header, not by position: the 2022 11-column layout, the same
// with a `Type` column after `coin`, and the 2025 signature layout (digitalAsset, network, …). An
// optional summary block (coin, snapshot height, amount) comes first, separated by a blank line.
// Pure: takes the text, returns rows with their line numbers; bad input is a PorError naming the
// line and column.
import { porError } from '../errors/index.js';
import { parseDec, type Dec } from './okx-decimal.js';

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
  amountText?: string;
  message: string;
  sig1: string;
  sig2: string;
  script: string;
  eoa1: string;
  eoa2: string;
}

export interface OkxReserveFile {
  /** Which known layout the header matched (for the report). */
  layout: 'okx-2022' | 'okx-2022-typed' | 'okx-2025' | 'okx-other';
  columns: OkxField[];
  /** Header names por did not use (reported, not an error). */
  ignoredColumns: string[];
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

function amountAt(text: string, where: { file?: string; line: number; column: number }): Dec {
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

function heightAt(text: string, where: { file?: string; line: number; column: number }): bigint | undefined {
  const t = text.trim();
  if (t === '' || t === '-') return undefined;
  if (!/^\d+$/.test(t)) throw porError('BAD_INPUT', `snapshot height "${t}" is not a block number`, { ...where, field: 'snapshot height' });
  return BigInt(t);
}

/** Reads an OKX reserve CSV. `file` only labels errors. */
export function parseOkxReserveCsv(text: string, file?: string): OkxReserveFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  // Blocks of consecutive non-blank lines.
  const blocks: { start: number; lines: string[] }[] = [];
  let cur: { start: number; lines: string[] } | undefined;
  lines.forEach((l, i) => {
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

  const summary: OkxSummaryLine[] = [];
  let table: { start: number; lines: string[] } | undefined;
  for (const b of blocks) {
    const header = splitLine(b.lines[0] as string, b.start, file).map((c) => norm(c.text));
    if (header.includes('address')) {
      if (table) throw porError('BAD_INPUT', 'a second address table; por reads one per file', { file, line: b.start, column: 1 });
      table = b;
    } else if (header.includes('coin') && header.includes('amount')) {
      const ci = header.indexOf('coin');
      const hi = header.indexOf('snapshotheight');
      const ai = header.indexOf('amount');
      b.lines.slice(1).forEach((l, k) => {
        const line = b.start + 1 + k;
        const cells = splitLine(l, line, file);
        if (cells.length > header.length) throw porError('BAD_INPUT', `${cells.length} fields; the summary header has ${header.length}`, { file, line, column: (cells[header.length] as Cell).column });
        const coinCell = cells[ci];
        const amountCell = cells[ai];
        if (!coinCell || clean(coinCell.text) === '') throw porError('BAD_INPUT', 'coin is empty', { file, line, column: 1, field: 'coin' });
        if (!amountCell) throw porError('BAD_INPUT', 'amount is missing', { file, line, column: l.length + 1, field: 'amount' });
        const entry: OkxSummaryLine = { line, coin: clean(coinCell.text), amount: amountAt(amountCell.text, { file, line, column: amountCell.column }), amountText: amountCell.text.trim() };
        const hc = hi >= 0 ? cells[hi] : undefined;
        if (hc) {
          const h = heightAt(hc.text, { file, line, column: hc.column });
          if (h !== undefined) entry.height = h;
        }
        summary.push(entry);
      });
    } else {
      throw porError('BAD_INPUT', 'a block that is neither a summary (coin, snapshot height, amount) nor an address table (…, address, …)', { file, line: b.start, column: 1 });
    }
  }
  if (!table) throw porError('BAD_INPUT', 'no address table: no header line names an "address" column', { file });

  const headerCells = splitLine(table.lines[0] as string, table.start, file);
  const columns: (OkxField | undefined)[] = headerCells.map((c) => HEADERS[norm(c.text)]);
  const ignoredColumns = headerCells.filter((_, i) => columns[i] === undefined).map((c) => c.text.trim());
  const seen = new Set<OkxField>();
  columns.forEach((f, i) => {
    if (f === undefined) return;
    if (seen.has(f)) throw porError('BAD_INPUT', `two columns mean "${f}"`, { file, line: table!.start, column: (headerCells[i] as Cell).column });
    seen.add(f);
  });
  for (const need of ['address', 'message', 'sig1'] as const) {
    if (!seen.has(need)) throw porError('BAD_INPUT', `the header has no ${need === 'sig1' ? 'signature (signature1 / signedMessage)' : need} column`, { file, line: table.start, column: 1 });
  }
  if (!seen.has('coin') && !seen.has('network')) throw porError('BAD_INPUT', 'the header has neither a coin nor a network column', { file, line: table.start, column: 1 });

  const rows: OkxReserveRow[] = [];
  table.lines.slice(1).forEach((l, k) => {
    const line = table!.start + 1 + k;
    const cells = splitLine(l, line, file);
    if (cells.length > headerCells.length) {
      throw porError('BAD_INPUT', `${cells.length} fields; the header has ${headerCells.length}`, { file, line, column: (cells[headerCells.length] as Cell).column });
    }
    const get = (f: OkxField): Cell | undefined => {
      const i = columns.indexOf(f);
      return i < 0 ? undefined : cells[i];
    };
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
    if (seen.has('type')) row.type = val('type');
    if (seen.has('amount')) {
      const c = get('amount');
      row.amount = amountAt(c?.text ?? '', { file, line, column: c?.column ?? l.length + 1 });
      row.amountText = (c?.text ?? '').trim();
    }
    const hc = get('height');
    if (hc) {
      const h = heightAt(hc.text, { file, line, column: hc.column });
      if (h !== undefined) row.height = h;
    }
    rows.push(row);
  });

  const cols = columns.filter((c): c is OkxField => c !== undefined);
  const layout = seen.has('eoa1') && seen.has('height')
    ? (seen.has('type') ? 'okx-2022-typed' : 'okx-2022')
    : norm(headerCells[0]?.text ?? '') === 'digitalasset' ? 'okx-2025' : 'okx-other';
  return { layout, columns: cols, ignoredColumns, summary, rows };
}

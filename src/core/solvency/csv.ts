// A strict reader for por's small, quote-free CSV inputs (reserve balances, prices). Pure.
// Same rules as the liabilities snapshot: a header line, BOM and CRLF accepted, no quotes, no blank
// lines, every line (the last included) ends with a newline so a cut-off file is never read as whole.
import { porError, PorError } from '../errors/index.js';

export interface CsvRow {
  line: number;
  /** Field values by column name. */
  values: Record<string, string>;
  /** 1-based character column where each field starts, by column name. */
  columns: Record<string, number>;
}

export interface CsvTable {
  /** Column names in file order. */
  header: string[];
  rows: CsvRow[];
}

export function parseStrictCsv(text: string, file: string, required: readonly string[], optional: readonly string[] = []): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) throw porError('BAD_INPUT', 'the file is empty; expected a header line', { file, line: 1, column: 1 });
  const invalid = text.indexOf('\uFFFD'); // what a UTF-8 decoder makes of bytes that are not UTF-8
  if (invalid !== -1) {
    const before = text.slice(0, invalid);
    throw porError('BAD_INPUT', 'the file is not valid UTF-8 here; export it as UTF-8', { file, line: before.split('\n').length, column: invalid - before.lastIndexOf('\n') });
  }
  const lines = text.split('\n');
  const last = lines.pop()!;
  const expected = `expected "${required.join(',')}"${optional.length ? ` with optional ${optional.map((o) => `"${o}"`).join(', ')}` : ''}`;
  const strip = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  const headerText = strip(lines[0] ?? last);
  const header = headerText.split(',');
  let col = 1;
  for (const name of header) {
    const at = { file, line: 1, column: col, field: name };
    if (!required.includes(name) && !optional.includes(name)) throw porError('BAD_INPUT', `bad header: unknown column "${name}"; ${expected}`, at);
    if (header.indexOf(name) !== header.lastIndexOf(name)) throw porError('BAD_INPUT', `bad header: column "${name}" appears twice`, at);
    col += name.length + 1;
  }
  for (const name of required) {
    if (!header.includes(name)) throw porError('BAD_INPUT', `bad header: missing column "${name}"; ${expected}`, { file, line: 1, column: 1 });
  }
  const rows: CsvRow[] = [];
  const readRow = (raw: string, line: number): CsvRow => {
    const l = strip(raw);
    if (l.length === 0) throw porError('BAD_INPUT', `empty line; every line after the header is a row of ${header.length} fields`, { file, line, column: 1 });
    const q = l.indexOf('"');
    if (q !== -1) throw porError('BAD_INPUT', 'quoted fields are not supported: none of these fields ever needs quotes', { file, line, column: q + 1 });
    const parts = l.split(',');
    if (parts.length !== header.length) {
      const which = parts.length < header.length ? `missing ${header.slice(parts.length).join(', ')}` : 'a field cannot contain ","';
      throw porError('BAD_INPUT', `row has ${parts.length} fields, expected ${header.length} (${header.join(',')}): ${which}`, { file, line, column: parts.length < header.length ? l.length + 1 : 1 });
    }
    const values: Record<string, string> = {};
    const columns: Record<string, number> = {};
    let c = 1;
    header.forEach((name, i) => {
      values[name] = parts[i]!;
      columns[name] = c;
      c += parts[i]!.length + 1;
    });
    return { line, values, columns };
  };
  for (let i = 1; i < lines.length; i++) rows.push(readRow(lines[i]!, i + 1));
  if (last.length > 0) {
    const line = lines.length + 1;
    try {
      if (line > 1) readRow(last, line);
    } catch (err) {
      if (err instanceof PorError) throw new PorError(err.code, `the last line has no newline at the end and looks truncated: ${err.message}`, err.info);
      throw err;
    }
    throw porError('BAD_INPUT', 'the last line does not end with a newline, so it may be truncated; if it is complete, end the file with a newline', { file, line, column: strip(last).length + 1 });
  }
  return { header, rows };
}

/** Wraps an error about one field with its file, line, column and field name. */
export function atField(err: unknown, file: string, row: CsvRow, field: string): never {
  if (err instanceof PorError) throw new PorError(err.code, err.message, { ...err.info, file, line: row.line, column: row.columns[field], field }, { cause: err.cause });
  throw err;
}

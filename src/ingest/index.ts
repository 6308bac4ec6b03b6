// Liabilities snapshots (CSV or NDJSON) → per-user net balances and per-asset totals, streaming.
// The file is read in 1 MiB chunks and split by hand: the format is simple and quote-free, and a
// strict splitter reads ~4x faster than csv-parse here (docs/FORMATS.md has the figures).
import { readFault } from '../io/node.js';
import { createReadStream } from 'node:fs';
import { PorError, porError, type ErrorInfo } from '../core/errors/index.js';
import { isObject } from '../core/json/index.js';
import { parseJson } from '../core/json/parse.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { Aggregator, type AssetLiability, type ExchangeOwned } from './aggregate.js';
import { userIdFault } from './user-id.js';
import { readCsvBytes } from './csv-bytes.js';
import { leafBound, MIN_HEIGHT } from '../core/merkle/bounds.js';
import type { AccountMode, ReadWatcher, UserBalances, UserEncoder } from './types.js';

export { ACCOUNT_MODES, ACCOUNT_TYPES, type AccountMode, type AccountType, type ReadWatcher, type SeenIds, type UserBalances, type UserEncoder } from './types.js';
export { EXCHANGE_ACCOUNT_PREFIX, type AssetLiability, type ExchangeOwned, type ExchangeOwnedAccount } from './aggregate.js';

export type SnapshotFormat = 'csv' | 'ndjson';

export interface Snapshot {
  registry: AssetRegistry;
  file: string;
  format: SnapshotFormat;
  /** Data rows read (the header not counted; exchange-owned rows counted). */
  rows: number;
  /** Users (exchange-owned accounts excluded). */
  userCount: number;
  /** Users per account mode. */
  modes: Record<AccountMode, number>;
  /**
   * Indexed like registry.assets. gross = Σ max(net, 0), debt = Σ max(−net, 0) over all users,
   * bad-debt users included (bad debt needs prices: see assessBadDebt in src/solvency).
   */
  totals: AssetLiability[];
  /** Insurance fund and other exchange-owned accounts: never part of totals. */
  exchangeOwned: ExchangeOwned;
  /** Every user exactly once, in first-seen order; may be iterated more than once. */
  users(): Iterable<UserBalances>;
  /** The users with a negative net in at least one asset: the only ones that can be bad debt. */
  debtors(): Iterable<UserBalances>;
  /** The same users as users(), by index, written straight into leaf records (src/merkle/leaves.ts). */
  encoder: UserEncoder;
  /** The line of each debtor's first row, in debtors() order (a read in parts orders them by it). */
  debtorLines(): Uint32Array;
  /** The line of each exchange-owned account's first row, in exchangeOwned.accounts order. */
  exchangeLines(): number[];
  /** Drops every per-user table once nothing reads a user again (a tree build without publishing): users(), debtors() and encoder stop working. */
  release?(): void;
}

/** What `por liabilities` and `por solvency` need: a snapshot read in parts gives this, not every user. */
export type SnapshotSummary = Pick<Snapshot, 'registry' | 'file' | 'format' | 'rows' | 'userCount' | 'modes' | 'totals' | 'exchangeOwned' | 'debtors'>;

export interface ReadOptions {
  reporter?: Reporter;
  /** Default: from the extension (.ndjson / .jsonl → ndjson), else csv. */
  format?: SnapshotFormat;
  /**
   * Tree height whose leaf bound (2^(128 − height) − 1 base units, docs/SPEC.md, Bounds) every
   * balance and user net must keep. `build` passes its --height; without it, the widest bound any
   * tree has (height 1), so what no tree could publish is refused at its line in every command.
   */
  height?: number;
  /**
   * Told of the ids as they are met (src/merkle/early.ts hashes salts meanwhile). A CSV read again
   * as text after the byte path stopped is not watched: what the watcher made is dropped first.
   */
  watcher?: ReadWatcher;
}

/**
 * Longest line read, in characters: an id is at most 1,024 bytes, so a real row is far shorter.
 * Past this the file is not a snapshot (or has no line breaks): a located error, not a buffer
 * that grows until memory runs out.
 */
export const MAX_LINE_CHARS = 65_536;

export const SNAPSHOT_COLUMNS = ['user_id', 'account', 'asset', 'balance'] as const;
const OPTIONAL_COLUMNS = ['mode'] as const;
type Column = (typeof SNAPSHOT_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export function snapshotFormatOf(file: string): SnapshotFormat {
  return /\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'csv';
}

export async function readSnapshot(file: string, registry: AssetRegistry, options: ReadOptions = {}): Promise<Snapshot> {
  const reporter = options.reporter ?? silentReporter;
  const format = options.format ?? snapshotFormatOf(file);
  const stage = 'liabilities';
  const agg = await readRows(file, format, registry, options.height, reporter, options.watcher);
  options.watcher?.readOver?.(); // salts go on being made while the totals are summed
  agg.releaseReadState();
  const { totals, modes, users, userCount, debtors } = agg.summarize();
  // Users by index: without exchange-owned ids, user i is id i.
  const id = users === undefined ? (i: number) => i : (i: number) => users[i]!;
  reporter.done(stage, `${agg.rows.toLocaleString('en-US')} rows, ${userCount.toLocaleString('en-US')} users`);
  return {
    registry,
    file,
    format,
    rows: agg.rows,
    userCount,
    modes,
    totals,
    exchangeOwned: agg.exchangeOwned(),
    *users() {
      for (let i = 0; i < userCount; i++) yield agg.user(id(i));
    },
    *debtors() {
      for (let i = 0; i < debtors.length; i++) yield agg.user(debtors[i]!);
    },
    encoder: {
      count: userCount,
      encode: (i, ids, at, dv, base) => agg.encodeUser(id(i), ids, at, dv, base),
      user: (i) => agg.user(id(i)),
      narrow: agg.narrow,
      encodeNets: (i, ids, at, words, word) => agg.encodeNets(id(i), ids, at, words, word),
    },
    debtorLines: () => debtors.map((u) => agg.firstLine(u)),
    exchangeLines: () => agg.exchangeLines(),
    release: () => agg.releaseUsers(),
  };
}

/**
 * Every row of the file into an Aggregator. A CSV is read as bytes first (./csv-bytes.ts); if that
 * stops for any reason (a bad row, bytes that are not UTF-8, a cut last line), the file is read again
 * from the start as text, and that reading's error is the one reported: one wording of every
 * error, with its file, line and column, whichever path met it first.
 */
async function readRows(file: string, format: SnapshotFormat, registry: AssetRegistry, height: number | undefined, reporter: Reporter, watcher?: ReadWatcher): Promise<Aggregator> {
  const fresh = () => new Aggregator(registry, leafBound(height ?? MIN_HEIGHT), height);
  // Progress from the second chunk on: small files finish before a rate means anything.
  const progress = (agg: Aggregator, watched: boolean) => {
    let chunks = 0;
    return () => {
      if (watched) watcher!.poll();
      if (++chunks > 1) reporter.progress('liabilities', agg.rows, undefined, 'rows');
    };
  };
  if (format === 'csv') {
    const agg = fresh();
    watcher?.start(agg.seenIds());
    try {
      await readCsvBytes(file, registry, agg, csvLines(file, agg), progress(agg, watcher !== undefined));
      return agg;
    } catch {
      // read again as text below: its error (or, should the two ever differ, its result) counts
      watcher?.drop();
    }
  }
  const agg = fresh();
  const watched = watcher !== undefined && format === 'ndjson';
  if (watched) watcher.start(agg.seenIds());
  await readLines(file, format === 'csv' ? csvLines(file, agg) : ndjsonLines(file, agg), progress(agg, watched));
  return agg;
}

/** Handles one line of text (without its line ending); throws PorError with a located message. */
type LineHandler = (text: string, start: number, end: number, line: number) => void;

async function readLines(file: string, handle: LineHandler, progress: () => void): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  stream.setEncoding('utf8');
  let rest = '';
  let line = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = rest.length > 0 ? rest + chunk : chunk;
      let start = 0;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) start = 1; // a BOM is accepted and skipped
      }
      // The decoder turns bytes that are not UTF-8 into U+FFFD; one scan per chunk finds them.
      const invalid = text.indexOf('\uFFFD', start);
      if (invalid !== -1) {
        let at = line + 1;
        let lineStart = start;
        for (let i = text.indexOf('\n', start); i !== -1 && i < invalid; i = text.indexOf('\n', i + 1)) {
          at++;
          lineStart = i + 1;
        }
        throw porError('BAD_INPUT', 'the file is not valid UTF-8 here; export it as UTF-8', { file, line: at, column: invalid - lineStart + 1 });
      }
      let nl: number;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        line++;
        if (nl - start > MAX_LINE_CHARS) throw lineTooLong(file, line);
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // CRLF accepted
        handle(text, start, end, line);
        start = nl + 1;
      }
      if (text.length - start > MAX_LINE_CHARS) throw lineTooLong(file, line + 1);
      rest = text.slice(start);
      text = '';
      progress();
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof PorError) throw err;
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
  if (line === 0 && rest.length === 0) throw porError('BAD_INPUT', 'the file is empty; expected a header line', { file, line: 1, column: 1 });
  if (rest.length > 0) {
    // The last line has no newline: it may have been cut off mid-write. Let the handler name what
    // is missing; if the line looks whole, say so and ask for the newline rather than guess.
    const end = rest.charCodeAt(rest.length - 1) === 13 ? rest.length - 1 : rest.length;
    try {
      handle(rest, 0, end, line + 1);
    } catch (err) {
      if (!(err instanceof PorError)) throw err;
      throw new PorError(err.code, `the last line has no newline at the end and looks truncated: ${err.message}`, err.info, { cause: err });
    }
    throw porError(
      'BAD_INPUT',
      'the last line does not end with a newline, so it may be truncated; if it is complete, end the file with a newline',
      { file, line: line + 1, column: end + 1 },
    );
  }
}

export function lineTooLong(file: string, line: number): PorError {
  return porError(
    'BAD_INPUT',
    `line ${line} is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters; a snapshot row is one user's balance in one asset and is far shorter (is this a snapshot, with line breaks?)`,
    { file, line, column: MAX_LINE_CHARS + 1 },
  );
}

/** Throws the located error when text[start..end), a user id, breaks the rule of ./user-id.ts. */
function checkUserId(text: string, start: number, end: number, at: { file: string; line: number; column: number }): void {
  const fault = userIdFault(text, start, end);
  if (fault === undefined) return;
  throw porError('BAD_INPUT', `user_id ${fault.why}`, { ...at, column: at.column + fault.offset, field: 'user_id' });
}

function csvLines(file: string, agg: Aggregator): LineHandler {
  let columns: Column[] = [];
  let n = 0;
  let iUser = 0, iAccount = 0, iAsset = 0, iBalance = 0, iMode = -1;
  const fields: string[] = [];
  const starts: number[] = [];
  let quoteAt = -1;
  let prevStart = Infinity;

  const header = (text: string, start: number, end: number, line: number): void => {
    columns = csvHeader(file, text, start, end, line);
    n = columns.length;
    iUser = columns.indexOf('user_id');
    iAccount = columns.indexOf('account');
    iAsset = columns.indexOf('asset');
    iBalance = columns.indexOf('balance');
    iMode = columns.indexOf('mode');
  };

  return (text, start, end, line) => {
    if (line === 1) return header(text, start, end, line);
    // One search per chunk finds the next quote; a new chunk starts again at a low offset.
    if (start <= prevStart || (quoteAt !== -1 && quoteAt < start)) quoteAt = text.indexOf('"', start);
    prevStart = start;
    if (quoteAt !== -1 && quoteAt < end) {
      throw porError('BAD_INPUT', 'quoted fields are not supported: ids, accounts, assets and balances never need quotes', { file, line, column: quoteAt - start + 1 });
    }
    if (end === start) throw porError('BAD_INPUT', `empty line; every line after the header is a row of ${n} fields`, { file, line, column: 1 });
    let pos = start;
    for (let i = 0; i < n; i++) {
      const comma = i < n - 1 ? text.indexOf(',', pos) : -1;
      starts[i] = pos;
      if (i < n - 1) {
        if (comma === -1 || comma >= end) {
          throw porError('BAD_INPUT', `row has ${i + 1} field${i === 0 ? '' : 's'}, expected ${n} (${columns.join(',')}): missing ${columns.slice(i + 1).join(', ')}`, {
            file, line, column: end - start + 1, field: columns[i + 1],
          });
        }
        if (i !== iUser) fields[i] = text.slice(pos, comma);
        pos = comma + 1;
      } else {
        const extra = text.indexOf(',', pos);
        if (extra !== -1 && extra < end) {
          throw porError('BAD_INPUT', `row has more than ${n} fields (${columns.join(',')}); a field cannot contain ","`, { file, line, column: extra - start + 2 });
        }
        if (i !== iUser) fields[i] = text.slice(pos, end);
      }
    }
    const idEnd = iUser === n - 1 ? end : starts[iUser + 1]! - 1;
    checkUserId(text, starts[iUser]!, idEnd, { file, line, column: starts[iUser]! - start + 1 });
    try {
      agg.add(text, starts[iUser]!, idEnd, fields[iAccount]!, fields[iAsset]!, fields[iBalance]!, iMode >= 0 ? fields[iMode] : undefined, line);
    } catch (e) {
      locateRowError(e, { file, line, columns, starts, lineStart: start });
    }
  };
}

/** The CSV header's columns in order; refuses an unknown, repeated or missing column. */
function csvHeader(file: string, text: string, start: number, end: number, line: number): Column[] {
  const columns: Column[] = [];
  const names = text.slice(start, end).split(',');
  const expected = `expected "${SNAPSHOT_COLUMNS.join(',')}" with an optional "mode" column`;
  let col = 1;
  for (const name of names) {
    const at = { file, line, column: col, field: name };
    if (!(SNAPSHOT_COLUMNS as readonly string[]).includes(name) && !(OPTIONAL_COLUMNS as readonly string[]).includes(name)) {
      throw porError('BAD_INPUT', `bad header: unknown column "${name}"; ${expected}`, at);
    }
    if (columns.includes(name as Column)) throw porError('BAD_INPUT', `bad header: column "${name}" appears twice`, at);
    columns.push(name as Column);
    col += name.length + 1;
  }
  for (const name of SNAPSHOT_COLUMNS) {
    if (!columns.includes(name)) throw porError('BAD_INPUT', `bad header: missing column "${name}"; ${expected}`, { file, line, column: 1 });
  }
  return columns;
}

/**
 * Rethrows the aggregator's error for one CSV row with file and line, and the column where the
 * field it names starts in the row (else the error's own column). Only reached on a bad row.
 */
function locateRowError(
  e: unknown,
  row: { file: string; line: number; columns: readonly Column[]; starts: readonly number[]; lineStart: number },
): never {
  if (e instanceof PorError) {
    const field = e.info.field;
    const idx = typeof field === 'string' ? row.columns.indexOf(field as Column) : -1;
    const column = idx >= 0 ? row.starts[idx]! - row.lineStart + 1 : e.info.column;
    throw new PorError(e.code, e.message, { ...e.info, file: row.file, line: row.line, column }, { cause: e.cause });
  }
  throw e;
}

const NDJSON_KEYS = new Set<string>([...SNAPSHOT_COLUMNS, ...OPTIONAL_COLUMNS]);
// A row's values by key, in this order; undefined where the row has no such key.
const ROW_KEYS = ['user_id', 'account', 'asset', 'balance', 'mode'] as const;

/**
 * The common row, `{"user_id":"…","account":"…",…}` with string values, no escapes and each key at
 * most once, read straight into `out` without building an object: 2 M rows a second pass through
 * here. Anything else (escapes, other value types, unknown or repeated keys, bad syntax) returns
 * false, and the row is read again by parseJson, which decodes it or says exactly what is wrong.
 */
function fastRow(text: string, start: number, end: number, out: (string | undefined)[]): boolean {
  let seen = 0;
  let i = skipSpaces(text, start, end);
  if (text.charCodeAt(i) !== 0x7b) return false;
  i = skipSpaces(text, i + 1, end);
  for (;;) {
    const k = keyAt(text, i, end);
    if (k < 0 || (seen & (1 << k)) !== 0) return false;
    seen |= 1 << k;
    i = skipSpaces(text, i + ROW_KEYS[k]!.length + 2, end);
    if (text.charCodeAt(i) !== 0x3a) return false;
    i = skipSpaces(text, i + 1, end);
    if (text.charCodeAt(i) !== 0x22) return false;
    const close = plainStringEnd(text, i + 1, end);
    if (close < 0) return false;
    out[k] = text.slice(i + 1, close);
    i = skipSpaces(text, close + 1, end);
    const c = i < end ? text.charCodeAt(i) : -1;
    if (c === 0x7d) return skipSpaces(text, i + 1, end) === end;
    if (c !== 0x2c) return false;
    i = skipSpaces(text, i + 1, end);
  }
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index in ROW_KEYS of the quoted key at text[i], or −1. */
function keyAt(text: string, i: number, end: number): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  for (let k = 0; k < ROW_KEYS.length; k++) {
    const name = ROW_KEYS[k]!;
    if (i + name.length + 2 <= end && text.charCodeAt(i + name.length + 1) === 0x22 && text.startsWith(name, i + 1)) return k;
  }
  return -1;
}

/** Offset of the closing quote of a string starting at i with no escape or control character, or −1. */
function plainStringEnd(text: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}

/**
 * Any other row, read by por's JSON reader (not JSON.parse: a key given twice, such as two
 * "balance"s, is an error here where JSON.parse would keep the last one) and checked key by key.
 */
function slowRow(text: string, start: number, end: number, where: { file: string; line: number }, at: (field: string | undefined) => ErrorInfo, out: (string | undefined)[]): void {
  if (text.slice(start, end).trim() === '') throw porError('BAD_INPUT', 'empty line; every line is one JSON object', at(undefined));
  const obj = parseJson(text, { ...where, start, end });
  if (!isObject(obj)) throw porError('BAD_INPUT', 'each line must be a JSON object', at(undefined));
  for (const key of Object.keys(obj)) {
    if (!NDJSON_KEYS.has(key)) throw porError('BAD_INPUT', `unknown key "${key}"; allowed: ${[...NDJSON_KEYS].join(', ')}`, at(key));
  }
  ROW_KEYS.forEach((key, k) => {
    const v = obj[key];
    if (v !== undefined && typeof v !== 'string') {
      const why = key === 'balance' && typeof v === 'number' ? ' (a JSON number loses precision; write the balance as a decimal string)' : '';
      throw porError('BAD_INPUT', `"${key}" must be a string${why}`, at(key));
    }
    out[k] = v;
  });
}

function ndjsonLines(file: string, agg: Aggregator): LineHandler {
  const row: (string | undefined)[] = [];
  return (text, start, end, line) => {
    const at = (field: string | undefined) => {
      const src = text.slice(start, end);
      const k = field === undefined ? -1 : src.indexOf(`"${field}"`);
      let column = 1;
      if (k >= 0) {
        // point at the value, after `"key":` and any spaces
        let p = k + field!.length + 2;
        while (p < src.length && (src[p] === ':' || src[p] === ' ')) p++;
        column = p + 1;
      }
      return { file, line, column, ...(field === undefined ? {} : { field }) };
    };
    row.fill(undefined, 0, ROW_KEYS.length);
    if (!fastRow(text, start, end, row)) slowRow(text, start, end, { file, line }, at, row);
    for (let k = 0; k < SNAPSHOT_COLUMNS.length; k++) {
      if (row[k] === undefined) throw porError('BAD_INPUT', `missing "${ROW_KEYS[k]}"`, at(undefined));
    }
    const [id, account, asset, balance, mode] = row as [string, string, string, string, string | undefined];
    const fault = userIdFault(id, 0, id.length);
    if (fault !== undefined) {
      // The column of the id's first character (after the quote); escapes in it shift the offset.
      throw porError('BAD_INPUT', `user_id ${fault.why}`, { ...at('user_id'), column: (at('user_id').column ?? 1) + 1 + fault.offset });
    }
    try {
      agg.add(id, 0, id.length, account, asset, balance, mode, line);
    } catch (e) {
      if (e instanceof PorError) {
        const f = typeof e.info.field === 'string' ? e.info.field : undefined;
        throw new PorError(e.code, e.message, { ...e.info, ...at(f) }, { cause: e.cause });
      }
      throw e;
    }
  };
}

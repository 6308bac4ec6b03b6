// Snapshots larger than memory: the rows are split into part files by a hash of the user id, so
// every row of a user lands in one part, and each part is read (src/ingest) and hashed on its own;
// src/merkle/combine.ts merges the parts' sorted leaves. Node-only. Errors in a part are reported at
// the ORIGINAL file, line and column: each part keeps, per row, the line it came from.
import { closeSync, createReadStream, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PorError, porError } from '../core/errors/index.js';
import { readFault } from '../io/node.js';
import type { Reporter } from '../core/progress/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { LineMapWriter, partitionCsvBytes } from './partition-bytes.js';
import { lineTooLong, MAX_LINE_CHARS, readSnapshot, snapshotFormatOf, type ReadOptions, type Snapshot, type SnapshotFormat, type SnapshotSummary } from './index.js';
import type { AssetLiability, ExchangeOwnedAccount } from './aggregate.js';
import type { AccountMode, UserBalances } from './types.js';
import { rm } from 'node:fs/promises';

export interface Part {
  /** The part's rows (the original header first), as a snapshot file of the same format. */
  file: string;
  /** u32 LE per row of the part: its line in the original file. */
  lines: string;
}

/** Buffered appends to one part: its text and its line map. */
class PartWriter {
  private text = '';
  private readonly fd: number;
  private readonly lines: LineMapWriter;
  constructor(readonly part: Part) {
    this.fd = openSync(part.file, 'w', 0o600);
    this.lines = new LineMapWriter(part.lines);
  }
  add(text: string, line: number): void {
    this.text += text;
    this.lines.add(line);
    if (this.text.length > 1 << 20) this.flushText();
  }
  private flushText(): void {
    writeSync(this.fd, this.text);
    this.text = '';
  }
  close(): void {
    try {
      this.flushText();
    } finally {
      closeSync(this.fd);
      this.lines.close();
    }
  }
}

/** Which part a row goes to: FNV-1a of its user id (the reader checks the id; here it only routes). */
type Router = (text: string, start: number, end: number) => number;

function ndjsonRouter(parts: number): Router {
  return (text, start, end) => {
    try {
      const id = (JSON.parse(text.slice(start, end)) as { user_id?: unknown }).user_id;
      return typeof id === 'string' ? fnv(id, 0, id.length) % parts : 0;
    } catch {
      return 0; // the reader says what is wrong with the row, at its line
    }
  };
}

function fnv(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Splits `file` into `count` parts in `dir`. One pass, streaming; memory: a 1 MiB buffer per part.
 * The header (CSV) goes to every part; a last line without a newline stays last, without one.
 * A CSV is split as bytes (./partition-bytes.ts, which copies its header to every part), an NDJSON
 * file as text here.
 */
export async function partitionSnapshot(file: string, count: number, dir: string, reporter: Reporter, format: SnapshotFormat = snapshotFormatOf(file)): Promise<Part[]> {
  const ext = format === 'csv' ? 'csv' : 'ndjson';
  const parts = Array.from({ length: count }, (_, i) => ({ file: join(dir, `part-${i}.${ext}`), lines: join(dir, `part-${i}.lines`) }));
  if (format === 'csv') return partitionCsvBytes(file, parts, reporter);
  const writers = parts.map((p) => new PartWriter(p));
  const route = ndjsonRouter(count);
  let line = 0;
  let rest = '';
  let bytes = 0;
  const total = statSync(file, { throwIfNoEntry: false })?.size;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = rest.length > 0 ? rest + chunk : chunk;
      let start = line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
      let nl: number;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        line++;
        if (nl - start > MAX_LINE_CHARS) throw lineTooLong(file, line);
        writers[route(text, start, nl)]!.add(text.slice(start, nl + 1), line);
        start = nl + 1;
      }
      if (text.length - start > MAX_LINE_CHARS) throw lineTooLong(file, line + 1);
      rest = text.slice(start);
      text = '';
      bytes += Buffer.byteLength(chunk);
      reporter.progress('partition', bytes, total, 'bytes');
    }
    if (rest.length > 0) writers[route(rest, 0, rest.length)]!.add(rest, line + 1);
  } catch (err) {
    stream.destroy();
    if (err instanceof PorError) throw err;
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  } finally {
    for (const w of writers) w.close();
  }
  reporter.done('partition', `${line.toLocaleString('en-US')} lines into ${count} parts by user id`);
  return writers.map((w) => w.part);
}

/** Reads one part as a snapshot; an error in it is reported at the original file's line. */
export async function readPart(part: Part, original: string, registry: AssetRegistry, options: ReadOptions): Promise<Snapshot> {
  try {
    return await readSnapshot(part.file, registry, options);
  } catch (err) {
    if (!(err instanceof PorError) || err.info.file !== part.file) throw err;
    const map = readFileSync(part.lines);
    const local = err.info.line;
    const line = local === undefined || local <= 1 ? local : map.readUInt32LE((local - 2) * 4);
    throw new PorError(err.code, err.message, { ...err.info, file: original, ...(line !== undefined ? { line } : {}) }, { cause: err.cause });
  }
}

/**
 * The snapshot's totals, modes, exchange-owned accounts and debtors, read in `count` parts (files in
 * `dir`): memory is one part's users plus the debtors. The same figures as readSnapshot, and the
 * debtors and exchange-owned accounts in the same order (by the line of their first row), so
 * `por liabilities` and `por solvency` print the same bytes either way.
 */
export async function readSnapshotInParts(file: string, registry: AssetRegistry, count: number, dir: string, options: ReadOptions & { reporter: Reporter }): Promise<SnapshotSummary> {
  const format = options.format ?? snapshotFormatOf(file);
  const parts = await partitionSnapshot(file, count, dir, options.reporter, format);
  const sum = new Summary(registry);
  for (const part of parts) {
    const s = await readPart(part, file, registry, { ...options, format });
    const map = readFileSync(part.lines);
    const original = (local: number) => (local <= 1 ? local : map.readUInt32LE((local - 2) * 4));
    sum.add(s, original);
    await rm(part.file, { force: true });
    await rm(part.lines, { force: true });
  }
  return sum.result(file, format);
}

/** Running sums over parts; debtors and exchange-owned accounts kept with their first line. */
class Summary {
  rows = 0;
  userCount = 0;
  readonly modes = new Map<AccountMode, number>();
  readonly totals: AssetLiability[];
  readonly debtors: { line: number; user: UserBalances }[] = [];
  readonly exchange: { line: number; account: ExchangeOwnedAccount }[] = [];
  constructor(private readonly registry: AssetRegistry) {
    this.totals = registry.assets.map((a) => ({ asset: a.symbol, gross: 0n, debt: 0n, net: 0n, users: 0 }));
  }
  add(s: Snapshot, original: (local: number) => number): void {
    this.rows += s.rows;
    this.userCount += s.userCount;
    for (const [m, n] of Object.entries(s.modes) as [AccountMode, number][]) this.modes.set(m, (this.modes.get(m) ?? 0) + n);
    s.totals.forEach((t, a) => {
      const x = this.totals[a]!;
      x.gross += t.gross;
      x.debt += t.debt;
      x.net += t.net;
      x.users += t.users;
    });
    const lines = s.debtorLines();
    let k = 0;
    for (const user of s.debtors()) this.debtors.push({ line: original(lines[k++]!), user });
    const ex = s.exchangeLines();
    s.exchangeOwned.accounts.forEach((account, i) => this.exchange.push({ line: original(ex[i]!), account }));
  }
  result(file: string, format: SnapshotFormat): SnapshotSummary {
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    const debtors = this.debtors.sort(byLine).map((d) => d.user);
    const accounts = this.exchange.sort(byLine).map((e) => e.account);
    const totals = this.registry.assets.map((_, a) => accounts.reduce((t, x) => t + x.balances[a]!, 0n));
    const modes = Object.fromEntries([...this.modes]) as Record<AccountMode, number>;
    return { registry: this.registry, file, format, rows: this.rows, userCount: this.userCount, modes, totals: this.totals, exchangeOwned: { accounts, totals }, debtors: () => debtors };
  }
}

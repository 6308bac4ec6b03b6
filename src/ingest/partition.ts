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
import { originalLines, PartSums } from './part-sums.js';
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
    const local = err.info.line;
    const line = local === undefined ? local : originalLines(readFileSync(part.lines))(local);
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
  const sum = new PartSums(registry);
  for (const part of parts) {
    const s = await readPart(part, file, registry, { ...options, format });
    sum.add(s, originalLines(readFileSync(part.lines)));
    await rm(part.file, { force: true });
    await rm(part.lines, { force: true });
  }
  return sum.result(file, format);
}

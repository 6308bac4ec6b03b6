// The CSV partitioner of ./partition.ts on bytes: each row's user id is found and hashed (FNV-1a
// over its bytes: every row of an id lands in one part) and the row's bytes are appended to its
// part as they are, with no decoding. Bytes that are not UTF-8, a bad row or a cut last line are
// carried into the part unchanged, where the part's reader finds them and names their line in the
// original file (through the part's line list). Node-only.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { PorError, porError } from '../core/errors/index.js';
import { readFault } from '../io/node.js';
import type { Reporter } from '../core/progress/index.js';
import { lineTooLong, MAX_LINE_CHARS } from './index.js';
import type { Part } from './partition.js';

const CHUNK = 4 << 20;
const MAX_CARRY = 3 * MAX_LINE_CHARS + 3; // bytes: past this a line is over MAX_LINE_CHARS characters too

/** A part's line map, buffered: u32 LE per row, its line in the original file. */
export class LineMapWriter {
  private readonly lines = new Uint32Array(1 << 16);
  private n = 0;
  private readonly fd: number;
  constructor(file: string) {
    this.fd = openSync(file, 'w', 0o600);
  }
  add(line: number): void {
    this.lines[this.n++] = line;
    if (this.n === this.lines.length) this.flush();
  }
  private flush(): void {
    writeSync(this.fd, this.lines, 0, this.n * 4);
    this.n = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Buffered appends of raw rows to one part: its bytes and its line map. */
class BytePart {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private readonly fd: number;
  private readonly lines: LineMapWriter;
  constructor(readonly part: Part) {
    this.fd = openSync(part.file, 'w', 0o600);
    this.lines = new LineMapWriter(part.lines);
  }
  /** Appends src[start..end) (a row with its line ending) read at `line` of the original (0: the header). */
  add(src: Buffer, start: number, end: number, line: number): void {
    const len = end - start;
    if (this.used + len > this.buf.length) this.flush();
    if (len > this.buf.length) writeSync(this.fd, src, start, len);
    else if (len < 128) {
      // short rows copied by hand: Buffer.copy makes a view per call, which costs more
      for (let i = 0; i < len; i++) this.buf[this.used + i] = src[start + i]!;
      this.used += len;
    } else this.used += src.copy(this.buf, this.used, start, end);
    if (line > 0) this.lines.add(line);
  }
  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.lines.close();
    }
  }
}

/** The part of row src[start..end): FNV-1a of the bytes of its field number `col` (part 0 when the row has too few). */
function routeOf(src: Buffer, start: number, end: number, col: number, count: number): number {
  let s = start;
  for (let k = 0; k < col; k++) {
    const c = src.indexOf(44, s);
    if (c === -1 || c >= end) return 0; // too few fields: the part's reader says which
    s = c + 1;
  }
  let h = 0x811c9dc5;
  for (let i = s; i < end; i++) {
    const b = src[i]!;
    if (b === 44 || b === 10 || b === 13) break;
    h = Math.imul(h ^ b, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** Splits the CSV `file` into `parts` (see partitionSnapshot). */
export async function partitionCsvBytes(file: string, parts: Part[], reporter: Reporter): Promise<Part[]> {
  const writers: BytePart[] = [];
  let fd = -1;
  let line = 0;
  try {
    for (const p of parts) writers.push(new BytePart(p));
    fd = openSync(file, 'r');
    const total = statSync(file).size;
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0;
    let read = 0;
    let col = -1;
    for (;;) {
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) break;
      have += n;
      read += n;
      let start = line === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // a BOM
      let nl: number;
      while ((nl = buf.indexOf(10, start)) !== -1 && nl < have) {
        line++;
        if (nl - start > MAX_LINE_CHARS && buf.toString('utf8', start, nl).length > MAX_LINE_CHARS) throw lineTooLong(file, line);
        if (col < 0) col = header(buf, start, nl, writers);
        else writers[routeOf(buf, start, nl, col, parts.length)]!.add(buf, start, nl + 1, line);
        start = nl + 1;
      }
      if (have - start > MAX_CARRY) throw lineTooLong(file, line + 1);
      buf.copy(buf, 0, start, have);
      have -= start;
      if (have > buf.length / 2) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      reporter.progress('partition', read, total, 'bytes');
    }
    if (have > 0) writers[col < 0 ? 0 : routeOf(buf, 0, have, col, parts.length)]!.add(buf, 0, have, line + 1);
  } catch (err) {
    if (err instanceof PorError) throw err;
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  } finally {
    if (fd >= 0) closeSync(fd);
    for (const w of writers) w.close();
  }
  reporter.done('partition', `${line.toLocaleString('en-US')} lines into ${parts.length} parts by user id`);
  return parts;
}

/** The header line buf[start..nl) (a CR dropped) to every part; returns the user_id column (0 if none: the reader refuses the header). */
function header(buf: Buffer, start: number, nl: number, writers: BytePart[]): number {
  const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
  const text = buf.toString('utf8', start, end);
  const head = Buffer.from(`${text}\n`);
  for (const w of writers) w.add(head, 0, head.length, 0);
  return Math.max(0, text.split(',').indexOf('user_id'));
}

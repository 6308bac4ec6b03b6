// File reading shared by Node-side stages. Not for the browser.
import { readFile, rename, link, mkdir, rm, open, readdir, type FileHandle } from 'node:fs/promises';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { porError } from '../core/errors/index.js';
import { readFault, shortWrite, writeError } from './faults.js';
import { parseJson } from '../core/json/parse.js';

export { readFault, writeError } from './faults.js';

/** Writes all of `data` at the file's position, looping over short writes; faults name `file`. */
export async function writeAll(fh: FileHandle, data: Uint8Array, file: string): Promise<void> {
  let off = 0;
  try {
    while (off < data.length) {
      const { bytesWritten } = await fh.write(data, off, data.length - off);
      if (bytesWritten <= 0) throw shortWrite();
      off += bytesWritten;
    }
  } catch (err) {
    throw writeError(file, err);
  }
}

/** The synchronous twin of writeAll, for the proof export's hot loop. */
export function writeAllSync(fd: number, data: Uint8Array, offset: number, length: number, file: string): void {
  const end = offset + length;
  try {
    while (offset < end) {
      const n = writeSync(fd, data, offset, end - offset);
      if (n <= 0) throw shortWrite();
      offset += n;
    }
  } catch (err) {
    throw writeError(file, err);
  }
}

/** Flushes a folder's entries (new names, renames) to the device; best effort where folders cannot be opened. */
export function syncFolder(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some systems cannot fsync a folder; the rename is still atomic, only its durability is weaker.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** True when a process with this id runs (or exists under another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * For tests only: POR_TEST_CRASH_AT=NAME kills this process (SIGKILL, as a power cut or kill -9
 * would) at the named point, so tests can check what a crash there leaves behind.
 */
export function crashPoint(name: string): void {
  if (process.env.POR_TEST_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

/**
 * Reads and parses a JSON file with por's one JSON reader (src/core/json/parse.ts): syntax errors and
 * duplicate keys name the file, line, column and the path of the value.
 */
export async function readJsonFile(file: string, options: { bigIntegers?: boolean } = {}): Promise<unknown> {
  return parseJson(await readTextFile(file), { file, ...options });
}

/** Reads a text file (UTF-8); a read fault is a located BAD_INPUT naming the file. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
}

export interface WriteOptions {
  /** 0o600 for anything secret-bearing. */
  mode?: number;
  /** Mode of folders created on the way (0o700 beside secrets). */
  dirMode?: number;
  /**
   * Never replace: the flushed temp file is hard-linked into place, and link() fails (EEXIST, the
   * error's cause) if the name exists, so neither a half-written file nor someone else's is ever lost.
   */
  exclusive?: boolean;
}

/**
 * Writes a file atomically (temp file, flushed, then renamed or linked) so a crash never leaves a
 * partial file in place. Temp files of killed runs beside it are removed.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  // An output path that cannot be written (a folder, a file where a folder should be) is the
  // user's to fix: a located error, not an internal one.
  try {
    await mkdir(dirname(file), { recursive: true, ...(options.dirMode !== undefined ? { mode: options.dirMode } : {}) });
  } catch (err) {
    throw writeError(file, err);
  }
  await removeDeadTemps(file);
  const tmp = `${file}.partial-${process.pid}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w', options.mode ?? 0o644);
    await writeAll(fh, bytes, file);
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (options.exclusive) await link(tmp, file).finally(() => rm(tmp, { force: true }));
    else await rename(tmp, file);
  } catch (err) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw isWriteError(err) ? err : writeError(file, err);
  }
}

function isWriteError(err: unknown): boolean {
  return err instanceof Error && err.name === 'PorError';
}

/** `FILE.partial-PID` left by a killed run (PID no longer running). */
async function removeDeadTemps(file: string): Promise<void> {
  const prefix = `${basename(file)}.partial-`;
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isSafeInteger(pid) && pid > 0 && !processAlive(pid)) await rm(join(dirname(file), name), { force: true });
  }
}

/** JSON for documents por writes: bigint as decimal strings, two-space indent, trailing newline. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent) + '\n';
}

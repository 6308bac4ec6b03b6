// File reading shared by Node-side stages. Not for the browser.
import { readFile, writeFile, rename, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { porError } from '../errors/index.js';
import { parseJson } from '../json/parse.js';

const READ_FAULTS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'a folder, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
};

/** Why a file could not be read, for users: the system code plus what it means. */
export function readFault(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return String(err);
  return READ_FAULTS[code] !== undefined ? `${code} (${READ_FAULTS[code]})` : code;
}

/**
 * Reads and parses a JSON file with por's one JSON reader (src/json/parse.ts): syntax errors and
 * duplicate keys name the file, line, column and the path of the value.
 */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
  return parseJson(text, { file });
}

/** Writes a file atomically (temp file + rename) so a crash never leaves a partial file in place. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // An output path that cannot be written (a folder, a file where a folder should be) is the
  // user's to fix: a located error, not an internal one.
  const cannot = (err: unknown) => porError('BAD_USAGE', `cannot write file: ${readFault(err)}`, { file }, err);
  try {
    await mkdir(dirname(file), { recursive: true });
  } catch (err) {
    throw cannot(err);
  }
  const tmp = `${file}.partial-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw cannot(err);
  }
}

/** JSON for documents por writes: bigint as decimal strings, two-space indent, trailing newline. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

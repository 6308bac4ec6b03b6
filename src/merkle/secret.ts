// Reading the exchange's tree secret. Node-only.
import { readFault } from '../io/node.js';
import { readFile, stat } from 'node:fs/promises';
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import { MIN_SECRET_BYTES } from '../core/merkle/core.js';

/**
 * The secret is the file's bytes with trailing whitespace (spaces, tabs, CR, LF) removed, so an
 * editor's final newline does not change every salt. At least 32 bytes: `openssl rand -hex 32`.
 */
export async function readSecretFile(file: string, reporter?: Reporter): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read the secret file: ${readFault(err)}`, { file }, err);
  }
  let end = bytes.length;
  while (end > 0 && [0x20, 0x09, 0x0d, 0x0a].includes(bytes[end - 1]!)) end--;
  if (end < MIN_SECRET_BYTES) {
    throw porError('BAD_INPUT', `the secret is ${end} bytes; at least ${MIN_SECRET_BYTES} are needed (create one with: openssl rand -hex 32 > secret.key)`, { file });
  }
  const mode = (await stat(file)).mode;
  if (mode & 0o077 && process.platform !== 'win32') {
    reporter?.warn(`${file} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}); anyone with it can link users' leaves: chmod 600 it`);
  }
  return new Uint8Array(bytes.subarray(0, end));
}

// Why a file could not be read or written, as users read it. Node-only (errno codes).
import { porError, type PorError } from '../core/errors/index.js';

const READ_FAULTS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'a folder, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the device',
  EFBIG: 'file too large for this file system or limit',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EXDEV: 'the folder and its parent are on different file systems (a mount point): use a folder inside it',
  ENOTEMPTY: 'folder not empty',
};

/** Faults of the device, not of the path the user gave: the disk, a quota, a size limit. */
const DEVICE_FAULTS = new Set(['ENOSPC', 'EFBIG', 'EDQUOT', 'EIO', 'EROFS']);

/**
 * A file por could not write, as a located error (exit 2, no stack trace): CANNOT_WRITE when the
 * device refused (full disk, size limit), BAD_USAGE when the path itself is wrong (a folder, no access).
 */
export function writeError(file: string, err: unknown): PorError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return porError(code !== undefined && DEVICE_FAULTS.has(code) ? 'CANNOT_WRITE' : 'BAD_USAGE', `cannot write file: ${readFault(err)}`, { file }, err);
}

/** A write that wrote fewer bytes than asked and made no progress: the device gave up without saying why. */
export function shortWrite(): NodeJS.ErrnoException {
  return Object.assign(new Error('short write: the device accepted no more bytes'), { code: 'ENOSPC' });
}

/** Why a file could not be read, for users: the system code plus what it means. */
export function readFault(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return String(err);
  return READ_FAULTS[code] !== undefined ? `${code} (${READ_FAULTS[code]})` : code;
}


// The files of `por proof --all`: NDJSON shards or one file per user, each counted and hashed as it
// is written, and the manifest naming them all, written last. Node-only. docs/FORMATS.md,
// "Proof export".
import { closeSync, fsyncSync, openSync, readSync } from 'node:fs';
import { createHash, hash as hashOnce, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { porError } from '../core/errors/index.js';
import { toJson, writeAllSync, writeError, writeFileAtomic } from '../io/node.js';
import { StagedFolder } from '../io/staged.js';
import { FORMAT, VERSION, write as writeExportManifest, type ExportedFile, type ExportManifest } from '../core/documents/proof-export.js';

export const EXPORT_FORMAT = FORMAT;
/** 2: the manifest lists every file with its size and SHA-256; per-user files live under users/. */
export const EXPORT_VERSION = VERSION;
export const MANIFEST_FILE = 'manifest.json';
/** With --layout files, proofs go here: no user id can name a file beside the manifest. */
export const USERS_DIR = 'users';

export type { ExportedFile, ExportManifest } from '../core/documents/proof-export.js';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/;
const PLAIN = /^[a-z0-9_-][a-z0-9._-]{0,127}$/;
/** Ids up to this many UTF-8 bytes are hex-encoded whole; longer ones by their SHA-256 (file names stay < 255 bytes). */
const HEX_MAX_BYTES = 100;

/**
 * The file name (without ".json") of a user's proof: one-to-one, the same on case-insensitive file
 * systems, and valid everywhere. Plain lower-case ids are kept as they are, except those that look
 * like an encoded name (x-…, h-…), end in a dot, or are reserved on Windows (con, nul, …); every
 * other id up to 100 bytes becomes "x-" + the hex of its UTF-8 bytes, a longer one "h-" + the hex
 * of its SHA-256.
 */
export function fileNameFor(id: string): string {
  if (PLAIN.test(id) && !/^[xh]-/.test(id) && !id.endsWith('.') && !WINDOWS_RESERVED.test(id)) return id;
  const bytes = Buffer.from(id, 'utf8');
  if (bytes.length <= HEX_MAX_BYTES) return `x-${bytes.toString('hex')}`;
  return `h-${hashOnce('sha256', bytes, 'hex')}`;
}

/** True when DIR holds a previous export (its manifest), so a new export may replace it. */
export function isExportFolder(dir: string): boolean {
  let fd = -1;
  try {
    fd = openSync(join(dir, MANIFEST_FILE), 'r');
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').includes(`"${EXPORT_FORMAT}"`);
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The staged folder for `por proof --all --out DIR`: a previous export there is replaced whole. */
export function stageExport(outDir: string): Promise<StagedFolder> {
  return StagedFolder.begin(outDir, {
    replace: true,
    isOurs: isExportFolder,
    what: 'a proof export (manifest.json)',
    field: 'out',
    replaceHint: 'choose another folder',
    crashName: 'export',
    // Every proof holds its user's salt: the export is handed out user by user, never published whole.
    mode: 0o700,
  });
}

/** Writes the export's files into `dir` (a staging folder), counting and hashing every byte. */
export class ExportWriter {
  readonly files: ExportedFile[] = [];
  private fd = -1;
  private current: { path: string; file: string; bytes: number; hash: Hash } | undefined;
  private readonly names = new Map<string, string>();

  constructor(private readonly dir: string) {}

  /** Starts a file (closing the previous one); `rel` is relative to the export folder. */
  open(rel: string): void {
    this.close();
    const file = join(this.dir, ...rel.split('/'));
    try {
      this.fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      throw writeError(file, err);
    }
    this.current = { path: rel, file, bytes: 0, hash: createHash('sha256') };
  }

  write(buf: Buffer, start: number, end: number): void {
    const c = this.current!;
    writeAllSync(this.fd, buf, start, end - start, c.file);
    c.hash.update(buf.subarray(start, end));
    c.bytes += end - start;
  }

  /** Flushes and closes the current file, recording its size and hash. */
  close(): void {
    const c = this.current;
    if (c === undefined) return;
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
    } catch (err) {
      throw writeError(c.file, err);
    }
    this.fd = -1;
    this.current = undefined;
    this.files.push({ path: c.path, bytes: c.bytes, sha256: c.hash.digest('hex') });
  }

  /** One user's proof file: users/NAME.json. Two ids with one name would lose a proof: refused. */
  userFile(id: string, buf: Buffer, start: number, end: number): void {
    const name = fileNameFor(id);
    const other = this.names.get(name);
    if (other !== undefined) throw porError('DUPLICATE', `users ${JSON.stringify(other)} and ${JSON.stringify(id)} map to one file name (${name}.json)`, { field: 'user' });
    this.names.set(name, id);
    this.open(`${USERS_DIR}/${name}.json`);
    this.write(buf, start, end);
    this.close();
  }

  /** Abandons an open file (the staging folder is removed by the caller). */
  discard(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.current = undefined;
  }
}

/** The manifest, written last: its presence says the export is complete, its list says what is in it. */
export async function writeManifest(dir: string, manifest: ExportManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), toJson(writeExportManifest(manifest)));
}

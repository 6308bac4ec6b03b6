// Appending to a file with direct I/O (O_DIRECT) where the file system takes it, else with ordinary
// buffered writes; the file's bytes are the same either way. Node-only. Why: at 10^7 users the proof
// store is ~1.5 GB written once and not read back by the build, and copying it into the page cache
// was ~9 % of the build's CPU on a 2-core VM (docs/SCALE.md, "Direct I/O").
import { constants, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { porError } from '../core/errors/index.js';
import { shortWrite, writeError } from './faults.js';

/** Bytes per direct write: 512 KiB to 2 MiB measured alike here; 8 MiB writes were many times slower. */
export const STAGE_BYTES = 1 << 20;
/** Direct writes start and end on multiples of this (the largest usual logical block size). */
export const BLOCK_BYTES = 4096;
/** Offsets into the staging memory tried for an aligned address (JS cannot see addresses). */
const ALIGN_STEP = 16;

export interface AppendOptions {
  /** Mode of the new file. */
  mode?: number;
  /** The file errors name (a temp file's final name); the path itself by default. */
  name?: string;
  /** false: buffered writes only. Default: direct I/O unless POR_DIRECT_IO=off. */
  direct?: boolean;
}

/** Direct I/O is tried unless the platform has none or POR_DIRECT_IO=off (a file system that takes it badly). */
export function directWanted(): boolean {
  return constants.O_DIRECT !== undefined && process.env.POR_DIRECT_IO !== 'off';
}

/**
 * A new file written by appending. Direct: appended bytes are copied into one of two aligned 1 MiB
 * stages; a full stage is written at its offset while the other fills; complete() writes the last
 * stage padded to a block and cuts the file to the bytes appended. Buffered (O_DIRECT refused: tmpfs,
 * some file systems, no aligned memory found): each append is written at once.
 */
export class DirectAppender {
  /** Bytes appended. */
  private length = 0;
  /** File offset of the current stage's first byte. */
  private base = 0;
  /** Bytes in the current stage. */
  private fill = 0;
  private cur = 0;
  /** Each stage's write in flight (a stage is refilled only once its write is done). */
  private readonly writing: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  /** Appends and completion, in call order; a failure fails everything after it. */
  private queue: Promise<void> = Promise.resolve();
  private completed = false;

  private constructor(private readonly fh: FileHandle, readonly name: string, private readonly stages: Buffer[] | undefined) {}

  /** Creates (or truncates) `path`; a fault names options.name ?? path. */
  static async open(path: string, options: AppendOptions = {}): Promise<DirectAppender> {
    const name = options.name ?? path;
    const mode = options.mode ?? 0o644;
    if (options.direct ?? directWanted()) {
      const direct = await openDirect(path, mode);
      if (direct) return new DirectAppender(direct.fh, name, direct.stages);
    }
    const fh = await open(path, 'w', mode).catch((err: unknown) => Promise.reject(writeError(name, err)));
    return new DirectAppender(fh, name, undefined);
  }

  /** True when the file is written with direct I/O. */
  get direct(): boolean {
    return this.stages !== undefined;
  }

  /** Appends `data` after everything appended before; `data` may be reused once this resolves. */
  append(data: Uint8Array): Promise<void> {
    return this.enqueue(() => this.appendNow(data));
  }

  /**
   * Writes what is still staged and waits for every write: the file then holds exactly the bytes
   * appended (and can be read). Nothing may be appended after.
   */
  complete(): Promise<void> {
    return this.enqueue(() => this.completeNow());
  }

  /** Flushes the file to the device (after complete()). */
  sync(): Promise<void> {
    return this.enqueue(() => this.fh.sync().catch((err: unknown) => Promise.reject(writeError(this.name, err))));
  }

  /** Closes the file once its writes are over (failed or not). */
  async close(): Promise<void> {
    await Promise.allSettled([this.queue, ...this.writing]);
    await this.fh.close().catch(() => {});
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const p = this.queue.then(step);
    this.queue = p;
    return p;
  }

  private async appendNow(data: Uint8Array): Promise<void> {
    if (this.completed) throw porError('INTERNAL', `${this.name}: appended to after it was complete`);
    if (!this.stages) {
      await this.writeAt(data, 0, data.length, this.length);
      this.length += data.length;
      return;
    }
    for (let at = 0; at < data.length; ) {
      const k = Math.min(data.length - at, STAGE_BYTES - this.fill);
      this.stages[this.cur]!.set(data.subarray(at, at + k), this.fill);
      this.fill += k;
      this.length += k;
      at += k;
      if (this.fill === STAGE_BYTES) await this.rotate(this.stages);
    }
  }

  /** The full stage to its write; then waits until the other stage's write is done. */
  private async rotate(stages: Buffer[]): Promise<void> {
    const w = this.writeAt(stages[this.cur]!, 0, STAGE_BYTES, this.base);
    w.catch(() => {}); // observed when the stage is next needed, or in complete()
    this.writing[this.cur] = w;
    this.base += STAGE_BYTES;
    this.fill = 0;
    this.cur ^= 1;
    await this.writing[this.cur];
  }

  private async completeNow(): Promise<void> {
    if (this.completed || !this.stages) {
      this.completed = true;
      return;
    }
    this.completed = true;
    const stage = this.stages[this.cur]!;
    const padded = Math.ceil(this.fill / BLOCK_BYTES) * BLOCK_BYTES;
    stage.fill(0, this.fill, padded); // no stale bytes past the end, even before the cut
    if (padded > 0) await this.writeAt(stage, 0, padded, this.base);
    await Promise.all(this.writing);
    // The cut also drops the alignment probe's block when fewer bytes were appended.
    await this.fh.truncate(this.length).catch((err: unknown) => Promise.reject(writeError(this.name, err)));
  }

  /** Writes buf[off, off + len) at file offset pos, looping over short writes; faults name the file. */
  private async writeAt(buf: Uint8Array, off: number, len: number, pos: number): Promise<void> {
    let done = 0;
    try {
      while (done < len) {
        const { bytesWritten } = await this.fh.write(buf, off + done, len - done, pos + done);
        if (bytesWritten <= 0) throw shortWrite();
        done += bytesWritten;
      }
    } catch (err) {
      // After a short direct write the rest can be misaligned (EINVAL): the device took no more.
      throw writeError(this.name, done > 0 && (err as NodeJS.ErrnoException).code === 'EINVAL' ? shortWrite() : err);
    }
  }
}

/**
 * `path` opened for direct I/O with two aligned stages, or undefined when direct I/O is refused
 * (then the buffered open that follows meets, and names, any fault that is not about O_DIRECT).
 */
async function openDirect(path: string, mode: number): Promise<{ fh: FileHandle; stages: Buffer[] } | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DIRECT, mode);
  } catch {
    return undefined;
  }
  const raw = Buffer.alloc(2 * STAGE_BYTES + BLOCK_BYTES);
  const at = alignedOffset(fh.fd, raw);
  if (at === undefined) {
    await fh.close().catch(() => {});
    return undefined;
  }
  return { fh, stages: [raw.subarray(at, at + STAGE_BYTES), raw.subarray(at + STAGE_BYTES, at + 2 * STAGE_BYTES)] };
}

/**
 * The first offset into `raw` whose address direct writes accept: a block of zeros is written at
 * file offset 0 from raw + 0, 16, 32, … until one is not refused with EINVAL (the address must be
 * aligned to the device's logical block). Undefined when none is, or on any other fault.
 */
function alignedOffset(fd: number, raw: Buffer): number | undefined {
  for (let k = 0; k < BLOCK_BYTES; k += ALIGN_STEP) {
    try {
      writeSync(fd, raw, k, BLOCK_BYTES, 0);
      return k;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') return undefined;
    }
  }
  return undefined;
}

// The appender the proof store is written with (src/io/direct.ts): pieces of any size appended with
// direct I/O (aligned 1 MiB stages, the last one padded then cut) or, where O_DIRECT is refused, with
// buffered writes, must leave exactly the concatenation of the pieces. The expectation is the
// pieces joined by Buffer.concat, nothing from the appender.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DirectAppender, STAGE_BYTES } from '../../src/io/direct.js';
import { tmp } from '../merkle/helpers.js';

const MiB = 1 << 20;
const work = tmp('por-direct-');
const mounts: string[] = [];
afterAll(() => {
  for (const d of mounts) spawnSync('umount', [d]);
  rmSync(work, { recursive: true, force: true });
});

/** A ramfs (no direct I/O) mounted in the work folder; undefined where mount is not allowed. */
function ramfs(): string | undefined {
  const dir = join(work, 'ramfs');
  mkdirSync(dir);
  if (spawnSync('mount', ['-t', 'ramfs', 'ramfs', dir]).status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

/** Whether the file system of `dir` opens files with O_DIRECT (asked here, not of the appender). */
function directOpens(dir: string): boolean {
  const file = join(dir, 'probe');
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT));
    return true;
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('EINVAL');
    return false;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Deterministic pseudo-random bytes (xorshift), so a piece written at a wrong offset shows. */
function bytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The edge sizes, then random ones (small, around a block, around a stage, several MiB). */
function pieceSizes(seed: number): number[] {
  const sizes = [0, 1, 511, 4095, 4096, 4097, MiB - 1, MiB, MiB + 1, 0, 3 * MiB + 17];
  let x = seed;
  const rnd = (m: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % m;
  };
  for (let i = 0; i < 40; i++) {
    const kind = rnd(4);
    sizes.push(kind === 0 ? rnd(600) : kind === 1 ? 4096 * (1 + rnd(4)) + rnd(3) - 1 : kind === 2 ? MiB + rnd(8193) - 4096 : rnd(5 * MiB));
  }
  return sizes;
}

/**
 * Appends the pieces (each source buffer overwritten once its append resolved: the bytes must have
 * been taken by then), completes, and returns what the file holds and what it should hold.
 */
async function appendAll(dir: string, sizes: number[], options: { direct?: boolean } = {}): Promise<{ got: Buffer; want: Buffer; direct: boolean }> {
  const file = join(dir, `f-${sizes.length}-${sizes[0]}.bin`);
  const a = await DirectAppender.open(file, { mode: 0o600, ...options });
  const want: Buffer[] = [];
  try {
    for (const [k, n] of sizes.entries()) {
      const piece = bytes(n, k + 1);
      want.push(Buffer.from(piece));
      await a.append(piece);
      piece.fill(0xee);
    }
    await a.complete();
    await a.sync();
  } finally {
    await a.close();
  }
  expect(statSync(file).mode & 0o777).toBe(0o600);
  return { got: readFileSync(file), want: Buffer.concat(want), direct: a.direct };
}

describe('DirectAppender', () => {
  it('with direct I/O on a disk folder: many piece sizes (0, 1, 511, 4095, 4096, 1 MiB ± 1, several MiB) read back as their concatenation', async () => {
    const { got, want, direct } = await appendAll(work, pieceSizes(7));
    if (directOpens(work)) expect(direct).toBe(true);
    else console.warn(`${work}: O_DIRECT refused here, the buffered path was checked instead`);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
  });

  it('exact lengths: nothing appended is an empty file (the alignment probe block cut), whole stages leave no padding', async () => {
    for (const sizes of [[], [0, 0], [STAGE_BYTES], [STAGE_BYTES - 4096, 4096, 2 * STAGE_BYTES], [100]]) {
      const { got, want } = await appendAll(work, sizes);
      expect(got.length, String(sizes)).toBe(sizes.reduce((s, n) => s + n, 0));
      expect(got.equals(want), String(sizes)).toBe(true);
    }
  });

  it('appends not awaited one by one land in call order', async () => {
    const file = join(work, 'unawaited.bin');
    const a = await DirectAppender.open(file);
    const pieces = pieceSizes(3).slice(0, 20).map((n, k) => bytes(n, 100 + k));
    await Promise.all(pieces.map((p) => a.append(p)));
    await a.complete();
    await a.close();
    expect(readFileSync(file).equals(Buffer.concat(pieces))).toBe(true);
  });

  it('where O_DIRECT is refused (a ramfs mount; /dev/shm on kernels before 6.6): buffered writes, the same bytes', async () => {
    const folders = [ramfs(), existsSync('/dev/shm') ? mkdtempSync('/dev/shm/por-direct-') : undefined].filter((d): d is string => d !== undefined);
    const refused = folders.filter((d) => !directOpens(d));
    if (refused.length === 0) console.warn('no folder refusing O_DIRECT here (no ramfs mount allowed); the buffered path is checked by the next test only');
    try {
      for (const dir of folders) {
        const { got, want, direct } = await appendAll(dir, pieceSizes(11).slice(0, 25));
        expect(direct, dir).toBe(!refused.includes(dir));
        expect(got.equals(want), dir).toBe(true);
      }
    } finally {
      for (const d of folders) if (mounts.includes(d)) spawnSync('umount', [d]);
      for (const d of folders) rmSync(d, { recursive: true, force: true });
    }
  });

  it('direct I/O turned off (option direct: false, POR_DIRECT_IO=off): buffered writes, the same bytes', async () => {
    const { got, want, direct } = await appendAll(work, pieceSizes(13).slice(0, 25), { direct: false });
    expect(direct).toBe(false);
    expect(got.equals(want)).toBe(true);
    process.env.POR_DIRECT_IO = 'off';
    try {
      const a = await DirectAppender.open(join(work, 'env-off.bin'));
      await a.close();
      expect(a.direct).toBe(false);
    } finally {
      delete process.env.POR_DIRECT_IO;
    }
  });

  it('nothing is appended after complete()', async () => {
    const a = await DirectAppender.open(join(work, 'after.bin'));
    await a.complete();
    await expect(a.append(bytes(10, 1))).rejects.toMatchObject({ code: 'INTERNAL' });
    await a.close();
  });
});

// Salts and user hashes made while the snapshot is read (src/merkle/early.ts): a hashing worker
// takes leaf chunks of users as the reader meets them. The tree must not change: its root is
// checked against test/merkle/spec-impl.ts (node:crypto, nothing from src/), and every stored byte
// against a one-thread build, which hashes nothing early. Many assets make leaf chunks small
// (512 users at 600 assets), so a few thousand users fill several.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readSnapshot } from '../../src/ingest/index.js';
import type { ReadWatcher, SeenIds } from '../../src/ingest/types.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { buildTree, chunkBitsFor } from '../../src/merkle/build.js';
import { recordSize } from '../../src/core/merkle/core.js';
import type { Reporter } from '../../src/core/progress/index.js';
import { PorError } from '../../src/core/errors/index.js';
import { SECRET, tmp } from './helpers.js';
import { leafOf, levelsOf, type SpecUser } from './spec-impl.js';

const SID = 'early';
const HEIGHT = 16;
const ASSETS = Array.from({ length: 600 }, (_, i) => ({ symbol: `A${i}`, decimals: 2 }));
const registry = parseAssetRegistry({ assets: ASSETS.map((a) => ({ ...a, name: a.symbol })) });
const CHUNK = 2 ** chunkBitsFor(recordSize(ASSETS.length));

/**
 * 2,000 users with two rows each, in two passes (a user's second row comes after every user's
 * first, as the bench files are written), so the id is met again long after it was first seen;
 * exchange-owned accounts interleaved in the first chunk (they are not leaves, but take an index in
 * the reader's table); with `unicode`, non-ASCII ids in the first chunk.
 */
function snapshot(unicode: boolean): { csv: string; users: SpecUser[] } {
  const users: SpecUser[] = [];
  const first: string[] = [];
  const second: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const id = unicode && i % 97 === 5 ? `ünï-${i}-ユーザー` : `u${i}-${(i * 7919) % 10007}`;
    const a = i % ASSETS.length;
    const b = (i * 13 + 1) % ASSETS.length;
    const net = ASSETS.map(() => 0n);
    net[a] = BigInt(100 + i);
    net[b] = net[b]! + BigInt(i % 3);
    users.push({ id, net });
    first.push(`${id},spot,A${a},${(100 + i) / 100}`);
    second.push(`${id},earn,A${b},${i % 3 === 0 ? '0' : `0.0${i % 3}`}`);
    if (i === 3 || i === 300) first.push(`fund-${i},exchange:insurance-fund,A${a},5`);
  }
  return { csv: `user_id,account,asset,balance\n${[...first, ...second].join('\n')}\n`, users };
}

function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['public', 'private']) for (const f of readdirSync(join(dir, sub))) out.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  return out;
}

/** A build that reads `file` once its hashing threads are up; resolves with the leaf pass's summary line. */
async function buildReading(file: string, outDir: string, threads: number): Promise<{ root: string; leaves: string }> {
  let leaves = '';
  const reporter: Reporter = { progress() {}, warn() {}, done: (stage, line) => void (stage === 'merkle leaves' && (leaves = line)) };
  const read = (watcher: Parameters<Parameters<typeof buildTree>[0] extends infer I ? (I extends { read: infer R } ? R : never) : never>[0]) => readSnapshot(file, registry, { height: HEIGHT, ...(watcher ? { watcher } : {}) });
  const built = await buildTree({ registry, read }, { secret: SECRET, snapshotId: SID, height: HEIGHT, outDir, threads, reporter, releaseInput: true });
  return { root: built.merkleRoot.hash, leaves };
}

describe('salts and user hashes made while the snapshot is read', () => {
  for (const unicode of [false, true]) {
    it(`same root as the independent computation and same store as one thread${unicode ? ' (non-ASCII ids)' : ''}`, { timeout: 120_000 }, async () => {
      expect(CHUNK).toBe(512);
      const { csv, users } = snapshot(unicode);
      const dir = tmp('por-early-');
      const file = join(dir, 'snap.csv');
      writeFileSync(file, csv);
      const two = await buildReading(file, join(dir, 'two'), 2);
      // Some chunks were hashed ahead of their leaves (else this test checks nothing new): whole
      // chunks while reading, and beside the leaf pass up to the last, short one.
      const ahead = /salts made ahead: ([\d,]+) while reading(?:, ([\d,]+) beside the leaf pass)?\)/.exec(two.leaves);
      const num = (s: string | undefined) => Number((s ?? '0').replace(/,/g, ''));
      const [reading, after] = [num(ahead?.[1]), num(ahead?.[2])];
      expect(reading + after).toBeGreaterThan(0);
      expect(reading % CHUNK).toBe(0);
      expect(reading + after).toBeLessThanOrEqual(users.length);
      const secret = Buffer.from(SECRET);
      const levels = levelsOf(users.map((u) => leafOf(secret, SID, ASSETS, u)), HEIGHT, ASSETS.length);
      expect(two.root).toBe(levels[HEIGHT]![0]!.hash.toString('hex'));
      const one = await buildReading(file, join(dir, 'one'), 1);
      expect(one.leaves).not.toMatch(/salts made ahead/);
      const a = filesOf(join(dir, 'two'));
      const b = filesOf(join(dir, 'one'));
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [name, bytes] of a) expect(bytes.equals(b.get(name)!), name).toBe(true);
    });
  }

  it('chunks hashed while reading that are not the leaf pass\'s users (two ids swapped): refused, no tree', { timeout: 120_000 }, async () => {
    const { csv } = snapshot(false);
    const dir = tmp('por-early-swap-');
    const file = join(dir, 'snap.csv');
    writeFileSync(file, csv);
    // The early hashing sees users 0 and 1 in each other's place (an ordering bug between the
    // reader and the leaf pass): their salts would go to the wrong users.
    const swap = (u: number) => (u === 0 ? 1 : u === 1 ? 0 : u);
    const read = (watcher: ReadWatcher | undefined) =>
      readSnapshot(file, registry, {
        height: HEIGHT,
        ...(watcher ? { watcher: { ...watcher, poll: () => watcher.poll(), drop: () => watcher.drop(), start: (ids: SeenIds) => watcher.start({ seen: () => ids.seen(), isUser: (u) => ids.isUser(swap(u)), idUtf8: (u, d, at) => ids.idUtf8(swap(u), d, at) }) } } : {}),
      });
    const out = join(dir, 'tree');
    const err = await buildTree({ registry, read }, { secret: SECRET, snapshotId: SID, height: HEIGHT, outDir: out, threads: 2, releaseInput: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PorError);
    expect((err as PorError).message).toMatch(/leaf chunk 0: its users are not the ones hashed ahead/);
    expect(existsSync(out)).toBe(false);
  });

  it('a bad row after chunks were hashed: the located error, and nothing left in or beside --out', { timeout: 120_000 }, async () => {
    const { csv } = snapshot(false);
    const dir = tmp('por-early-bad-');
    const file = join(dir, 'snap.csv');
    const lines = csv.split('\n');
    const at = lines.length - 3; // among the second rows, after every user was met
    lines.splice(at, 0, 'u1-7919,spot,NOPE,1');
    writeFileSync(file, lines.join('\n'));
    const out = join(dir, 'tree');
    const err = await buildReading(file, out, 2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PorError);
    expect((err as PorError).info).toMatchObject({ file, line: at + 1, column: 'u1-7919,spot,'.length + 1, field: 'asset' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((n) => n.includes(basename(out)))).toEqual([]);
  });
});

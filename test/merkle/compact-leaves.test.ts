// Compact leaf records (src/merkle/leaves.ts): when every user net of a snapshot fits int64 the
// builder holds hash ‖ int64 nets per user and expands them into the SPEC's 128-bit equity and debt
// fields when hashing; a net past int64 keeps today's full records. Either way the bytes are those
// of docs/SPEC.md: the root is checked against test/merkle/spec-impl.ts (node:crypto, nothing from
// src/), and the whole store against a build of the same users through users() (full records):
// every file the same but leaves.bin (compact records when every net fits) and store.json, and
// every proof the same.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSnapshot } from '../../src/ingest/index.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { buildTree } from '../../src/merkle/build.js';
import { ProofStore } from '../../src/merkle/index.js';
import { sortByUserHash } from '../../src/merkle/order.js';
import type { LeafSet } from '../../src/merkle/leaves.js';
import { SECRET, tmp } from './helpers.js';
import { leafOf, levelsOf, type SpecUser } from './spec-impl.js';

const SID = 'compact';
const HEIGHT = 10;
const ASSETS = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'WEI', decimals: 18 },
  { symbol: 'USDT', decimals: 6 },
];
const registry = parseAssetRegistry({ assets: ASSETS.map((a) => ({ ...a, name: a.symbol })) });
const I64_MAX = (1n << 63n) - 1n;

/** Base units as the snapshot's decimal text. */
function text(v: bigint, decimals: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(decimals + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
}

/**
 * ~300 users, each asset's net written as one row or as a spot row plus a margin row that sum to it
 * (the reader nets them), some zero after netting; a non-ASCII id; nets of ±(2^63 − 1) base units.
 * `wide` adds a user whose WEI net is past int64 (20 WEI = 2·10^19 base units).
 */
function users(wide: boolean): SpecUser[] {
  let seed = 7;
  const rnd = (m: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % m;
  };
  const list: SpecUser[] = [];
  for (let i = 0; i < 300; i++) list.push({ id: `u${i}-${rnd(1e6)}`, net: ASSETS.map(() => (rnd(3) === 0 ? 0n : BigInt(rnd(2e9)) * (rnd(4) === 0 ? -1n : 1n))) });
  list.push({ id: 'ünïcode-ßser', net: [5n, -7n, 0n] });
  list.push({ id: 'edge-max', net: [I64_MAX, 0n, 1n] });
  list.push({ id: 'edge-min', net: [-I64_MAX, -1n, 0n] });
  if (wide) list.push({ id: 'whale', net: [1n, 20n * 10n ** 18n, -3n] });
  return list;
}

/** The users as snapshot rows: a net split over spot and margin when it allows. */
function csvOf(list: SpecUser[]): string {
  const rows = ['user_id,account,asset,balance,mode'];
  for (const u of list) {
    const mode = u.net.some((v) => v < 0n) ? 'single-currency-margin' : 'simple';
    u.net.forEach((v, a) => {
      const { symbol, decimals } = ASSETS[a]!;
      if (mode !== 'simple' && v > -I64_MAX && v < I64_MAX && v % 3n === 0n) {
        rows.push(`${u.id},spot,${symbol},${text(v + 1000n, decimals)},${mode}`);
        rows.push(`${u.id},margin,${symbol},${text(-1000n, decimals)},${mode}`);
      } else if (v !== 0n || a === 0) rows.push(`${u.id},spot,${symbol},${text(v, decimals)},${mode}`);
    });
  }
  return `${rows.join('\n')}\n`;
}

/** Every file of a build folder, by relative path. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['public', 'private']) for (const f of readdirSync(join(dir, sub))) out.set(`${sub}/${f}`, readFileSync(join(dir, sub, f)));
  return out;
}

async function check(wide: boolean, threads: number): Promise<void> {
  const list = users(wide);
  const dir = tmp('por-compact-');
  const file = join(dir, 'snap.csv');
  writeFileSync(file, csvOf(list));
  const snapshot = await readSnapshot(file, registry, { height: HEIGHT });
  // The layout the builder picks: compact exactly when no net is past int64.
  expect(snapshot.encoder.narrow).toBe(!wide);
  const built = await buildTree(snapshot, { secret: SECRET, snapshotId: SID, height: HEIGHT, outDir: join(dir, 'encoded'), threads, releaseInput: true });
  const secret = Buffer.from(SECRET);
  const levels = levelsOf(list.map((u) => leafOf(secret, SID, ASSETS, u)), HEIGHT, ASSETS.length);
  const root = levels[HEIGHT]![0]!;
  expect(built.merkleRoot.hash).toBe(root.hash.toString('hex'));
  expect(built.merkleRoot.sums.map((s) => [BigInt(s.equityUnits), BigInt(s.debtUnits)])).toEqual(ASSETS.map((_, a) => [root.equity[a], root.debt[a]]));
  // The same users through users() (full records in memory): every stored byte the same.
  const plain = { registry: { assets: ASSETS }, users: () => list.map((u) => ({ userId: u.id, net: u.net })) };
  await buildTree(plain, { secret: SECRET, snapshotId: SID, height: HEIGHT, outDir: join(dir, 'plain'), threads });
  const a = filesOf(join(dir, 'encoded'));
  const b = filesOf(join(dir, 'plain'));
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  // The store keeps the records as held: compact ones (hash ‖ int64 LE nets) when every net fits.
  const differ = wide ? [] : ['private/leaves.bin', 'private/store.json'];
  for (const [name, bytes] of a) if (!differ.includes(name)) expect(bytes.equals(b.get(name)!), name).toBe(true);
  expect(JSON.parse(a.get('private/store.json')!.toString()).leafRecord).toBe(wide ? 'full' : 'compact');
  if (!wide) sameLeaves(a.get('private/leaves.bin')!, b.get('private/leaves.bin')!, list);
  // Either way, por proof serves the same proof for every user.
  const [pa, pb] = await Promise.all([ProofStore.open(join(dir, 'encoded')), ProofStore.open(join(dir, 'plain'))]);
  try {
    for (const u of list) expect(pa.proofText(u.id), u.id).toBe(pb.proofText(u.id));
  } finally {
    pa.close();
    pb.close();
  }
}

/** Compact record i (input order) is full record i's hash ‖ user i's nets as int64 LE. */
function sameLeaves(compact: Buffer, full: Buffer, list: SpecUser[]): void {
  const A = ASSETS.length;
  const C = 32 + 8 * A;
  const R = 32 + 32 * A;
  expect(compact.length).toBe(list.length * C);
  list.forEach((u, i) => {
    expect(compact.subarray(i * C, i * C + 32).equals(full.subarray(i * R, i * R + 32)), u.id).toBe(true);
    expect(ASSETS.map((_, a) => compact.readBigInt64LE(i * C + 32 + 8 * a)), u.id).toEqual(u.net);
  });
}

describe('compact leaf records (int64 nets) and full ones give the SPEC bytes', () => {
  it('every net fits int64: compact records, root as the independent computation, store and proofs as with full records', async () => {
    await check(false, 2);
  });

  it('one net past int64 (an 18-decimal asset): full records, same checks', async () => {
    await check(true, 2);
  });

  it('the same on one thread (the inline hashers)', async () => {
    await check(false, 1);
    await check(true, 1);
  });
});

describe('leaf order with 8-byte user-hash prefixes (compact records)', () => {
  /** A LeafSet of users whose kept prefixes and whole hashes are given. */
  function setOf(prefixes: number[][], wholes: number[][]): LeafSet {
    const uh = new Uint8Array(prefixes.flat());
    return {
      n: prefixes.length, chunkBits: 16, compact: true, stride: 32, records: [], userHashes: [uh], uhBytes: 8, salts: [], ids: [],
      idOffsets: new Float64Array(prefixes.length + 1), lookupKeys: new Uint32Array(prefixes.length),
      fullUserHash: (i) => Uint8Array.from({ length: 32 }, (_, k) => wholes[i]![k] ?? 0),
      idOf: (i) => `user-${i}`,
    };
  }
  const P = [1, 2, 3, 4, 5, 6, 7, 8];

  it('a tie in all 8 kept bytes is ordered by the whole hash, not by input order', () => {
    // Users 0 and 2 share the prefix; user 2's whole hash is the smaller one. User 1 sorts first.
    const set = setOf([P, [0, 0, 0, 0, 0, 0, 0, 9], P], [[...P, 9], [], [...P, 3]]);
    expect([...sortByUserHash(set)]).toEqual([1, 2, 0]);
  });

  it('equal whole hashes are one id twice: refused', () => {
    const set = setOf([P, P], [[...P, 3], [...P, 3]]);
    expect(() => sortByUserHash(set)).toThrow(/appears twice/);
  });
});

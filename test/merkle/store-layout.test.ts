// docs/FORMATS.md, "Proof store", read back from the golden store (test/fixtures/golden/build/private)
// using only what FORMATS.md says about each file, and every value recomputed with
// test/merkle/spec-impl.ts (node:crypto from SPEC.md). If the code writes the store otherwise than
// the doc says, this goes red (the golden test only says the bytes did not change).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { levelsOf, leafOf, saltOf, sumsBytes, type SpecAsset } from './spec-impl.js';

const G = new URL('../fixtures/golden/', import.meta.url);
const file = (name: string) => readFileSync(new URL(`build/private/${name}`, G));
const meta = JSON.parse(file('store.json').toString('utf8'));
const root = JSON.parse(readFileSync(new URL('build/public/root.json', G), 'utf8'));
const secret = readFileSync(new URL('inputs/secret.txt', G), 'utf8').replace(/[ \t\r\n]+$/, '');
const assets: SpecAsset[] = root.assets;
const A = assets.length;
// The golden users' nets in base units, by hand from test/fixtures/golden/inputs/liabilities.csv.
const NET: Record<string, bigint[]> = {
  alice: [150000000n, 100250000n], // 1.5 ETH (8 dp), 100.25 USDT (6 dp)
  bob: [-25000000n, 2000000000n], // −0.25 ETH, 2000 USDT
  carol: [1n, 0n], // 0.00000001 ETH
  'josé': [0n, 1n], // 0.000001 USDT
};

const u64 = (b: Buffer, i: number) => b.readBigUInt64LE(i * 8);
const u32 = (b: Buffer, i: number) => b.readUInt32LE(i * 4);
const fnv1a32 = (bytes: Buffer) => {
  let h = 0x811c9dc5;
  for (const x of bytes) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h;
};

describe('the proof store is laid out as FORMATS.md says', () => {
  const N = root.leafCount as number;
  const offs = file('ids.off');
  const idsBin = file('ids.bin');
  // ids.bin / ids.off: UTF-8 ids concatenated, N + 1 u64 LE offsets. This order is the input order.
  const ids = Array.from({ length: N }, (_, i) => idsBin.subarray(Number(u64(offs, i)), Number(u64(offs, i + 1))).toString('utf8'));
  const inputUsers = ids.map((id) => ({ id, net: NET[id]! }));
  const leaves = inputUsers.map((u) => leafOf(Buffer.from(secret), root.snapshotId, assets, u));
  const levels = levelsOf(leaves, root.height, A);
  const R = 32 + 32 * A;

  it('store.json: recordSize, leafRecord, leafRecordSize, levelCounts, storedFrom, root', () => {
    expect(meta).toMatchObject({ format: 'por-proof-store', version: 2, recordSize: R, leafRecord: 'compact', leafRecordSize: 32 + 8 * A, storedFrom: 6, root: { hash: root.hash } });
    expect(meta.levelCounts).toEqual(Array.from({ length: root.height + 1 }, (_, k) => Math.ceil(N / 2 ** k)));
    expect(offs.length).toBe(8 * (N + 1));
    expect([...ids].sort()).toEqual(Object.keys(NET).sort());
  });

  it('salts.bin and leaves.bin: per user in input order, the salt, and the compact leaf record (hash ‖ per asset the net as int64 LE)', () => {
    const salts = file('salts.bin');
    const leafBin = file('leaves.bin');
    const C = 32 + 8 * A;
    expect(salts.length).toBe(32 * N);
    expect(leafBin.length).toBe(C * N);
    inputUsers.forEach((u, i) => {
      expect(salts.subarray(32 * i, 32 * i + 32).toString('hex'), u.id).toBe(saltOf(Buffer.from(secret), root.snapshotId, u.id).toString('hex'));
      const net = Buffer.alloc(8 * A);
      u.net.forEach((v, a) => net.writeBigInt64LE(v, 8 * a));
      expect(leafBin.subarray(C * i, C * (i + 1)).toString('hex'), u.id).toBe(Buffer.concat([leaves[i]!.hash, net]).toString('hex'));
    });
  });

  it('version 1 (old/store-v1, still read): no leafRecord, and leaves.bin holds the full records (hash ‖ sums)', () => {
    const old = (name: string) => readFileSync(new URL(`old/store-v1/${name}`, G));
    const v1 = JSON.parse(old('store.json').toString('utf8'));
    expect(v1).toMatchObject({ format: 'por-proof-store', version: 1, recordSize: R });
    expect(v1).not.toHaveProperty('leafRecord');
    const leafBin = old('leaves.bin');
    expect(leafBin.length).toBe(R * N);
    inputUsers.forEach((u, i) => {
      const l = leaves[i]!;
      expect(leafBin.subarray(R * i, R * (i + 1)).toString('hex'), u.id).toBe(Buffer.concat([l.hash, sumsBytes(l.equity, l.debt)]).toString('hex'));
    });
  });

  it('order.bin (position → input index) and position.bin (input index → position), u32 LE', () => {
    const order = file('order.bin');
    const position = file('position.bin');
    levels[0]!.forEach((node, p) => {
      const i = u32(order, p);
      expect(leaves[i]!.hash.equals(node.hash), `position ${p}`).toBe(true);
      expect(u32(position, i)).toBe(p);
    });
  });

  it('lookup.bin: N u64 LE = FNV-1a-32(id) · 2^32 + input index, sorted', () => {
    const lookup = file('lookup.bin');
    const want = ids.map((id, i) => (BigInt(fnv1a32(Buffer.from(id, 'utf8'))) << 32n) + BigInt(i)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(Array.from({ length: N }, (_, k) => u64(lookup, k))).toEqual(want);
  });

  it('levels.bin: levels storedFrom … height, each levelCounts[k] records in position order (padding not stored)', () => {
    const bin = file('levels.bin');
    const want = levels.slice(meta.storedFrom).flatMap((level) => level.map((n) => Buffer.concat([n.hash, sumsBytes(n.equity, n.debt)])));
    expect(bin.toString('hex')).toBe(Buffer.concat(want).toString('hex'));
    expect(levels[root.height]![0]!.hash.toString('hex')).toBe(root.hash);
  });
});

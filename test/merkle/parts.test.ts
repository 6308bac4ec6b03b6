// The one-machine build in parts (src/merkle/parts.ts, buckets.ts): parts hashed into bucket files
// by user hash, each bucket sorted in memory. Held to test/merkle/spec-impl.ts (SPEC.md on
// node:crypto: root, leaf positions, salts), whatever the split into parts and the bucket count;
// and the refusals: one user in two parts, a damaged bucket file, and entries whose kept 8 bytes of
// user hash tie (ordered by the whole hash, recomputed; equal whole hashes are one user twice).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFromParts } from '../../src/merkle/parts.js';
import { BucketWriter, parseBucket, sortGroup } from '../../src/merkle/buckets.js';
import { treeShape } from '../../src/merkle/hashing.js';
import { ProofStore } from '../../src/merkle/index.js';
import { ASSETS, SECRET, randomUsers, snapshotOf, tmp, type SynthUser } from './helpers.js';
import { leafOf, levelsOf, lp, ordered, sha, tag } from './spec-impl.js';
import { PorError } from '../../src/core/errors/index.js';

const SID = 'parts-test';
const HEIGHT = 32;
const WORKER = new URL('../../dist/merkle-worker.mjs', import.meta.url);

function build(parts: SynthUser[][], out: string, buckets?: number) {
  return buildFromParts({ assets: ASSETS }, parts.length, async (i) => snapshotOf(parts[i]!), {
    secret: SECRET, snapshotId: SID, height: HEIGHT, outDir: out, tmpDir: tmp('por-parts-tmp-'), workerUrl: WORKER, ...(buckets !== undefined ? { buckets } : {}),
  });
}

describe('buildFromParts: parts → buckets → store in tree order', () => {
  const users = randomUsers(3000);
  const leaves = users.map((u) => leafOf(Buffer.from(SECRET), SID, ASSETS, { id: u.userId, net: u.net }));
  const levels = levelsOf(leaves, HEIGHT, ASSETS.length);
  const inOrder = ordered(leaves);

  it.each([
    ['3 even parts, buckets from part 0', [0, 1000, 2000, 3000], undefined],
    ['4 uneven parts, 1 bucket', [0, 10, 2500, 2501, 3000], 1],
    ['2 parts, 37 buckets', [0, 1700, 3000], 37],
  ])('%s: the spec root, and each user at its spec position with its salt', async (_, cuts, buckets) => {
    const parts = cuts.slice(1).map((end, k) => users.slice(cuts[k], end));
    const out = join(tmp('por-parts-'), 'tree');
    const res = await build(parts, out, buckets);
    expect(res.root.hash).toBe(levels[HEIGHT]![0]!.hash.toString('hex'));
    expect(res.root.leafCount).toBe(3000);
    const store = await ProofStore.open(out);
    try {
      for (const p of [0, 1, 1499, 2999]) {
        const proof = store.proof(inOrder[p]!.id);
        expect(proof.leaf.position).toBe(p);
        expect(proof.user.salt).toBe(inOrder[p]!.salt.toString('hex'));
        expect(proof.leaf.hash).toBe(inOrder[p]!.hash.toString('hex'));
      }
    } finally {
      store.close();
    }
  }, 120_000);

  it('a user in two parts is refused, naming the id; nothing is left in --out', async () => {
    const parts = [users.slice(0, 1500), [...users.slice(1500), users[7]!]];
    const out = join(tmp('por-parts-'), 'tree');
    const err = await build(parts, out).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PorError);
    if (!(err instanceof PorError)) return;
    expect(err.code).toBe('DUPLICATE');
    expect(err.message).toContain('user id "user-7" appears twice');
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

/** One bucket file of hand-made entries: ids and salts given, user hashes forged to tie on their first 8 bytes. */
function forgedBucket(entries: { id: string; salt: Buffer; uh: Buffer }[]) {
  const shape = treeShape(ASSETS, SID, HEIGHT);
  const dir = tmp('por-bucket-');
  const w = new BucketWriter(dir, 1, shape);
  const n = entries.length;
  const ids = Buffer.concat(entries.map((e) => Buffer.from(e.id)));
  const idOff = new Uint32Array(n + 1);
  entries.forEach((e, i) => (idOff[i + 1] = idOff[i]! + Buffer.byteLength(e.id)));
  const records = new Uint8Array(n * shape.R);
  entries.forEach((_, i) => records.set(Buffer.alloc(32, i + 1), i * shape.R)); // a leaf hash to tell them apart
  void w.sink({ records, salts: Buffer.concat(entries.map((e) => e.salt)), ids, idOff, userHashes: Buffer.concat(entries.map((e) => e.uh)), count: n });
  w.close();
  return { file: w.files[0]!, n, A: shape.A };
}

describe('a bucket sorted in memory', () => {
  const userHash = (id: string, salt: Buffer) => sha(tag('por.user'), lp(id), salt);
  const prefix = Buffer.from('0123abcd', 'hex');
  // The real user hash's first 8 bytes replaced by one prefix: only the whole hash orders them.
  const forge = (id: string, salt: Buffer) => ({ id, salt, uh: Buffer.concat([prefix, Buffer.alloc(4), userHash(id, salt).subarray(8)]) });

  it('entries whose first 8 bytes of user hash tie are ordered by the whole hash, recomputed from id and salt', () => {
    const entries = ['a', 'bb', 'ccc', 'dddd', 'e'].map((id, i) => forge(id, Buffer.alloc(32, 7 * i + 1)));
    const { file, n, A } = forgedBucket(entries);
    const parsed = parseBucket(readFileSync(file), n, A, file);
    const order = Array.from(sortGroup(parsed, 0, n, A));
    const expected = entries.map((e, i) => ({ i, h: userHash(e.id, e.salt) })).sort((x, y) => Buffer.compare(x.h, y.h)).map((x) => x.i);
    expect(order).toEqual(expected);
  });

  it('two entries of one id and salt (one user twice) are refused, naming the id', () => {
    const salt = Buffer.alloc(32, 9);
    const { file, n, A } = forgedBucket([forge('zed', salt), forge('other', Buffer.alloc(32, 3)), forge('zed', salt)]);
    const parsed = parseBucket(readFileSync(file), n, A, file);
    expect(() => sortGroup(parsed, 0, n, A)).toThrow(/user id "zed" appears twice/);
  });

  it('a cut or damaged bucket file is refused, naming it', () => {
    const { file, n, A } = forgedBucket(['a', 'bb', 'ccc'].map((id, i) => forge(id, Buffer.alloc(32, i + 1))));
    const bytes = readFileSync(file);
    expect(() => parseBucket(bytes.subarray(0, bytes.length - 4), n, A, file)).toThrow(/temporary bucket file is damaged/);
    expect(() => parseBucket(bytes, n + 1, A, file)).toThrow(/damaged at entry 3/);
    const zeroId = Buffer.from(bytes);
    zeroId.writeUInt16LE(0, 18 * 4); // entry 0's id length
    writeFileSync(file, zeroId);
    expect(() => parseBucket(readFileSync(file), n, A, file)).toThrow(/damaged at entry 0/);
  });
});

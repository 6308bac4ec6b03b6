// The proof store's leaf record layouts (store.json `leafRecord`, docs/FORMATS.md "Proof store"):
// leaves.bin holds compact records (hash ‖ int64 LE net per asset) when every net fits int64, full
// ones (the SPEC's hash ‖ 128-bit equity ‖ debt) otherwise. Whatever the layout, por proof serves
// the same proofs, byte for byte: each build here is made twice, compact and with full records
// (the builder's fullLeafRecords), in memory and in parts, and every proof is compared. A store
// whose leaves.bin does not match the layout store.json states is refused, naming leaves.bin.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, truncateSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree } from '../../src/merkle/build.js';
import { buildFromParts } from '../../src/merkle/parts.js';
import { ProofStore } from '../../src/merkle/index.js';
import { compactRecords, leafExpander, totalsFitInt64 } from '../../src/merkle/leaf-records.js';
import { decodeSums } from '../../src/core/merkle/core.js';
import { PorError } from '../../src/core/errors/index.js';
import { ASSETS, SECRET, randomUsers, snapshotOf, tmp, type SynthUser } from './helpers.js';

const SID = 'leaf-records';
const HEIGHT = 20;
const WORKER = new URL('../../dist/merkle-worker.mjs', import.meta.url);
const I64_MAX = (1n << 63n) - 1n;
const A = ASSETS.length;

/** Users with nets up to ±(2^63 − 1) and −2^63 (the int64 edges), and `extra` after them. */
function usersWith(extra: SynthUser[] = []): SynthUser[] {
  const list = randomUsers(700, A, 5);
  list.push({ userId: 'edge-max', net: [I64_MAX / 4n, 0n, 1n] }, { userId: 'edge-min', net: [-(I64_MAX / 4n), -1n, 0n] }, { userId: 'ünïcode', net: [5n, -7n, 0n] });
  return [...list, ...extra];
}

type Way = 'memory' | 'parts';
async function build(way: Way, users: SynthUser[], out: string, full: boolean): Promise<void> {
  const common = { secret: SECRET, snapshotId: SID, height: HEIGHT, outDir: out, workerUrl: WORKER, fullLeafRecords: full };
  if (way === 'memory') {
    await buildTree(encoded(users), common);
    return;
  }
  const cut = Math.floor(users.length / 3);
  const parts = [users.slice(0, cut), users.slice(cut, 2 * cut), users.slice(2 * cut)];
  await buildFromParts({ assets: ASSETS }, 3, async (i) => snapshotOf(parts[i]!), { ...common, tmpDir: tmp('por-lr-tmp-') });
}

/**
 * The users with an encoder as src/ingest gives one (the in-memory build holds compact records only
 * through it), `narrow` when every net fits int64.
 */
function encoded(users: SynthUser[]) {
  const s = snapshotOf(users);
  const narrow = users.every((u) => u.net.every((v) => v >= -I64_MAX - 1n && v <= I64_MAX));
  const ascii = (id: string) => /^[\x00-\x7f]*$/.test(id);
  return {
    ...s,
    encoder: {
      count: users.length,
      user: (i: number) => ({ ...users[i]!, mode: 'simple' as const }),
      encode: () => -1,
      narrow,
      encodeNets(i: number, ids: Uint8Array, at: number, words: Int32Array, word: number): number {
        const u = users[i]!;
        if (!ascii(u.userId)) return -1;
        u.net.forEach((v, a) => {
          words[word + 2 * a] = Number(BigInt.asIntN(32, v));
          words[word + 2 * a + 1] = Number(BigInt.asIntN(32, v >> 32n));
        });
        const b = Buffer.from(u.userId);
        ids.set(b, at);
        return b.length;
      },
    },
  };
}

/** Every user's proof text, and the whole export (NDJSON), from a store. */
async function served(dir: string, users: SynthUser[]): Promise<{ proofs: string[]; exported: Buffer }> {
  const store = await ProofStore.open(dir);
  try {
    const proofs = users.map((u) => store.proofText(u.userId));
    const ex = join(tmp('por-lr-ex-'), 'ex');
    mkdirSync(ex);
    store.exportAll(ex, { shardSize: 1 << 20 });
    return { proofs, exported: readFileSync(join(ex, 'proofs-000000.ndjson')) };
  } finally {
    store.close();
  }
}

const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'private', 'store.json'), 'utf8'));

describe.each<Way>(['memory', 'parts'])('store leaf records, built %s', (way) => {
  it('every net fits int64: compact records (32 + 8·assets bytes); the same proofs and export as the same tree with full records', async () => {
    const users = usersWith();
    const base = tmp('por-lr-');
    await build(way, users, join(base, 'compact'), false);
    await build(way, users, join(base, 'full'), true);
    const c = meta(join(base, 'compact'));
    const f = meta(join(base, 'full'));
    expect(c).toMatchObject({ version: 2, recordSize: 32 + 32 * A, leafRecord: 'compact', leafRecordSize: 32 + 8 * A });
    expect(f).toMatchObject({ version: 2, recordSize: 32 + 32 * A, leafRecord: 'full', leafRecordSize: 32 + 32 * A });
    expect(readFileSync(join(base, 'compact/private/leaves.bin')).length).toBe(users.length * (32 + 8 * A));
    expect(c.root).toEqual(f.root);
    // Every other file of the store is the same.
    for (const name of readdirSync(join(base, 'full/private')).filter((n) => n !== 'leaves.bin' && n !== 'store.json')) {
      expect(readFileSync(join(base, 'compact/private', name)).equals(readFileSync(join(base, 'full/private', name))), name).toBe(true);
    }
    const a = await served(join(base, 'compact'), users);
    const b = await served(join(base, 'full'), users);
    expect(a.proofs).toEqual(b.proofs);
    expect(a.exported.equals(b.exported)).toBe(true);
  }, 120_000);

  it('a net past int64 (20 ETH in wei): full records, as before', async () => {
    const users = usersWith([{ userId: 'whale', net: [1n, 20n * 10n ** 18n, -3n] }]);
    const out = join(tmp('por-lr-'), 'tree');
    await build(way, users, out, false);
    expect(meta(out)).toMatchObject({ leafRecord: 'full', leafRecordSize: 32 + 32 * A });
    const store = await ProofStore.open(out);
    try {
      expect(store.proof('whale').user.balances[1]!.equityUnits).toBe((20n * 10n ** 18n).toString());
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('a store whose leaves.bin does not match store.json is refused, naming the file', () => {
  const users = usersWith();
  const made = (async () => {
    const out = join(tmp('por-lr-'), 'tree');
    await build('memory', users, out, false);
    return out;
  })();
  const copy = async () => {
    const d = join(tmp('por-lr-bad-'), 'tree');
    cpSync(await made, d, { recursive: true });
    return d;
  };
  const refusal = async (d: string) => {
    const err: unknown = await ProofStore.open(d).then((s) => s.close(), (e: unknown) => e);
    expect(err).toBeInstanceOf(PorError);
    return err as PorError;
  };

  it('compact leaves.bin cut by one record', async () => {
    const d = await copy();
    truncateSync(join(d, 'private/leaves.bin'), (users.length - 1) * (32 + 8 * A));
    const err = await refusal(d);
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/leaves\.bin is \d+ bytes; store\.json says 703 compact leaf records of 56 bytes/);
    expect(err.info.file).toBe(join(d, 'private/leaves.bin'));
  });

  it('store.json says full records over a compact leaves.bin (a v1 label on a v2 store)', async () => {
    const d = await copy();
    const m = meta(d);
    const { leafRecord: _l, leafRecordSize: _s, ...v1 } = m;
    writeFileSync(join(d, 'private/store.json'), JSON.stringify({ ...v1, version: 1 }));
    expect((await refusal(d)).message).toMatch(/703 full leaf records of 128 bytes/);
  });

  it('leafRecordSize not the layout’s size, an unknown layout, an unknown version: refused at the field', async () => {
    const d = await copy();
    const m = meta(d);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...m, leafRecordSize: 128 }, 'leafRecordSize', /must be 56 for compact leaf records of 3 assets/],
      [{ ...m, leafRecord: 'tiny' }, 'leafRecord', /must be "full" or "compact"/],
      [{ ...m, version: 3 }, 'version', /unsupported version 3; this por reads por-proof-store version 1 or 2/],
    ];
    for (const [doc, field, message] of cases) {
      writeFileSync(join(d, 'private/store.json'), JSON.stringify(doc));
      const err = await refusal(d);
      expect(err.message, field).toMatch(message);
      expect(err.info.field, field).toBe(field);
    }
  });
});

describe('compact ↔ full leaf records (src/merkle/leaf-records.ts) against the core decodeSums', () => {
  const nets = [0n, 1n, -1n, I64_MAX, -I64_MAX, -I64_MAX - 1n, 123456789012345n, -(2n ** 32n), 2n ** 32n - 1n];
  /** A full record by hand: hash ‖ per asset equity ‖ debt, 16-byte big-endian each. */
  const fullOf = (hash: number, net: bigint[]) => {
    const b = Buffer.alloc(32 + 32 * net.length, 0);
    b.fill(hash, 0, 32);
    net.forEach((v, a) => {
      const at = 32 + 32 * a + (v < 0n ? 16 : 0);
      const abs = v < 0n ? -v : v;
      b.writeBigUInt64BE(abs >> 64n, at);
      b.writeBigUInt64BE(abs & (2n ** 64n - 1n), at + 8);
    });
    return b;
  };

  it('every edge net: compacted to hash ‖ int64 LE nets, expanded back to the same full record', () => {
    const rows = nets.map((v, i) => [v, nets[(i + 3) % nets.length]!, -nets[(i + 5) % nets.length]! === 2n ** 63n ? 0n : -nets[(i + 5) % nets.length]!]);
    const full = Buffer.concat(rows.map((net, i) => fullOf(i + 1, net)));
    const out = Buffer.alloc(rows.length * (32 + 8 * A));
    compactRecords(full, rows.length, A, out);
    const expand = leafExpander(A);
    rows.forEach((net, i) => {
      const c = out.subarray(i * (32 + 8 * A), (i + 1) * (32 + 8 * A));
      expect(c.subarray(0, 32).equals(Buffer.alloc(32, i + 1))).toBe(true);
      expect(net.map((_, a) => c.readBigInt64LE(32 + 8 * a))).toEqual(net);
      const back = expand(c);
      expect(back.equals(full.subarray(i * (32 + 32 * A), (i + 1) * (32 + 32 * A))), `row ${i}`).toBe(true);
      const { equity, debt } = decodeSums(back.subarray(32), A);
      expect(net.map((_, a) => equity[a]! - debt[a]!)).toEqual(net);
    });
  });

  it('a sum past int64, or an equity and a debt in one asset, is an internal error (never a wrong record)', () => {
    for (const rec of [fullOf(1, [I64_MAX + 1n, 0n, 0n]), fullOf(1, [-(I64_MAX + 2n), 0n, 0n]), (() => {
      const b = fullOf(1, [5n, 0n, 0n]);
      b[32 + 31] = 1; // asset 0's debt as well
      return b;
    })()]) {
      expect(() => compactRecords(rec, 1, A, Buffer.alloc(32 + 8 * A))).toThrow(/do not fit a compact record/);
    }
  });

  it('totals within int64 (Σ equity ≤ 2^63 − 1, Σ debt ≤ 2^63) mean every net fits', () => {
    expect(totalsFitInt64([{ gross: I64_MAX, debt: I64_MAX + 1n }])).toBe(true);
    expect(totalsFitInt64([{ gross: I64_MAX + 1n, debt: 0n }])).toBe(false);
    expect(totalsFitInt64([{ gross: 0n, debt: I64_MAX + 2n }])).toBe(false);
  });
});

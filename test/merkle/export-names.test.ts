// `por proof --all --layout files`: no user id can land on a file por writes (the manifest), and no
// two ids share a file, on case-sensitive or case-insensitive file systems (FORMATS.md, "Proof export").
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import { ExportWriter, fileNameFor } from '../../src/merkle/export.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { ASSETS, SECRET, snapshotOf, tmp } from './helpers.js';
import { leafOf } from './spec-impl.js';

const ROOT = new URL('../..', import.meta.url).pathname;
// Each test spawns several builds or exports: on a loaded machine they take minutes, not seconds.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });
const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

// Two 1,024-byte ids (the limit) that differ only in their last byte, and one of 1,024 bytes in
// 3-byte characters: a name cut to a prefix of the id would put them in one file.
const LONG_A = 'L'.repeat(1023) + 'a';
const LONG_B = 'L'.repeat(1023) + 'b';
const LONG_UTF8 = '€'.repeat(341) + 'x'; // 341 × 3 + 1 = 1024 bytes

// File names worked out by hand from FORMATS.md's rule (hex of the UTF-8 bytes, by a table).
const EXPECTED: Record<string, string> = {
  manifest: 'manifest', // plain: kept, and it lives in users/, not beside the manifest
  MANIFEST: 'x-4d414e4946455354', // M=4d A=41 N=4e I=49 F=46 E=45 S=53 T=54
  'a b': 'x-612062', // a=61 space=20 b=62
  'x-612062': 'x-782d363132303632', // looks encoded: encoded itself (x=78 -=2d 6=36 1=31 2=32 0=30)
  '../x': 'x-2e2e2f78', // .=2e /=2f
  CON: 'x-434f4e', // upper-case
  con: 'x-636f6e', // reserved on Windows
  'nul.txt': 'x-6e756c2e747874', // reserved on Windows even with an extension
  alice: 'alice',
  Alice: 'x-416c696365', // would share alice.json on a case-insensitive file system
  'h-1': 'x-682d31', // looks like a hashed name
  [LONG_A]: `h-${sha256(LONG_A)}`,
  [LONG_B]: `h-${sha256(LONG_B)}`,
  [LONG_UTF8]: `h-${sha256(LONG_UTF8)}`,
};
const IDS = Object.keys(EXPECTED);

let dir: string;
let out: string;
let root: { hash: string };

beforeAll(async () => {
  dir = tmp('por-export-names-');
  const users = IDS.map((userId, i) => ({ userId, net: [BigInt(i + 1), 0n, BigInt(-i)] }));
  const res = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 'names', height: 8, outDir: join(dir, 'tree'), threads: 1 });
  root = res.root;
  out = join(dir, 'export');
  const r = por('proof', join(dir, 'tree'), '--all', '--layout', 'files', '--out', out, '--quiet');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('proof --all --layout files: every id gets its own file', () => {
  it('the manifest is the export manifest, beside users/ only, and lists one file per user', () => {
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'users']);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ format: 'por-proof-export', version: 2, layout: 'files', count: IDS.length });
    expect(m.files).toHaveLength(IDS.length);
    for (const f of m.files as { path: string; bytes: number; sha256: string }[]) {
      const bytes = readFileSync(join(out, f.path));
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(sha256(bytes), f.path).toBe(f.sha256);
    }
  });

  it('manifest, MANIFEST, "a b", x-612062, ../x, CON and 1024-byte ids each land in their own file, holding their own proof', () => {
    const names = readdirSync(join(out, 'users')).sort();
    expect(names).toEqual(IDS.map((id) => `${EXPECTED[id]}.json`).sort());
    // Unique even where case does not count, and short enough for every file system.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(IDS.length);
    for (const n of names) expect(Buffer.byteLength(n), n).toBeLessThanOrEqual(255);
    for (const id of IDS) {
      const proof = JSON.parse(readFileSync(join(out, 'users', `${EXPECTED[id]}.json`), 'utf8'));
      expect(proof.user.id).toBe(id);
      expect(verifyPorProof(proof, { report: root }).valid, id.slice(0, 20)).toBe(true);
    }
    expect(statSync(join(out, 'users', 'manifest.json')).isFile()).toBe(true);
  });

  it('every proof file is exactly that user’s proof (the store’s, and a leaf recomputed independently)', async () => {
    const store = await ProofStore.open(join(dir, 'tree'));
    try {
      IDS.forEach((id, i) => {
        const proof = JSON.parse(readFileSync(join(out, 'users', `${EXPECTED[id]}.json`), 'utf8'));
        expect(proof, id.slice(0, 20)).toEqual(store.proof(id));
        // test/merkle/spec-impl.ts: node:crypto from SPEC.md, with the balances this test gave the user.
        const leaf = leafOf(Buffer.from(SECRET), 'names', ASSETS, { id, net: [BigInt(i + 1), 0n, BigInt(-i)] });
        expect(proof.leaf.hash, id.slice(0, 20)).toBe(leaf.hash.toString('hex'));
      });
    } finally {
      store.close();
    }
  });

  it('nothing lands outside the export folder, and inside it only manifest.json and users/NAME.json', () => {
    // `../x` and friends: no file beside the export, no staging folder left, no sub-folder in users/.
    expect(readdirSync(dir).filter((f) => f !== 'ndjson').sort()).toEqual(['export', 'tree']);
    const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)).map((x) => `${f}/${x}`) : [f]));
    const files = walk(out);
    expect(files.filter((f) => f !== 'manifest.json' && !/^users\/[a-z0-9._-]+\.json$/.test(f))).toEqual([]);
    expect(files).toHaveLength(IDS.length + 1);
  });

  it('two ids meeting one file name stop the export (DUPLICATE), never overwrite', () => {
    // Unreachable with the rule above (it would take a SHA-256 collision), so the writer is driven
    // directly: the same name twice must be refused, the first file kept.
    const d = tmp('por-export-dup-');
    mkdirSync(join(d, 'users'));
    const w = new ExportWriter(d);
    const buf = Buffer.from('{"first":true}');
    w.userFile('alice', buf, 0, buf.length);
    expect(() => w.userFile('alice', Buffer.from('{}'), 0, 2)).toThrow(/map to one file name \(alice\.json\)/);
    w.discard();
    expect(readFileSync(join(d, 'users', 'alice.json'), 'utf8')).toBe('{"first":true}');
  });

  it('fileNameFor follows the documented rule for each id', () => {
    for (const id of IDS) expect(fileNameFor(id), id.slice(0, 20)).toBe(EXPECTED[id]);
  });

  it('the NDJSON layout holds every id once too', () => {
    const nd = join(dir, 'ndjson');
    expect(por('proof', join(dir, 'tree'), '--all', '--out', nd, '--quiet').status).toBe(0);
    const ids = readFileSync(join(nd, 'proofs-000000.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).user.id as string);
    expect(ids.sort()).toEqual([...IDS].sort());
  });
});

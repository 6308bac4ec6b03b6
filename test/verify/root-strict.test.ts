// Loose root documents (threats row 26): an exchange publishes a root.json (or a report's
// merkleRoot) that is not exactly por-root v1 with SHA-256 (another hash function, another version,
// upper-case hex, an extra field), or states fewer users than the proofs show. Each is built here
// from a real tree and given to `por verify --report`:
// - a document por cannot read as v1 is bad input: exit 2, naming the file and the field, nothing
//   verified (docs/SPEC.md "Published documents": por does not guess what a document means);
// - a leafCount the proof contradicts (leafCount 3, proof at position 594) is a failed check:
//   INVALID, exit 1, check "leaf-count" (the document is well-formed; the proof shows it false).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProofDocument, RootDocument } from '../../src/core/merkle/types.js';
import type { Report } from '../../src/core/report/types.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { randomUsers } from '../merkle/helpers.js';
import { publish } from './published-fixture.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
const ASSETS = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'USDT', decimals: 6 },
];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

let dir: string;
let root: RootDocument;
let report: Report;
let proof: ProofDocument;
let proofFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-root-strict-'));
  // 1000 users in a tree of height 10: some user sits at leaf position 594.
  const users = randomUsers(1000, ASSETS.length, 7);
  const pub = await publish(users, ASSETS, 'snap-2026-11-24', { height: 10 });
  root = pub.root;
  report = pub.report;
  proof = Object.values(pub.proofs).find((p) => p.leaf.position === 594)!;
  expect(proof).toBeDefined();
  proofFile = join(dir, 'proof.json');
  await writeFile(proofFile, JSON.stringify(proof, null, 2));
});

async function verifyAgainst(name: string, doc: unknown) {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(doc, null, 2));
  return { file, ...por('verify', proofFile, '--report', file) };
}

describe('published root documents are read strictly', () => {
  it('the honest root.json and report verify (exit 0), with leaf-count checked', async () => {
    for (const [name, doc] of [['root.json', root], ['report.json', report]] as const) {
      const r = await verifyAgainst(name, doc);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^VALID: /);
      // 594 < 1000 users
      expect(r.stdout).toMatch(/ok\s+leaf-count\s+leaf 594 is within the 1000 leaves published/);
    }
  });

  const cases: Array<[string, (r: Record<string, unknown>) => void, string, RegExp]> = [
    ['hashFunction "sha512"', (r) => (r.hashFunction = 'sha512'), 'hashFunction', /hash function "sha512" is not one this por reads/],
    ['version 2', (r) => (r.version = 2), 'version', /por-root version 2 is not one this por reads \(it reads version 1\)/],
    ['upper-case hex', (r) => (r.hash = String(r.hash).toUpperCase()), 'hash', /64 lower-case hex digits/],
    ['0x-prefixed hash', (r) => (r.hash = `0x${String(r.hash)}`), 'hash', /64 lower-case hex digits, without 0x/],
    ['an unknown field', (r) => (r.userCountHidden = true), 'userCountHidden', /unknown field "userCountHidden"/],
    ['an unknown field in a sum', (r) => ((r.sums as Record<string, unknown>[])[1]!.haircut = '0.5'), 'sums[1].haircut', /unknown field "haircut"/],
    ['a sum without its text', (r) => delete (r.sums as Record<string, unknown>[])[0]!.equity, 'sums[0].equity', /"equity" is missing/],
    ['leafCount above 2^height', (r) => (r.leafCount = 1025), 'leafCount', /from 0 to 2\^height/],
  ];
  for (const [what, edit, field, message] of cases) {
    it(`root.json with ${what}: exit 2, file and field named, nothing verified`, async () => {
      const doc = clone(root) as unknown as Record<string, unknown>;
      edit(doc);
      const r = await verifyAgainst(`root-${field}.json`, doc);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${r.file}, field ${field}: published root: `);
      expect(r.stderr).toMatch(message);
    });
  }

  it("a report whose merkleRoot is loose the same ways: exit 2, the field named under merkleRoot", async () => {
    for (const [field, edit] of [
      ['hashFunction', (m: Record<string, unknown>) => (m.hashFunction = 'sha512')],
      ['hash', (m: Record<string, unknown>) => (m.hash = String(m.hash).toUpperCase())],
      ['format', (m: Record<string, unknown>) => (m.format = 'por-root')],
    ] as const) {
      const doc = clone(report) as unknown as { merkleRoot: Record<string, unknown> };
      edit(doc.merkleRoot);
      const r = await verifyAgainst(`report-${field}.json`, doc);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`field merkleRoot.${field}: published root: `);
    }
  });

  it('leafCount edited to 3 with a proof at position 594: INVALID, exit 1, check leaf-count', async () => {
    const doc = { ...clone(root), leafCount: 3 };
    const r = await verifyAgainst('root-leafcount.json', doc);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^INVALID: check "leaf-count" failed: the proof's leaf position 594 is not below the published leafCount 3/);
    // The same in-process (the page's module): one failed check, and nothing after it ran.
    const v = verifyPorProof(proof, { report: doc });
    expect(v.valid).toBe(false);
    expect(v.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['leaf-count']);
    // Position 594 needs at least 595 leaves: leafCount 595 is accepted, 594 is not.
    expect(verifyPorProof(proof, { report: { ...doc, leafCount: 595 } }).valid).toBe(true);
    expect(verifyPorProof(proof, { report: { ...doc, leafCount: 594 } }).valid).toBe(false);
  });
});

// OKX zk-STARK v2 inclusion proofs: OKX's own test proof, proofs over OKX's real test accounts
// (batch0.json) built by a second implementation (okx-zk-builder.ts), and tampered copies.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OKX_ZK_FORMAT, parseOkxSumProofData, verifyOkxZkProof } from '../../src/core/formats/okx-zk.js';
import { detectProofFormat, verifyAnyProof } from '../../src/core/verify/any.js';
import { parseJson } from '../../src/core/json/parse.js';
import { isPorError } from '../../src/core/errors/index.js';
import type { Verdict } from '../../src/core/verify/types.js';
import { P, buildTree, leafOf, parseBatch, proofFor, sumProofDataText, toHex, type Account } from './okx-zk-builder.js';

const dir = path.resolve(import.meta.dirname, '../fixtures/okx-zk');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- foreign JSON the tests edit freely
type Json = any;
const read = (f: string): Json => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const failed = (v: Verdict) => v.checks.filter((c) => !c.ok).map((c) => c.name);

const vector = read('merkle_proof_test_vector.json');
const batch = read('batch0.json') as { id: string; assets: Record<string, string> }[];
const tokens = Object.keys(batch[0]!.assets);
const accounts = parseBatch(batch, tokens);
const pad: Account = { id: '0'.repeat(64), equity: tokens.map(() => 0n), debt: tokens.map(() => 0n) };
// 8 real accounts in batches of 4 (two batch trees of depth 2), under a recursive level of 4.
const tree = buildTree(accounts, 4, 4, pad);
const sumProofData = parseJson(sumProofDataText(tree), { bigIntegers: true });

/** Expects a located BAD_INPUT naming `field`. */
function badInput(fn: () => unknown, field: string | RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isPorError(err, 'BAD_INPUT')).toBe(true);
    if (isPorError(err)) expect(String(err.info.field)).toMatch(typeof field === 'string' ? new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}$`) : field);
    return;
  }
  throw new Error('expected a BAD_INPUT error');
}

describe("OKX's own test proof (merkle_proof.rs test_verify_merkle_proof)", () => {
  it('is recognised and VALID against the root OKX asserts, with both limits said', () => {
    expect(detectProofFormat(vector.proof)).toBe(OKX_ZK_FORMAT);
    const v = verifyAnyProof(vector.proof, { rootHash: vector.expected_root_hex });
    expect(v.valid).toBe(true);
    expect(v.root.hash).toBe(vector.expected_root_hex);
    expect(v.warnings.join(' ')).toMatch(/NOT verified by por/);
    expect(v.warnings.join(' ')).toMatch(/only to the SUM of your equity and the SUM of your debt/);
    // The balances as written, and the sums the leaf commits: 3+3+3 and 1+1+1.
    expect(v.user.balances.at(-1)).toEqual({ asset: 'sum (in leaf)', amount: '9', debt: '3' });
  });

  it('the root hex is the four elements little-endian, as the vector lists them', () => {
    const els = vector.expected_root_elements.map((x: string) => BigInt(x));
    expect(toHex(els)).toBe(vector.expected_root_hex);
  });

  it('INVALID against any other root', () => {
    const other = toHex([1n, 2n, 3n, 4n]);
    const v = verifyAnyProof(vector.proof, { rootHash: other });
    expect(v.valid).toBe(false);
    expect(failed(v)).toEqual(['published-root-hash']);
  });
});

describe("proofs over OKX's real test accounts (batch0.json)", () => {
  it('every account is VALID against sum_proof_data.json, whose totals are shown', () => {
    for (let i = 0; i < accounts.length; i++) {
      const v = verifyOkxZkProof(proofFor(tree, i), { sumProofData });
      expect(v.valid, `account ${i}: ${failed(v).join(', ')}`).toBe(true);
    }
    const v = verifyOkxZkProof(proofFor(tree, 5), { sumProofData });
    expect(v.root.hash).toBe(toHex(tree.root));
    expect(v.root.snapshotId).toBe('round 508787475');
    expect(v.root.sums).toEqual([{ asset: 'all accounts (STARK public inputs)', amount: String(tree.equity), debt: String(tree.debt) }]);
  });

  it('reads the 64-bit public inputs exactly (they are beyond 2^53 as bare JSON numbers)', () => {
    const pub = parseOkxSumProofData(sumProofData);
    expect(pub.root).toEqual(tree.root);
    expect(tree.root.some((x) => x > 2n ** 53n)).toBe(true);
    // Read the lossy way, the same file is refused, never silently rounded.
    badInput(() => parseOkxSumProofData(JSON.parse(sumProofDataText(tree))), /^proof\.public_inputs\[\d\]$/);
  });

  it('a root given with --root must be the one in sum_proof_data.json', () => {
    const v = verifyOkxZkProof(proofFor(tree, 0), { sumProofData, rootHash: toHex([9n, 9n, 9n, 9n]) });
    expect(v.valid).toBe(false);
    expect(failed(v)).toEqual(['root-sources-agree']);
  });
});

describe('tampered copies are INVALID, never a crash', () => {
  const good = proofFor(tree, 6) as Json;

  it('one amount changed', () => {
    const p = clone(good);
    p.account.equity[0] = String(BigInt(p.account.equity[0]) + 1n);
    expect(failed(verifyOkxZkProof(p, { sumProofData }))).toEqual(['published-root-hash']);
  });

  it('one amount moved to another token: VALID, as the scheme says (only the sums are committed)', () => {
    const p = clone(good);
    const i = p.account.equity.findIndex((x: string) => x !== '0');
    const j = i === 0 ? 1 : 0;
    p.account.equity[j] = String(BigInt(p.account.equity[j]) + BigInt(p.account.equity[i]));
    p.account.equity[i] = '0';
    expect(verifyOkxZkProof(p, { sumProofData }).valid).toBe(true);
  });

  it('one sibling changed', () => {
    const p = clone(good);
    p.sum_tree_siblings[1] = `00${p.sum_tree_siblings[1].slice(2)}`;
    expect(failed(verifyOkxZkProof(p, { sumProofData }))).toEqual(['published-root-hash']);
    const q = clone(good);
    q.recursive_tree_siblings[0].left_hashes[0] = toHex([1n, 1n, 1n, 1n]);
    expect(failed(verifyOkxZkProof(q, { sumProofData }))).toEqual(['published-root-hash']);
  });

  it('the index changed within the batch: the walk goes wrong', () => {
    const p = clone(good);
    p.index = 7;
    expect(failed(verifyOkxZkProof(p, { sumProofData }))).toContain('published-root-hash');
  });

  it("the index moved to another batch: the hash walk still ends at the root (OKX's rule), por's position check refuses it", () => {
    const p = clone(good);
    p.index = 2; // same bits inside the batch (6 % 4 = 2), batch 0 instead of 1
    expect(failed(verifyOkxZkProof(p, { sumProofData }))).toEqual(['path-position']);
  });

  it('the root changed', () => {
    const v = verifyOkxZkProof(good, { rootHash: toHex([...tree.root.slice(0, 3), tree.root[3]! ^ 1n]) });
    expect(failed(v)).toEqual(['published-root-hash']);
  });

  it('per-token amounts that wrap the field: the leaf commits Σ mod p, not the total the file shows', () => {
    // The exchange's attack: a file whose equity adds up to p + x while the tree holds x.
    const victim: Account = { id: 'ab'.repeat(32), equity: [P - 1n, 5n], debt: [0n, 0n] };
    const small: Account = { ...victim, equity: [4n, 0n] };
    expect(leafOf(victim)).toEqual(leafOf(small)); // same leaf: (p − 1 + 5) mod p = 4
    const t = buildTree([small, pad], 2, 2, pad);
    const p = proofFor(t, 0) as Json;
    p.account.equity = victim.equity.map(String);
    const v = verifyOkxZkProof(p, { rootHash: toHex(t.root) });
    expect(failed(v)).toEqual(['sums-within-field']);
  });
});

describe('malformed files: located errors (exit 2), nothing checked', () => {
  const good = proofFor(tree, 1) as Json;
  const edit = (f: (p: Json) => void) => {
    const p = clone(good);
    f(p);
    return () => verifyOkxZkProof(p, { sumProofData });
  };
  it('names the field', () => {
    badInput(edit((p) => (p.account.id = 'xyz')), 'account.id');
    badInput(edit((p) => delete p.account), 'account');
    badInput(edit((p) => (p.account.equity[3] = '-1')), 'account.equity[3]');
    badInput(edit((p) => (p.account.debt[0] = String(P))), 'account.debt[0]');
    badInput(edit((p) => p.account.debt.pop()), 'account.debt');
    badInput(edit((p) => (p.index = -1)), 'index');
    badInput(edit((p) => (p.sum_tree_siblings[0] = 'ff'.repeat(32))), 'sum_tree_siblings[0]'); // not canonical
    badInput(edit((p) => (p.recursive_tree_siblings[0] = [])), 'recursive_tree_siblings[0]');
  });

  it('without a root there is nothing to check against: a usage error', () => {
    expect(() => verifyOkxZkProof(good, {})).toThrow(/holds no root/);
  });
});

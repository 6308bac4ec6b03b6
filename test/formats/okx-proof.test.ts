import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifyOkxUserProof, verifyOkxV1Proof } from '../../src/core/formats/okx-proof.js';
import { detectProofFormat, verifyAnyProof } from '../../src/core/verify/any.js';
import type { Verdict } from '../../src/core/verify/types.js';
import { parseJson } from '../../src/core/json/parse.js';
import type { PorError } from '../../src/core/errors/index.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const okxDir = path.resolve(repoRoot, 'test/fixtures/okx/upstream');
const readOkx = (f: string): any => JSON.parse(readFileSync(path.join(okxDir, f), 'utf8'));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const failed = (v: Verdict) => v.checks.filter((c) => !c.ok).map((c) => c.name);

// A second, simpler implementation of OKX's rules, written from the data README: used to build
// vectors, so the code under test is never checked against its own output.
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
type B = { BTC: string; ETH: string; USDT: string };
const toUnits = (s: string) => {
  const [i, f = ''] = s.split('.');
  return BigInt(i + f.padEnd(8, '0'));
};
const fromUnits = (u: bigint) => {
  const s = u.toString().padStart(9, '0');
  const f = s.slice(-8).replace(/0+$/, '');
  return f ? `${s.slice(0, -8)}.${f}` : s.slice(0, -8);
};
const add = (a: B, b: B): B => ({
  BTC: fromUnits(toUnits(a.BTC) + toUnits(b.BTC)),
  ETH: fromUnits(toUnits(a.ETH) + toUnits(b.ETH)),
  USDT: fromUnits(toUnits(a.USDT) + toUnits(b.USDT)),
});
const leafHash = (nonce: string, b: B) => sha(`${nonce}{"BTC":"${b.BTC}","ETH":"${b.ETH}","USDT":"${b.USDT}"}`);
const parentHash = (l: string, r: string, s: B, h: number) => sha(`${l}${r}${s.BTC}${s.ETH}${s.USDT}${h}`);

/** A 4-leaf tree by OKX's rules; returns the proof for leaf `k`. */
function fourLeafProof(leaves: { nonce: string; b: B }[], k: number) {
  const lh = leaves.map((l) => leafHash(l.nonce, l.b));
  const p01 = { hash: parentHash(lh[0]!, lh[1]!, add(leaves[0]!.b, leaves[1]!.b), 2), b: add(leaves[0]!.b, leaves[1]!.b) };
  const p23 = { hash: parentHash(lh[2]!, lh[3]!, add(leaves[2]!.b, leaves[3]!.b), 2), b: add(leaves[2]!.b, leaves[3]!.b) };
  const rootB = add(p01.b, p23.b);
  const root = { hash: parentHash(p01.hash, p23.hash, rootB, 3), b: rootB };
  const sib = k ^ 1;
  const upper = k < 2 ? p23 : p01;
  return {
    self: { auditId: 't', balances: leaves[k]!.b, type: k % 2 === 0 ? 1 : 2, nonce: leaves[k]!.nonce, hash: lh[k], height: 1 },
    path: [
      { auditId: 't', balances: leaves[sib]!.b, type: sib % 2 === 0 ? 1 : 2, hash: lh[sib], height: 1 },
      { auditId: 't', balances: upper.b, type: k < 2 ? 2 : 1, hash: upper.hash, height: 2 },
      { auditId: 't', balances: root.b, type: 3, hash: root.hash, height: 3 },
    ],
  };
}

const L = [
  { nonce: 'n0', b: { BTC: '1', ETH: '2.5', USDT: '100' } },
  { nonce: 'n1', b: { BTC: '0.00000001', ETH: '0', USDT: '3.33333333' } },
  { nonce: 'n2', b: { BTC: '2', ETH: '0.1', USDT: '0' } },
  { nonce: 'n3', b: { BTC: '0.5', ETH: '7', USDT: '0.66666667' } },
];

describe('OKX path proof (okx-v1), real file', () => {
  it('verifies and reports the root totals of the file', () => {
    const json = readOkx('merkle_proof_file.json');
    expect(detectProofFormat(json)).toBe('okx-v1');
    const v = verifyAnyProof(json, {});
    expect(failed(v)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.format).toBe('okx-v1');
    // Root totals as printed in the file's last path entry (height 24).
    expect(v.root).toMatchObject({
      hash: 'ac6b39d2a0aa8112bd1aadff5e7d4b5c2b91cd54d595262ba4367f5d2db4160d',
      height: 24,
      sums: [
        { asset: 'BTC', amount: '95088.55505656' },
        { asset: 'ETH', amount: '939953.49090361' },
        { asset: 'USDT', amount: '3137909428.88369702' },
      ],
    });
    expect(v.user.balances.map((b) => b.amount)).toEqual(['1.000069', '0.99908176', '19398.33550812']);
    expect(v.warnings.join(' ')).toMatch(/2018\/1139/);
    expect(v.warnings.join(' ')).toMatch(/24 levels/);
    expect(v.path).toHaveLength(23);
  });

  it('names the right check for each tampering of the real file', () => {
    const base = readOkx('merkle_proof_file.json');
    const sum = clone(base);
    sum.path[5].balances.USDT = '2.09321197';
    // Below the type-4 entry (height 22), any change also breaks its copy of the node.
    expect(failed(verifyOkxV1Proof(sum))).toEqual(['root-hash', 'root-sums', 'padding-nodes']);
    const hash = clone(base);
    hash.path[3].hash = hash.path[3].hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    expect(failed(verifyOkxV1Proof(hash))).toEqual(['root-hash', 'padding-nodes']);
    const nonce = clone(base);
    nonce.self.nonce = nonce.self.nonce.replace(/.$/, '0');
    // OKX's walk starts from the leaf hash as written, so only the leaf check sees a changed nonce.
    expect(failed(verifyOkxV1Proof(nonce))).toEqual(['leaf-hash']);
    const flip = clone(base);
    flip.path[6].type = 2; // was 1 (left): the walk now hashes the pair the other way round
    expect(failed(verifyOkxV1Proof(flip))).toEqual(['root-hash', 'padding-nodes']);
    const sameSide = clone(base);
    sameSide.path[0].type = 2; // the leaf is type 2 too
    expect(failed(verifyOkxV1Proof(sameSide))).toContain('node-types');
    const rootSum = clone(base);
    rootSum.path[23].balances.BTC = '95088.55505657';
    expect(failed(verifyOkxV1Proof(rootSum))).toEqual(['root-sums']);
    const rootHeight = clone(base);
    rootHeight.path[23].height = 25;
    expect(failed(verifyOkxV1Proof(rootHeight))).toEqual(['root-height']);
  });

  it('rejects malformed files as bad input, naming the field', () => {
    const base = readOkx('merkle_proof_file.json');
    const noNonce = clone(base);
    delete noNonce.self.nonce;
    expect(() => verifyOkxV1Proof(noNonce)).toThrow(/nonce/);
    const badAmount = clone(base);
    badAmount.path[2].balances.ETH = '1e5';
    expect(() => verifyOkxV1Proof(badAmount)).toThrowError(expect.objectContaining({ code: 'BAD_AMOUNT', info: expect.objectContaining({ field: 'path[2].balances.ETH' }) }));
  });

  it('read from its text (as the CLI and the page read it), a malformed field is located: file, line, column', () => {
    const text = readFileSync(path.join(okxDir, 'merkle_proof_file.json'), 'utf8');
    // The first path entry's hash, cut short: its line and column found here by searching the text.
    const first = JSON.parse(text).path[0].hash as string;
    const bad = text.replace(first, first.slice(0, 10));
    const i = bad.indexOf(`"${first.slice(0, 10)}"`);
    const line = bad.slice(0, i).split('\n').length;
    const column = i - bad.lastIndexOf('\n', i - 1);
    const e = (() => { try { verifyOkxV1Proof(parseJson(bad, { file: 'proof.json' })); } catch (err) { return err as PorError; } throw new Error('accepted'); })();
    expect(e.info).toEqual({ file: 'proof.json', line, column, field: 'path[0].hash' });
    const user = parseJson('{"hash": "00", "nonce": "n", "totalBalances": {}, "nodes": []}', { file: 'user.json' });
    expect(() => verifyOkxUserProof(user)).toThrowError(expect.objectContaining({ info: { file: 'user.json', line: 1, column: 10, field: 'hash' } }));
  });
});

describe('OKX path proof, generated vectors', () => {
  it('a tree built by a separate implementation verifies for every leaf', () => {
    for (let k = 0; k < 4; k++) {
      const v = verifyOkxV1Proof(fourLeafProof(L, k));
      expect(failed(v)).toEqual([]);
      // 1 + 0.00000001 + 2 + 0.5; 2.5 + 0 + 0.1 + 7; 100 + 3.33333333 + 0 + 0.66666667
      expect(v.root.sums.map((s) => s.amount)).toEqual(['3.50000001', '9.6', '104']);
    }
  });

  it('truncates parent sums to 8 decimals, as OKX does', () => {
    const leaves = clone(L);
    leaves[0]!.b.USDT = '0.123456789'; // 9 decimals: OKX keeps 8 in the parent, rounding down
    leaves[1]!.b.USDT = '0.000000009';
    const proof = fourLeafProof(leaves, 0);
    // Rebuild with the truncation rule written out by hand: 0.123456789 + 0.000000009 = 0.123456798 → 0.12345679
    const lh0 = leafHash('n0', leaves[0]!.b);
    const lh1 = leafHash('n1', leaves[1]!.b);
    const s01 = { BTC: '1.00000001', ETH: '2.5', USDT: '0.12345679' };
    const p01 = parentHash(lh0, lh1, s01, 2);
    const p23s = add(leaves[2]!.b, leaves[3]!.b);
    const p23 = parentHash(leafHash('n2', leaves[2]!.b), leafHash('n3', leaves[3]!.b), p23s, 2);
    const rootS = { BTC: '3.50000001', ETH: '9.6', USDT: '0.79012346' };
    proof.path[1] = { ...proof.path[1]!, hash: p23, balances: p23s };
    proof.path[2] = { ...proof.path[2]!, hash: parentHash(p01, p23, rootS, 3), balances: rootS };
    expect(failed(verifyOkxV1Proof(proof))).toEqual([]);
  });

  it('each tampering fails with the right check named', () => {
    const base = fourLeafProof(L, 1);
    const t1 = clone(base); t1.path[1]!.balances.ETH = '7.2';
    expect(failed(verifyOkxV1Proof(t1))).toEqual(['root-hash', 'root-sums']);
    const t2 = clone(base); t2.path[0]!.hash = sha('other');
    expect(failed(verifyOkxV1Proof(t2))).toEqual(['root-hash']);
    const t3 = clone(base); t3.self.nonce = 'n9';
    expect(failed(verifyOkxV1Proof(t3))).toEqual(['leaf-hash']);
    const t4 = clone(base); t4.path[1]!.type = 1;
    expect(failed(verifyOkxV1Proof(t4))).toEqual(['root-hash']);
    const t5 = clone(base); t5.self.type = 1;
    expect(failed(verifyOkxV1Proof(t5))).toContain('node-types');
  });

  it('flags a negative sibling that OKX rules accept', () => {
    // Leaf 0 real; its sibling a fake account of −0.5 BTC: the tree still hashes consistently.
    const leaves = clone(L);
    leaves[1]!.b.BTC = '-0.5';
    const toUnitsS = (s: string) => (s.startsWith('-') ? -toUnits(s.slice(1)) : toUnits(s));
    const fromS = (u: bigint) => (u < 0n ? `-${fromUnits(-u)}` : fromUnits(u));
    const addS = (a: B, b: B): B => ({ BTC: fromS(toUnitsS(a.BTC) + toUnitsS(b.BTC)), ETH: fromS(toUnitsS(a.ETH) + toUnitsS(b.ETH)), USDT: fromS(toUnitsS(a.USDT) + toUnitsS(b.USDT)) });
    const lh = leaves.map((l) => leafHash(l.nonce, l.b));
    const s01 = addS(leaves[0]!.b, leaves[1]!.b);
    const s23 = addS(leaves[2]!.b, leaves[3]!.b);
    const p01 = parentHash(lh[0]!, lh[1]!, s01, 2);
    const p23 = parentHash(lh[2]!, lh[3]!, s23, 2);
    const rs = addS(s01, s23);
    const proof = {
      self: { balances: leaves[0]!.b, type: 1, nonce: 'n0', hash: lh[0], height: 1 },
      path: [
        { balances: leaves[1]!.b, type: 2, hash: lh[1], height: 1 },
        { balances: s23, type: 2, hash: p23, height: 2 },
        { balances: rs, type: 3, hash: parentHash(p01, p23, rs, 3), height: 3 },
      ],
    };
    expect(failed(verifyOkxV1Proof(proof))).toEqual(['balances-non-negative']);
  });
});

describe('sibling-sum forgery (ePrint 2018/1139) against OKX rules', () => {
  it('OKX rules accept two proofs that leave the smaller balance out of the root total', () => {
    // Two users, u (3 BTC) and w (5 BTC). Honest parent: 8. The exchange publishes a parent of
    // P = 5 and shows u a sibling of P − 3 = 2, and w a sibling of P − 5 = 0. The parent hash
    // commits to the total P only, so both proofs hash to the same root.
    const u = { nonce: 'u', b: { BTC: '3', ETH: '0', USDT: '0' } };
    const w = { nonce: 'w', b: { BTC: '5', ETH: '0', USDT: '0' } };
    const hu = leafHash(u.nonce, u.b);
    const hw = leafHash(w.nonce, w.b);
    const P = { BTC: '5', ETH: '0', USDT: '0' };
    const root = parentHash(hu, hw, P, 2);
    const forUser = {
      self: { balances: u.b, type: 1, nonce: 'u', hash: hu, height: 1 },
      path: [
        { balances: { BTC: '2', ETH: '0', USDT: '0' }, type: 2, hash: hw, height: 1 },
        { balances: P, type: 3, hash: root, height: 2 },
      ],
    };
    const forOther = {
      self: { balances: w.b, type: 2, nonce: 'w', hash: hw, height: 1 },
      path: [
        { balances: { BTC: '0', ETH: '0', USDT: '0' }, type: 1, hash: hu, height: 1 },
        { balances: P, type: 3, hash: root, height: 2 },
      ],
    };
    const vu = verifyOkxV1Proof(forUser);
    const vw = verifyOkxV1Proof(forOther);
    expect(vu.valid).toBe(true);
    expect(vw.valid).toBe(true);
    expect(vu.root.hash).toBe(vw.root.hash);
    // The root claims 5 BTC of liabilities while the two users hold 8.
    expect(vu.root.sums[0]).toEqual({ asset: 'BTC', amount: '5' });
    expect(vu.warnings[0]).toMatch(/TOTAL only/);
  });
});

describe('OKX per-user breakdown (okx-user)', () => {
  it('verifies the real file', () => {
    const json = readOkx('user_info_file.json');
    expect(detectProofFormat(json)).toBe('okx-user');
    const v = verifyAnyProof(json, {});
    expect(failed(v)).toEqual([]);
    expect(v.checks.filter((c) => c.name === 'node-hash')).toHaveLength(2);
    // 0.0000487 + 0.0000013 = 0.00005 BTC, as totalBalances says
    expect(v.user.balances[0]).toEqual({ asset: 'BTC', amount: '0.00005' });
    expect(v.warnings[0]).toMatch(/does not tie them to a published root/);
  });

  it('each tampering fails with the right check named', () => {
    const base = readOkx('user_info_file.json');
    const t1 = clone(base); t1.nonce = t1.nonce.replace(/^./, 'c');
    expect(failed(verifyOkxUserProof(t1))).toEqual(['user-hash']);
    const t2 = clone(base); t2.nodes[1].balances.BTC = '0.0000014';
    expect(failed(verifyOkxUserProof(t2))).toEqual(['node-hash', 'nodes-sum']);
    const t3 = clone(base); t3.totalBalances.BTC = '0.00006';
    expect(failed(verifyOkxUserProof(t3))).toEqual(['user-hash', 'nodes-sum']);
    const t4 = clone(base); t4.nodes[0].hash = sha('x');
    expect(failed(verifyOkxUserProof(t4))).toEqual(['node-hash']);
  });
});

describe("the same sibling-sum trick against por's own tree", () => {
  // Same two users as above (3 and 5 BTC), same forged total P = 5, built as a por tree. The
  // forged proofs are written here with node:crypto from docs/SPEC.md's node rule (parent =
  // SHA-256("por.node" 0x01 ‖ left hash ‖ left equity ‖ left debt ‖ right hash ‖ right equity ‖
  // right debt), sums as 16-byte big-endian), not with por's code.
  const NODE_TAG = Buffer.from('por.node\x01', 'latin1');
  const u128 = (v: bigint) => Buffer.from(v.toString(16).padStart(32, '0'), 'hex');
  const node = (lh: string, ls: bigint, rh: string, rs: bigint) =>
    createHash('sha256').update(Buffer.concat([NODE_TAG, Buffer.from(lh, 'hex'), u128(ls), u128(0n), Buffer.from(rh, 'hex'), u128(rs), u128(0n)])).digest('hex');

  it('is rejected by por verify: one published root cannot fit both forged views', async () => {
    const { buildTree, ProofStore } = await import('../../src/merkle/index.js');
    const { SECRET, snapshotOf, tmp } = await import('../merkle/helpers.js');
    const assets = [{ symbol: 'BTC', decimals: 8 }];
    const dir = tmp('por-okx-forgery-');
    const res = await buildTree(snapshotOf([{ userId: 'u', net: [3_00000000n] }, { userId: 'w', net: [5_00000000n] }], assets), { secret: SECRET, snapshotId: 's', height: 1, outDir: dir, threads: 1 });
    const store = await ProofStore.open(dir);
    const u = store.proof('u');
    const w = store.proof('w');
    store.close();
    const P = 5_00000000n;
    const forge = (p: typeof u) => {
      const f = JSON.parse(JSON.stringify(p));
      const v = BigInt(p.user.balances[0]!.equityUnits);
      const s = p.path[0]!;
      f.path[0].equity = [(P - v).toString()];
      f.root.equity = [P.toString()];
      f.root.hash = s.side === 'right' ? node(p.leaf.hash, v, s.hash, P - v) : node(s.hash, P - v, p.leaf.hash, v);
      return f;
    };
    const fu = forge(u);
    const fw = forge(w);
    // OKX: both forged proofs reach the same root (shown above). por: they cannot.
    expect(fu.root.hash).not.toBe(fw.root.hash);
    const published = { rootHash: fu.root.hash };
    expect(verifyAnyProof(fu, published).valid).toBe(true); // u alone sees nothing wrong…
    const vw = verifyAnyProof(fw, published); // …but w's forged view does not reach that root
    expect(vw.valid).toBe(false);
    expect(failed(vw)).toContain('published-root-hash');
    // and the honest proofs fail against the forged root, while verifying against the real one
    expect(verifyAnyProof(w, published).valid).toBe(false);
    expect(verifyAnyProof(u, { rootHash: res.merkleRoot.hash }).valid).toBe(true);
    expect(verifyAnyProof(w, { rootHash: res.merkleRoot.hash }).valid).toBe(true);
  });
});

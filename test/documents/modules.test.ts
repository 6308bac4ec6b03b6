// Each document module reads what its writer writes, refuses what its format does not allow with
// a located error, and (for the proof and root) agrees byte for byte with the files the builder and
// the proof store write — so the store's fast hand-written proof text cannot drift from the one
// declared shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import { parseJson } from '../../src/core/json/parse.js';
import { porError } from '../../src/core/errors/index.js';
import { error, proof, root, signature, signatureCheck, storeMeta, verdict } from '../../src/core/documents/index.js';
import { verifyPorProof } from '../../src/core/verify/por.js';
import { randomUsers, SECRET, snapshotOf, tmp } from '../merkle/helpers.js';
import { caught } from '../helpers/caught.js';


describe('por-proof and por-root against what por writes', () => {
  it('the store\'s proofs and root.json are exactly what the modules write of them', async () => {
    const users = randomUsers(9);
    const dir = tmp();
    await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 'snap-doc', height: 4, outDir: dir, threads: 1 });
    const rootText = readFileSync(join(dir, 'public', 'root.json'), 'utf8');
    const rootJson = parseJson(rootText, { file: 'root.json' });
    expect(JSON.stringify(root.write(root.read(rootJson)), null, 2)).toBe(JSON.stringify(JSON.parse(rootText), null, 2));
    const store = await ProofStore.open(dir);
    for (const u of users.slice(0, 3)) {
      const p = store.proof(u.userId);
      expect(JSON.stringify(proof.write(proof.read(p)))).toBe(JSON.stringify(p));
      expect(verifyPorProof(p, { report: rootJson }).valid).toBe(true);
    }
    store.close();
  });
});

describe('refusals name the field (and line:column for parsed text)', () => {
  const sig = { format: 'por-report-signature', version: 1, scheme: 'eip191', signer: `0x${'ab'.repeat(20)}`, signature: `0x${'cd'.repeat(65)}`, reportSha256: `0x${'ef'.repeat(32)}`, snapshotId: 's' };

  it('por-report-signature: a good one reads back; an extra field, a bad digest, version 2 are refused', () => {
    expect(signature.write(signature.read(sig))).toEqual(sig);
    expect(caught(() => signature.read({ ...sig, note: 'x' }, 'r.sig.json')).info).toMatchObject({ file: 'r.sig.json', field: 'note' });
    const text = JSON.stringify({ ...sig, reportSha256: 'abc' }, null, 2);
    // "reportSha256" is the 6th key: line 7 of the pretty-printed text, its value after `  "reportSha256": `.
    expect(caught(() => signature.read(parseJson(text, { file: 'r.sig.json' }))).info).toEqual({ file: 'r.sig.json', line: 7, column: 19, field: 'reportSha256' });
    expect(caught(() => signature.read({ ...sig, version: 2 })).message).toMatch(/unsupported version 2/);
  });

  it('por-proof: a balance of another asset is refused at its path', () => {
    const p = { format: 'por-proof', version: 1, hashFunction: 'sha256', snapshotId: 's', height: 1, assets: [{ symbol: 'BTC', decimals: 8 }],
      user: { id: 'a', salt: '0'.repeat(64), hash: '1'.repeat(64), balances: [{ asset: 'ETH', equity: '0', debt: '0', equityUnits: '0', debtUnits: '0' }], encoded: '' },
      leaf: { position: 0, hash: '2'.repeat(64) }, path: [{ side: 'left', hash: '3'.repeat(64), equity: ['0'], debt: ['0'] }], root: { hash: '4'.repeat(64), equity: ['0'], debt: ['0'] } };
    expect(caught(() => proof.read(p)).info.field).toBe('user.balances[0].asset');
    const btc = { ...p, user: { ...p.user, balances: [{ ...p.user.balances[0]!, asset: 'BTC' }] } };
    expect(proof.write(proof.read(btc))).toEqual(btc);
    expect(caught(() => proof.read({ ...btc, path: [{ ...p.path[0]!, equity: ['0', '0'] }] })).info.field).toBe('path[0].equity');
  });
});

describe('output documents read back what they write', () => {
  it('por-verdict, por-error, por-signature-check', () => {
    const v = { valid: false, format: 'por', checks: [{ name: 'format', ok: false, detail: 'no' }], warnings: ['w'], user: { balances: [] }, root: { hash: 'h', sums: [] } };
    const doc = verdict.write(v);
    expect(Object.keys(doc)).toEqual(['format', 'version', 'valid', 'proofFormat', 'checks', 'warnings', 'user', 'root']);
    expect(verdict.read(JSON.parse(JSON.stringify(doc)))).toEqual(v);
    const e = error.write(porError('BAD_INPUT', 'bad', { file: 'f', line: 2 }));
    expect(e).toEqual({ format: 'por-error', version: 1, error: { code: 'BAD_INPUT', message: 'bad', info: { file: 'f', line: 2 } } });
    expect(error.read(JSON.parse(JSON.stringify(e)))).toEqual(e.error);
    expect(error.write(new Error('oops')).error).toEqual({ code: 'INTERNAL', message: 'oops' });
    const c = { valid: true, check: 'ok' as const, detail: 'd', signer: null, report: 'r', signature: 's' };
    expect(signatureCheck.read(signatureCheck.write(c))).toEqual(c);
  });
});

describe('por-proof-store', () => {
  it('store.json as the builder writes it is what the module writes of it', async () => {
    const dir = tmp();
    await buildTree(snapshotOf(randomUsers(5)), { secret: SECRET, snapshotId: 'snap-meta', height: 3, outDir: dir, threads: 1 });
    const text = readFileSync(join(dir, 'private', 'store.json'), 'utf8');
    const meta = storeMeta.read(parseJson(text, { file: 'store.json' }));
    expect(meta.levelCounts).toHaveLength(4);
    expect(JSON.stringify(storeMeta.write(meta))).toBe(JSON.stringify(JSON.parse(text)));
    const bad = caught(() => storeMeta.read({ ...JSON.parse(text), levelCounts: [5] }, 'store.json'));
    expect(bad.info).toMatchObject({ file: 'store.json', field: 'levelCounts' });
  });
});

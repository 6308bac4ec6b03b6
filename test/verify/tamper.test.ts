// Property: changing any single field, or any single byte, of a valid proof makes it fail.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import type { ProofDocument } from '../../src/core/merkle/types.js';
import { verifyPorProof, type Published } from '../../src/core/verify/por.js';
import { randomUsers, SECRET, snapshotOf, tmp, ASSETS } from '../merkle/helpers.js';

let proof: ProofDocument;
let report: unknown;
let rootHash: string;
beforeAll(async () => {
  const dir = tmp();
  const users = randomUsers(300, ASSETS.length, 7);
  users[5]!.net = [123456789n, -5n, 0n]; // a user with equity, debt and a zero
  const res = await buildTree(snapshotOf(users), { secret: SECRET, snapshotId: 'snap-tamper', height: 12, outDir: dir, threads: 1 });
  report = res.root;
  rootHash = res.merkleRoot.hash;
  const store = await ProofStore.open(dir);
  proof = store.proof('user-5');
  store.close();
});

/** Every leaf of the JSON tree, as a path of keys. */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [path];
}

function rejects(candidate: unknown, published: Published): boolean {
  try {
    return !verifyPorProof(candidate, published).valid;
  } catch {
    return true; // refusing to read it is failing too
  }
}

const anchors = (): Published[] => [{ report }, { rootHash }];

describe('tampering with a valid proof', () => {
  it('the untouched proof is valid against the report and against the bare root hash', () => {
    for (const p of anchors()) expect(verifyPorProof(proof, p).valid).toBe(true);
  });

  it('changing any single field value fails', () => {
    const paths = leaves(proof);
    expect(paths.length).toBeGreaterThan(12 * 8);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.nat(1000), fc.boolean(), (which, seed, asReport) => {
        const doc = JSON.parse(JSON.stringify(proof));
        const path = paths[which]!;
        let o = doc;
        for (const k of path.slice(0, -1)) o = o[k];
        const key = path.at(-1)!;
        const old = o[key];
        if (typeof old === 'number') o[key] = old + (seed % 2 ? 1 : -1) * (1 + (seed % 5));
        else if (typeof old === 'string') {
          // Replace one character with a different one of the same kind (hex stays hex, digits digits).
          const i = old.length ? seed % old.length : 0;
          const alphabet = /^[0-9a-f]+$/.test(old) ? '0123456789abcdef' : /^[0-9.]+$/.test(old) ? '0123456789' : 'abcdefghijklmnopqrstuvwxyz0123456789-.';
          const c = old[i] ?? '';
          const pool = alphabet.split('').filter((x) => x !== c && (c !== '.' || x === '.'));
          const repl = c === '.' ? '0' : pool[seed % pool.length]!;
          o[key] = old.length ? old.slice(0, i) + repl + old.slice(i + 1) : 'x';
          if (o[key] === old) o[key] = `${old}0`;
        } else o[key] = 'changed';
        return rejects(doc, asReport ? { report } : { rootHash });
      }),
      { numRuns: 600 },
    );
    // And explicitly every field once, against both anchors.
    for (const path of paths) {
      for (const anchor of anchors()) {
        const doc = JSON.parse(JSON.stringify(proof));
        let o = doc;
        for (const k of path.slice(0, -1)) o = o[k];
        const key = path.at(-1)!;
        const old = o[key];
        o[key] = typeof old === 'number' ? old + 1 : typeof old === 'string' ? (old.endsWith('1') ? `${old.slice(0, -1)}2` : `${old.slice(0, -1)}1`) : 'x';
        expect(rejects(doc, anchor), `changing ${path.join('.')}`).toBe(true);
      }
    }
  });

  it('changing any single byte of the file fails (or the file no longer parses)', () => {
    const text = new TextEncoder().encode(JSON.stringify(proof));
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, delta, asReport) => {
        const b = text.slice();
        b[at] = (b[at]! + delta) & 0xff;
        let doc: unknown;
        try {
          doc = JSON.parse(new TextDecoder().decode(b));
        } catch {
          return true;
        }
        return rejects(doc, asReport ? { report } : { rootHash });
      }),
      { numRuns: 1500 },
    );
  });

  it('adding a field or dropping one fails', () => {
    const extra = { ...JSON.parse(JSON.stringify(proof)), note: 'trust me' };
    expect(rejects(extra, { rootHash })).toBe(true);
    const { leaf: _leaf, ...missing } = JSON.parse(JSON.stringify(proof));
    expect(rejects(missing, { rootHash })).toBe(true);
  });
});

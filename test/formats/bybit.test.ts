// Bybit path proofs (vendored real files from Bybit's validator's tests): valid by Bybit's rules;
// tampered copies INVALID; unknown asset lists and malformed amounts exit 2, never VALID.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyBybitProof } from '../../src/core/formats/bybit.js';
import { detectProofFormat } from '../../src/core/verify/any.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = path.join(repoRoot, 'test/fixtures/bybit');
const file = (v = '') => path.join(dir, `mock_user_merkle_tree_path_40${v}.json`);
const load = (v = ''): any => JSON.parse(readFileSync(file(v), 'utf8'));
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = (json: unknown) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'por-bybit-')), 'p.json');
  writeFileSync(f, JSON.stringify(json));
  return f;
};
const units = (s: string) => { const [i, f = ''] = s.split('.'); return BigInt(i!) * 10n ** 8n + BigInt((f + '00000000').slice(0, 8)); };

describe('Bybit path proofs, real files', () => {
  it.each([['', 'Asset40'], ['_v2', 'Asset40V2'], ['_v3', 'Asset40V3'], ['_v4', 'Asset40V4'], ['_v5', 'Asset40V5']])('mock%s is valid under list %s', (v, list) => {
    const json = load(v);
    expect(detectProofFormat(json)).toBe('bybit-v1');
    const verdict = verifyBybitProof(json);
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verdict.checks[0]!.detail).toContain(`list ${list};`);
    expect(verdict.warnings.join(' ')).toMatch(/TOTAL only/);
  });
  it('independently: the root totals are the user plus every sibling, per asset, in 1e-8 units', () => {
    const json = load();
    const root = json.path[json.path.length - 1].balance;
    for (const asset of Object.keys(root)) {
      const sum = [json.self, ...json.path.slice(0, -1)].reduce((a: bigint, n: any) => a + units(n.balance[asset]), 0n);
      expect(sum).toBe(units(root[asset]));
    }
    // And the leaf by hand for the enum order (here the same as the file's), with node:crypto.
    const leaf = createHash('sha256').update(json.self.userHash + Object.values(json.self.balance).join('')).digest('hex');
    expect(leaf).toBe(json.self.hash);
  });
  it('the JSON\'s key order does not matter: balances are hashed in the asset list\'s order', () => {
    const json = load();
    const keys = Object.keys(json.self.balance).reverse();
    json.self.balance = Object.fromEntries(keys.map((k) => [k, json.self.balance[k]]));
    const naive = createHash('sha256').update(json.self.userHash + Object.values(json.self.balance).join('')).digest('hex');
    expect(naive).not.toBe(json.self.hash); // hashing in the JSON's order would fail
    expect(verifyBybitProof(json).valid).toBe(true);
  });
});

describe('Bybit path proofs, tampered and malformed', () => {
  it('a user balance raised, a sibling sum lowered, the sides swapped: INVALID, the check named', () => {
    const a = load();
    a.self.balance.BTC = '1.00000000';
    expect(verifyBybitProof(a).checks.find((c) => !c.ok)!.name).toBe('leaf-hash');
    const b = load();
    b.path[1].balance.USDT = '0.00000000'; // hide a neighbour's USDT: the root no longer follows
    expect(verifyBybitProof(b).checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['root-hash', 'root-sums']);
    const c = load();
    c.self.type = 2;
    c.path[0].type = 1;
    expect(verifyBybitProof(c).valid).toBe(false);
    const d = load();
    d.path[0].balance.DOT = '-7.16384740';
    expect(verifyBybitProof(d).checks.find((x) => x.name === 'balances-non-negative')!.ok).toBe(false);
  });
  it('an asset no list has, or a missing one: "scheme variant not recognised", exit 2 — never VALID', () => {
    const extra = load();
    extra.self.balance.FOO = '0.00000000';
    expect(() => verifyBybitProof(extra)).toThrow(/scheme variant not recognised/);
    const missing = load();
    delete missing.self.balance.SHRAP;
    expect(() => verifyBybitProof(missing)).toThrow(/scheme variant not recognised/);
    const r = por('verify', tmp(extra));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/scheme variant not recognised/);
  });
  it('CLI: real file exit 0; tampered exit 1; a wrong --root exit 1; an amount in exponent form exit 2 naming the field', () => {
    expect(por('verify', file()).code).toBe(0);
    const t = load();
    t.self.balance.DOT = '7.16384741';
    expect(por('verify', tmp(t)).code).toBe(1);
    expect(por('verify', file(), '--root', '0'.repeat(64)).code).toBe(1);
    const m = load();
    m.path[2].balance.ETH = '1e3';
    const r = por('verify', tmp(m), '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.info.field).toBe('path[2].balance.ETH');
  });
});

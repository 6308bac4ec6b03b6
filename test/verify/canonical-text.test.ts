// docs/SPEC.md, "Canonical text" and "Well-formed proofs", reimplemented from the text alone
// (docCheck below: plain string rules and bigint sums, nothing from src/) and held against por's
// verifier on one real proof (the golden proof of josé, test/fixtures/golden) and one edit at a
// time. For each edit the check that must fail was worked out by hand from SPEC.md; por's first
// failed check and the reimplementation's must both be it. So the docs cannot drift from the code
// in either direction without a red test.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { verifyPorProof } from '../../src/core/verify/por.js';

const G = new URL('../fixtures/golden/', import.meta.url);
const PROOF = JSON.parse(readFileSync(new URL('proof-jose.json', G), 'utf8'));
const ROOT = JSON.parse(readFileSync(new URL('build/public/root.json', G), 'utf8'));
type Json = Record<string, any>;

// ---- The documented rules, written out again. ----
const INT = /^(0|[1-9][0-9]*)$/;
const HEX64 = /^[0-9a-f]{64}$/;
const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');
/** Decimal text of `units` at `d` decimals: integer part, then "." and exactly d digits. */
function decimalText(units: bigint, d: number): string {
  if (d === 0) return units.toString();
  const scale = 10n ** BigInt(d);
  return `${units / scale}.${(units % scale).toString().padStart(d, '0')}`;
}
const exactly = (o: unknown, keys: string[]) =>
  typeof o === 'object' && o !== null && !Array.isArray(o) && Object.keys(o).length === keys.length && keys.every((k) => k in o);
const stringsOf = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string');

/** The structural half of "Well-formed proofs" (everything but the id byte lengths). */
function structureOk(p: Json): boolean {
  if (!exactly(p, ['format', 'version', 'hashFunction', 'snapshotId', 'height', 'assets', 'user', 'leaf', 'path', 'root'])) return false;
  if (typeof p.snapshotId !== 'string' || !Number.isInteger(p.height) || p.height < 1 || p.height > 64) return false;
  if (!Array.isArray(p.assets) || p.assets.length < 1 || p.assets.length > 65535) return false;
  const assetsOk = p.assets.every((a: Json) => exactly(a, ['symbol', 'decimals']) && typeof a.symbol === 'string' && utf8Len(a.symbol) >= 1 && utf8Len(a.symbol) <= 255 && Number.isInteger(a.decimals) && a.decimals >= 0 && a.decimals <= 36);
  if (!assetsOk) return false;
  const A = p.assets.length;
  const u = p.user;
  if (!exactly(u, ['id', 'salt', 'hash', 'balances', 'encoded']) || typeof u.id !== 'string') return false;
  if (!HEX64.test(u.salt) || !HEX64.test(u.hash) || typeof u.encoded !== 'string' || !/^[0-9a-f]*$/.test(u.encoded)) return false;
  if (!Array.isArray(u.balances) || u.balances.length !== A) return false;
  const balOk = u.balances.every((b: Json, i: number) => exactly(b, ['asset', 'equity', 'debt', 'equityUnits', 'debtUnits']) && b.asset === p.assets[i].symbol && ['equity', 'debt', 'equityUnits', 'debtUnits'].every((k) => typeof b[k] === 'string'));
  if (!balOk) return false;
  if (!exactly(p.leaf, ['position', 'hash']) || !Number.isInteger(p.leaf.position) || p.leaf.position < 0 || !HEX64.test(p.leaf.hash)) return false;
  if (!Array.isArray(p.path)) return false;
  const stepsOk = p.path.every((s: Json) => exactly(s, ['side', 'hash', 'equity', 'debt']) && (s.side === 'left' || s.side === 'right') && HEX64.test(s.hash) && stringsOf(s.equity, A) && stringsOf(s.debt, A));
  return stepsOk && exactly(p.root, ['hash', 'equity', 'debt']) && HEX64.test(p.root.hash) && stringsOf(p.root.equity, A) && stringsOf(p.root.debt, A);
}

/** The first of well-formed / leaf-values / sibling-sums / root-sums that the documented rules fail, or "ok". */
function docCheck(p: Json): string {
  if (!structureOk(p)) return 'well-formed';
  const bound = 2n ** BigInt(128 - p.height) - 1n;
  for (const [i, b] of p.user.balances.entries()) {
    for (const f of ['equity', 'debt']) {
      const units = b[`${f}Units`];
      if (!INT.test(units) || BigInt(units) > bound || b[f] !== decimalText(BigInt(units), p.assets[i].decimals)) return 'leaf-values';
    }
  }
  for (const id of [p.user.id, p.snapshotId]) if (utf8Len(id) < 1 || utf8Len(id) > 1024) return 'well-formed';
  const eq = p.user.balances.map((b: Json) => BigInt(b.equityUnits));
  const dt = p.user.balances.map((b: Json) => BigInt(b.debtUnits));
  for (const s of p.path) {
    for (const [f, acc] of [['equity', eq], ['debt', dt]] as const) {
      for (let i = 0; i < acc.length; i++) {
        if (!INT.test(s[f][i])) return 'sibling-sums';
        acc[i] += BigInt(s[f][i]);
      }
    }
  }
  const rootText = [...eq, ...dt].map(String);
  return [...p.root.equity, ...p.root.debt].every((v: string, i: number) => v === rootText[i]) ? 'ok' : 'root-sums';
}

const firstFailed = (p: Json) => {
  const v = verifyPorProof(p, { report: ROOT });
  return v.valid ? 'ok' : v.checks.find((c) => !c.ok)!.name;
};

// Each edit and the check SPEC.md says it fails, by hand.
const EDITS: [string, (p: Json) => void, string][] = [
  ['unchanged', () => {}, 'ok'],
  ['decimal text without its trailing zeros ("0" for 0.00000000)', (p) => (p.user.balances[0].equity = '0'), 'leaf-values'],
  ['decimal text with one digit too many', (p) => (p.user.balances[1].equity = '0.0000010'), 'leaf-values'],
  ['decimal text with a leading zero', (p) => (p.user.balances[1].equity = '00.000001'), 'leaf-values'],
  ['decimal text with a sign', (p) => (p.user.balances[1].equity = '+0.000001'), 'leaf-values'],
  ['decimal text with an exponent', (p) => (p.user.balances[1].equity = '1e-6'), 'leaf-values'],
  ['integer text with a leading zero', (p) => (p.user.balances[1].equityUnits = '01'), 'leaf-values'],
  ['integer text with a sign', (p) => (p.user.balances[1].equityUnits = '+1'), 'leaf-values'],
  ['integer text "-0"', (p) => (p.user.balances[0].debtUnits = '-0'), 'leaf-values'],
  ['integer text with a point', (p) => (p.user.balances[1].equityUnits = '1.0'), 'leaf-values'],
  ['an amount as a JSON number', (p) => (p.user.balances[1].equityUnits = 1), 'well-formed'],
  ['balances[1].asset is not assets[1].symbol', (p) => (p.user.balances[1].asset = 'ETH'), 'well-formed'],
  ['balances in another order than assets', (p) => p.user.balances.reverse(), 'well-formed'],
  ['upper-case hex in user.hash', (p) => (p.user.hash = p.user.hash.toUpperCase()), 'well-formed'],
  ['0x before leaf.hash', (p) => (p.leaf.hash = `0x${p.leaf.hash.slice(2)}`), 'well-formed'],
  ['an unknown field', (p) => (p.user.note = 'hi'), 'well-formed'],
  ['a missing field', (p) => delete p.leaf.position, 'well-formed'],
  ['height not an integer', (p) => (p.height = 8.5), 'well-formed'],
  ['decimals above 36', (p) => (p.assets[0].decimals = 37), 'well-formed'],
  ['side neither left nor right', (p) => (p.path[0].side = 'up'), 'well-formed'],
  ['a sibling sum list one short', (p) => p.path[1].equity.pop(), 'well-formed'],
  ['user id of 1025 bytes', (p) => (p.user.id = 'x'.repeat(1025)), 'well-formed'],
  ['empty user id', (p) => (p.user.id = ''), 'well-formed'],
  ['sibling integer text with a leading zero', (p) => (p.path[1].equity[0] = '01'), 'sibling-sums'],
  ['sibling integer text negative', (p) => (p.path[1].debt[1] = '-0'), 'sibling-sums'],
  ['root sum with a leading zero', (p) => (p.root.equity[0] = `0${p.root.equity[0]}`), 'root-sums'],
];

describe('SPEC.md canonical text and well-formed rules, reimplemented, agree with por', () => {
  it('the reimplementation gets the documented decimal forms right (by hand)', () => {
    expect(decimalText(150000000n, 8)).toBe('1.50000000');
    expect(decimalText(5n, 18)).toBe('0.000000000000000005');
    expect(decimalText(7n, 0)).toBe('7');
    expect(decimalText(0n, 6)).toBe('0.000000');
  });

  for (const [what, edit, expected] of EDITS) {
    it(`${what}: ${expected}`, () => {
      const p = structuredClone(PROOF) as Json;
      edit(p);
      expect(docCheck(p), 'the documented rules').toBe(expected);
      expect(firstFailed(p), 'por').toBe(expected);
    });
  }
});

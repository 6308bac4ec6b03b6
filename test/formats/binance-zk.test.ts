// Binance-family zk user proofs (Binance 2023, Gate, HTX): files built by a second implementation
// (binance-zk-builder.ts) are VALID under the variant they were built for; tampered copies are
// INVALID; Binance's own 2024 sample and files no confirmed variant covers are "scheme variant not
// recognised" (exit 2), never VALID.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BINANCE_ZK_FORMAT, verifyBinanceZkProof } from '../../src/core/formats/binance-zk.js';
import { detectProofFormat, verifyAnyProof } from '../../src/core/verify/any.js';
import { parseJson } from '../../src/core/json/parse.js';
import { isPorError } from '../../src/core/errors/index.js';
import type { Verdict } from '../../src/core/verify/types.js';
import { R, binance2023Text, build, gateText, type UserAsset } from './binance-zk-builder.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- foreign JSON the tests edit freely
type Json = any;
const exact = (text: string): Json => parseJson(text, { bigIntegers: true });
const failed = (v: Verdict) => v.checks.filter((c) => !c.ok).map((c) => c.name);
const fixture = (f: string) => readFileSync(path.resolve(import.meta.dirname, '../fixtures/binance', f), 'utf8');

function refused(fn: () => unknown, match: RegExp, field?: string): void {
  try {
    fn();
  } catch (err) {
    expect(isPorError(err, 'BAD_INPUT')).toBe(true);
    expect(String((err as Error).message)).toMatch(match);
    if (field !== undefined && isPorError(err)) expect(err.info.field).toBe(field);
    return;
  }
  throw new Error('expected a BAD_INPUT error');
}

// Amounts as the exchanges write them: scaled integers, totals beyond 2^64.
const gateAssets: UserAsset[] = [
  { Index: 0, Equity: 12_345_678n, Debt: 0n },
  { Index: 54, Equity: 3_261_550_200_000_000n, Debt: 17n },
  { Index: 349, Equity: 2n ** 64n - 1n, Debt: 2n ** 63n },
];
const gate = build({ index: 0b1011_0000_0000_0000_0000_0000_0111, assets: gateAssets, equity: 445_548_224_227_483_774_000n, debt: 9n, slots: 350, seed: 'gate' });
const gateJson = exact(gateText(gate));
// Asset index 200: beyond HTX's 174 slots, so only the Binance 2023 variant applies.
const bnbAssets: UserAsset[] = [{ Index: 7, Equity: 123_456_000n, Debt: 0n }, { Index: 200, Equity: 5n, Debt: 1n }];
const bnb = build({ index: 9, assets: bnbAssets, equity: 10n ** 22n, debt: 10n ** 20n, slots: 350, seed: 'binance' });
const bnbJson = exact(binance2023Text(bnb));

describe('files of the known variants are VALID', () => {
  it('Gate layout, 350 slots: recognised as gate-2023, balances and root as written', () => {
    expect(detectProofFormat(gateJson)).toBe(BINANCE_ZK_FORMAT);
    const v = verifyAnyProof(gateJson, {});
    expect(v.valid, failed(v).join()).toBe(true);
    expect(v.checks.find((c) => c.name === 'scheme-variant')?.detail).toMatch(/^recognised as gate-2023/);
    expect(v.root.hash).toBe(gate.root.toString(16).padStart(64, '0'));
    expect(v.user.balances).toContainEqual({ asset: 'asset #349', amount: String(2n ** 64n - 1n), debt: String(2n ** 63n) });
    expect(v.user.balances).toContainEqual({ asset: 'total (as written)', amount: '445548224227483774000', debt: '9' });
    expect(v.warnings.join(' ')).toMatch(/Groth16 batch proofs .* out of scope/);
  });

  it("Gate's other spelling of the path (one string holding a quoted list) reads the same", () => {
    expect(verifyBinanceZkProof(exact(gateText(gate, true))).valid).toBe(true);
  });

  it('Binance 2023 layout: recognised as binance-2023; a matching --root is accepted', () => {
    const v = verifyAnyProof(bnbJson, { rootHash: `0x${bnbJson.Root.toUpperCase()}` });
    expect(v.valid, failed(v).join()).toBe(true);
    expect(v.checks.find((c) => c.name === 'scheme-variant')?.detail).toMatch(/^recognised as binance-2023/);
  });
});

describe('tampered copies are INVALID, never a crash', () => {
  const edit = (f: (p: Json) => void): Verdict => {
    const p = exact(binance2023Text(bnb));
    f(p);
    return verifyBinanceZkProof(p);
  };
  it('one amount', () => {
    expect(failed(edit((p) => (p.Assets[0].Equity = 123_456_001n)))).toEqual(['root-hash']);
    expect(failed(edit((p) => (p.TotalDebt = 0n)))).toEqual(['root-hash']);
  });
  it('one sibling', () => {
    expect(failed(edit((p) => (p.Proof[5] = Buffer.alloc(32, 1).toString('base64'))))).toEqual(['root-hash']);
  });
  it('the index', () => {
    expect(failed(edit((p) => (p.AccountIndex = 8)))).toEqual(['root-hash']);
  });
  it('the root, in the file or against the published one', () => {
    expect(failed(edit((p) => (p.Root = `${p.Root.slice(0, 63)}${p.Root.endsWith('0') ? '1' : '0'}`)))).toEqual(['root-hash']);
    const v = verifyAnyProof(bnbJson, { rootHash: '11'.repeat(32) });
    expect(failed(v)).toEqual(['published-root-hash']);
  });
  it('a sibling missing: wrong depth', () => {
    expect(failed(edit((p) => p.Proof.pop()))).toEqual(['proof-depth', 'root-hash']);
  });
  it('a sibling not below the field modulus (which the exchanges\' code reduces silently)', () => {
    const v = edit((p) => (p.Proof[0] = Buffer.from((R + 1n).toString(16).padStart(64, '0'), 'hex').toString('base64')));
    expect(failed(v)).toContain('values-in-field');
    expect(v.valid).toBe(false);
  });
});

describe('scheme variant not recognised: exit 2, never VALID', () => {
  it("Binance's own 2024 sample", () => {
    refused(() => verifyAnyProof(exact(fixture('user_config_2024.json')), {}), /^scheme variant not recognised: Binance's 2024 design/, 'variant');
  });
  it('a Gate file with an asset beyond the 350 slots of the confirmed variant (only the unconfirmed 800-slot one applies)', () => {
    const wide = build({ index: 3, assets: [{ Index: 500, Equity: 1n, Debt: 0n }], equity: 1n, debt: 0n, slots: 800, seed: 'wide' });
    const p = exact(gateText(wide));
    p.TreeRootHash = '22'.repeat(32); // even a forged root is not called INVALID: por cannot tell
    refused(() => verifyBinanceZkProof(p), /^scheme variant not recognised: the root reproduces under none of gate-800/);
  });
  it('an asset index no known variant holds', () => {
    const p = exact(binance2023Text(bnb));
    p.Assets.push({ Index: 400, Equity: 1n, Debt: 0n });
    refused(() => verifyBinanceZkProof(p), /^scheme variant not recognised: no variant por knows/);
  });
});

describe('malformed files: located errors (exit 2)', () => {
  const edit = (f: (p: Json) => void) => () => {
    const p = exact(binance2023Text(bnb));
    f(p);
    return verifyBinanceZkProof(p);
  };
  it('names the field', () => {
    refused(edit((p) => (p.AccountIdHash = 'zz')), /64 hex/, 'AccountIdHash');
    refused(edit((p) => (p.Proof[2] = 'not base64')), /base64/, 'Proof[2]');
    refused(edit((p) => (p.Assets[1].Equity = 2n ** 64n)), /below 18446744073709551616/, 'Assets[1].Equity');
    refused(edit((p) => (p.Assets[1].Index = 7)), /increase/, 'Assets[1].Index');
    refused(edit((p) => (p.TotalEquity = -1)), /non-negative/, 'TotalEquity');
    refused(edit((p) => (p.AccountIndex = 2 ** 28)), /below/, 'AccountIndex');
    refused(edit((p) => (p.TotalEquity = 1e22)), /inexactly/, 'TotalEquity'); // read with JSON.parse
  });
});

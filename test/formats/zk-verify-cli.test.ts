// `por verify` on the zero-knowledge-era formats, through the built CLI (`npm run build` first):
// OKX zk-STARK inclusion proofs against sum_proof_data.json or --root, Binance-family user proofs,
// exit codes 0 / 1 / 2 and located errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTree, parseBatch, proofFor, sumProofDataText, toHex, type Account } from './okx-zk-builder.js';
import { binance2023Text, build } from './binance-zk-builder.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(path.join(tmpdir(), 'por-zk-cli-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

const batch = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/okx-zk/batch0.json'), 'utf8'));
const tokens = Object.keys(batch[0].assets);
const pad: Account = { id: '0'.repeat(64), equity: tokens.map(() => 0n), debt: tokens.map(() => 0n) };
const tree = buildTree(parseBatch(batch, tokens), 4, 4, pad);
let proofFile: string;
let sumFile: string;

beforeAll(() => {
  proofFile = write('3_inclusion_proof.json', JSON.stringify(proofFor(tree, 3), null, 2));
  sumFile = write('sum_proof_data.json', sumProofDataText(tree));
});

describe('por verify on OKX zk-STARK inclusion proofs', () => {
  it('VALID against sum_proof_data.json, totals shown, both limits said', () => {
    const r = por('verify', proofFile, '--report', sumFile);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^VALID: user "[0-9a-f]{64}" is included in root [0-9a-f]{64} \(snapshot "round 508787475"\)/);
    expect(r.out).toContain(`all accounts (STARK public inputs)  ${tree.equity}`);
    expect(r.out).toMatch(/zk-STARK .* is NOT verified by por/);
    expect(r.out).toMatch(/not to per-token amounts/);
  });

  it('--json: the verdict document, auto-detected as okx-zk; --format okx-zk forces the same', () => {
    const doc = JSON.parse(por('verify', proofFile, '--root', toHex(tree.root), '--json').out);
    expect(doc).toMatchObject({ format: 'por-verdict', version: 1, valid: true, proofFormat: 'okx-zk', root: { hash: toHex(tree.root), sums: [] } });
    expect(por('verify', proofFile, '--root', toHex(tree.root), '--format', 'okx-zk').code).toBe(0);
  });

  it('a tampered amount: exit 1 naming the check', () => {
    const p = proofFor(tree, 3) as { account: { equity: string[] } };
    p.account.equity[0] = String(BigInt(p.account.equity[0]!) + 1n);
    const r = por('verify', write('tampered.json', JSON.stringify(p)), '--report', sumFile);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: check "published-root-hash" failed/);
  });

  it('no root given, a malformed proof, a malformed sum_proof_data.json: exit 2 with the file and field', () => {
    const none = por('verify', proofFile);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/holds no root/);
    const p = proofFor(tree, 3) as { account: { id: string } };
    p.account.id = 'nothex';
    const bad = por('verify', write('bad.json', JSON.stringify(p)), '--root', toHex(tree.root));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.json');
    expect(bad.err).toContain('account.id');
    const badSum = por('verify', proofFile, '--report', write('bad_sum.json', sumProofDataText(tree).replace('"public_inputs": [', '"public_inputs": [-1, ')));
    expect(badSum.code).toBe(2);
    expect(badSum.err).toMatch(/bad_sum\.json.*proof\.public_inputs\[0\]/);
    const syntax = por('verify', write('syntax.json', '{"account": {"id": }'), '--root', toHex(tree.root));
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(/syntax\.json:1:\d+/);
  });
});

describe('por verify on Binance-family zk proofs', () => {
  const built = build({ index: 5, assets: [{ Index: 300, Equity: 10n ** 18n, Debt: 0n }], equity: 10n ** 24n, debt: 0n, slots: 350, seed: 'cli' });
  const text = binance2023Text(built);

  it('VALID (exact 10^24 total read from a bare JSON number), with the root note and the Groth16 limit', () => {
    const r = por('verify', write('user_config.json', text));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^VALID: user "[0-9a-f]{64}" is included in root/);
    expect(r.out).toContain('1000000000000000000000000');
    expect(r.out).toMatch(/Groth16 batch proofs .* out of scope/);
    expect(r.err).toMatch(/root .* is the one the file states/);
    // The headline itself says the root was not compared with a published one (issue 16).
    expect(r.out.split('\n')[0]).toMatch(/NOT yet compared with the exchange's published root/);
  });

  it('a tampered sibling: exit 1; another --root: exit 1', () => {
    const j = JSON.parse(text.replace(/:(\d{16,})/g, ':"$1"'));
    j.Proof[0] = Buffer.alloc(32, 7).toString('base64');
    expect(por('verify', write('t.json', JSON.stringify(j))).code).toBe(1);
    const r = por('verify', write('user_config.json', text), '--root', '33'.repeat(32));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+published-root-hash/);
  });

  it("Binance's 2024 sample: exit 2, scheme variant not recognised", () => {
    const r = por('verify', path.join(repoRoot, 'test/fixtures/binance/user_config_2024.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/scheme variant not recognised/);
    expect(r.out).toBe('');
  });
});

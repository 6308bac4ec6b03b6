// `por verify` on OKX's files, through the built CLI: the verdict, the user's balances, the root
// totals, the warning, and exit codes. Build first (`npm test` does).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const okxDir = path.resolve(repoRoot, 'test/fixtures/okx/upstream');
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('por verify on OKX files', () => {
  it("the real path proof: VALID, root totals as in the file's root entry, the warning", () => {
    const r = por('verify', path.join(okxDir, 'merkle_proof_file.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^VALID/);
    expect(r.out).toMatch(/BTC\s+95088\.55505656/);
    expect(r.out).toMatch(/USDT\s+3137909428\.88369702/);
    expect(r.out).toMatch(/ePrint 2018\/1139/);
  });
  it('--json gives the Verdict document', () => {
    const r = por('verify', path.join(okxDir, 'merkle_proof_file.json'), '--json');
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ format: 'por-verdict', version: 1, valid: true, proofFormat: 'okx-v1', root: { hash: 'ac6b39d2a0aa8112bd1aadff5e7d4b5c2b91cd54d595262ba4367f5d2db4160d', height: 24 } });
    expect(doc.checks.map((c: { name: string }) => c.name)).toEqual(['leaf-hash', 'node-types', 'root-hash', 'root-sums', 'root-height', 'balances-non-negative', 'padding-nodes', 'path-heights']);
  });
  it('a tampered proof: exit 1 naming the check; the breakdown verifies', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'por-okx-verify-'));
    const json = JSON.parse(readFileSync(path.join(okxDir, 'merkle_proof_file.json'), 'utf8'));
    json.path[23].balances.USDT = '3137909428.88369703';
    const f = path.join(dir, 'proof.json');
    writeFileSync(f, JSON.stringify(json));
    const r = por('verify', f);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+root-sums/);
    const b = por('verify', path.join(okxDir, 'user_info_file.json'), '--format', 'okx-user');
    // Consistent, but tied to no published root: not checked (exit 2), never VALID / exit 0.
    expect(b.code).toBe(2);
    expect(b.out).toMatch(/does not tie them to a published root/);
    // Its "root" is the user's own hash: the verdict must not claim inclusion in a root.
    expect(b.out).not.toMatch(/included in root|^VALID/m);
    expect(b.out).toMatch(/^NOT CHECKED AGAINST A ROOT: the OKX breakdown of user hash cd7b0c79c62f3c680cdd8e536604b7db1d6e7752dd1111ae4d778103adfec4b9 is consistent; not checked against any published root/);
  });

  it('options an OKX proof cannot be checked against are bad usage (exit 2), not silently ignored', () => {
    const withReport = por('verify', path.join(okxDir, 'merkle_proof_file.json'), '--report', 'samples/assets.json');
    expect(withReport.code).toBe(2);
    expect(withReport.err).toMatch(/--report .*okx-v1 proof is not checked against it .*--root HEX/);
    const withRoot = por('verify', path.join(okxDir, 'user_info_file.json'), '--root', 'a'.repeat(64));
    expect(withRoot.code).toBe(2);
    expect(withRoot.err).toMatch(/breakdown holds no root to compare with --root/);
    // A mistyped root hash is bad usage (2), not an INVALID proof (1), and names the option, not the proof file.
    // --format contradicting the file: says what the file is instead of a field error deep inside it
    // Without --root, the user is told the root came from the file itself
    const noRoot = por('verify', path.join(okxDir, 'merkle_proof_file.json'));
    expect(noRoot.err).toMatch(/root ac6b39d2a0aa8112bd1aadff5e7d4b5c2b91cd54d595262ba4367f5d2db4160d is the one the file states; .*--root HEX/);
    const wrong = por('verify', path.join(okxDir, 'user_info_file.json'), '--format', 'okx-v1');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/user_info_file\.json, field format: --format okx-v1 was given, but this file is recognised as okx-user/);
    const typo = por('verify', path.join(okxDir, 'merkle_proof_file.json'), '--root', 'ac6b39d2');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/^por verify: error: field root: --root takes the published root hash, 64 hex digits/);
  });
});

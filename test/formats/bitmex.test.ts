// BitMEX's published liabilities tree (vendored files from BitMEX's generator and validator): the
// account's split leaves found and added up, the whole tree recomputed; expectations from BitMEX's
// own validator output and a second implementation here (node:crypto HMAC); tampered INVALID.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyBitmexTree, parseBitmexTree } from '../../src/core/formats/bitmex.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = path.join(repoRoot, 'test/fixtures/bitmex');
const treeFile = path.join(dir, 'generated-liabilities-100-proof.csv');
const tree = () => readFileSync(treeFile, 'utf8');
const nonces = Object.fromEntries(readFileSync(path.join(dir, 'generated-nonces-accounts-1-2.txt'), 'utf8').trim().split('\n').map((l) => l.split(',')));
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = (text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'por-bitmex-')), 'l.csv');
  writeFileSync(f, text);
  return f;
};

/** BitMEX's validator output for this file (generated-expected-accounts-1-2.txt), read as data. */
function expected(account: string): { leaves: number[]; sats: number[]; total: bigint; rootTotal: bigint; root: string } {
  const text = readFileSync(path.join(dir, 'generated-expected-accounts-1-2.txt'), 'utf8');
  const part = text.split(`## account ${account} `)[1]!.split('## account')[0]!;
  const hits = [...part.matchAll(/leaf (\d+) claims ([\d,]+) sats/g)];
  const num = (s: string) => BigInt(s.replace(/,/g, ''));
  return {
    leaves: hits.map((m) => Number(m[1])),
    sats: hits.map((m) => Number(m[2]!.replace(/,/g, ''))),
    total: num(/Validated ([\d,]+) sats/.exec(part)![1]!),
    rootTotal: num(/Total liabilities ([\d,]+) sats/.exec(part)![1]!),
    root: /root hash ([0-9a-f]{64})/.exec(part)![1]!,
  };
}

/** A second implementation of the leaf rule, with node:crypto. */
function leavesByHand(text: string, account: bigint, nonce: string): number[] {
  const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };
  const lines = text.trim().split('\n');
  const height = BigInt(lines[0]!.split(':')[1]!);
  const key = createHash('sha256').update(Buffer.concat([Buffer.from(nonce, 'hex'), u64(height), u64(account)])).digest();
  const leaves = lines.slice(16); // 1 + 15 inner nodes before the 16 leaves
  return leaves.flatMap((l, i) => { const [d, s] = l.split(','); return createHmac('sha256', key).update(Buffer.concat([u64(BigInt(s!)), u64(BigInt(i))])).digest('hex') === d ? [i] : []; });
}

describe('BitMEX liabilities tree, real generated file', () => {
  it.each(['1', '2'])('account %s: its leaves, its total and the root total are what BitMEX\'s validator printed', (account) => {
    const want = expected(account);
    expect(leavesByHand(tree(), BigInt(account), nonces[account]!)).toEqual(want.leaves);
    const v = verifyBitmexTree(tree(), { account: BigInt(account), nonce: nonces[account]! });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.root.hash).toBe(want.root);
    const sats = (btc: string) => BigInt(btc.replace('.', ''));
    expect(sats(v.user.balances[0]!.amount)).toBe(want.total);
    expect(sats(v.root.sums[0]!.amount)).toBe(want.rootTotal);
    expect(v.checks.find((c) => c.name === 'account-leaves')!.detail).toContain(`indexes ${want.leaves.join(', ')}: ${want.sats.join(' + ')} sats`);
  });
  it('the README example is a consistent tree (no nonce published)', () => {
    expect(verifyBitmexTree(readFileSync(path.join(dir, 'readme-liabilities-100-proof.csv'), 'utf8')).valid).toBe(true);
  });
});

describe('BitMEX liabilities tree, tampered and malformed', () => {
  it('a leaf value raised, a parent digest changed, a wrong nonce: INVALID with the check named', () => {
    const lines = tree().split('\n');
    const leaf = 1 + 15 + 10; // line index of leaf 10 (account 1's 217 sats)
    const up = [...lines];
    up[leaf] = up[leaf]!.replace(/,217$/, ',2170');
    const v = verifyBitmexTree(up.join('\n'), { account: 1n, nonce: nonces['1']! });

    expect(v.valid).toBe(false);
    expect(v.checks.find((c) => c.name === 'parent-sums')!.ok).toBe(false);
    const hash = [...lines];
    hash[3] = hash[3]!.replace(/^0/, '1').replace(/^3/, '4');
    expect(verifyBitmexTree(hash.join('\n')).checks.find((c) => c.name === 'parent-hashes')!.ok).toBe(false);
    const wrong = verifyBitmexTree(tree(), { account: 3n, nonce: nonces['1']! });
    expect(wrong.checks.find((c) => c.name === 'account-leaves')).toMatchObject({ ok: false, detail: expect.stringMatching(/no leaf/) });
  });
  it('malformed: a bad line, a level short of a power of two, a value past 64 bits: located errors', () => {
    const lines = tree().split('\n');
    const bad = [...lines];
    bad[5] = bad[5]!.replace(',', ';');
    expect(() => parseBitmexTree(bad.join('\n'), 'l.csv')).toThrow(expect.objectContaining({ info: expect.objectContaining({ file: 'l.csv', line: 6 }) }));
    expect(() => parseBitmexTree(lines.slice(0, -2).join('\n'))).toThrow(/power of two/);
    const big = [...lines];
    big[20] = big[20]!.replace(/,\d+$/, ',18446744073709551616');
    expect(() => parseBitmexTree(big.join('\n'))).toThrow(expect.objectContaining({ info: expect.objectContaining({ line: 21, field: 'sats' }) }));
  });
  it('CLI: exit 0 with the account; tampered exit 1; malformed exit 2 located; --account without --nonce exit 2', () => {
    const ok = por('verify', treeFile, '--account', '2', '--nonce', nonces['2']!, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, format: 'por-verdict', proofFormat: 'bitmex-tree', user: { id: 'account 2', balances: [{ asset: 'BTC', amount: '0.00003000' }] } });
    const lines = tree().split('\n');
    const t = [...lines];
    t[30] = t[30]!.replace(/,(\d+)$/, (_, n) => `,${BigInt(n) + 1n}`);
    expect(por('verify', tmp(t.join('\n')), '--account', '2', '--nonce', nonces['2']!).code).toBe(1);
    const m = [...lines];
    m[7] = 'zz';
    const f = tmp(m.join('\n'));
    const r = por('verify', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:8:`);
    expect(por('verify', treeFile, '--account', '2').code).toBe(2);
  });
});

// OKX's "Merkle v2" full liabilities tree (vendored real file): every parent recomputed, the
// user's breakdown nodes found among the leaves; tampered copies INVALID, malformed ones exit 2.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOkxTree, verifyOkxTree } from '../../src/core/formats/okx-tree.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const up = path.join(repoRoot, 'test/fixtures/okx/upstream');
const treeFile = path.join(up, 'full-liabilities-merkle-tree.txt');
const userFile = path.join(up, 'user_info_file.json');
const tree = () => readFileSync(treeFile, 'utf8');
const user = () => JSON.parse(readFileSync(userFile, 'utf8'));
const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = (name: string, text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'por-okxtree-')), name);
  writeFileSync(f, text);
  return f;
};

/** A second, simpler computation: amounts as bigint 1e-8 units, levels re-ordered, root rebuilt from the leaves. */
function rootFromLeaves(text: string): { hash: string; btc: bigint } {
  const toUnits = (s: string) => { const [i, f = ''] = s.split('.'); return BigInt(i!) * 10n ** 8n + BigInt((f + '00000000').slice(0, 8)); };
  const toText = (u: bigint) => { const i = u / 10n ** 8n; const f = (u % 10n ** 8n).toString().padStart(8, '0').replace(/0+$/, ''); return f ? `${i}.${f}` : `${i}`; };
  const rows = text.trim().split('\n').map((l) => { const [h, ht, ...j] = l.split(','); const b = JSON.parse(j.join(',')); return { h: h!, ht: Number(ht), b: [toUnits(b.BTC), toUnits(b.ETH), toUnits(b.USDT)] }; });
  const maxH = rows[0]!.ht;
  let level = rows.filter((r) => r.ht === 1).reverse().map((r) => ({ h: r.h, b: r.b }));
  for (let ht = 2; ht <= maxH; ht++) {
    if (level.length % 2) level.push({ h: level[level.length - 1]!.h, b: [0n, 0n, 0n] });
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      const b = [0, 1, 2].map((k) => level[i]!.b[k]! + level[i + 1]!.b[k]!);
      next.push({ h: createHash('sha256').update(level[i]!.h + level[i + 1]!.h + b.map(toText).join('') + ht).digest('hex'), b });
    }
    level = next;
  }
  return { hash: level[0]!.h, btc: level[0]!.b[0]! };
}

describe('OKX full liabilities tree (Merkle v2), real file', () => {
  it('every parent recomputes, and the user\'s two nodes are leaves', () => {
    const v = verifyOkxTree(tree(), user());
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.format).toBe('okx-tree');
    const indep = rootFromLeaves(tree());
    expect(v.root.hash).toBe(indep.hash);
    expect(indep.hash).toBe(tree().slice(0, 64)); // the file's own root line
    expect(v.root.sums.find((s) => s.asset === 'BTC')!.amount).toBe('0.00005'); // 5000 units of 1e-8
    expect(indep.btc).toBe(5000n);
    expect(v.checks.find((c) => c.name === 'parent-hashes')!.detail).toMatch(/all 23 parents/);
    expect(v.checks.find((c) => c.name === 'user-leaves')!.ok).toBe(true);
  });
  it('tampered: a leaf amount raised, a parent hash changed, the user\'s leaf missing: INVALID, named', () => {
    const lines = tree().split('\n');
    const leaf = lines.findIndex((l) => l.startsWith('ea62bdc3'));
    const more = [...lines];
    more[leaf] = more[leaf]!.replace('"USDT":"0"', '"USDT":"1000"');
    const v1 = verifyOkxTree(more.join('\n'), user());
    expect(v1.valid).toBe(false);
    expect(v1.checks.find((c) => c.name === 'parent-sums')!.ok).toBe(false);
    expect(v1.checks.find((c) => c.name === 'user-leaves')!.ok).toBe(false); // its balances differ now
    const hash = [...lines];
    hash[3] = hash[3]!.replace(/^ff/, 'fe');
    expect(verifyOkxTree(hash.join('\n')).checks.find((c) => c.name === 'parent-hashes')).toMatchObject({ ok: false, detail: expect.stringMatching(/line 1|line 2/) });
    const gone = [...lines];
    gone[leaf] = gone[leaf]!.replace(/^ea/, 'eb');
    expect(verifyOkxTree(gone.join('\n'), user()).checks.find((c) => c.name === 'user-leaves')).toMatchObject({ ok: false, detail: expect.stringMatching(/node 2 .* not a leaf/) });
  });
  it('a padding node with a balance is refused', () => {
    // Line 4 is the zero copy at height 4 (listed first, so rightmost): give it a balance.
    const lines = tree().split('\n');
    lines[3] = lines[3]!.replace('"USDT":"0"', '"USDT":"5"');
    expect(verifyOkxTree(lines.join('\n')).checks.find((c) => c.name === 'padding-nodes')!.ok).toBe(false);
  });
  it('malformed lines are located errors', () => {
    const lines = tree().split('\n');
    const badAmount = [...lines];
    badAmount[2] = badAmount[2]!.replace('"BTC":"0.00005"', '"BTC":"5e-5"');
    expect(() => parseOkxTree(badAmount.join('\n'), 't.txt')).toThrow(expect.objectContaining({ info: expect.objectContaining({ file: 't.txt', line: 3, field: 'BTC' }) }));
    const order = [lines[1]!, lines[0]!, ...lines.slice(2)];
    expect(() => parseOkxTree(order.join('\n'), 't.txt')).toThrow(expect.objectContaining({ info: expect.objectContaining({ line: 2 }) }));
  });
});

describe('por verify with OKX\'s tree (CLI)', () => {
  it('user_info_file.json --tree: exit 0; the tree alone: exit 0; a wrong --root: exit 1', () => {
    const r = por('verify', userFile, '--tree', treeFile, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, format: 'por-verdict', proofFormat: 'okx-tree', user: { id: user().hash } });
    expect(por('verify', treeFile).code).toBe(0);
    expect(por('verify', treeFile, '--root', '0'.repeat(64)).code).toBe(1);
  });
  it('a tampered tree: exit 1; a malformed one: exit 2 with file:line:column', () => {
    const lines = tree().split('\n');
    const t = [...lines];
    t[27] = t[27]!.replace('"USDT":"0.00011246"', '"USDT":"0.00011247"');
    expect(por('verify', userFile, '--tree', tmp('t.txt', t.join('\n'))).code).toBe(1);
    const m = [...lines];
    m[5] = m[5]!.replace(',4,', ',4,{oops');
    const f = tmp('m.txt', m.join('\n'));
    const r = por('verify', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:6:`);
  });
});

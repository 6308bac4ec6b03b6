// Regenerates docs/vectors/merkle-v1.json from the built library (npm run build first):
//   node docs/vectors/make-merkle-vectors.mjs
// The vectors list every preimage and hash of a 3-user, height-2 tree, so another implementation
// can be checked step by step. test/merkle/vectors.test.ts recomputes them independently.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as m from '../../dist/merkle.mjs';

const enc = new TextEncoder();
const hex = m.toHex;
const secretText = 'por test vector secret: never use this one for real!';
const snapshotId = '2026-11-24T00:00:00Z';
const height = 2;
const assets = [{ symbol: 'BTC', decimals: 8 }, { symbol: 'ETH', decimals: 18 }];
const users = [
  { userId: 'alice', net: [150000000n, -2000000000000000000n] },
  { userId: 'bob', net: [0n, 500000000000000000n] },
  { userId: 'carol', net: [150000000n, -2000000000000000000n] }, // same balances as alice
];
const h = m.nobleSha256;
const secret = enc.encode(secretText);
const sid = enc.encode(snapshotId);
const aIn = m.assetsInput(assets);
const aHash = h.digest(aIn);
const leaves = users.map((u) => {
  const uid = enc.encode(u.userId);
  const saltMessage = m.saltMessage(sid, uid);
  const salt = h.hmac(secret, saltMessage);
  const uIn = m.userHashInput(uid, salt);
  const uHash = h.digest(uIn);
  const equity = u.net.map((v) => (v > 0n ? v : 0n));
  const debt = u.net.map((v) => (v < 0n ? -v : 0n));
  const sums = m.encodeSums(equity, debt);
  const lIn = m.leafInput(sid, aHash, uHash, sums);
  return {
    id: u.userId, net: u.net.map(String), saltMessage: hex(saltMessage), salt: hex(salt), userHashInput: hex(uIn), userHash: hex(uHash),
    equity: equity.map(String), debt: debt.map(String), leafInput: hex(lIn), leafHash: hex(h.digest(lIn)), sums,
  };
});
// Leaf order: ascending by user hash.
const ordered = [...leaves].sort((a, b) => (a.userHash < b.userHash ? -1 : 1));
const pads = m.paddingRecords(h, height, assets.length);
const R = m.recordSize(assets.length);
let level = ordered.map((l) => ({ hash: l.leafHash, sums: l.sums }));
const levels = [level.map((x) => ({ hash: x.hash, sums: hex(x.sums) }))];
const nodes = [];
for (let k = 1; k <= height; k++) {
  const next = [];
  for (let j = 0; j < Math.ceil(level.length / 2); j++) {
    const L = level[2 * j];
    const Rt = level[2 * j + 1] ?? { hash: hex(pads[k - 1].subarray(0, 32)), sums: pads[k - 1].subarray(32, R) };
    const input = m.nodeInput(m.fromHex(L.hash), L.sums, m.fromHex(Rt.hash), Rt.sums);
    const sums = new Uint8Array(L.sums.length);
    const a = m.decodeSums(L.sums, assets.length);
    const b = m.decodeSums(Rt.sums, assets.length);
    sums.set(m.encodeSums(a.equity.map((v, i) => v + b.equity[i]), a.debt.map((v, i) => v + b.debt[i])));
    const node = { hash: hex(h.digest(input)), sums };
    nodes.push({ level: k, index: j, input: hex(input), hash: node.hash, sums: hex(sums) });
    next.push(node);
  }
  level = next;
  levels.push(level.map((x) => ({ hash: x.hash, sums: hex(x.sums) })));
}
const root = level[0];
const dir = mkdtempSync(join(tmpdir(), 'por-vectors-'));
const built = await m.buildTree({ registry: { assets }, users: () => users }, { secret, snapshotId, height, outDir: dir, threads: 1 });
if (built.merkleRoot.hash !== root.hash) throw new Error(`buildTree gives ${built.merkleRoot.hash}, the step-by-step computation ${root.hash}`);
const rs = m.decodeSums(root.sums, assets.length);
const doc = {
  description: 'por Merkle sum tree, spec version 1: a 3-user tree of height 2 with every preimage and hash (docs/SPEC.md)',
  secretText, secretHex: hex(secret), snapshotId, snapshotIdHex: hex(sid), height, assets,
  assetsInput: hex(aIn), assetsHash: hex(aHash),
  padding: pads.map((p, k) => ({ level: k, hash: hex(p.subarray(0, 32)) })),
  padInput: hex(Uint8Array.of(...enc.encode('por.pad.'), 1)),
  users: leaves.map(({ sums, ...l }) => ({ ...l, position: ordered.findIndex((o) => o.id === l.id) })),
  nodes,
  levels,
  root: { hash: root.hash, equity: rs.equity.map(String), debt: rs.debt.map(String) },
};
writeFileSync(new URL('./merkle-v1.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
console.log(`root ${root.hash}`);

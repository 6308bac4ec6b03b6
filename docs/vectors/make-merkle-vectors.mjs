// Regenerates the Merkle test vectors from por's sources (bundled here with esbuild):
//   node docs/vectors/make-merkle-vectors.mjs
// - docs/vectors/merkle-v1.json: a 3-user tree of height 2 with every preimage and hash, so another
//   implementation can be checked step by step;
// - docs/vectors/merkle-v1-h8.json: 100 users (3 assets, debts, a 300-byte id, non-ASCII ids, a
//   balance at the height's bound) in a tree of height 8: every salt, user hash, leaf, position and
//   node, and the proof paths of the users at positions 63 and 64 (either side of a 64-leaf block);
// - the section of docs/SPEC.md between the `vector-h8` markers (its parameters and results).
// test/merkle/vectors.test.ts recomputes all of it with an independent implementation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

// The byte rules (src/core/merkle/core.ts) and the builder (src/merkle), bundled for this run only.
const here = new URL('.', import.meta.url).pathname;
const bundle = join(here, `.merkle-${process.pid}.mjs`);
await build({
  stdin: { contents: "export * from './src/core/merkle/core.ts'; export { buildTree } from './src/merkle/index.ts';", resolveDir: join(here, '../..'), loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error',
});
const m = await import(bundle).finally(() => rmSync(bundle, { force: true }));

const enc = new TextEncoder();
const hex = m.toHex;
const h = m.nobleSha256;
const secretText = 'por test vector secret: never use this one for real!';
const secret = enc.encode(secretText);

/** Every preimage and hash of the tree over `users`, computed step by step from the byte rules. */
function compute({ snapshotId, height, assets, users }) {
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
  // Leaf order: ascending by user hash (all 32 bytes).
  const ordered = [...leaves].sort((a, b) => (a.userHash < b.userHash ? -1 : 1));
  const pads = m.paddingRecords(h, height, assets.length);
  const R = m.recordSize(assets.length);
  const padNode = (k) => ({ hash: hex(pads[k].subarray(0, 32)), sums: pads[k].subarray(32, R) });
  let level = ordered.map((l) => ({ hash: l.leafHash, sums: l.sums }));
  const levels = [level];
  const nodes = [];
  for (let k = 1; k <= height; k++) {
    const next = [];
    for (let j = 0; j < Math.max(1, Math.ceil(level.length / 2)); j++) {
      const L = level[2 * j] ?? padNode(k - 1);
      const Rt = level[2 * j + 1] ?? padNode(k - 1);
      const input = m.nodeInput(m.fromHex(L.hash), L.sums, m.fromHex(Rt.hash), Rt.sums);
      const a = m.decodeSums(L.sums, assets.length);
      const b = m.decodeSums(Rt.sums, assets.length);
      const sums = m.encodeSums(a.equity.map((v, i) => v + b.equity[i]), a.debt.map((v, i) => v + b.debt[i]));
      const node = { hash: hex(h.digest(input)), sums };
      nodes.push({ level: k, index: j, input: hex(input), hash: node.hash, sums: hex(sums) });
      next.push(node);
    }
    level = next;
    levels.push(level);
  }
  const position = (id) => ordered.findIndex((o) => o.id === id);
  return { sid, aIn, aHash, pads, padNode, leaves, levels, nodes, position, root: level[0] };
}

const sumsText = (sums, n) => {
  const d = m.decodeSums(sums, n);
  return { equity: d.equity.map(String), debt: d.debt.map(String) };
};

/** The tree por's builder makes from the same users must have the step-by-step root. */
async function checkBuilder(spec, root) {
  const dir = mkdtempSync(join(tmpdir(), 'por-vectors-'));
  const { assets, users, snapshotId, height } = spec;
  const built = await m.buildTree({ registry: { assets }, users: () => users }, { secret, snapshotId, height, outDir: dir, threads: 1 });
  if (built.merkleRoot.hash !== root.hash) throw new Error(`buildTree gives ${built.merkleRoot.hash}, the step-by-step computation ${root.hash}`);
}

// ---- Vector 1: 3 users, height 2, every preimage. ----
const small = {
  snapshotId: '2026-11-24T00:00:00Z', height: 2,
  assets: [{ symbol: 'BTC', decimals: 8 }, { symbol: 'ETH', decimals: 18 }],
  users: [
    { userId: 'alice', net: [150000000n, -2000000000000000000n] },
    { userId: 'bob', net: [0n, 500000000000000000n] },
    { userId: 'carol', net: [150000000n, -2000000000000000000n] }, // same balances as alice
  ],
};
{
  const t = compute(small);
  await checkBuilder(small, t.root);
  const rs = m.decodeSums(t.root.sums, small.assets.length);
  const doc = {
    description: 'por Merkle sum tree, spec version 1: a 3-user tree of height 2 with every preimage and hash (docs/SPEC.md)',
    secretText, secretHex: hex(secret), snapshotId: small.snapshotId, snapshotIdHex: hex(t.sid), height: small.height, assets: small.assets,
    assetsInput: hex(t.aIn), assetsHash: hex(t.aHash),
    padding: t.pads.map((p, k) => ({ level: k, hash: hex(p.subarray(0, 32)) })),
    padInput: hex(Uint8Array.of(...enc.encode('por.pad.'), 1)),
    users: t.leaves.map(({ sums, ...l }) => ({ ...l, position: t.position(l.id) })),
    nodes: t.nodes,
    levels: t.levels.map((lv) => lv.map((x) => ({ hash: x.hash, sums: hex(x.sums) }))),
    root: { hash: t.root.hash, equity: rs.equity.map(String), debt: rs.debt.map(String) },
  };
  writeFileSync(new URL('./merkle-v1.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
  console.log(`merkle-v1.json     root ${t.root.hash}`);
}

// ---- Vector 2: 100 users, height 8, 3 assets. ----
/** User i's ids and balances: a fixed formula, so the list can be re-typed from SPEC.md too. */
function largeUsers(height) {
  const bound = 2n ** BigInt(128 - height) - 1n;
  const users = [];
  for (let i = 0; i < 100; i++) {
    const I = BigInt(i);
    const btc = ((I * 7919n) % 2000n - 300n) * 100000n; // −0.3 … 16.99 BTC, some debts
    const eth = ((I * 104729n) % 5000n - 1000n) * 10n ** 15n; // −1 … 3.999 ETH
    const usdt = (I * 31337n) % 100000n * 10000n; // 0 … 999.99 USDT
    users.push({ userId: `user-${String(i).padStart(3, '0')}`, net: [btc, eth, usdt] });
  }
  users[7].userId = 'josé'; // NFC, 5 UTF-8 bytes
  users[8].userId = '用户 8'; // CJK and an inner space
  users[9].userId = 'L'.repeat(299) + '9'; // 300 bytes: lp's length needs its high byte
  users[10].net = [0n, 0n, 0n]; // a user with nothing
  users[11].net = [-1n, -1n, bound]; // the smallest debts, and USDT at the leaf bound 2^(128−h) − 1
  return users;
}
const large = {
  snapshotId: 'vector-h8', height: 8,
  assets: [{ symbol: 'BTC', decimals: 8 }, { symbol: 'ETH', decimals: 18 }, { symbol: 'USDT', decimals: 6 }],
};
large.users = largeUsers(large.height);
{
  const t = compute(large);
  await checkBuilder(large, t.root);
  const A = large.assets.length;
  const pathOf = (p) => Array.from({ length: large.height }, (_, k) => {
    const s = (p >> k) ^ 1;
    const node = t.levels[k][s] ?? t.padNode(k);
    return { side: s % 2 === 0 ? 'left' : 'right', hash: node.hash, ...sumsText(node.sums, A) };
  });
  const proofs = [63, 64].map((p) => ({ position: p, id: t.levels[0][p] && t.leaves.find((l) => t.position(l.id) === p).id, path: pathOf(p) }));
  const doc = {
    description: 'por Merkle sum tree, spec version 1: 100 users, 3 assets, height 8 (docs/SPEC.md, "Test vectors")',
    secretText, snapshotId: large.snapshotId, height: large.height, assets: large.assets, assetsHash: hex(t.aHash),
    padding: t.pads.map((p, k) => ({ level: k, hash: hex(p.subarray(0, 32)) })),
    users: t.leaves.map((l) => ({ id: l.id, net: l.net, salt: l.salt, userHash: l.userHash, leafHash: l.leafHash, position: t.position(l.id) })),
    levels: t.levels.map((lv) => lv.map((x) => ({ hash: x.hash, ...sumsText(x.sums, A) }))),
    proofs,
    root: { hash: t.root.hash, ...sumsText(t.root.sums, A) },
  };
  writeFileSync(new URL('./merkle-v1-h8.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
  console.log(`merkle-v1-h8.json  root ${t.root.hash}`);
  writeSpecSection(doc);
}

/** Rewrites docs/SPEC.md between the vector-h8 markers with this vector's parameters and results. */
function writeSpecSection(doc) {
  const byPos = [...doc.users].sort((a, b) => a.position - b.position);
  const row = (u) => `| ${u.position} | \`${u.id.length > 20 ? `${u.id.slice(0, 6)}…${u.id.slice(-2)}` : u.id}\` | ${u.net.join(', ')} | \`${u.userHash.slice(0, 16)}…\` | \`${u.leafHash}\` |`;
  const shown = [0, 1, 63, 64, 98, 99].map((p) => byPos[p]);
  const special = ['josé', '用户 8', doc.users[9].id, doc.users[10].id, doc.users[11].id].map((id) => doc.users.find((u) => u.id === id));
  const lines = [
    `Secret as above; snapshot id \`${doc.snapshotId}\`; height ${doc.height}; assets ${doc.assets.map((a) => `${a.symbol} (${a.decimals})`).join(', ')}.`,
    'Users `user-000` … `user-099` (ids `user-` and three digits `i`), with, in base units,',
    '`BTC = ((7919·i) mod 2000 − 300)·10^5`, `ETH = ((104729·i) mod 5000 − 1000)·10^15`,',
    '`USDT = ((31337·i) mod 100000)·10^4`; except: user 7 is `josé`, user 8 is `用户 8` (with a space),',
    "user 9's id is 299 × `L` then `9` (300 bytes), user 10 holds nothing, and user 11 holds",
    `−1, −1 and 2^120 − 1 (the bound at height 8) base units. \`docs/vectors/merkle-v1-h8.json\` lists`,
    'every user, salt, user hash, leaf, position and node, and the paths of positions 63 and 64.',
    '',
    '| position | user | net BTC, ETH, USDT | userHash | leaf |',
    '| --- | --- | --- | --- | --- |',
    ...[...new Set([...shown, ...special])].sort((a, b) => a.position - b.position).map(row),
    '',
    '```',
    `assetsHash  ${doc.assetsHash}`,
    `pad[8]      ${doc.padding[8].hash}`,
    ...[1, 6, 7].map((k) => `level ${k}     node 0 ${doc.levels[k][0].hash} (${doc.levels[k].length} real node${doc.levels[k].length > 1 ? 's' : ''})`),
    `root        ${doc.root.hash}`,
    ...doc.assets.map((a, i) => `root sums   ${a.symbol.padEnd(4)} equity ${doc.root.equity[i]}, debt ${doc.root.debt[i]}`),
    '```',
  ];
  const specUrl = new URL('../SPEC.md', import.meta.url);
  const spec = readFileSync(specUrl, 'utf8');
  const begin = '<!-- vector-h8: written by docs/vectors/make-merkle-vectors.mjs -->\n';
  const end = '<!-- /vector-h8 -->\n';
  const a = spec.indexOf(begin);
  const b = spec.indexOf(end);
  if (a < 0 || b < a) throw new Error('docs/SPEC.md has no vector-h8 markers');
  writeFileSync(specUrl, spec.slice(0, a + begin.length) + lines.join('\n') + '\n' + spec.slice(b));
}

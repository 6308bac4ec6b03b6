// `npm run demo`: the whole story on the bundled samples, against a local chain it starts itself.
//   1. the exchange: liabilities, on-chain reserves, solvency, then build + publish a signed report;
//   2. a user: fetch their proof and verify it against the published report (CLI and web page);
//   3. a journalist: check the signature, audit the report against "their own" node, and watch the
//      published addresses, where the demo chain moved funds out after the snapshot.
// Everything lands in out/demo/: keys/ (private, 0700), tree/public/ (what the exchange publishes),
// tree/private/ (the proof store, never published), user/ (alice's proof) and the journalist's
// audit.html. TEST ONLY keys: the secret and signing key below are public.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { demoChain } from './demo-chain.mjs';

const OUT = 'out/demo';
const KEYS = join(OUT, 'keys'); // private: never inside the published folder
const TREE = join(OUT, 'tree'); // por build --out: TREE/public is published, TREE/private is not
const PUB = join(TREE, 'public');
const USER = join(OUT, 'user'); // what a user keeps: their own proof
// Public, TEST ONLY: never use these for anything real.
const SECRET_HEX = 'de5e' + '00'.repeat(30);
const SIGN_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

const steps = [];
function por(title, args, { expect = [0] } = {}) {
  process.stdout.write(`\n━━ ${title}\n$ por ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { stdio: 'inherit' });
  const code = r.status ?? 2;
  steps.push({ title, code, ok: expect.includes(code) });
  if (!expect.includes(code)) {
    process.stderr.write(`\ndemo: "${title}" exited ${code}, expected ${expect.join(' or ')}\n`);
  }
  return code;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(KEYS, { recursive: true, mode: 0o700 });
mkdirSync(USER, { recursive: true });
writeFileSync(join(KEYS, 'secret.key'), SECRET_HEX + '\n', { mode: 0o600 });
writeFileSync(join(KEYS, 'exchange.key'), SIGN_KEY + '\n', { mode: 0o600 });
const signer = new Wallet(SIGN_KEY).address;

const assets = ['--assets', 'samples/assets.json'];
por('Exchange: what we owe, per asset', ['liabilities', 'samples/liabilities.csv', ...assets, '--prices', 'samples/prices.csv']);

process.stdout.write('\n━━ Starting a local chain (anvil) and an Esplora fixture, funding the sample wallets\n');
const chain = await demoChain({ quiet: false });
let failed = false;
try {
  const rpc = Object.entries(chain.rpc).flatMap(([name, url]) => ['--rpc', `${name}=${url}`]);
  const blocks = Object.entries(chain.blocks).flatMap(([name, n]) => ['--block', `${name}=${n}`]);

  por('Exchange: reserves read at the pinned blocks, ownership checked', ['reserves', 'samples/wallets.json', ...assets, ...rpc, ...blocks, '--out', join(OUT, 'reserves.json')]);
  por('Exchange: solvency, asset by asset', ['solvency', 'samples/liabilities.csv', ...assets, '-r', join(OUT, 'reserves.json'), '--prices', 'samples/prices.csv', '--haircuts', 'samples/haircuts.json']);
  por('Exchange: build the Merkle sum tree and publish the signed report, with the verifier page', [
    'build', 'samples/liabilities.csv', ...assets, '--secret-file', join(KEYS, 'secret.key'),
    '--snapshot-id', 'demo-2026-11-24', '--out', TREE, '--wallets', 'samples/wallets.json', ...rpc, ...blocks,
    '--prices', 'samples/prices.csv', '--haircuts', 'samples/haircuts.json', '--sign-key-file', join(KEYS, 'exchange.key'), '--exchange', 'Demo Exchange',
  ]);
  por('Exchange: the verifier page, as anyone can rebuild it to compare with the published one', ['verify-page', '--out', join(OUT, 'verify-check.html')]);
  por('Exchange: re-render report.html from report.json (as the published one)', ['report', 'render', join(PUB, 'report.json'), '--out', join(OUT, 'report-check.html'), '--verify-page', 'verify.html']);

  por('User alice: fetch her proof', ['proof', TREE, '--user', 'alice', '--out', join(USER, 'alice-proof.json')]);
  por('User alice: verify it against the published report', ['verify', join(USER, 'alice-proof.json'), '--report', join(PUB, 'report.json')]);
  // What a user sees if the exchange shows them a balance the tree does not hold.
  const proof = JSON.parse(readFileSync(join(USER, 'alice-proof.json'), 'utf8'));
  const usdt = proof.user.balances.find((b) => b.asset === 'USDT');
  usdt.equity = '90000.000000';
  usdt.equityUnits = '90000000000';
  // Re-encode consistently, so it is the leaf hash, not a lazy edit, that gives the lie away.
  const width = proof.user.encoded.length / (2 * proof.user.balances.length);
  proof.user.encoded = proof.user.balances
    .flatMap((b) => [b.equityUnits, b.debtUnits])
    .map((u) => BigInt(u).toString(16).padStart(width, '0'))
    .join('');
  writeFileSync(join(USER, 'alice-proof-tampered.json'), JSON.stringify(proof, null, 2));
  por('User alice: a proof showing her 90000 USDT instead of 9000 is rejected', ['verify', join(USER, 'alice-proof-tampered.json'), '--report', join(PUB, 'report.json')], { expect: [1] });

  por('Journalist: is the report signed by the announced key?', ['report', 'verify-signature', join(PUB, 'report.json'), '--signer', signer]);
  por('Journalist: audit against their own node', ['audit', join(PUB, 'report.json'), ...rpc, '--signer', signer, '--html', join(OUT, 'audit.html')]);
  // The demo chain moved funds out of the published wallets after the snapshot, as during a
  // withdrawal pause: watch must see the outflows and raise alerts (exit 1).
  por('Journalist: watch the published addresses (funds left after the snapshot)', ['watch', join(PUB, 'report.json'), ...rpc, '--interval', '1s', '--duration', '2s'], { expect: [1] });
} catch (err) {
  failed = true;
  process.stderr.write(`demo: ${err instanceof Error ? err.stack : String(err)}\n`);
} finally {
  await chain.stop();
}

process.stdout.write('\n━━ Summary\n');
for (const s of steps) process.stdout.write(`${s.ok ? 'ok  ' : 'FAIL'}  exit ${s.code}  ${s.title}\n`);
process.stdout.write(`\nPublished (what an exchange uploads): ${PUB}/ — private, never published: ${TREE}/private/ and ${KEYS}/.\n`);
process.stdout.write(`Open ${PUB}/report.html, ${PUB}/verify.html (with ${USER}/alice-proof.json and ${PUB}/report.json) and ${OUT}/audit.html in a browser.\n`);
process.exit(failed || steps.some((s) => !s.ok) ? 1 : 0);

// The library computes what the CLI computes: the same tree from the same users and secret, the
// same proof bytes, the same verdict document; and its own inputs are refused with located errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildTree, openProofStore, parseAssetRegistry, readSnapshot, loadAssetRegistry, verifyProof, isPorError, type TreeUser } from '../../src/api/index.js';
import { verifyProof as verifyProofPure, verdictDocument } from '../../src/api/verify.js';

const repo = resolve(import.meta.dirname, '../..');
const FIX = join(repo, 'test/fixtures/ingest');
const OKX = join(repo, 'test/fixtures/okx/upstream');
const SECRET = 'api test secret: TEST ONLY, 32 bytes or more of text\n';

function por(args: string[]) {
  const r = spawnSync(process.execPath, [join(repo, 'bin/por.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isPorError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a PorError');
}

let dir: string;
let cliTree: string;
let apiTree: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'por-api-'));
  writeFileSync(join(dir, 'secret'), SECRET);
  cliTree = join(dir, 'cli');
  apiTree = join(dir, 'api');
  const b = por(['build', join(FIX, 'small.csv'), '--assets', join(FIX, 'assets.json'), '--secret-file', join(dir, 'secret'), '--snapshot-id', 'api-1', '--height', '10', '--out', cliTree, '-q']);
  if (b.code !== 0) throw new Error(b.stderr);
  // The same users, as a backend would stream them: decimal text per asset, from an async generator.
  const assets = await loadAssetRegistry(join(FIX, 'assets.json'));
  const snap = await readSnapshot(join(FIX, 'small.csv'), assets);
  async function* users(): AsyncGenerator<TreeUser> {
    for (const u of snap.users()) {
      const balances: Record<string, bigint> = {};
      u.net.forEach((v, i) => (balances[assets.assets[i]!.symbol] = v));
      yield { id: u.userId, balances };
    }
  }
  await buildTree(users(), { assets, secret: SECRET, snapshotId: 'api-1', height: 10, outDir: apiTree });
}, 120_000);

describe('por (library) and por (CLI) agree', () => {
  it('buildTree gives the root `por build` gives for the same users and secret', () => {
    const cli = JSON.parse(readFileSync(join(cliTree, 'public/root.json'), 'utf8'));
    const api = JSON.parse(readFileSync(join(apiTree, 'public/root.json'), 'utf8'));
    expect(api).toEqual(cli);
  });

  it('openProofStore(…).proof is the document `por proof --user` writes; unknown ids are undefined', async () => {
    const store = await openProofStore(apiTree);
    try {
      expect(store.userCount).toBe(4); // u1–u4; the insurance fund is not a user
      const cli = por(['proof', cliTree, '--user', 'u3']);
      expect(cli.code).toBe(0);
      expect(JSON.parse(store.proofJson('u3')!)).toEqual(JSON.parse(cli.stdout));
      expect(store.proof('u3')).toEqual(JSON.parse(cli.stdout));
      expect(store.proof('u3')!.user.id).toBe('u3');
      expect(store.has('fund')).toBe(false);
      expect(store.proof('nobody')).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('verifyProof returns the document `por verify --json` prints, valid or not, por or OKX', async () => {
    const store = await openProofStore(cliTree);
    const proof = store.proof('u2')!;
    store.close();
    const tampered = structuredClone(proof);
    tampered.user.balances[0]!.equity = '1.00000001';
    tampered.user.balances[0]!.equityUnits = '100000001';
    writeFileSync(join(dir, 'u2.json'), JSON.stringify(proof));
    writeFileSync(join(dir, 'u2-tampered.json'), JSON.stringify(tampered));
    const rootDoc = JSON.parse(readFileSync(join(cliTree, 'public/root.json'), 'utf8'));
    const okx = JSON.parse(readFileSync(join(OKX, 'merkle_proof_file.json'), 'utf8'));
    const okxUser = JSON.parse(readFileSync(join(OKX, 'user_info_file.json'), 'utf8'));
    const cases: [unknown, Parameters<typeof verifyProof>[1], string[], number][] = [
      [proof, { report: rootDoc }, [join(dir, 'u2.json'), '--report', join(cliTree, 'public/root.json')], 0],
      [proof, { rootHash: rootDoc.hash }, [join(dir, 'u2.json'), '--root', rootDoc.hash], 0],
      [tampered, { report: rootDoc }, [join(dir, 'u2-tampered.json'), '--report', join(cliTree, 'public/root.json')], 1],
      [okx, {}, [join(OKX, 'merkle_proof_file.json')], 0],
      [okx, { rootHash: 'ab'.repeat(32) }, [join(OKX, 'merkle_proof_file.json'), '--root', 'ab'.repeat(32)], 1],
      // Consistent but tied to no published root: the same verdict document, exit 2 (not checked).
      [okxUser, {}, [join(OKX, 'user_info_file.json')], 2],
    ];
    for (const [p, against, args, exit] of cases) {
      const cli = por(['verify', ...args, '--json']);
      expect(cli.code, args.join(' ')).toBe(exit);
      expect(verdictDocument(verifyProof(p, against))).toEqual(JSON.parse(cli.stdout));
      expect(verdictDocument(verifyProofPure(p, against))).toEqual(JSON.parse(cli.stdout));
    }
  }, 300_000); // six CLI runs: slow on a loaded machine

  it('what the CLI refuses as usage (exit 2), verifyProof refuses with a PorError', async () => {
    const okx = JSON.parse(readFileSync(join(OKX, 'merkle_proof_file.json'), 'utf8'));
    const okxUser = JSON.parse(readFileSync(join(OKX, 'user_info_file.json'), 'utf8'));
    const rootDoc = JSON.parse(readFileSync(join(cliTree, 'public/root.json'), 'utf8'));
    const store = await openProofStore(cliTree);
    const proof = store.proof('u1')!;
    store.close();
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return isPorError(err) ? err.code : 'not a PorError';
      }
      return 'accepted';
    };
    expect(refused(() => verifyProof(proof, {}))).toBe('BAD_USAGE'); // a por proof needs the published root
    expect(refused(() => verifyProof(okx, { report: rootDoc }))).toBe('BAD_USAGE'); // would be ignored
    expect(refused(() => verifyProof(okxUser, { rootHash: 'ab'.repeat(32) }))).toBe('BAD_USAGE');
    expect(refused(() => verifyProof(okx, {}, { format: 'por' }))).toBe('BAD_USAGE'); // contradicts the file
    expect(refused(() => verifyProof(proof, { rootHash: 'ac6b39d2' }))).toBe('BAD_USAGE');
    expect(refused(() => verifyProof({ hello: 'world' }, { rootHash: rootDoc.hash }))).toBe('BAD_INPUT');
  });
});

describe('buildTree refuses what no tree may hold, and leaves no tree behind', () => {
  const assets = parseAssetRegistry({ format: 'por-assets', version: 1, assets: [{ symbol: 'BTC', decimals: 8 }] });
  const opts = (name: string) => ({ assets, secret: SECRET, snapshotId: 's', height: 4, outDir: join(dir, name) });

  it('an asset the registry does not list', async () => {
    const r = await refusal(buildTree([{ id: 'a', balances: { DOGE: '1' } }], opts('unknown')));
    expect(r.code).toBe('UNKNOWN_ASSET');
    expect(r.message).toMatch(/user "a" has a balance in DOGE/);
    expect(existsSync(join(dir, 'unknown', 'public', 'root.json'))).toBe(false);
  });

  it('a JS number as an amount (money is never a number), and more decimals than the ledger keeps', async () => {
    expect((await refusal(buildTree([{ id: 'a', balances: { BTC: 1.5 as unknown as string } }], opts('number')))).code).toBe('BAD_AMOUNT');
    expect((await refusal(buildTree([{ id: 'a', balances: { BTC: '0.000000001' } }], opts('precision')))).code).toBe('BAD_AMOUNT');
  });

  it('one user twice', async () => {
    const r = await refusal(buildTree([{ id: 'a', balances: { BTC: '1' } }, { id: 'a', balances: { BTC: '2' } }], opts('dup')));
    expect(r.code).toBe('DUPLICATE');
    expect(existsSync(join(dir, 'dup', 'public', 'root.json')) || existsSync(join(dir, 'dup', 'private'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]); // no half-built folder left
  });
});

// A real publication for the verifier's tests: a tree built with the Merkle stage's API, its
// root.json, users' proofs, and a report assembled around that root (no addresses: these tests are
// about the liabilities side). The liabilities totals are summed here from the users, a second
// computation beside the tree builder's.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { buildTree, ProofStore } from '../../src/merkle/index.js';
import type { ProofDocument, RootDocument } from '../../src/core/merkle/types.js';
import { assembleReport } from '../../src/report/assemble.js';
import type { Report } from '../../src/core/report/types.js';
import { SECRET, snapshotOf, type SynthUser } from '../merkle/helpers.js';

export interface Publication {
  root: RootDocument;
  report: Report;
  proofs: Record<string, ProofDocument>;
}

let n = 0;

export async function publish(users: SynthUser[], assets: { symbol: string; decimals: number }[], snapshotId: string, opts: { height?: number; exchange?: string } = {}): Promise<Publication> {
  const dir = join(await mkdtemp(join(tmpdir(), 'por-verify-pub-')), `tree-${n++}`);
  const res = await buildTree(snapshotOf(users, assets), { secret: SECRET, snapshotId, height: opts.height ?? 8, outDir: dir, threads: 1 });
  const store = await ProofStore.open(dir);
  const proofs = Object.fromEntries(users.map((u) => [u.userId, store.proof(u.userId)]));
  store.close();
  const report = reportAround(res.root, users, assets, opts.exchange);
  return { root: res.root, report, proofs };
}

/** The report an honest `por build --wallets` would write around this root (no addresses). */
export function reportAround(root: RootDocument, users: SynthUser[], assets: { symbol: string; decimals: number }[], exchange = 'Test Exchange'): Report {
  const liabilities = assets.map((a, i) => {
    let gross = 0n;
    let debt = 0n;
    for (const u of users) {
      if (u.net[i]! > 0n) gross += u.net[i]!;
      else debt -= u.net[i]!;
    }
    return { asset: a.symbol, gross, debt };
  });
  const report = assembleReport({
    snapshot: { id: root.snapshotId, time: '2026-11-24T00:00:00.000Z' },
    registry: parseAssetRegistry({ assets: assets.map((a) => ({ ...a, onchain: [] })) }),
    root: root as unknown as Record<string, unknown>,
    liabilities,
    chains: [],
    addresses: [],
    tool: { name: 'por', version: 'test' },
    exchange,
  });
  return JSON.parse(JSON.stringify(report)) as Report;
}

// Builds report.json from the stage results, and serialises it canonically (the bytes signed).
// Pure: no I/O.
import { porError } from '../core/errors/index.js';
import { SPEC_VERSION as MERKLE_SPEC_VERSION } from '../core/merkle/core.js';
import { formatAmount } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { detectionTable } from '../core/report/detection.js';
import { addressKey, chainIdentity } from '../core/reserves/identity.js';
import { RATIO_PRECISION, solvencyRows, sumReserves, type HeldBalance, type LiabilityTotals } from '../core/report/solvency.js';
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type Report,
  type ReportAddress,
  type ReportChain,
  type ReportMerkleRoot,
  type ReportNetting,
  type ReportOwnership,
} from '../core/report/types.js';

export interface AddressBalanceInput {
  asset: string;
  /** "native" or the token contract. */
  source: string;
  units: bigint;
  decimals: number;
}

export interface AddressInput {
  chain: string;
  address: string;
  label?: string;
  balances: AddressBalanceInput[];
  ownership: ReportOwnership | null;
  /** Counted in the reserves; defaults to whether the ownership proof is valid. */
  counted?: boolean;
}

export interface AssembleInput {
  snapshot: { id: string; time: string };
  registry: AssetRegistry;
  /** DIR/root.json as the Merkle stage wrote it (format/version are dropped). */
  root: Record<string, unknown>;
  liabilities: LiabilityTotals[];
  /** Prices, haircuts and debtor counts behind the liabilities' netting; absent = not assessed. */
  netting?: ReportNetting;
  chains: ReportChain[];
  addresses: AddressInput[];
  tool: { name: string; version: string };
  exchange?: string;
  notes?: string[];
}

export function assembleReport(input: AssembleInput): Report {
  const { registry, root } = input;
  const merkleRoot = stripRoot(root);
  if (merkleRoot.snapshotId !== input.snapshot.id) {
    throw porError('BAD_INPUT', `the Merkle root is for snapshot "${merkleRoot.snapshotId}", not "${input.snapshot.id}"`, { field: 'snapshotId' });
  }
  // The root's sums must be the liabilities the report states: otherwise users would verify their
  // proofs against totals that are not the ones the ratios use.
  for (const l of input.liabilities) {
    const s = merkleRoot.sums.find((x) => x.asset === l.asset);
    if (!s || BigInt(s.equityUnits) !== l.gross || BigInt(s.debtUnits) !== l.debt) {
      throw porError('INTERNAL', `Merkle root sums for ${l.asset} differ from the liabilities totals`, { field: `merkleRoot.sums` });
    }
  }
  // Netting figures rest on the prices and haircuts in `netting`: all of them, or none.
  if (input.liabilities.some((l) => (l.netting === undefined) !== (input.netting === undefined))) {
    throw porError('INTERNAL', 'liabilities netting and the report netting section must be given together', { field: 'netting' });
  }
  const identityOf = new Map(input.chains.map((c) => [c.chain, c.id ?? chainIdentity(c)]));
  const ids = [...identityOf.values()];
  const twice = ids.find((id, i) => id !== undefined && ids.indexOf(id) !== i);
  if (twice !== undefined) throw porError('BAD_INPUT', `two chains are the same chain (${twice}): its coins would count twice`, { field: 'chains' });
  const seen = new Set<string>();
  const addresses: ReportAddress[] = input.addresses.map((a) => {
    const id = identityOf.get(a.chain);
    if (!identityOf.has(a.chain)) throw porError('BAD_INPUT', `address on chain ${a.chain}, which has no pinned block`, { chain: a.chain, address: a.address });
    if (id === undefined) throw porError('BAD_INPUT', `chain ${a.chain} has no identity (chain id or network)`, { chain: a.chain, field: 'chains' });
    const key = addressKey(id, a.address);
    if (seen.has(key)) throw porError('DUPLICATE', 'address listed twice', { chain: a.chain, address: a.address });
    seen.add(key);
    const out: ReportAddress = {
      chain: a.chain,
      address: a.address,
      balances: a.balances.map((b) => ({
        asset: b.asset,
        source: b.source,
        units: b.units.toString(),
        decimals: b.decimals,
        amount: formatAmount(b.units, b.decimals),
      })),
      ownership: a.ownership,
      counted: a.counted ?? a.ownership?.valid === true,
    };
    if (a.label !== undefined) out.label = a.label;
    return out;
  });
  const assets = registry.assets.map((a) => {
    const r: Report['assets'][number] = { symbol: a.symbol, decimals: a.decimals, onchain: a.onchain.map((o) => ({ ...o })) };
    if (a.name !== undefined) r.name = a.name;
    if (a.exchangeToken) r.exchangeToken = true;
    return r;
  });
  const reserves = sumReserves(assets, countedBalances(addresses));
  const report: Report = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: input.tool,
    spec: { report: REPORT_VERSION },
    snapshot: input.snapshot,
    chains: input.chains,
    assets,
    merkleRoot,
    addresses,
    solvency: solvencyRows(assets, reserves, input.liabilities),
    netting: input.netting ?? null,
    ratioPrecision: RATIO_PRECISION,
    // The same figures in every report: users and journalists read them beside the tree they concern.
    detection: detectionTable(),
  };
  // The Merkle tree's byte rules (docs/SPEC.md) this report's root was built with.
  report.spec.merkle = MERKLE_SPEC_VERSION;
  if (input.exchange !== undefined) report.exchange = input.exchange;
  if (input.notes?.length) report.notes = input.notes;
  return report;
}

/** The balances that count towards reserves, as the report states them. */
export function countedBalances(addresses: readonly ReportAddress[]): HeldBalance[] {
  return addresses.filter((a) => a.counted).flatMap((a) => a.balances.map((b) => ({ asset: b.asset, units: BigInt(b.units), decimals: b.decimals })));
}

function stripRoot(root: Record<string, unknown>): ReportMerkleRoot {
  const { format: _f, version: _v, ...rest } = root;
  if (typeof rest.hash !== 'string' || typeof rest.snapshotId !== 'string' || !Array.isArray(rest.sums)) {
    throw porError('BAD_INPUT', 'the Merkle root document lacks hash, snapshotId or sums', { field: 'merkleRoot' });
  }
  return rest as ReportMerkleRoot;
}

/**
 * Canonical JSON: object keys sorted, two-space indent, "\n" line ends and a trailing newline.
 * report.json is written with exactly these bytes and the signature covers them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

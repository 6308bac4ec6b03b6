// `por audit` for por's own report.json: a journalist's checks, independent of the exchange's data.
// Balances and blocks are re-read from the journalist's own nodes through src/reserves (the same
// reader the exchange's build uses, pinned to the report's blocks); ownership proofs re-checked;
// every total recomputed. Each check says pass / fail / warn / unread with its evidence. The steps, in
// the order their checks are listed: the document itself (report-checks.ts), chain identities and
// addresses once (identity.ts), blocks, each address's ownership and balances (addresses.ts), coverage.
import { parseAssetRegistry } from '../core/assets/index.js';
import { porError } from '../core/errors/index.js';
import { amountText, groupDigits, percentDown } from '../core/money/display.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import { readReserves, type BitcoinVerifier, type ChainResult, type ChainSpec, type ReservesResult, type WalletManifest } from '../reserves/index.js';
import { solvencyRows, sumReserves, type LiabilityTotals } from '../core/report/solvency.js';
import type { ReportSignature } from '../report/signature.js';
import type { Report, ReportSolvencyRow } from '../core/report/types.js';
import { tally, type AuditCheck, type Status } from '../core/checks/index.js';
import { FORMAT as AUDIT_FORMAT, VERSION as AUDIT_VERSION, type AuditResult } from '../core/documents/audit.js';
import { checkMerkleRoot, checkSignature, checkStatedArithmetic, type AddCheck } from './report-checks.js';
import { checkAddressIdentities, manifestFromReport, UNIDENTIFIED } from './identity.js';
import { checkAddresses, type AddressBalances } from './addresses.js';
import { verifiedSigner, type OtherReport } from './other.js';

export type { AuditResult } from '../core/documents/audit.js';

export interface AuditOptions {
  report: Report;
  reportFile: string;
  /** The file's exact bytes, for the signature. */
  reportBytes: Uint8Array;
  /** Parsed signature file, or null when none was published. */
  signature: ReportSignature | null;
  /** The exchange key the auditor expects (from somewhere other than the signature file). */
  signer?: string;
  rpc: Record<string, string>;
  /** Other reports (--other): another exchange's, or this exchange's of another snapshot (src/audit/other.ts). */
  others?: OtherReport[];
  /** Warn when a block's time is further than this from the snapshot time. Default 3,600 s. */
  maxSkewSeconds?: number;
  /** The auditor chose to audit without a node: a chain with no --rpc is a warning, not unchecked (exit 2). */
  offline?: boolean;
  reporter?: Reporter;
  timeoutMs?: number;
  retries?: number;
  verifyBitcoin?: BitcoinVerifier;
}

export async function auditReport(opts: AuditOptions): Promise<AuditResult> {
  const { report } = opts;
  const checks: AuditCheck[] = [];
  const add: AddCheck = (c) => checks.push(c);
  checkSignature(report, opts.reportBytes, opts.signature, opts.signer, add);
  const liabilities = checkMerkleRoot(report, add);
  checkStatedArithmetic(report, add);
  const keyOf = checkAddressIdentities(report, opts.others ?? [], add, verifiedSigner(opts.reportBytes, opts.signature));
  const reread = await rereadChains(report, opts);
  checkBlocks(report, reread, opts, add);
  const balances = await checkAddresses(report, reread.manifest, reread.read, keyOf, opts.verifyBitcoin, add);
  const audited = checkCoverage(report, liabilities, balances, reread.chainsNotRead.length > 0, add);

  const { summary, verdict } = tally(checks);
  const result: AuditResult = {
    format: AUDIT_FORMAT,
    version: AUDIT_VERSION,
    report: { file: opts.reportFile, snapshotId: report.snapshot.id, snapshotTime: report.snapshot.time, merkleRoot: report.merkleRoot.hash },
    verdict,
    summary,
    checks,
    audited: audited.filter((r) => !balances.unreadAssets.has(r.asset)),
    unreadAssets: [...balances.unreadAssets],
    chainsRead: reread.withRpc.map((c) => c.name),
    chainsNotRead: reread.chainsNotRead,
  };
  if (report.exchange !== undefined) result.report.exchange = report.exchange;
  return result;
}

/** What step 5 read again from the auditor's own nodes. */
interface Reread {
  /** The report's addresses as a manifest (chains whose identity contradicts itself marked). */
  manifest: WalletManifest;
  /** Chains read: with an --rpc, an identity, and listed once. */
  withRpc: ChainSpec[];
  /** Chains with no --rpc: their balances are the report's, unverified. */
  chainsNotRead: string[];
  read: ReservesResult | undefined;
}

/** 5a. Re-read every chain we have a node for, at the published block. */
async function rereadChains(report: Report, opts: AuditOptions): Promise<Reread> {
  const manifest = manifestFromReport(report, { unidentified: 'mark' });
  // One chain under two names is read once (check 4 failed it): its addresses count once. A chain
  // whose identity contradicts itself is not read at all.
  const withRpc = manifest.chains.filter((c, i) => opts.rpc[c.name] !== undefined && !c.id.startsWith(UNIDENTIFIED) && manifest.chains.findIndex((x) => x.id === c.id) === i);
  const chainsNotRead = manifest.chains.filter((c) => opts.rpc[c.name] === undefined).map((c) => c.name);
  for (const name of Object.keys(opts.rpc)) {
    if (!manifest.chains.some((c) => c.name === name)) throw porError('BAD_USAGE', `--rpc names chain ${name}, which the report does not list (it lists ${manifest.chains.map((c) => c.name).join(', ') || 'none'})`, { chain: name });
  }
  if (withRpc.length === 0) return { manifest, withRpc, chainsNotRead, read: undefined };
  const sub: WalletManifest = { ...manifest, chains: withRpc, addresses: manifest.addresses.filter((a) => withRpc.some((c) => c.name === a.chain)) };
  const blocks: Record<string, bigint> = {};
  for (const c of report.chains) if (withRpc.some((x) => x.name === c.chain)) blocks[c.chain] = BigInt(c.block.number);
  const read = await readReserves({
    wallets: sub,
    registry: parseAssetRegistry({ assets: report.assets }, opts.reportFile),
    rpc: opts.rpc,
    blocks,
    reporter: opts.reporter ?? silentReporter,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.verifyBitcoin ? { verifyBitcoin: opts.verifyBitcoin } : {}),
  });
  return { manifest, withRpc, chainsNotRead, read };
}

/** 5b. Each chain's block: taken near the snapshot time, and on the auditor's node with the published hash and time. */
function checkBlocks(report: Report, reread: Reread, opts: AuditOptions, add: AddCheck): void {
  const snapMs = Date.parse(report.snapshot.time);
  const maxSkew = opts.maxSkewSeconds ?? 3600;
  for (const c of report.chains) {
    const subject = `chain ${c.chain}`;
    const published = Date.parse(c.block.time);
    const skew = Math.abs(published - snapMs) / 1000;
    add({
      name: 'block-skew',
      status: skew <= maxSkew ? 'pass' : 'warn',
      subject,
      detail: `block ${c.block.number} is ${formatSeconds(skew)} ${published >= snapMs ? 'after' : 'before'} the snapshot time${skew <= maxSkew ? '' : ` (more than ${formatSeconds(maxSkew)}): liabilities and reserves were not taken at the same moment`}`,
      evidence: { blockTime: c.block.time, snapshotTime: report.snapshot.time },
    });
    if (opts.rpc[c.chain] === undefined) {
      // Not re-read decides nothing: unchecked (exit 2) unless the auditor asked for an offline audit.
      add(opts.offline
        ? { name: 'block-hash', status: 'warn', subject, detail: `not checked (--offline): this chain's block and balances are the report's own, not re-read on-chain` }
        : { name: 'block-hash', status: 'unread', subject, detail: `not checked: no node given for ${c.chain} (--rpc ${c.chain}=URL), so its block and balances were not re-read on-chain; --offline audits the report's own arithmetic and signatures only` });
      continue;
    }
    checkBlockOnNode(c, reread.read?.chains.find((x) => x.name === c.chain), add);
  }
}

/** One chain's published block against the one the auditor's node has at that height. */
function checkBlockOnNode(c: Report['chains'][number], mine: ChainResult | undefined, add: AddCheck): void {
  const subject = `chain ${c.chain}`;
  if (mine?.error !== undefined) {
    add({ name: 'block-hash', status: 'unread', subject, detail: `could not read chain ${c.chain} from your node: ${mine.error}` });
    return;
  }
  if (!mine?.block) {
    add({ name: 'block-hash', status: 'warn', subject, detail: 'no address on this chain, nothing to re-read' });
    return;
  }
  const { block } = mine;
  const hashOk = block.hash.toLowerCase() === c.block.hash.toLowerCase();
  add({
    name: 'block-hash',
    status: hashOk ? 'pass' : 'fail',
    subject,
    detail: hashOk
      ? `your node has block ${c.block.number} with the published hash`
      : `your node's block ${c.block.number} has hash ${block.hash}, the report says ${c.block.hash}: the report was read from another chain or edited`,
    evidence: { block: c.block.number, published: c.block.hash, node: block.hash },
  });
  const nodeTime = new Date(block.timestamp * 1000).toISOString();
  if (Date.parse(nodeTime) !== Date.parse(c.block.time)) {
    add({ name: 'block-time', status: 'fail', subject, detail: `your node's block ${c.block.number} is timed ${nodeTime}, the report says ${c.block.time}`, evidence: { published: c.block.time, node: nodeTime } });
  }
}

/**
 * 7. Coverage from the audit's own figures, gross and netted, for every asset: the exchange's own
 * token is labelled, never skipped. Returns the audited rows (assets with anything unread included).
 */
function checkCoverage(report: Report, liabilities: readonly LiabilityTotals[], b: AddressBalances, partlyStated: boolean, add: AddCheck): ReportSolvencyRow[] {
  const auditedRows = solvencyRows(report.assets, sumReserves(report.assets, b.audited), liabilities);
  const withUnverified = solvencyRows(report.assets, sumReserves(report.assets, [...b.audited, ...b.unverified]), liabilities);
  const basis = partlyStated ? ' (partly from balances the report states, unverified)' : '';
  for (const r of auditedRows) {
    if (b.unreadAssets.has(r.asset)) {
      add({ name: 'coverage', status: 'unread', subject: r.asset, detail: `could not read every ${r.asset} balance or proof from your node (see the checks above): coverage, gross or netted, not decided, no figure is computed without them` });
      continue;
    }
    if (r.exchangeToken) {
      add({ name: 'exchange-token', status: 'warn', subject: r.asset, detail: `${r.reserves} ${r.asset} of the reserves are the exchange's own token: its value depends on the exchange itself (its coverage is checked like any asset's; it is shown apart in USD totals)` });
    }
    const w = withUnverified.find((x) => x.asset === r.asset);
    for (const c of coverageChecks(r, w, report.solvency.find((s) => s.asset === r.asset), basis)) add(c);
  }
  return auditedRows;
}

/**
 * Netted coverage (fails when short) and gross coverage (what users own, nothing netted: warns when
 * short while the netted figure holds, since the difference rests on the exchange's netting).
 */
function coverageChecks(r: ReportSolvencyRow, w: ReportSolvencyRow | undefined, stated: ReportSolvencyRow | undefined, basis: string): AuditCheck[] {
  const undecided = !r.covered && w !== undefined && w.covered;
  // Figures for people: grouped, ratios as percentages rounded down; the exact ratio is in the evidence (--json).
  const g = groupDigits;
  const more = undecided ? amountText(BigInt(w.reservesUnits) - BigInt(r.reservesUnits), r.decimals) : '';
  const notDecided = undecided ? `; not decided: ${more} ${r.asset} more is held at addresses whose ownership could not be checked here (give --rpc for their chain), and with it the asset would be covered` : '';
  const netted: AuditCheck = {
    name: 'coverage',
    status: r.covered ? 'pass' : undecided ? 'warn' : 'fail',
    subject: r.asset,
    detail: r.covered
      ? `verified reserves ${g(r.reserves)} cover the ${g(r.liabilities)} owed after netting ${g(r.nettedDebt)} of users' debt (${r.ratio === null ? 'nothing owed' : percentDown(r.ratio)})${basis}`
      : `verified reserves ${g(r.reserves)} cover ${percentDown(r.ratio)} of the ${g(r.liabilities)} owed after netting ${g(r.nettedDebt)} of users' debt (shortfall ${g(r.surplus.replace(/^-/, ''))})${basis}${notDecided}`,
    evidence: { verifiedReserves: r.reservesUnits, statedReserves: stated?.reservesUnits ?? 'none', liabilities: r.liabilitiesUnits, ratio: r.ratio ?? 'null' },
  };
  const gross: AuditCheck = {
    name: 'coverage-gross',
    status: r.grossCovered ? 'pass' : r.covered || undecided ? 'warn' : 'fail',
    subject: r.asset,
    detail: r.grossCovered
      ? `verified reserves ${g(r.reserves)} cover everything users own, ${g(r.grossLiabilities)}, with nothing netted (${r.grossRatio === null ? 'nothing owed' : percentDown(r.grossRatio)})${basis}`
      : `verified reserves ${g(r.reserves)} cover ${percentDown(r.grossRatio)} of what users own, ${g(r.grossLiabilities)}${basis}` +
        (r.covered ? `: covered only by netting ${g(r.nettedDebt)} ${r.asset} of users' debt, which rests on the exchange's own account of its users, prices and haircuts` : notDecided),
    evidence: { verifiedReserves: r.reservesUnits, grossLiabilities: r.grossLiabilitiesUnits, grossRatio: r.grossRatio ?? 'null' },
  };
  return [gross, netted];
}

function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

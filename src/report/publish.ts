// Writes what an exchange publishes: report.json (canonical bytes), report.sig.json (EIP-191 over
// those bytes) and report.html. Each file is written atomically; the signature is made over the
// very bytes written.
import { write as writeReport } from '../core/documents/report.js';
import { write as writeSignatureDocument } from '../core/documents/signature.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic, toJson, readFault } from '../io/node.js';
import { porError } from '../core/errors/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import type { Reporter } from '../core/progress/index.js';
import type { SnapshotSummary } from '../ingest/index.js';
import { parseWalletManifest, readReserves, toReserveRows } from '../reserves/index.js';
import { assessBadDebt, type BadDebt, type HaircutTable, type Prices } from '../solvency/index.js';
import { verifyBitcoinMessage } from '../signatures/bitcoin.js';
import { assembleReport, canonicalJson } from './assemble.js';
import { addressesFromReserves, chainsFromReserves } from './from-reserves.js';
import type { LiabilityTotals } from '../core/report/solvency.js';
import { renderReportHtml } from './html.js';
import { signReport, type ReportSignature } from './signature.js';
import type { Report, ReportNetting } from '../core/report/types.js';

/** Written into every report; keep in step with package.json (a test checks). */
export const TOOL_VERSION = '0.1.0';

export const REPORT_FILE = 'report.json';
export const SIGNATURE_FILE = 'report.sig.json';
export const HTML_FILE = 'report.html';

export interface PublishOptions {
  /** File holding the exchange's hex private key (never passed on the command line). */
  signKeyFile?: string;
  /** Link report.html to this page (e.g. "verify.html") — by default linked when DIR/verify.html exists. */
  verifyPage?: string;
}

export interface Published {
  reportFile: string;
  signatureFile?: string;
  htmlFile: string;
  signature?: ReportSignature;
}

export async function readSigningKey(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read the signing key: ${readFault(err)}`, { file }, err);
  }
}

export async function publishReport(dir: string, report: Report, opts: PublishOptions = {}): Promise<Published> {
  const bytes = new TextEncoder().encode(canonicalJson(writeReport(report)));
  let signature: ReportSignature | undefined;
  if (opts.signKeyFile !== undefined) signature = await signReport(bytes, await readSigningKey(opts.signKeyFile), report.snapshot.id);
  const reportFile = join(dir, REPORT_FILE);
  const htmlFile = join(dir, HTML_FILE);
  const verifyPage = opts.verifyPage ?? (existsSync(join(dir, 'verify.html')) ? 'verify.html' : undefined);
  const html = await renderReportHtml(report, {
    ...(verifyPage !== undefined ? { verifyPage } : {}),
    ...(signature ? { signatureFile: SIGNATURE_FILE, signer: signature.signer } : {}),
  });
  await writeFileAtomic(reportFile, bytes);
  const out: Published = { reportFile, htmlFile };
  if (signature) {
    out.signatureFile = join(dir, SIGNATURE_FILE);
    out.signature = signature;
    await writeFileAtomic(out.signatureFile, toJson(writeSignatureDocument(signature)));
  }
  await writeFileAtomic(htmlFile, html);
  return out;
}

/** Default signature path for a report: report.sig.json beside it (or REPORT.sig.json for other names). */
export function signaturePathFor(reportFile: string): string {
  if (reportFile.endsWith(`/${REPORT_FILE}`) || reportFile === REPORT_FILE) return reportFile.slice(0, -REPORT_FILE.length) + SIGNATURE_FILE;
  return reportFile.replace(/\.json$/, '') + '.sig.json';
}

export interface PublishFromBuildOptions {
  outDir: string;
  registry: AssetRegistry;
  /** The snapshot's figures: totals, exchange-owned accounts, debtors (a read in parts gives these, not every user). */
  snapshot: SnapshotSummary;
  snapshotId: string;
  /** DIR/root.json's content, as the Merkle stage returned it. */
  root: Record<string, unknown>;
  walletsFile: string;
  rpc: Record<string, string>;
  blocks?: Record<string, bigint>;
  confirmations?: number;
  /**
   * Prices and the haircut table valuing collateral (an empty table: nothing counts, no debt is
   * netted), read once by the caller; `badDebt` when the debtors were already sorted at them as the
   * snapshot was read in parts (badDebtSorter), else they are sorted here from `snapshot.debtors()`.
   * Without `pricing` no debt is netted.
   */
  pricing?: { prices: Prices; haircuts: HaircutTable; badDebt?: BadDebt };
  signKeyFile?: string;
  exchange?: string;
  toolVersion: string;
  reporter: Reporter;
  /** Per request to a node, and extra attempts (src/reserves defaults when absent). */
  timeoutMs?: number;
  retries?: number;
}

/**
 * The publish half of `por build`: reads every reserve address at a pinned block, computes per-asset
 * solvency against the snapshot's totals (debtors sorted when prices are given) and writes
 * report.json, report.sig.json and report.html next to root.json.
 */
export async function publishFromBuild(o: PublishFromBuildOptions): Promise<Published & { report: Report }> {
  const wallets = parseWalletManifest(await readJsonFile(o.walletsFile), o.walletsFile, o.registry);
  if (wallets.snapshot.id !== o.snapshotId) {
    throw porError('BAD_INPUT', `the wallet manifest is for snapshot "${wallets.snapshot.id}", but --snapshot-id is "${o.snapshotId}": ownership signatures must bind this snapshot`, { file: o.walletsFile, field: 'snapshot.id' });
  }
  checkExchangeName(wallets.exchange, o.exchange, o.walletsFile);
  const reserves = await readReserves({
    wallets,
    registry: o.registry,
    rpc: o.rpc,
    ...(o.blocks ? { blocks: o.blocks } : {}),
    ...(o.confirmations !== undefined ? { confirmations: o.confirmations } : {}),
    reporter: o.reporter,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    verifyBitcoin: (address, message, sig, network) => verifyBitcoinMessage(address, message, sig, network === 'mainnet' || network === undefined ? 'bitcoin' : 'testnet'),
  });
  // Refuses (NETWORK, exit 2) when a chain, any balance, or an ownership check (node fault) could not
  // be read: never a partial report, never a wallet silently dropped from a signed one.
  toReserveRows(reserves, o.registry);
  const chains = chainsFromReserves(reserves);
  const addresses = addressesFromReserves(reserves, wallets);
  const notes: string[] = [];
  const { liabilities, netting } = assessNetting(o, notes);
  if (o.snapshot.exchangeOwned.accounts.length) {
    const n = o.snapshot.exchangeOwned.accounts.length;
    notes.push(`${n} exchange-owned account${n === 1 ? ' (insurance fund or the like) was' : 's (insurance fund and the like) were'} left out of user liabilities.`);
  }
  const snapshotTime = wallets.snapshot.time;
  const report = assembleReport({
    snapshot: { id: o.snapshotId, time: new Date(snapshotTime).toISOString() },
    registry: o.registry,
    root: o.root,
    liabilities,
    ...(netting ? { netting } : {}),
    chains,
    addresses,
    tool: { name: 'por', version: o.toolVersion },
    // The name every ownership message signs (checkExchangeName: --exchange may only repeat it).
    exchange: wallets.exchange,
    notes,
  });
  const published = await publishReport(o.outDir, report, { ...(o.signKeyFile !== undefined ? { signKeyFile: o.signKeyFile } : {}) });
  return { ...published, report };
}

/** --exchange may repeat the manifest's `exchange` (which every ownership message names), not change it. */
export function checkExchangeName(manifest: string, flag: string | undefined, walletsFile: string): void {
  if (flag !== undefined && flag !== manifest) {
    throw porError('BAD_USAGE', `--exchange "${flag}" differs from the wallet manifest's exchange "${manifest}", which the ownership messages name; drop --exchange or fix the manifest`, { file: walletsFile, field: 'exchange' });
  }
}

/**
 * Sorts debtors at the given prices and haircuts (bad debt, uncollateralised, healthy): the
 * liabilities with their netting, the report's `netting` section and a note in plain words.
 * Without prices nothing is netted.
 */
function assessNetting(o: PublishFromBuildOptions, notes: string[]): { liabilities: LiabilityTotals[]; netting?: ReportNetting } {
  if (o.pricing === undefined) {
    notes.push('Bad debt was not assessed (no prices given): no user debt was netted, so reserves must cover gross liabilities.');
    return { liabilities: o.snapshot.totals.map((t) => ({ asset: t.asset, gross: t.gross, debt: t.debt })) };
  }
  const { prices, haircuts } = o.pricing;
  const bad = o.pricing.badDebt ?? assessBadDebt(o.snapshot.debtors(), o.registry, prices, haircuts);
  const un = bad.uncollateralised.users;
  notes.push(
    (bad.users
      ? `${bad.users} user${bad.users === 1 ? '' : 's'} had total equity below zero at snapshot prices (bad debt of ${bad.usd} USD): their holdings count as nothing owed and their debt is not netted.`
      : 'No user had total equity below zero at snapshot prices (no bad debt).') +
      ` ${un} user${un === 1 ? '' : 's'} owed more than their haircut collateral covers: that debt is not netted.`,
  );
  if (haircuts.length === 0) notes.push('No haircut table was given: nothing counts as collateral, so no user debt was netted.');
  const liabilities = o.snapshot.totals.map((t, i) => ({
    asset: t.asset,
    gross: t.gross,
    debt: t.debt,
    netting: { badDebtHoldings: bad.gross[i]!, badDebt: bad.debt[i]!, uncollateralised: bad.uncollateralised.debt[i]! },
  }));
  const netting: ReportNetting = {
    pricesTime: prices.time ?? null,
    prices: o.registry.assets.map((a) => ({ asset: a.symbol, usd: prices.usd.get(a.symbol)! })),
    haircuts,
    badDebt: { users: bad.users, usd: bad.usd },
    uncollateralised: { users: un },
  };
  return { liabilities, netting };
}

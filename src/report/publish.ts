// Writes what an exchange publishes: report.json (canonical bytes), report.sig.json (EIP-191 over
// those bytes) and report.html. Each file is written atomically; the signature is made over the
// very bytes written.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic, toJson, readFault } from '../io/node.js';
import { porError } from '../errors/index.js';
import type { AssetRegistry } from '../assets/index.js';
import type { Reporter } from '../progress/index.js';
import type { Snapshot } from '../ingest/index.js';
import { parseWalletManifest, readReserves, toReserveRows } from '../reserves/index.js';
import { assessBadDebt, computeSolvency, type BadDebt } from '../solvency/index.js';
import { readPrices } from '../solvency/load.js';
import { verifyBitcoinMessage } from '../signatures/bitcoin.js';
import { assembleReport, canonicalJson } from './assemble.js';
import { addressesFromReserves, chainsFromReserves } from './from-reserves.js';
import type { LiabilityTotals } from './solvency.js';
import { renderReportHtml } from './html.js';
import { signReport, type ReportSignature } from './signature.js';
import type { Report } from './types.js';

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
  const bytes = new TextEncoder().encode(canonicalJson(report));
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
    await writeFileAtomic(out.signatureFile, toJson(signature));
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
  snapshot: Snapshot;
  snapshotId: string;
  /** DIR/root.json's content, as the Merkle stage returned it. */
  root: Record<string, unknown>;
  walletsFile: string;
  rpc: Record<string, string>;
  blocks?: Record<string, bigint>;
  confirmations?: number;
  pricesFile?: string;
  signKeyFile?: string;
  exchange?: string;
  toolVersion: string;
  reporter: Reporter;
}

/**
 * The publish half of `por build`: reads every reserve address at a pinned block, computes per-asset
 * solvency against the snapshot's totals (bad debt assessed when prices are given) and writes
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
    verifyBitcoin: (address, message, sig, network) => verifyBitcoinMessage(address, message, sig, network === 'mainnet' || network === undefined ? 'bitcoin' : 'testnet'),
  });
  // Refuses (NETWORK) when a chain or a counted balance could not be read: never a partial report.
  const reserveRows = toReserveRows(reserves, o.registry);
  const chains = chainsFromReserves(reserves);
  const addresses = addressesFromReserves(reserves, wallets);
  const notes: string[] = [];
  let badDebt: BadDebt | undefined;
  let prices;
  if (o.pricesFile !== undefined) {
    prices = await readPrices(o.pricesFile, o.registry);
    badDebt = assessBadDebt(o.snapshot.debtors(), o.registry, prices);
    notes.push(
      badDebt.users
        ? `${badDebt.users} user${badDebt.users === 1 ? '' : 's'} had total equity below zero at snapshot prices (bad debt of ${badDebt.usd} USD): their loans are not counted as repayable.`
        : 'No user had total equity below zero at snapshot prices (no bad debt).',
    );
  } else {
    notes.push('Bad debt was not assessed (no prices given): every user debt was counted as repayable.');
  }
  const liabilities: LiabilityTotals[] = o.snapshot.totals.map((t, i) => {
    const l: LiabilityTotals = { asset: t.asset, gross: t.gross, debt: t.debt };
    if (badDebt) l.badDebt = { gross: badDebt.gross[i]!, debt: badDebt.debt[i]! };
    return l;
  });
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
    chains,
    addresses,
    tool: { name: 'por', version: o.toolVersion },
    // The name every ownership message signs (checkExchangeName: --exchange may only repeat it).
    exchange: wallets.exchange,
    notes,
  });
  // A second computation by the solvency stage must agree to the unit (a bug here would be silent).
  const check = computeSolvency({ registry: o.registry, totals: o.snapshot.totals, reserves: reserveRows, ...(prices && badDebt ? { prices, badDebt } : {}) });
  for (const a of check.assets) {
    const row = report.solvency.find((r) => r.asset === a.asset);
    if (!row || row.reservesUnits !== a.reserves.toString() || row.liabilitiesUnits !== a.liabilities.toString() || row.covered !== a.solvent) {
      throw porError('INTERNAL', `report and solvency stage disagree on ${a.asset}`, { field: 'solvency' });
    }
  }
  const published = await publishReport(o.outDir, report, { ...(o.signKeyFile !== undefined ? { signKeyFile: o.signKeyFile } : {}) });
  return { ...published, report };
}

/** --exchange may repeat the manifest's `exchange` (which every ownership message names), not change it. */
export function checkExchangeName(manifest: string, flag: string | undefined, walletsFile: string): void {
  if (flag !== undefined && flag !== manifest) {
    throw porError('BAD_USAGE', `--exchange "${flag}" differs from the wallet manifest's exchange "${manifest}", which the ownership messages name; drop --exchange or fix the manifest`, { file: walletsFile, field: 'exchange' });
  }
}

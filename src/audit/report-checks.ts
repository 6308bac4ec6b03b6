// The audit's checks on the report document itself, before any node is asked: the exchange's
// signature over its bytes, the Merkle root it rests on, and its own arithmetic. Steps 1–3 of
// `por audit` (src/audit/audit.ts); each check is handed to `add` in the order a reader reads them.
import { formatAmount } from '../core/money/index.js';
import { countedBalances } from '../report/assemble.js';
import { nettingOf, sumReserves, type LiabilityTotals } from '../core/report/solvency.js';
import { coverage, ratioText, type Netting } from '../core/solvency/coverage.js';
import { nettingChecks, type StatedNetting } from './netting.js';
import { checkReportSignature, type ReportSignature } from '../report/signature.js';
import type { Report, ReportAsset, ReportSolvencyRow } from '../core/report/types.js';
import type { AuditCheck, Status } from '../core/checks/index.js';

export type AddCheck = (c: AuditCheck) => void;
type RootSum = Report['merkleRoot']['sums'][number];

/** 1. The exchange's signature over these exact bytes, by the signer the auditor expects (if given). */
export function checkSignature(report: Report, bytes: Uint8Array, signature: ReportSignature | null, signer: string | undefined, add: AddCheck): void {
  const snapId = report.snapshot.id;
  if (signature === null) {
    add({ name: 'report-signature', status: signer ? 'fail' : 'warn', subject: 'report', detail: 'no signature file was found beside the report: nothing ties these figures to the exchange' });
    return;
  }
  const s = checkReportSignature(bytes, signature, signer);
  const status: Status = !s.ok ? 'fail' : signer ? 'pass' : 'warn';
  const evidence: Record<string, string> = { signer: signature.signer };
  if (s.recovered) evidence.recovered = s.recovered;
  add({ name: 'report-signature', status, subject: 'report', detail: s.detail, evidence });
  if (s.ok && signature.snapshotId !== snapId) {
    add({ name: 'report-signature', status: 'fail', subject: 'report', detail: `the signature file names snapshot ${signature.snapshotId}, the report ${snapId}` });
  }
}

/**
 * 2. The Merkle root belongs to this snapshot, commits to the report's assets, and its sums are the
 * liabilities the report states. Returns the liabilities from the root (what users verify against)
 * with the report's netting figures, which the coverage step recomputes against.
 */
export function checkMerkleRoot(report: Report, add: AddCheck): LiabilityTotals[] {
  checkRootHeader(report, add);
  const root = report.merkleRoot;
  const liabilities: LiabilityTotals[] = [];
  const statedNetting: StatedNetting[] = [];
  for (const a of report.assets) {
    const sum = root.sums.find((s) => s.asset === a.symbol);
    const row = report.solvency.find((s) => s.asset === a.symbol);
    if (!sum || !row) {
      add({ name: 'root-sums', status: 'fail', subject: a.symbol, detail: `${!sum ? 'the Merkle root has no sum' : 'the report has no solvency row'} for ${a.symbol}` });
      continue;
    }
    // Liabilities from the root (what users verify against), with the report's netting figures,
    // which only the exchange's user data can show: bounded below (src/audit/netting.ts), and
    // gross coverage, which they cannot move, checked beside the netted figure.
    const fromRoot: LiabilityTotals = { asset: a.symbol, gross: BigInt(sum.equityUnits), debt: BigInt(sum.debtUnits) };
    const netting = nettingOf(row);
    if (netting) fromRoot.netting = netting;
    liabilities.push(fromRoot);
    statedNetting.push({ asset: a.symbol, decimals: a.decimals, gross: fromRoot.gross, debt: fromRoot.debt, netting });
    checkRootSums(a, sum, row, add);
    checkStatedTotals(a, row, netting, add);
  }
  const listed = new Set(report.assets.map((a) => a.symbol));
  for (const s of root.sums) {
    if (!listed.has(s.asset)) add({ name: 'root-sums', status: 'fail', subject: s.asset, detail: `the Merkle root has a sum for ${s.asset}, which the report does not list` });
  }
  for (const c of nettingChecks(report, statedNetting)) add(c);
  return liabilities;
}

/** The root is this snapshot's, and binds the report's assets and decimals. */
function checkRootHeader(report: Report, add: AddCheck): void {
  const root = report.merkleRoot;
  const snapId = report.snapshot.id;
  add(
    root.snapshotId === snapId
      ? { name: 'root-snapshot', status: 'pass', subject: 'merkle root', detail: `the liabilities root is for snapshot ${snapId}` }
      : { name: 'root-snapshot', status: 'fail', subject: 'merkle root', detail: `the liabilities root is for snapshot ${root.snapshotId}, the report for ${snapId}` },
  );
  // The root binds each asset's symbol and decimals into every leaf: the report must read its sums
  // with the same ones, or a user's "1.5" and the report's "1.5" are different amounts.
  const rootAssets = Array.isArray(root.assets) ? (root.assets as unknown[]) : [];
  const asText = (a: unknown) => (typeof a === 'object' && a !== null ? `${String((a as Record<string, unknown>).symbol)}/${String((a as Record<string, unknown>).decimals)}` : String(a));
  const want = report.assets.map((a) => `${a.symbol}/${a.decimals}`).join(', ');
  const got = rootAssets.map(asText).join(', ');
  add(
    want === got
      ? { name: 'root-assets', status: 'pass', subject: 'merkle root', detail: `the root's assets and decimals are the report's (${want})` }
      : { name: 'root-assets', status: 'fail', subject: 'merkle root', detail: `the root commits to assets ${got || '(none)'}, the report lists ${want}`, evidence: { root: got, report: want } },
  );
}

/** One asset's root sums: text and units agree, and they are the liabilities the report states. */
function checkRootSums(a: ReportAsset, sum: RootSum, row: ReportSolvencyRow, add: AddCheck): void {
  const f = (u: string) => formatAmount(BigInt(u), a.decimals);
  // The text beside the units must say the same (por verify refuses a root where it does not).
  const textOk = (sum.equity === undefined || sum.equity === f(sum.equityUnits)) && (sum.debt === undefined || sum.debt === f(sum.debtUnits));
  const ok = textOk && sum.equityUnits === row.grossLiabilitiesUnits && sum.debtUnits === row.userDebtUnits;
  add({
    name: 'root-sums',
    status: ok ? 'pass' : 'fail',
    subject: a.symbol,
    detail: ok
      ? `the Merkle root's sums (owed ${f(sum.equityUnits)}, debt ${f(sum.debtUnits)}) are the liabilities the report states`
      : !textOk
        ? `the Merkle root's sums as text (${sum.equity} / ${sum.debt}) differ from its base units (${f(sum.equityUnits)} / ${f(sum.debtUnits)})`
        : `the Merkle root commits to owed ${f(sum.equityUnits)} / debt ${f(sum.debtUnits)}, but the report states owed ${row.grossLiabilities} / debt ${row.userDebt}: users verify their proofs against the root, so the stated liabilities are not the ones they checked`,
    evidence: { rootEquity: sum.equityUnits, rootDebt: sum.debtUnits, reportGross: row.grossLiabilitiesUnits, reportDebt: row.userDebtUnits },
  });
}

/** One asset's stated net, netted debt and "must cover", recomputed from its own figures by the one rule. */
function checkStatedTotals(a: ReportAsset, row: ReportSolvencyRow, netting: Netting | null, add: AddCheck): void {
  const net = BigInt(row.grossLiabilitiesUnits) - BigInt(row.userDebtUnits);
  if (net.toString() !== row.netLiabilitiesUnits) {
    add({ name: 'totals', status: 'fail', subject: a.symbol, detail: `net liabilities stated as ${row.netLiabilities}, but owed − debt = ${formatAmount(net, a.decimals)}` });
  }
  const c = coverage({ reserves: 0n, gross: BigInt(row.grossLiabilitiesUnits), debt: BigInt(row.userDebtUnits), netting });
  if (c.mustCover.toString() !== row.liabilitiesUnits || c.nettedDebt.toString() !== row.nettedDebtUnits) {
    add({
      name: 'totals',
      status: 'fail',
      subject: a.symbol,
      detail: `the report says ${row.nettedDebt} of debt is netted and reserves must cover ${row.liabilities}, but its own figures give ${formatAmount(c.nettedDebt, a.decimals)} and ${formatAmount(c.mustCover, a.decimals)}`,
      evidence: { stated: row.liabilitiesUnits, recomputed: c.mustCover.toString(), statedNetted: row.nettedDebtUnits, recomputedNetted: c.nettedDebt.toString() },
    });
  }
}

/** 3. The report's own arithmetic: reserves from its listed balances, ratios from its figures. */
export function checkStatedArithmetic(report: Report, add: AddCheck): void {
  const decimalsOf = new Map(report.assets.map((a) => [a.symbol, a.decimals]));
  const stated = sumReserves(report.assets, countedBalances(report.addresses));
  for (const row of report.solvency) {
    const dec = decimalsOf.get(row.asset) ?? row.decimals;
    const mine = stated.get(row.asset) ?? 0n;
    const ok = mine.toString() === row.reservesUnits;
    add({
      name: 'reserve-totals',
      status: ok ? 'pass' : 'fail',
      subject: row.asset,
      detail: ok
        ? `the counted addresses' balances add up to the stated reserves, ${row.reserves}`
        : `the counted addresses' balances add up to ${formatAmount(mine, dec)}, but the report states reserves of ${row.reserves}`,
      evidence: { recomputed: mine.toString(), stated: row.reservesUnits },
    });
    checkStatedRatios(row, add);
  }
}

/** One row's ratios, surpluses and covered flags, gross and netted, recomputed from its figures. */
function checkStatedRatios(row: ReportSolvencyRow, add: AddCheck): void {
  const held = BigInt(row.reservesUnits);
  const ratio = ratioText(held, BigInt(row.liabilitiesUnits));
  const surplus = held - BigInt(row.liabilitiesUnits);
  const covered = held >= BigInt(row.liabilitiesUnits);
  const gross = BigInt(row.grossLiabilitiesUnits);
  const grossOk = ratioText(held, gross) === row.grossRatio && (held - gross).toString() === row.grossSurplusUnits && (held >= gross) === row.grossCovered;
  const ratioOk = ratio === row.ratio && surplus.toString() === row.surplusUnits && covered === row.covered && grossOk;
  add({
    name: 'ratio',
    status: ratioOk ? 'pass' : 'fail',
    subject: row.asset,
    detail: ratioOk
      ? `the stated ratios ${row.ratio ?? 'n/a'} (netted) and ${row.grossRatio ?? 'n/a'} (gross) are reserves ÷ what they must cover and reserves ÷ what users own`
      : `the report states ratio ${row.ratio ?? 'n/a'} (covered: ${row.covered}) and gross ratio ${row.grossRatio ?? 'n/a'} (covered: ${row.grossCovered}), but reserves ÷ liabilities = ${ratio ?? 'n/a'} and reserves ÷ gross = ${ratioText(held, gross) ?? 'n/a'}`,
    evidence: { recomputed: ratio ?? 'null', stated: row.ratio ?? 'null', recomputedGross: ratioText(held, gross) ?? 'null', statedGross: row.grossRatio ?? 'null' },
  });
}

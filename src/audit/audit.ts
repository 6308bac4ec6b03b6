// `por audit` for por's own report.json: a journalist's checks, independent of the exchange's data.
// Balances and blocks are re-read from the journalist's own nodes through src/reserves (the same
// reader the exchange's build uses, pinned to the report's blocks); ownership proofs re-checked;
// every total recomputed. Each check says pass / fail / warn with its evidence.
import { parseAssetRegistry } from '../core/assets/index.js';
import { porError } from '../core/errors/index.js';
import { formatAmount } from '../core/money/index.js';
import { silentReporter, type Reporter } from '../core/progress/index.js';
import {
  readReserves,
  checkOwnership,
  ownershipMessageProblem,
  type AddressResult,
  type ChainSpec,
  type ReservesResult,
  type WalletManifest,
  type BitcoinVerifier,
} from '../reserves/index.js';
import { countedBalances } from '../report/assemble.js';
import { addressKey, chainIdentity, CHAIN_IDENTITY, GENESIS, type BitcoinNetwork } from '../core/reserves/identity.js';
import { nettingOf, solvencyRows, sumReserves, type HeldBalance, type LiabilityTotals } from '../core/report/solvency.js';
import { coverage, ratioText } from '../core/solvency/coverage.js';
import { nettingChecks, type StatedNetting } from './netting.js';
import { checkReportSignature, type ReportSignature } from '../report/signature.js';
import type { Report, ReportAddress, ReportSolvencyRow } from '../core/report/types.js';

export type { AuditCheck, AuditResult, Status } from '../core/documents/audit.js';
import { FORMAT as AUDIT_FORMAT, VERSION as AUDIT_VERSION, type AuditCheck, type AuditResult, type Status } from '../core/documents/audit.js';

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
  others?: { file: string; report: Report }[];
  /** Warn when a block's time is further than this from the snapshot time. Default 3,600 s. */
  maxSkewSeconds?: number;
  reporter?: Reporter;
  timeoutMs?: number;
  retries?: number;
  verifyBitcoin?: BitcoinVerifier;
}

/** Prefix of the placeholder identity of a report chain whose own fields contradict each other. */
const UNIDENTIFIED = 'unidentified:';
const short = (a: string) => (a.length > 14 ? `${a.slice(0, 8)}…${a.slice(-4)}` : a);

export async function auditReport(opts: AuditOptions): Promise<AuditResult> {
  const { report } = opts;
  const reporter = opts.reporter ?? silentReporter;
  const checks: AuditCheck[] = [];
  const add = (c: AuditCheck) => checks.push(c);
  const snapId = report.snapshot.id;
  const snapMs = Date.parse(report.snapshot.time);
  const maxSkew = opts.maxSkewSeconds ?? 3600;
  const decimalsOf = new Map(report.assets.map((a) => [a.symbol, a.decimals]));

  // 1. The exchange's signature over these exact bytes.
  if (opts.signature === null) {
    add({ name: 'report-signature', status: opts.signer ? 'fail' : 'warn', subject: 'report', detail: 'no signature file was found beside the report: nothing ties these figures to the exchange' });
  } else {
    const s = checkReportSignature(opts.reportBytes, opts.signature, opts.signer);
    const status: Status = !s.ok ? 'fail' : opts.signer ? 'pass' : 'warn';
    const evidence: Record<string, string> = { signer: opts.signature.signer };
    if (s.recovered) evidence.recovered = s.recovered;
    add({ name: 'report-signature', status, subject: 'report', detail: s.detail, evidence });
    if (s.ok && opts.signature.snapshotId !== snapId) {
      add({ name: 'report-signature', status: 'fail', subject: 'report', detail: `the signature file names snapshot ${opts.signature.snapshotId}, the report ${snapId}` });
    }
  }

  // 2. The Merkle root belongs to this snapshot and its sums are the liabilities the report states.
  const root = report.merkleRoot;
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
  for (const s of root.sums) {
    if (!decimalsOf.has(s.asset)) add({ name: 'root-sums', status: 'fail', subject: s.asset, detail: `the Merkle root has a sum for ${s.asset}, which the report does not list` });
  }
  for (const c of nettingChecks(report, statedNetting)) add(c);

  // 3. The report's own arithmetic: reserves from its listed balances, ratios from its figures.
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

  // 4. Chains are what they are, not what they are called; addresses unique here (by chain
  // identity), not claimed in another exchange's report under any chain name.
  const idOf = checkChainIdentities(report, add);
  const keyOf = (a: ReportAddress) => addressKey(idOf.get(a.chain) ?? `unknown:${a.chain}`, a.address);
  const seen = new Map<string, number>();
  report.addresses.forEach((a, i) => {
    const k = keyOf(a);
    const prev = seen.get(k);
    if (prev !== undefined) add({ name: 'duplicate-address', status: 'fail', subject: `${a.chain} ${a.address}`, detail: `listed twice (entries ${prev} and ${i}): its balance would be counted twice` });
    else seen.set(k, i);
  });
  for (const other of opts.others ?? []) {
    const otherIds = checkChainIdentities(other.report, () => {});
    const keys = new Map(other.report.addresses.map((a) => [addressKey(otherIds.get(a.chain) ?? `unknown:${a.chain}`, a.address), a]));
    let shared = 0;
    for (const a of report.addresses) {
      const o = keys.get(keyOf(a));
      if (!o) continue;
      shared++;
      add({
        name: 'other-report',
        status: 'fail',
        subject: `${a.chain} ${a.address}`,
        detail: `also claimed in ${other.file} (${other.report.exchange ?? 'another report'}, snapshot ${other.report.snapshot.id}${o.chain !== a.chain ? `, where chain ${idOf.get(a.chain)} is called ${o.chain}` : ''}): the same coins cannot back two exchanges`,
        evidence: { otherFile: other.file, otherSnapshot: other.report.snapshot.id, chain: idOf.get(a.chain) ?? a.chain },
      });
    }
    if (shared === 0) add({ name: 'other-report', status: 'pass', subject: other.file, detail: `no address of this report appears in ${other.file}` });
  }

  // 5. Re-read every chain we have a node for, at the published block.
  const manifest = manifestFromReport(report, { unidentified: 'mark' });
  // One chain under two names is read once (check 4 failed it): its addresses count once. A chain
  // whose identity contradicts itself is not read at all.
  const withRpc = manifest.chains.filter((c, i) => opts.rpc[c.name] !== undefined && !c.id.startsWith(UNIDENTIFIED) && manifest.chains.findIndex((x) => x.id === c.id) === i);
  const chainsNotRead = manifest.chains.filter((c) => opts.rpc[c.name] === undefined).map((c) => c.name);
  for (const name of Object.keys(opts.rpc)) {
    if (!manifest.chains.some((c) => c.name === name)) throw porError('BAD_USAGE', `--rpc names chain ${name}, which the report does not list (it lists ${manifest.chains.map((c) => c.name).join(', ') || 'none'})`, { chain: name });
  }
  let read: ReservesResult | undefined;
  if (withRpc.length > 0) {
    const sub: WalletManifest = { ...manifest, chains: withRpc, addresses: manifest.addresses.filter((a) => withRpc.some((c) => c.name === a.chain)) };
    const blocks: Record<string, bigint> = {};
    for (const c of report.chains) if (withRpc.some((x) => x.name === c.chain)) blocks[c.chain] = BigInt(c.block.number);
    read = await readReserves({
      wallets: sub,
      registry: parseAssetRegistry({ assets: report.assets }, opts.reportFile),
      rpc: opts.rpc,
      blocks,
      reporter,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.verifyBitcoin ? { verifyBitcoin: opts.verifyBitcoin } : {}),
    });
  }

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
      add({ name: 'block-hash', status: 'warn', subject, detail: `not checked: no --rpc ${c.chain}=URL given, so this chain's balances are taken from the report unverified` });
      continue;
    }
    const chainError = read?.chains.find((x) => x.name === c.chain)?.error;
    if (chainError !== undefined) {
      add({ name: 'block-hash', status: 'unread', subject, detail: `could not read chain ${c.chain} from your node: ${chainError}` });
      continue;
    }
    const mine = read?.chains.find((x) => x.name === c.chain)?.block;
    if (!mine) {
      add({ name: 'block-hash', status: 'warn', subject, detail: 'no address on this chain, nothing to re-read' });
      continue;
    }
    const hashOk = mine.hash.toLowerCase() === c.block.hash.toLowerCase();
    add({
      name: 'block-hash',
      status: hashOk ? 'pass' : 'fail',
      subject,
      detail: hashOk
        ? `your node has block ${c.block.number} with the published hash`
        : `your node's block ${c.block.number} has hash ${mine.hash}, the report says ${c.block.hash}: the report was read from another chain or edited`,
      evidence: { block: c.block.number, published: c.block.hash, node: mine.hash },
    });
    const nodeTime = new Date(mine.timestamp * 1000).toISOString();
    if (Date.parse(nodeTime) !== published) {
      add({ name: 'block-time', status: 'fail', subject, detail: `your node's block ${c.block.number} is timed ${nodeTime}, the report says ${c.block.time}`, evidence: { published: c.block.time, node: nodeTime } });
    }
  }

  // 6. Per address: proof present, bound to this snapshot, signed by the address; balances as read.
  const readBy = new Map<string, AddressResult>();
  for (const a of read?.addresses ?? []) if (a.duplicateOf === undefined) readBy.set(`${a.chain}\u0000${a.address}`, a);
  const audited: HeldBalance[] = [];
  // Counted by the exchange, ownership neither proven nor disproven here (a contract wallet without
  // a node): a shortfall that these would cover is unverified, not shown.
  const unverified: HeldBalance[] = [];
  // Assets with a balance or proof the audit could not read: their coverage is not decided.
  const unreadAssets = new Set<string>();
  const chainSpec = new Map(manifest.chains.map((c) => [c.name, c]));
  const counted = new Set<string>();
  for (const a of report.addresses) {
    const subject = `${a.chain} ${a.address}`;
    // An address listed twice (under two chain names, or twice under one) counts once: check 4 failed it.
    if (counted.has(keyOf(a))) continue;
    counted.add(keyOf(a));
    const got = readBy.get(`${a.chain}\u0000${a.address}`);
    const ownership = await checkAddressOwnership(a, got, chainSpec.get(a.chain), manifest, add, opts);
    const proven = ownership === 'proven';
    if (ownership === 'unread') for (const b of a.balances) unreadAssets.add(b.asset);
    if (ownership === 'unchecked' && a.counted) {
      for (const b of a.balances) {
        const g = got?.balances.find((x) => x.asset === b.asset);
        unverified.push({ asset: b.asset, units: g?.balance ?? BigInt(b.units), decimals: b.decimals });
      }
    }
    if (got) {
      for (const b of a.balances) {
        const g = got.balances.find((x) => x.asset === b.asset);
        const block = report.chains.find((c) => c.chain === a.chain)?.block.number ?? '?';
        if (!g || g.balance === undefined) {
          add({ name: 'balance', status: 'unread', subject, detail: `could not read ${b.asset} at block ${block}: ${g?.error ?? 'not read'}` });
          unreadAssets.add(b.asset);
          continue;
        }
        const ok = g.balance.toString() === b.units && g.decimals === b.decimals;
        add({
          name: 'balance',
          status: ok ? 'pass' : 'fail',
          subject,
          detail: ok
            ? `${b.amount} ${b.asset} at block ${block}, as published`
            : `the report says ${b.amount} ${b.asset}, your node says ${formatAmount(g.balance, g.decimals)} at block ${block}`,
          evidence: { asset: b.asset, block, published: b.units, node: g.balance.toString() },
        });
        if (proven) audited.push({ asset: b.asset, units: g.balance, decimals: g.decimals });
      }
    } else if (proven) {
      for (const b of a.balances) audited.push({ asset: b.asset, units: BigInt(b.units), decimals: b.decimals });
    }
  }

  // 7. Coverage from the audit's own figures, gross and netted, for every asset: the exchange's own
  // token is labelled, never skipped.
  const auditedRows = solvencyRows(report.assets, sumReserves(report.assets, audited), liabilities);
  const withUnverified = solvencyRows(report.assets, sumReserves(report.assets, [...audited, ...unverified]), liabilities);
  const basis = chainsNotRead.length ? ' (partly from balances the report states, unverified)' : '';
  for (const r of auditedRows) {
    if (unreadAssets.has(r.asset)) {
      add({ name: 'coverage', status: 'unread', subject: r.asset, detail: `could not read every ${r.asset} balance or proof from your node (see the checks above): coverage, gross or netted, not decided, no figure is computed without them` });
      continue;
    }
    if (r.exchangeToken) {
      add({ name: 'exchange-token', status: 'warn', subject: r.asset, detail: `${r.reserves} ${r.asset} of the reserves are the exchange's own token: its value depends on the exchange itself (its coverage is checked like any asset's; it is shown apart in USD totals)` });
    }
    const w = withUnverified.find((x) => x.asset === r.asset);
    for (const c of coverageChecks(r, w, report.solvency.find((s) => s.asset === r.asset), basis)) add(c);
  }

  const summary = { pass: 0, fail: 0, warn: 0, unread: 0 };
  for (const c of checks) summary[c.status]++;
  const result: AuditResult = {
    format: AUDIT_FORMAT,
    version: AUDIT_VERSION,
    report: { file: opts.reportFile, snapshotId: snapId, snapshotTime: report.snapshot.time, merkleRoot: root.hash },
    verdict: summary.fail > 0 ? 'fail' : summary.unread > 0 ? 'unread' : summary.warn > 0 ? 'warn' : 'pass',
    summary,
    checks,
    audited: auditedRows.filter((r) => !unreadAssets.has(r.asset)),
    unreadAssets: [...unreadAssets],
    chainsRead: withRpc.map((c) => c.name),
    chainsNotRead,
  };
  if (report.exchange !== undefined) result.report.exchange = report.exchange;
  return result;
}

/**
 * Netted coverage (fails when short) and gross coverage (what users own, nothing netted: warns when
 * short while the netted figure holds, since the difference rests on the exchange's netting).
 */
function coverageChecks(r: ReportSolvencyRow, w: ReportSolvencyRow | undefined, stated: ReportSolvencyRow | undefined, basis: string): AuditCheck[] {
  const undecided = !r.covered && w !== undefined && w.covered;
  const more = undecided ? formatAmount(BigInt(w.reservesUnits) - BigInt(r.reservesUnits), r.decimals) : '';
  const netted: AuditCheck = {
    name: 'coverage',
    status: r.covered ? 'pass' : undecided ? 'warn' : 'fail',
    subject: r.asset,
    detail: r.covered
      ? `verified reserves ${r.reserves} cover the ${r.liabilities} owed after netting ${r.nettedDebt} of users' debt (${r.ratio === null ? 'nothing owed' : `ratio ${r.ratio}`})${basis}`
      : `verified reserves ${r.reserves} are below the ${r.liabilities} owed after netting ${r.nettedDebt} of users' debt (ratio ${r.ratio ?? 'n/a'}; shortfall ${r.surplus.replace(/^-/, '')})${basis}` +
        (undecided ? `; not decided: ${more} ${r.asset} more is held at addresses whose ownership could not be checked here (give --rpc for their chain), and with it the asset would be covered` : ''),
    evidence: { verifiedReserves: r.reservesUnits, statedReserves: stated?.reservesUnits ?? 'none', liabilities: r.liabilitiesUnits, ratio: r.ratio ?? 'null' },
  };
  const gross: AuditCheck = {
    name: 'coverage-gross',
    status: r.grossCovered ? 'pass' : r.covered || undecided ? 'warn' : 'fail',
    subject: r.asset,
    detail: r.grossCovered
      ? `verified reserves ${r.reserves} cover everything users own, ${r.grossLiabilities}, with nothing netted (${r.grossRatio === null ? 'nothing owed' : `ratio ${r.grossRatio}`})${basis}`
      : `verified reserves ${r.reserves} are below what users own, ${r.grossLiabilities} (gross ratio ${r.grossRatio ?? 'n/a'})${basis}` +
        (r.covered ? `: covered only by netting ${r.nettedDebt} ${r.asset} of users' debt, which rests on the exchange's own account of its users, prices and haircuts` : ''),
    evidence: { verifiedReserves: r.reservesUnits, grossLiabilities: r.grossLiabilitiesUnits, grossRatio: r.grossRatio ?? 'null' },
  };
  return [gross, netted];
}

async function checkAddressOwnership(
  a: ReportAddress,
  got: AddressResult | undefined,
  chain: ChainSpec | undefined,
  m: WalletManifest,
  add: (c: AuditCheck) => void,
  opts: AuditOptions,
): Promise<'proven' | 'unchecked' | 'failed' | 'unread'> {
  const subject = `${a.chain} ${a.address}`;
  if (a.ownership === null) {
    add({ name: 'ownership-proof', status: a.counted ? 'fail' : 'warn', subject, detail: a.counted ? 'counted in the reserves without any ownership proof' : 'listed without an ownership proof (not counted)' });
    return 'failed';
  }
  // The signed message must be exactly this report's for this address (docs/RESERVES.md).
  const wrong = chain ? ownershipMessageProblem(a.ownership.message, { exchange: m.exchange, snapshot: m.snapshot, chain: chain.id, address: a.address }) : `chain ${a.chain} has no identity`;
  add(
    wrong
      ? { name: 'ownership-message', status: 'fail', subject, detail: `${wrong}: the signature may be replayed from another report`, evidence: { message: a.ownership.message } }
      : { name: 'ownership-message', status: 'pass', subject, detail: `the signed message is exactly this report's (${m.exchange}, snapshot ${m.snapshot.id}, ${chain!.id}, this address)` },
  );
  if (wrong) return 'failed';
  // With a node, readReserves checked the proof at the published block (EIP-1271 for contracts);
  // without one, EIP-191 is checked offline and contract wallets stay unchecked.
  const own = got
    ? got.ownership
    : await checkOwnership({ chain: chain!, address: a.address, message: a.ownership.message, signature: a.ownership.signature, exchange: m.exchange, snapshot: m.snapshot, ...(opts.verifyBitcoin ? { verifyBitcoin: opts.verifyBitcoin } : {}) });
  // A node fault (code, isValidSignature or the accepts-anything probe not read) is no verdict on the proof.
  if (own.nodeError) {
    add({ name: 'ownership-signature', status: 'unread', subject, detail: `could not check: ${own.reason}`, evidence: { scheme: own.scheme ?? a.ownership.scheme } });
    return 'unread';
  }
  // Offline, a contract wallet's EIP-1271 proof cannot be checked: say so rather than call it forged.
  if (!got && own.status === 'failed' && a.ownership.scheme === 'eip1271') {
    add({ name: 'ownership-signature', status: 'warn', subject, detail: `not checked: a contract wallet (EIP-1271) needs your node: give --rpc ${a.chain}=URL`, evidence: { scheme: 'eip1271' } });
    return 'unchecked';
  }
  if (own.status === 'accepts-anything') {
    add({ name: 'ownership-accepts-anything', status: a.counted ? 'fail' : 'warn', subject, detail: `${own.reason}${a.counted ? '; the report counts it' : ' (not counted by the exchange either)'}`, evidence: { scheme: own.scheme ?? 'eip1271' } });
    return 'failed';
  }
  const status: Status = own.status === 'proven' ? 'pass' : own.status === 'failed' ? 'fail' : 'warn';
  add({
    name: 'ownership-signature',
    status: status === 'fail' && !a.counted ? 'warn' : status,
    subject,
    detail: own.status === 'proven' ? `${own.reason}${own.scheme ? ` (${own.scheme})` : ''}` : `${own.status === 'failed' ? 'invalid' : 'not checked'}: ${own.reason}${a.counted ? '' : ' (not counted by the exchange either)'}`,
    evidence: { scheme: own.scheme ?? a.ownership.scheme },
  });
  // Only a contract wallet read offline counts as undecided; anything else unproven stays unproven.
  return own.status === 'proven' ? 'proven' : 'failed';
}

/**
 * Each chain's identity (docs/RESERVES.md): the report's `id` where it states one, checked against
 * its chainId / network; else derived from them (reports written before `id`). Two chains with one
 * identity are one chain listed twice. Returns name → identity for the chains that have one.
 */
function checkChainIdentities(report: Report, add: (c: AuditCheck) => void): Map<string, string> {
  const idOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  for (const c of report.chains) {
    const id = reportChainIdentity(c);
    if (typeof id !== 'string') {
      add({ name: 'chain-identity', status: 'fail', subject: `chain ${c.chain}`, detail: id.problem });
      continue;
    }
    const first = nameOf.get(id);
    if (first !== undefined) add({ name: 'duplicate-chain', status: 'fail', subject: `chain ${c.chain}`, detail: `chains ${first} and ${c.chain} are the same chain (${id}): coins listed under both names would count twice`, evidence: { chain: id } });
    else nameOf.set(id, c.chain);
    idOf.set(c.chain, id);
  }
  return idOf;
}

/** A report chain's identity, or why it has none that agrees with its own fields. */
export function reportChainIdentity(c: Report['chains'][number]): string | { problem: string } {
  if (c.id === undefined) return chainIdentity(c) ?? { problem: `chain ${c.chain} has neither an id nor a chainId / network that identifies it` };
  if (!CHAIN_IDENTITY.test(c.id)) return { problem: `chain ${c.chain} has id "${c.id}", not a CAIP-2 id (eip155:N or bip122:GENESIS)` };
  const ok =
    c.kind === 'evm'
      ? c.id === chainIdentity(c)
      : c.kind === 'bitcoin' && (GENESIS[(c.network ?? 'mainnet') as BitcoinNetwork] ?? []).some((g) => c.id === `bip122:${g.slice(0, 32)}`);
  return ok ? c.id : { problem: `chain ${c.chain} says it is ${c.id}, but its ${c.kind === 'evm' ? `chainId is ${c.chainId ?? 'missing'}` : `network is ${c.network ?? 'mainnet'}`}` };
}

/** The report's addresses as a wallet manifest, so src/reserves can read them again. */
export function manifestFromReport(report: Report, opts: { unidentified?: 'throw' | 'mark' } = {}): WalletManifest {
  const chains: ChainSpec[] = report.chains.map((c) => {
    let id = reportChainIdentity(c);
    if (typeof id !== 'string') {
      if (opts.unidentified !== 'mark') throw porError('BAD_INPUT', id.problem, { chain: c.chain, field: 'chains.id' });
      // The audit has failed it already (chain-identity); it is not read, and no proof on it matches.
      id = `${UNIDENTIFIED}${c.chain}`;
    }
    const spec: ChainSpec = { name: c.chain, kind: c.kind === 'bitcoin' ? 'bitcoin' : 'evm', id };
    if (spec.kind === 'evm') spec.chainId = Number(c.chainId);
    else {
      spec.network = (c.network ?? 'mainnet') as BitcoinNetwork;
      // The node must have exactly this genesis (identity.ts): the one the id names.
      spec.genesis = GENESIS[spec.network].find((g) => id === `bip122:${g.slice(0, 32)}`);
    }
    return spec;
  });
  return {
    // A report without an exchange name cannot match any v1 ownership message: every proof fails.
    exchange: report.exchange ?? '',
    snapshot: report.snapshot,
    chains,
    addresses: report.addresses.map((a, index) => {
      const e: WalletManifest['addresses'][number] = { chain: a.chain, address: a.address, label: a.label ?? '', assets: [...new Set(a.balances.map((b) => b.asset))], index };
      if (a.ownership) e.ownership = { message: a.ownership.message, signature: a.ownership.signature, scheme: a.ownership.scheme };
      return e;
    }),
  };
}

function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

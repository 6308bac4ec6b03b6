// Step 6 of `por audit`, per address: its ownership proof present, bound to this report, signed by
// the address (re-checked at the published block when the auditor's node read it); its balances as
// the node read them. What it yields is what coverage (step 7) may count.
import { formatAmount } from '../core/money/index.js';
import { addressKey } from '../core/reserves/identity.js';
import { checkOwnership, ownershipMessageProblem, type AddressResult, type BitcoinVerifier, type ChainSpec, type ReservesResult, type WalletManifest } from '../reserves/index.js';
import type { HeldBalance } from '../core/report/solvency.js';
import type { Report, ReportAddress } from '../core/report/types.js';
import type { Status } from '../core/checks/index.js';
import type { KeyOf } from './identity.js';
import type { AddCheck } from './report-checks.js';

type Ownership = 'proven' | 'unchecked' | 'failed' | 'unread';

/** What the per-address checks leave for coverage. */
export interface AddressBalances {
  /** Balances of addresses whose ownership this audit proved: as its node read them, or as stated where it read no node. */
  audited: HeldBalance[];
  /** Counted by the exchange, ownership neither proven nor disproven here (a contract wallet without
   *  a node): a shortfall that these would cover is unverified, not shown. */
  unverified: HeldBalance[];
  /** Assets with a balance or proof the audit could not read: their coverage is not decided. */
  unreadAssets: Set<string>;
}

/** 6. Every address once (by its key), in the report's order: ownership, then balances. */
export async function checkAddresses(
  report: Report,
  manifest: WalletManifest,
  read: ReservesResult | undefined,
  keyOf: KeyOf,
  verifyBitcoin: BitcoinVerifier | undefined,
  add: AddCheck,
): Promise<AddressBalances> {
  const readBy = new Map<string, AddressResult>();
  for (const a of read?.addresses ?? []) if (a.duplicateOf === undefined) readBy.set(addressKey(a.chain, a.address), a);
  const out: AddressBalances = { audited: [], unverified: [], unreadAssets: new Set<string>() };
  const chainSpec = new Map(manifest.chains.map((c) => [c.name, c]));
  const counted = new Set<string>();
  for (const a of report.addresses) {
    // An address listed twice (under two chain names, or twice under one) counts once: check 4 failed it.
    if (counted.has(keyOf(a))) continue;
    counted.add(keyOf(a));
    const got = readBy.get(addressKey(a.chain, a.address));
    const ownership = await checkAddressOwnership(a, got, chainSpec.get(a.chain), manifest, add, verifyBitcoin);
    if (ownership === 'unread') for (const b of a.balances) out.unreadAssets.add(b.asset);
    if (ownership === 'unchecked' && a.counted) {
      for (const b of a.balances) {
        const g = got?.balances.find((x) => x.asset === b.asset);
        out.unverified.push({ asset: b.asset, units: g?.balance ?? BigInt(b.units), decimals: b.decimals });
      }
    }
    if (got) checkBalances(report, a, got, ownership === 'proven', out, add);
    else if (ownership === 'proven') for (const b of a.balances) out.audited.push({ asset: b.asset, units: BigInt(b.units), decimals: b.decimals });
  }
  return out;
}

/** One address's balances as the auditor's node read them at the published block, against the report's. */
function checkBalances(report: Report, a: ReportAddress, got: AddressResult, proven: boolean, out: AddressBalances, add: AddCheck): void {
  const subject = `${a.chain} ${a.address}`;
  for (const b of a.balances) {
    const g = got.balances.find((x) => x.asset === b.asset);
    const block = report.chains.find((c) => c.chain === a.chain)?.block.number ?? '?';
    if (!g || g.balance === undefined) {
      add({ name: 'balance', status: 'unread', subject, detail: `could not read ${b.asset} at block ${block}: ${g?.error ?? 'not read'}` });
      out.unreadAssets.add(b.asset);
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
    if (proven) out.audited.push({ asset: b.asset, units: g.balance, decimals: g.decimals });
  }
}

async function checkAddressOwnership(
  a: ReportAddress,
  got: AddressResult | undefined,
  chain: ChainSpec | undefined,
  m: WalletManifest,
  add: AddCheck,
  verifyBitcoin: BitcoinVerifier | undefined,
): Promise<Ownership> {
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
    : await checkOwnership({ chain: chain!, address: a.address, message: a.ownership.message, signature: a.ownership.signature, exchange: m.exchange, snapshot: m.snapshot, ...(verifyBitcoin ? { verifyBitcoin } : {}) });
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

// Step 4 of `por audit`: chains are what they are, not what they are called (CAIP-2 identity,
// docs/RESERVES.md); an address is listed once per chain identity, and not claimed in another
// exchange's report under any chain name. Also the report's addresses as a wallet manifest, so
// src/reserves can read them again (the audit and `por watch`).
import { porError } from '../core/errors/index.js';
import { addressKey, chainIdentity, CHAIN_IDENTITY, GENESIS, type BitcoinNetwork } from '../core/reserves/identity.js';
import type { ChainSpec, WalletManifest } from '../reserves/index.js';
import type { Report, ReportAddress } from '../core/report/types.js';
import type { AddCheck } from './report-checks.js';
import { sameExchange, sameExchangeDetail, verifiedSigner, type OtherReport } from './other.js';

/** Prefix of the placeholder identity of a report chain whose own fields contradict each other. */
export const UNIDENTIFIED = 'unidentified:';

/** An address's key in a report: its chain's identity and the address as compared (core/reserves/identity.ts). */
export type KeyOf = (a: ReportAddress) => string;

/**
 * 4. Chain identities, then addresses unique here (by chain identity) and not claimed in another
 * report. Returns the key every later step counts an address by, so one listed twice counts once.
 */
export function checkAddressIdentities(report: Report, others: readonly OtherReport[], add: AddCheck, signer?: string): KeyOf {
  const idOf = checkChainIdentities(report, add);
  const keyOf: KeyOf = (a) => addressKey(idOf.get(a.chain) ?? `unknown:${a.chain}`, a.address);
  const seen = new Map<string, number>();
  report.addresses.forEach((a, i) => {
    const k = keyOf(a);
    const prev = seen.get(k);
    if (prev !== undefined) add({ name: 'duplicate-address', status: 'fail', subject: `${a.chain} ${a.address}`, detail: `listed twice (entries ${prev} and ${i}): its balance would be counted twice` });
    else seen.set(k, i);
  });
  for (const other of others) checkOtherReport(report, idOf, keyOf, other, add, signer);
  return keyOf;
}

/**
 * No address of this report appears in another exchange's report, under any chain name. The same
 * exchange's report of another snapshot (other.ts) shares its wallets by nature: compared, not failed.
 */
function checkOtherReport(report: Report, idOf: ReadonlyMap<string, string>, keyOf: KeyOf, other: OtherReport, add: AddCheck, signer: string | undefined): void {
  const otherIds = checkChainIdentities(other.report, () => {});
  const keys = new Map(other.report.addresses.map((a) => [addressKey(otherIds.get(a.chain) ?? `unknown:${a.chain}`, a.address), a]));
  const sharedAddresses = report.addresses.filter((a) => keys.has(keyOf(a)));
  const why = sameExchange({ report, signer }, { report: other.report, signer: verifiedSigner(other.bytes, other.signature) });
  if (why !== null) {
    const { ok, detail } = sameExchangeDetail(report, other, why, sharedAddresses.length);
    add({ name: 'other-report', status: ok ? 'pass' : 'fail', subject: other.file, detail, evidence: { otherFile: other.file, otherSnapshot: other.report.snapshot.id, sameExchange: why } });
    return;
  }
  for (const a of sharedAddresses) {
    const o = keys.get(keyOf(a))!;
    add({
      name: 'other-report',
      status: 'fail',
      subject: `${a.chain} ${a.address}`,
      detail: `also claimed in ${other.file} (${other.report.exchange ?? 'another report'}, snapshot ${other.report.snapshot.id}${o.chain !== a.chain ? `, where chain ${idOf.get(a.chain)} is called ${o.chain}` : ''}): the same coins cannot back two exchanges`,
      evidence: { otherFile: other.file, otherSnapshot: other.report.snapshot.id, chain: idOf.get(a.chain) ?? a.chain },
    });
  }
  if (sharedAddresses.length === 0) add({ name: 'other-report', status: 'pass', subject: other.file, detail: `no address of this report appears in ${other.file}` });
}

/**
 * Each chain's identity (docs/RESERVES.md): the report's `id` where it states one, checked against
 * its chainId / network; else derived from them (reports written before `id`). Two chains with one
 * identity are one chain listed twice. Returns name → identity for the chains that have one.
 */
function checkChainIdentities(report: Report, add: AddCheck): Map<string, string> {
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
function reportChainIdentity(c: Report['chains'][number]): string | { problem: string } {
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

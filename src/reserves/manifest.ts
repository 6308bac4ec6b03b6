// The wallet manifest ("por-wallets" v2): which chains, which addresses, which assets to count at
// each, and each address's ownership proof (read by src/core/documents/wallets.ts, with ethers'
// address check), and the ownership message every address signs. See docs/FORMATS.md.
import { getAddress, isAddress } from 'ethers';
import type { AssetRegistry } from '../core/assets/index.js';
import { FORMAT, VERSION, read, type WalletManifest } from '../core/documents/wallets.js';

export const WALLETS_FORMAT = FORMAT;
/** v2: an `exchange` name, chains identified by what they are, ownership messages compared whole. */
export const WALLETS_VERSION = VERSION;

export type { ChainKind } from '../core/reserves/types.js';
export type { BitcoinNetwork } from '../core/reserves/identity.js';
export type { ChainSpec, OwnershipProof, WalletEntry, WalletManifest } from '../core/documents/wallets.js';

/** Parses and checks a manifest (the por-wallets module); with a registry, every asset must exist on the address's chain. */
export function parseWalletManifest(json: unknown, file = 'wallets', registry?: AssetRegistry): WalletManifest {
  const evmAddress = (a: string): string | undefined => (isAddress(a) ? getAddress(a) : undefined);
  return read(json, file, registry ? { registry, evmAddress } : { evmAddress });
}

/** What an ownership message names: everything that binds a signature to one report. */
export interface OwnershipSubject {
  exchange: string;
  snapshot: { id: string; time: string };
  /** The chain's identity (CAIP-2), never its name: a renamed chain is the same chain. */
  chain: string;
  address: string;
}

/** First line of every por ownership message; the version moves if the template changes. */
export const OWNERSHIP_MESSAGE_HEADER = 'por ownership proof v1';

/**
 * The one message an address signs for a report (docs/RESERVES.md). It is compared whole with
 * what was signed, never searched: no snapshot id, however common a word, can make another
 * snapshot's message match.
 */
export function ownershipMessage(s: OwnershipSubject): string {
  return [OWNERSHIP_MESSAGE_HEADER, `exchange: ${s.exchange}`, `snapshot: ${s.snapshot.id}`, `time: ${canonicalTime(s.snapshot.time)}`, `chain: ${s.chain}`, `address: ${messageAddress(s.address)}`].join('\n');
}

/** EVM addresses in their EIP-55 checksummed form (one spelling); others as written. */
function messageAddress(a: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(a) && isAddress(a.toLowerCase()) ? getAddress(a.toLowerCase()) : a;
}

/** ISO 8601 in UTC with milliseconds, as reports store it: one spelling of one instant. */
function canonicalTime(t: string): string {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

/** undefined when `message` is exactly this subject's ownership message; otherwise why not. */
export function ownershipMessageProblem(message: string, s: OwnershipSubject): string | undefined {
  const want = ownershipMessage(s);
  if (message === want) return undefined;
  const replay = ' (a signature made for another report cannot be reused)';
  const got = message.split('\n');
  if (got[0] !== OWNERSHIP_MESSAGE_HEADER) return `the signed message is not a por ownership message (it must be exactly what \`por ownership-message\` prints)${replay}`;
  // Name the first line that differs, so an exchange can see what it signed wrongly.
  const lines = want.split('\n');
  const i = lines.findIndex((l, k) => got[k] !== l);
  if (i < 0) return `the signed message has lines after "${lines.at(-1)}"${replay}`;
  const key = lines[i]!.slice(0, lines[i]!.indexOf(':'));
  return `the signed message says "${got[i] ?? '(nothing)'}" where this report's says "${lines[i]}": it is not this report's message (${key} differs)${replay}`;
}

/** Every address's message, in manifest order: what `por ownership-message` prints. */
export function ownershipMessages(m: WalletManifest): { index: number; chain: string; chainId: string; address: string; label: string; message: string }[] {
  const byName = new Map(m.chains.map((c) => [c.name, c]));
  return m.addresses.map((e) => {
    const chain = byName.get(e.chain)!.id;
    return { index: e.index, chain: e.chain, chainId: chain, address: e.address, label: e.label, message: ownershipMessage({ exchange: m.exchange, snapshot: m.snapshot, chain, address: e.address }) };
  });
}

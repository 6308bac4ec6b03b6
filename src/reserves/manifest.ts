// The wallet manifest ("por-wallets" v2): which chains, which addresses, which assets to count at
// each, and each address's ownership proof. Pure: callers hand in parsed JSON. See docs/FORMATS.md.
import { getAddress, isAddress } from 'ethers';
import { porError } from '../core/errors/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { isObject } from '../core/json/index.js';
import { chainIdentity, GENESIS, type BitcoinNetwork } from '../core/reserves/identity.js';

export const WALLETS_FORMAT = 'por-wallets';
/** v2: an `exchange` name, chains identified by what they are, ownership messages compared whole. */
export const WALLETS_VERSION = 2;

export type { ChainKind } from '../core/reserves/types.js';
import type { ChainKind } from '../core/reserves/types.js';
export type { BitcoinNetwork } from '../core/reserves/identity.js';

export interface ChainSpec {
  name: string;
  kind: ChainKind;
  /** EVM: the chain id the node must report (1 for Ethereum mainnet, 31337 for anvil). */
  chainId?: number;
  /** Bitcoin: which network the Esplora server must serve (checked against its genesis block). */
  network?: BitcoinNetwork;
  /** Bitcoin: the genesis block hash the server must have (default: the network's). */
  genesis?: string;
  /** What the chain is (CAIP-2: "eip155:1", "bip122:000000000019d6689c085ae165831e93"); see identity.ts. */
  id: string;
}

export interface OwnershipProof {
  message: string;
  signature: string;
  /** Optional hint: "eip191", "eip1271", "bip322", "bip137". The checker decides from the chain. */
  scheme?: string;
}

export interface WalletEntry {
  chain: string;
  /** As written in the manifest (EVM: normalised to the checksummed form). */
  address: string;
  label: string;
  assets: string[];
  ownership?: OwnershipProof;
  /** Position in the manifest's addresses array, for error messages. */
  index: number;
}

export interface WalletManifest {
  /** The exchange the reserves belong to: named in every ownership message. */
  exchange: string;
  snapshot: { id: string; time: string };
  chains: ChainSpec[];
  addresses: WalletEntry[];
}

const NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'signet', 'regtest'];
const SNAPSHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** One line of printable text: it is a line of the signed message and is shown in terminals. */
const EXCHANGE = /^[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}](?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{0,98}[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}])?$/u;

type Fail = (message: string, field?: string) => never;

/** Parses and checks a manifest; with a registry, every asset must exist on the address's chain. */
export function parseWalletManifest(json: unknown, file = 'wallets', registry?: AssetRegistry): WalletManifest {
  const fail: Fail = (message, field) => {
    throw porError('BAD_INPUT', message, field === undefined ? { file } : { file, field });
  };
  if (!isObject(json)) return fail('wallet manifest must be a JSON object');
  if (json.format !== WALLETS_FORMAT) fail(`format must be "${WALLETS_FORMAT}"; ${typeof json.format === 'string' ? `this file is "${json.format}"` : 'this file has no "format"'}`, 'format');
  if (json.version === 1) {
    fail('version 1 manifests are no longer read: their ownership messages only had to mention the snapshot id, which let old signatures be replayed. Write version 2 (docs/FORMATS.md): add "exchange", and sign the messages `por ownership-message` prints', 'version');
  }
  if (json.version !== WALLETS_VERSION) fail(`unsupported version ${String(json.version)}; this por reads version ${WALLETS_VERSION}`, 'version');
  if (typeof json.exchange !== 'string' || !EXCHANGE.test(json.exchange)) fail('exchange must be the exchange\'s name: 1–100 printable characters on one line, no leading or trailing space', 'exchange');
  const snapshot = parseSnapshot(json.snapshot, fail);
  const chains = parseChains(json.chains, fail);
  const byName = new Map(chains.map((c) => [c.name, c]));
  if (!Array.isArray(json.addresses)) return fail('"addresses" must be an array', 'addresses');
  const addresses = json.addresses.map((a: unknown, i: number) => parseEntry(a, i, byName, fail, registry));
  return { exchange: json.exchange as string, snapshot, chains, addresses };
}

function parseSnapshot(snap: unknown, fail: Fail): { id: string; time: string } {
  if (!isObject(snap)) return fail('"snapshot" must be an object with "id" and "time"', 'snapshot');
  if (typeof snap.id !== 'string' || !SNAPSHOT_ID.test(snap.id)) fail('snapshot id must be 1–128 letters, digits, ".", "_", ":" or "-"', 'snapshot.id');
  if (typeof snap.time !== 'string' || Number.isNaN(Date.parse(snap.time)) || !/^\d{4}-\d\d-\d\dT/.test(snap.time)) fail('snapshot time must be an ISO 8601 date-time, e.g. 2026-11-24T00:00:00Z', 'snapshot.time');
  return { id: snap.id as string, time: snap.time as string };
}

/** The chains, each with its identity; two entries that are the same chain are an error. */
function parseChains(list: unknown, fail: Fail): ChainSpec[] {
  if (!Array.isArray(list) || list.length === 0) return fail('"chains" must be a non-empty array', 'chains');
  const chains: ChainSpec[] = [];
  list.forEach((c: unknown, i: number) => {
    const spec = parseChain(c, `chains[${i}]`, fail);
    const sameName = chains.findIndex((x) => x.name === spec.name);
    if (sameName >= 0) fail(`chain ${spec.name} is listed twice (chains[${sameName}])`, `chains[${i}].name`);
    const same = chains.findIndex((x) => x.id === spec.id);
    if (same >= 0) {
      const field = spec.kind === 'evm' ? 'chainId' : spec.genesis !== undefined ? 'genesis' : 'network';
      fail(`chain ${spec.name} is the same chain as ${chains[same]!.name} (chains[${same}]): both are ${spec.id}. A chain listed under two names would count its coins twice`, `chains[${i}].${field}`);
    }
    chains.push(spec);
  });
  return chains;
}

function parseChain(c: unknown, at: string, fail: Fail): ChainSpec {
  if (!isObject(c)) return fail('must be an object', at);
  if (typeof c.name !== 'string' || c.name === '') return fail('name must be a non-empty string', `${at}.name`);
  if (c.kind === 'evm') {
    if (typeof c.chainId !== 'number' || !Number.isSafeInteger(c.chainId) || c.chainId <= 0) return fail('an evm chain needs a positive integer "chainId" (it is checked against the node)', `${at}.chainId`);
    return { name: c.name, kind: 'evm', chainId: c.chainId, id: chainIdentity({ kind: 'evm', chainId: c.chainId })! };
  }
  if (c.kind !== 'bitcoin') return fail('kind must be "evm" or "bitcoin"', `${at}.kind`);
  const network = c.network ?? 'mainnet';
  if (typeof network !== 'string' || !NETWORKS.includes(network as BitcoinNetwork)) return fail(`network must be one of ${NETWORKS.join(', ')}`, `${at}.network`);
  const spec: ChainSpec = { name: c.name, kind: 'bitcoin', network: network as BitcoinNetwork, id: '' };
  if (c.genesis !== undefined) {
    if (typeof c.genesis !== 'string' || !GENESIS[network as BitcoinNetwork].includes(c.genesis)) {
      return fail(`genesis must be the genesis block hash of ${network} (lower-case hex: ${GENESIS[network as BitcoinNetwork].join(' or ')})`, `${at}.genesis`);
    }
    spec.genesis = c.genesis;
  }
  spec.id = chainIdentity(spec)!;
  return spec;
}

function parseEntry(a: unknown, i: number, byName: Map<string, ChainSpec>, fail: Fail, registry?: AssetRegistry): WalletEntry {
  const at = `addresses[${i}]`;
  if (!isObject(a)) return fail('must be an object', at);
  if (typeof a.chain !== 'string') return fail('chain must be a string', `${at}.chain`);
  const chain = byName.get(a.chain);
  if (!chain) return fail(`chain "${a.chain}" is not listed in "chains"`, `${at}.chain`);
  if (typeof a.address !== 'string' || a.address === '') return fail('address must be a non-empty string', `${at}.address`);
  let address = a.address;
  if (chain.kind === 'evm') {
    if (!isAddress(address)) return fail(`"${address}" is not an EVM address (or its checksum is wrong)`, `${at}.address`);
    address = getAddress(address);
  } else if (!/^[a-zA-Z0-9]{14,90}$/.test(address)) {
    return fail(`"${address}" is not a Bitcoin address`, `${at}.address`);
  }
  const label = a.label ?? '';
  if (typeof label !== 'string') return fail('label must be a string', `${at}.label`);
  if (!Array.isArray(a.assets) || a.assets.length === 0 || !a.assets.every((s: unknown) => typeof s === 'string')) {
    return fail('assets must be a non-empty array of asset symbols', `${at}.assets`);
  }
  const assets = [...new Set(a.assets as string[])];
  if (registry) {
    for (const sym of assets) {
      const idx = registry.index.get(sym);
      if (idx === undefined) fail(`asset ${sym} is not in the asset registry`, `${at}.assets`);
      const asset = registry.assets[idx as number];
      if (!asset?.onchain.some((o) => o.chain === chain.name)) fail(`asset ${sym} has no on-chain representation on chain ${chain.name} in the asset registry`, `${at}.assets`);
    }
  }
  const entry: WalletEntry = { chain: chain.name, address, label, assets, index: i };
  if (a.ownership !== undefined) {
    const o = a.ownership;
    if (!isObject(o) || typeof o.message !== 'string' || typeof o.signature !== 'string') {
      return fail('ownership must be {"message": "...", "signature": "..."}', `${at}.ownership`);
    }
    entry.ownership = { message: o.message, signature: o.signature };
    if (typeof o.scheme === 'string') entry.ownership.scheme = o.scheme;
  }
  return entry;
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

// The wallet manifest ("por-wallets" v1): which chains, which addresses, which assets to count at
// each, and each address's ownership proof. Pure: callers hand in parsed JSON. See docs/FORMATS.md.
import { getAddress, isAddress } from 'ethers';
import { porError } from '../errors/index.js';
import type { AssetRegistry } from '../assets/index.js';
import { isObject } from '../json/index.js';

export const WALLETS_FORMAT = 'por-wallets';
export const WALLETS_VERSION = 1;

export type ChainKind = 'evm' | 'bitcoin';
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'signet' | 'regtest';

export interface ChainSpec {
  name: string;
  kind: ChainKind;
  /** EVM: the chain id the node must report (1 for Ethereum mainnet, 31337 for anvil). */
  chainId?: number;
  /** Bitcoin: which network the Esplora server must serve (checked against its genesis block). */
  network?: BitcoinNetwork;
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
  snapshot: { id: string; time: string };
  chains: ChainSpec[];
  addresses: WalletEntry[];
}

const NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'signet', 'regtest'];
const SNAPSHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Parses and checks a manifest; with a registry, every asset must exist on the address's chain. */
export function parseWalletManifest(json: unknown, file = 'wallets', registry?: AssetRegistry): WalletManifest {
  const fail = (message: string, field?: string): never => {
    throw porError('BAD_INPUT', message, field === undefined ? { file } : { file, field });
  };
  if (!isObject(json)) return fail('wallet manifest must be a JSON object');
  if (json.format !== WALLETS_FORMAT) fail(`format must be "${WALLETS_FORMAT}"; ${typeof json.format === 'string' ? `this file is "${json.format}"` : 'this file has no "format"'}`, 'format');
  if (json.version !== WALLETS_VERSION) fail(`unsupported version ${String(json.version)}; this por reads version ${WALLETS_VERSION}`, 'version');
  const snap = json.snapshot;
  if (!isObject(snap)) return fail('"snapshot" must be an object with "id" and "time"', 'snapshot');
  if (typeof snap.id !== 'string' || !SNAPSHOT_ID.test(snap.id)) fail('snapshot id must be 1–128 letters, digits, ".", "_", ":" or "-"', 'snapshot.id');
  if (typeof snap.time !== 'string' || Number.isNaN(Date.parse(snap.time)) || !/^\d{4}-\d\d-\d\dT/.test(snap.time)) fail('snapshot time must be an ISO 8601 date-time, e.g. 2026-11-24T00:00:00Z', 'snapshot.time');
  const snapshot = { id: snap.id as string, time: snap.time as string };

  if (!Array.isArray(json.chains) || json.chains.length === 0) return fail('"chains" must be a non-empty array', 'chains');
  const chains: ChainSpec[] = [];
  const byName = new Map<string, ChainSpec>();
  json.chains.forEach((c: unknown, i: number) => {
    const at = `chains[${i}]`;
    if (!isObject(c)) return fail('must be an object', at);
    if (typeof c.name !== 'string' || c.name === '') return fail('name must be a non-empty string', `${at}.name`);
    if (byName.has(c.name)) return fail(`chain ${c.name} is listed twice`, `${at}.name`);
    if (c.kind !== 'evm' && c.kind !== 'bitcoin') return fail('kind must be "evm" or "bitcoin"', `${at}.kind`);
    const spec: ChainSpec = { name: c.name, kind: c.kind };
    if (c.kind === 'evm') {
      if (typeof c.chainId !== 'number' || !Number.isSafeInteger(c.chainId) || c.chainId <= 0) return fail('an evm chain needs a positive integer "chainId" (it is checked against the node)', `${at}.chainId`);
      spec.chainId = c.chainId;
    } else {
      const network = c.network ?? 'mainnet';
      if (typeof network !== 'string' || !NETWORKS.includes(network as BitcoinNetwork)) return fail(`network must be one of ${NETWORKS.join(', ')}`, `${at}.network`);
      spec.network = network as BitcoinNetwork;
    }
    byName.set(spec.name, spec);
    chains.push(spec);
  });

  if (!Array.isArray(json.addresses)) return fail('"addresses" must be an array', 'addresses');
  const addresses: WalletEntry[] = json.addresses.map((a: unknown, i: number) => {
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
  });
  return { snapshot, chains, addresses };
}

/**
 * The message por suggests an exchange signs for one address. Any message works as long as it
 * names the snapshot id (see messageBindsSnapshot); this one also names the date and address.
 */
export function ownershipMessage(snapshot: { id: string; time: string }, chain: string, address: string): string {
  return `por proof of reserves\nsnapshot: ${snapshot.id}\ntime: ${snapshot.time}\nchain: ${chain}\naddress: ${address}\nI control this address.`;
}

/**
 * A signature is only fresh if its message names this snapshot's id as a whole word (so
 * "demo-2026-11-2" does not match "demo-2026-11-24"). Returns the reason when it does not.
 */
export function messageBindsSnapshot(message: string, snapshotId: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = message.indexOf(snapshotId, from);
    if (at < 0) return `the signed message does not name snapshot "${snapshotId}" (a signature from another snapshot cannot be reused)`;
    // A word boundary: not a letter, digit, "_" or "-"; "." or ":" only when punctuation
    // (so "…snapshot demo-1." matches but "demo-1.5" does not).
    const before = message.slice(Math.max(0, at - 2), at);
    const after = message.slice(at + snapshotId.length, at + snapshotId.length + 2);
    const joinsBefore = /[A-Za-z0-9_-]$/.test(before) || /[A-Za-z0-9][.:]$/.test(before);
    const joinsAfter = /^[A-Za-z0-9_-]/.test(after) || /^[.:][A-Za-z0-9]/.test(after);
    if (!joinsBefore && !joinsAfter) return undefined;
    from = at + 1;
  }
}

/** The key under which two entries are the same address on the same chain. */
export function addressKey(chain: ChainSpec, address: string): string {
  // EVM addresses are case-insensitive; bech32 is case-insensitive; base58 is not.
  const norm = chain.kind === 'evm' || /^(bc|tb|bcrt)1/i.test(address) ? address.toLowerCase() : address;
  return `${chain.name}\u0000${norm}`;
}


// wallets.json: `por-wallets` v2, the exchange's wallet manifest (docs/FORMATS.md): which chains,
// which addresses, which assets to count at each, and each address's ownership proof. Read through
// the located reader (file, field path, line:column). Pure: the EVM address check is handed in
// (src/reserves/manifest.ts gives ethers'); without one, EIP-55 is checked here with keccak-256.
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { AssetRegistry } from '../assets/index.js';
import { JsonAt, inOrder, type Where } from '../json/read.js';
import { chainIdentity, GENESIS, type BitcoinNetwork } from '../reserves/identity.js';
import type { ChainKind } from '../reserves/types.js';

export const FORMAT = 'por-wallets';
/** v2: an `exchange` name, chains identified by what they are, ownership messages compared whole. */
export const VERSION = 2;
export const FIELDS = ['format', 'version', 'exchange', 'snapshot', 'chains', 'addresses'] as const;

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

/** What a reader checks beyond the shape: the registry's assets, and how an EVM address is checked. */
export interface WalletChecks {
  registry?: AssetRegistry;
  /** The checksummed form of an EVM address, or undefined when it is not one (or its checksum is wrong). */
  evmAddress?: (address: string) => string | undefined;
}

const NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'signet', 'regtest'];
const SNAPSHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** One line of printable text: it is a line of the signed message and is shown in terminals. */
const EXCHANGE = /^[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}](?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{0,98}[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}])?$/u;

/** The manifest as por writes it back (`por reserves` and the samples), fields in FORMATS.md order. */
export function write(m: WalletManifest): Record<string, unknown> {
  const addresses = m.addresses.map(({ index: _index, ...e }) => e);
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...m, addresses });
}

/** Parses and checks a manifest; with a registry, every asset must exist on the address's chain. */
export function read(json: unknown, where: string | Where = {}, checks: WalletChecks = {}): WalletManifest {
  const doc = JsonAt.root(json, where);
  const o = doc.value;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return doc.fail('wallet manifest must be a JSON object');
  const m = o as Record<string, unknown>;
  if (m.format !== FORMAT) doc.get('format').fail(`format must be "${FORMAT}"; ${typeof m.format === 'string' ? `this file is "${m.format}"` : 'this file has no "format"'}`);
  if (m.version === 1) {
    doc.get('version').fail('version 1 manifests are no longer read: their ownership messages only had to mention the snapshot id, which let old signatures be replayed. Write version 2 (docs/FORMATS.md): add "exchange", and sign the messages `por ownership-message` prints');
  }
  if (m.version !== VERSION) doc.get('version').fail(`unsupported version ${String(m.version)}; this por reads version ${VERSION}`);
  if (typeof m.exchange !== 'string' || !EXCHANGE.test(m.exchange)) doc.get('exchange').fail('exchange must be the exchange\'s name: 1–100 printable characters on one line, no leading or trailing space');
  const snapshot = readSnapshot(doc.get('snapshot'));
  const chains = readChains(doc.get('chains'));
  const byName = new Map(chains.map((c) => [c.name, c]));
  const list = doc.get('addresses');
  if (!Array.isArray(list.value)) return list.fail('"addresses" must be an array');
  const evm = checks.evmAddress ?? checksummed;
  const addresses = list.array().map((a, i) => readEntry(a, i, byName, evm, checks.registry));
  return { exchange: m.exchange as string, snapshot, chains, addresses };
}

function readSnapshot(at: JsonAt): { id: string; time: string } {
  const snap = at.value as Record<string, unknown>;
  if (typeof snap !== 'object' || snap === null || Array.isArray(snap)) return at.fail('"snapshot" must be an object with "id" and "time"');
  if (typeof snap.id !== 'string' || !SNAPSHOT_ID.test(snap.id)) at.get('id').fail('snapshot id must be 1–128 letters, digits, ".", "_", ":" or "-"');
  if (typeof snap.time !== 'string' || Number.isNaN(Date.parse(snap.time)) || !/^\d{4}-\d\d-\d\dT/.test(snap.time)) at.get('time').fail('snapshot time must be an ISO 8601 date-time, e.g. 2026-11-24T00:00:00Z');
  return { id: snap.id as string, time: snap.time as string };
}

/** The chains, each with its identity; two entries that are the same chain are an error. */
function readChains(at: JsonAt): ChainSpec[] {
  if (!Array.isArray(at.value) || at.value.length === 0) return at.fail('"chains" must be a non-empty array');
  const chains: ChainSpec[] = [];
  for (const c of at.array()) {
    const spec = readChain(c);
    const sameName = chains.findIndex((x) => x.name === spec.name);
    if (sameName >= 0) c.get('name').fail(`chain ${spec.name} is listed twice (chains[${sameName}])`);
    const same = chains.findIndex((x) => x.id === spec.id);
    if (same >= 0) {
      const field = spec.kind === 'evm' ? 'chainId' : spec.genesis !== undefined ? 'genesis' : 'network';
      c.get(field).fail(`chain ${spec.name} is the same chain as ${chains[same]!.name} (chains[${same}]): both are ${spec.id}. A chain listed under two names would count its coins twice`);
    }
    chains.push(spec);
  }
  return chains;
}

function readChain(at: JsonAt): ChainSpec {
  const c = at.value as Record<string, unknown>;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return at.fail('must be an object');
  if (typeof c.name !== 'string' || c.name === '') return at.get('name').fail('name must be a non-empty string');
  if (c.kind === 'evm') {
    if (typeof c.chainId !== 'number' || !Number.isSafeInteger(c.chainId) || c.chainId <= 0) return at.get('chainId').fail('an evm chain needs a positive integer "chainId" (it is checked against the node)');
    return { name: c.name, kind: 'evm', chainId: c.chainId, id: chainIdentity({ kind: 'evm', chainId: c.chainId })! };
  }
  if (c.kind !== 'bitcoin') return at.get('kind').fail('kind must be "evm" or "bitcoin"');
  const network = c.network ?? 'mainnet';
  if (typeof network !== 'string' || !NETWORKS.includes(network as BitcoinNetwork)) return at.get('network').fail(`network must be one of ${NETWORKS.join(', ')}`);
  const spec: ChainSpec = { name: c.name, kind: 'bitcoin', network: network as BitcoinNetwork, id: '' };
  if (c.genesis !== undefined) {
    if (typeof c.genesis !== 'string' || !GENESIS[network as BitcoinNetwork].includes(c.genesis)) {
      return at.get('genesis').fail(`genesis must be the genesis block hash of ${network} (lower-case hex: ${GENESIS[network as BitcoinNetwork].join(' or ')})`);
    }
    spec.genesis = c.genesis;
  }
  spec.id = chainIdentity(spec)!;
  return spec;
}

function readEntry(at: JsonAt, i: number, byName: Map<string, ChainSpec>, evm: (a: string) => string | undefined, registry?: AssetRegistry): WalletEntry {
  const a = at.value as Record<string, unknown>;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return at.fail('must be an object');
  if (typeof a.chain !== 'string') return at.get('chain').fail('chain must be a string');
  const chain = byName.get(a.chain);
  if (!chain) return at.get('chain').fail(`chain "${a.chain}" is not listed in "chains"`);
  const address = readAddress(at.get('address'), chain, evm);
  const label = a.label ?? '';
  if (typeof label !== 'string') return at.get('label').fail('label must be a string');
  if (!Array.isArray(a.assets) || a.assets.length === 0 || !a.assets.every((s: unknown) => typeof s === 'string')) {
    return at.get('assets').fail('assets must be a non-empty array of asset symbols');
  }
  const assets = [...new Set(a.assets as string[])];
  if (registry) checkAssets(at.get('assets'), assets, chain, registry);
  const entry: WalletEntry = { chain: chain.name, address, label, assets, index: i };
  if (a.ownership !== undefined) {
    const o = a.ownership as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || Array.isArray(o) || typeof o.message !== 'string' || typeof o.signature !== 'string') {
      return at.get('ownership').fail('ownership must be {"message": "...", "signature": "..."}');
    }
    entry.ownership = { message: o.message, signature: o.signature };
    if (typeof o.scheme === 'string') entry.ownership.scheme = o.scheme;
  }
  return entry;
}

/** EVM: checked and checksummed; Bitcoin: its character set and length. */
function readAddress(at: JsonAt, chain: ChainSpec, evm: (a: string) => string | undefined): string {
  const address = at.value;
  if (typeof address !== 'string' || address === '') return at.fail('address must be a non-empty string');
  if (chain.kind === 'evm') return evm(address) ?? at.fail(`"${address}" is not an EVM address (or its checksum is wrong)`);
  if (!/^[a-zA-Z0-9]{14,90}$/.test(address)) return at.fail(`"${address}" is not a Bitcoin address`);
  return address;
}

function checkAssets(at: JsonAt, assets: readonly string[], chain: ChainSpec, registry: AssetRegistry): void {
  for (const sym of assets) {
    const idx = registry.index.get(sym);
    if (idx === undefined) at.fail(`asset ${sym} is not in the asset registry`);
    const asset = registry.assets[idx as number];
    if (!asset?.onchain.some((o) => o.chain === chain.name)) at.fail(`asset ${sym} has no on-chain representation on chain ${chain.name} in the asset registry`);
  }
}

/** EIP-55: all lower-case, all upper-case, or the checksum's own mixed case; returns the checksummed form. */
export function checksummed(address: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return undefined;
  const hex = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? hex[i]!.toUpperCase() : hex[i]!;
  }
  const body = address.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  return mixed && out !== address ? undefined : out;
}

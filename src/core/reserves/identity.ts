// What a chain IS, as opposed to what a manifest or report calls it, and the one key under which
// two entries are the same address on the same chain. Pure (the report, audit and web page use it).
//
// A chain's identity is written as a CAIP-2 chain id (https://chainagnostic.org/CAIPs/caip-2):
//   EVM:     "eip155:<chain id>"                        e.g. eip155:1 (Ethereum), eip155:31337 (anvil)
//   Bitcoin: "bip122:<first 32 hex digits of genesis>"   e.g. bip122:000000000019d6689c085ae165831e93
// Names are labels; two names with one identity are one chain, and its coins count once.

export type BitcoinNetwork = 'mainnet' | 'testnet' | 'signet' | 'regtest';

/** Genesis block hashes per network (testnet: testnet3 first, then testnet4). */
export const GENESIS: Record<BitcoinNetwork, readonly string[]> = {
  mainnet: ['000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'],
  testnet: ['000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943', '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043'],
  signet: ['00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6'],
  regtest: ['0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206'],
};

/** What identifies a chain: its kind plus the EVM chain id, or the Bitcoin network and genesis. */
export interface ChainFacts {
  kind: string;
  chainId?: number | string;
  network?: string;
  /** Bitcoin: the genesis block hash (64 hex digits); default: the network's (testnet3 for testnet). */
  genesis?: string;
}

export const CHAIN_IDENTITY = /^(eip155:[1-9][0-9]{0,18}|bip122:[0-9a-f]{32})$/;

/** The CAIP-2 identity of a chain, or undefined when the facts do not fix one. */
export function chainIdentity(c: ChainFacts): string | undefined {
  if (c.kind === 'evm') {
    const id = typeof c.chainId === 'number' ? c.chainId : typeof c.chainId === 'string' && /^[1-9][0-9]{0,18}$/.test(c.chainId) ? Number(c.chainId) : NaN;
    return Number.isSafeInteger(id) && id > 0 ? `eip155:${id}` : undefined;
  }
  if (c.kind === 'bitcoin') {
    const genesis = c.genesis ?? GENESIS[(c.network ?? 'mainnet') as BitcoinNetwork]?.[0];
    return typeof genesis === 'string' && /^[0-9a-f]{64}$/.test(genesis) ? `bip122:${genesis.slice(0, 32)}` : undefined;
  }
  return undefined;
}

/**
 * An address as compared: EVM hex and bech32/bech32m (bc1…, tb1…, bcrt1…, either case, BIP-173
 * allows all upper-case) are case-insensitive, so lower-cased; base58 is case-sensitive and kept as
 * written.
 */
export function normaliseAddress(address: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(address) || /^(bc|tb|bcrt)1[0-9a-z]+$/i.test(address) ? address.toLowerCase() : address;
}

/**
 * The key under which two entries are the same address on the same chain, whatever their names:
 * the only one (reserves, report, audit and the reserves CSV all compare addresses with it).
 */
export function addressKey(identity: string, address: string): string {
  return `${identity}\u0000${normaliseAddress(address)}`;
}

// Bitcoin-family coins whose addresses and signed messages por checks: version bytes, bech32
// prefix and the coin's own signed-message prefix. Pure.

export interface BitcoinNetwork {
  name: 'bitcoin' | 'litecoin' | 'dogecoin' | 'testnet';
  /** The text every signed message starts with (before its length byte). */
  messagePrefix: string;
  pubKeyHash: number;
  scriptHash: number;
  /** An older P2SH version byte still in use (Litecoin's `3…` addresses, before `M…`). */
  scriptHashLegacy?: number;
  /** bech32 human-readable part; `undefined` for coins without segwit addresses. */
  bech32?: string;
  wif: number;
}

export const BITCOIN: BitcoinNetwork = { name: 'bitcoin', messagePrefix: 'Bitcoin Signed Message:\n', pubKeyHash: 0x00, scriptHash: 0x05, bech32: 'bc', wif: 0x80 };
const TESTNET: BitcoinNetwork = { name: 'testnet', messagePrefix: 'Bitcoin Signed Message:\n', pubKeyHash: 0x6f, scriptHash: 0xc4, bech32: 'tb', wif: 0xef };
export const LITECOIN: BitcoinNetwork = { name: 'litecoin', messagePrefix: 'Litecoin Signed Message:\n', pubKeyHash: 0x30, scriptHash: 0x32, scriptHashLegacy: 0x05, bech32: 'ltc', wif: 0xb0 };
export const DOGECOIN: BitcoinNetwork = { name: 'dogecoin', messagePrefix: 'Dogecoin Signed Message:\n', pubKeyHash: 0x1e, scriptHash: 0x16, wif: 0x9e };

const REGTEST: BitcoinNetwork = { ...TESTNET, bech32: 'bcrt' };

const BITCOIN_NETWORKS = {
  bitcoin: BITCOIN,
  mainnet: BITCOIN,
  testnet: TESTNET,
  signet: TESTNET,
  regtest: REGTEST,
  litecoin: LITECOIN,
  dogecoin: DOGECOIN,
} as const;
export type BitcoinNetworkName = keyof typeof BITCOIN_NETWORKS;

/** OKX (and most exchanges) name the coin: BTC, LTC, DOGE. */
export function networkForCoin(coin: string): BitcoinNetwork | undefined {
  switch (coin.toUpperCase()) {
    case 'BTC':
    case 'BITCOIN':
      return BITCOIN;
    case 'LTC':
    case 'LITECOIN':
      return LITECOIN;
    case 'DOGE':
    case 'DOGECOIN':
      return DOGECOIN;
    default:
      return undefined;
  }
}

/** A network object, or its name (also por's manifest names mainnet/testnet/signet/regtest). */
export function resolveNetwork(n: BitcoinNetwork | BitcoinNetworkName | undefined): BitcoinNetwork {
  if (n === undefined) return BITCOIN;
  if (typeof n !== 'string') return n;
  const net = (BITCOIN_NETWORKS as Record<string, BitcoinNetwork | undefined>)[n];
  if (!net) throw new RangeError(`unknown Bitcoin network "${n}"; known: ${Object.keys(BITCOIN_NETWORKS).join(', ')}`);
  return net;
}

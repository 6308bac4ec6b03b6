// OKX's network names, in one table: which signature family each uses, which por chain name
// (`--rpc CHAIN=URL`, as in wallet manifests) reads it, and the native coin whose balance can be
// re-read there. Everything else about a network (Bitcoin-family version bytes) lives with its
// signatures. Pure.

export type Family = 'evm' | 'okx-ecdsa' | 'bitcoin' | 'tron' | 'other';

interface OkxNetwork {
  family: Family;
  /** por's chain name for --rpc; absent when por cannot re-read this network. */
  chain?: string;
  /** The network's native coin as OKX names it in rows on this network (balance re-readable). */
  native?: string[];
}

const evm = (chain?: string, native?: string[]): OkxNetwork => ({ family: 'evm', ...(chain ? { chain } : {}), ...(native ? { native } : {}) });

// OKX's validator's EVM list plus the 2022 file's coin-as-network names (USDT-ERC20, …).
const NETWORKS: Record<string, OkxNetwork> = {
  ETH: evm('ethereum', ['ETH']),
  'ETH-ARBITRUM': evm('arbitrum', ['ETH', 'ETH-ARBITRUM']),
  ARBITRUM: evm('arbitrum', ['ETH', 'ARBITRUM']),
  'ETH-OPTIMISM': evm('optimism', ['ETH', 'ETH-OPTIMISM']),
  OPTIMISM: evm('optimism', ['ETH', 'OPTIMISM']),
  POLYGON: evm('polygon', ['POLYGON']),
  POLY: evm('polygon'),
  MATIC: evm('polygon'),
  AVAXC: evm('avalanche', ['AVAXC']),
  BSC: evm('bsc', ['BSC']),
  BASE: evm('base', ['ETH', 'BASE']),
  'ETH-LINEA': evm('linea', ['ETH', 'ETH-LINEA']),
  ETH_LINEA: evm('linea', ['ETH', 'ETH_LINEA']),
  LINEA: evm('linea', ['ETH', 'LINEA']),
  ZKSYNC2: evm(undefined, ['ETH', 'ZKSYNC2']),
  ETC: evm(undefined, ['ETC']),
  'USDT-ERC20': evm('ethereum'),
  'USDT-POLY': evm('polygon'),
  'USDT-AVAXC': evm('avalanche'),
  'USDT-ARBITRUM': evm('arbitrum'),
  'USDT-OPTIMISM': evm('optimism'),
  XLAYER: evm(), 'X LAYER': evm(), ETHW: evm(), CORE: evm(), BERA: evm(), UNICHAIN: evm(), CFX_EVM: evm(),
  STORY: evm(), MERLIN_BTC: evm(), 'OKB-X1': evm(), FEVM: evm(), 'FIL-EVM': evm(),
  OKC: { family: 'okx-ecdsa' }, OKT: { family: 'okx-ecdsa' }, OKTC: { family: 'okx-ecdsa' },
  TRON: { family: 'tron' }, TRX: { family: 'tron' }, 'USDT-TRC20': { family: 'tron' }, 'USDC-TRC': { family: 'tron' },
  BTC: { family: 'bitcoin', chain: 'bitcoin', native: ['BTC'] },
};

/** The family of an OKX network name; Bitcoin-family coins other than BTC are found by the caller. */
export function okxNetworkFamily(network: string): Family | undefined {
  return NETWORKS[network.toUpperCase()]?.family;
}

/** The OKX network names a por chain name (`ethereum`) or an OKX name (`ETH`) given to --rpc stands for. */
export function okxNetworksForChain(chain: string): string[] {
  const lower = chain.toLowerCase();
  const named = Object.entries(NETWORKS).filter(([, n]) => n.chain === lower).map(([name]) => name);
  return named.length ? named : [chain.toUpperCase()];
}

/** Is `coin` the native coin of `network` (so its balance can be re-read without a contract)? */
export function okxIsNative(coin: string, network: string): boolean {
  return NETWORKS[network.toUpperCase()]?.native?.includes(coin.toUpperCase()) ?? false;
}

/** OKX's row types that stake: the address is a validator key, proven only through its EOAs. */
export function okxStakingKind(type: string | undefined): 'native' | 'eigenlayer' | undefined {
  const t = (type ?? '').trim().toLowerCase();
  if (t === 'native eth staking') return 'native';
  if (t === 'eigenlayer staking') return 'eigenlayer';
  return undefined;
}

// How many decimals each OKX coin name's base unit has: the original 2022 reserve CSV (7 columns,
// no network or height) writes amounts as integers in base units, so a coin's amount is only
// known through this table. Data from OKX's validator (okx/proof-of-reserves, MIT,
// `common/coin.go` `PorCoinBaseUnitPrecisionMap` at e4ad04a3, the last commit reading that
// layout). A coin missing here is refused (exit 2), never guessed.
export const OKX_BASE_UNIT_DECIMALS: Readonly<Record<string, number>> = {
  BTC: 8, 'USDT-OMNI': 6, BCHN: 8, BCHA: 8, BSV: 8, LTC: 8, DOGE: 8, DASH: 8, BTG: 8, BCD: 8, DGB: 8, QTUM: 8, RVN: 8, ZEC: 8,
  ETH: 18, 'ETH-ARBITRUM': 18, 'ETH-OPTIMISM': 18, USDT: 6, 'USDT-ERC20': 6, 'USDT-POLY': 6, 'USDT-AVAXC': 6,
  'USDT-ARBITRUM': 6, 'USDT-OPTIMISM': 6, 'USDT-OKC20': 18, USDC: 6, 'POLY-USDC': 6, 'USDC-AVAXC': 6, 'USDC-ARBITRUM': 6,
  'USDC-OPTIMISM': 6, ETC: 18, 'OKB-OKC20': 18, 'LTCK-OKC20': 18, 'FILK-OKC20': 18, 'USDC-OKC20': 18, 'SHIBK-KIP20': 18,
  'DOTK-OKC20': 18, 'ETCK-KIP20': 18, 'XRPK-KIP20': 18, 'UNIK-OKC20': 18, 'BCHK-KIP20': 18, 'BABYDOGE-KIP20': 18,
  'LINKK-OKC20': 18, 'TRXK-KIP20': 18, 'BABYDOGE-BSC': 18, SHIB: 18, UNI: 18, LINK: 18, ETHW: 18, BLUR: 18, MATIC: 18,
  PEOPLE: 18, OKT: 18, OKB: 18, OPTIMISM: 18, 'ETH-LINEA': 18, BASE: 18, 'OKB-X1': 18, 'OKB-X1-ETH': 18, 'OKB-X1-USDT': 6,
  'OKB-X1-USDC': 6, 'POLY-USDC-3359': 6, 'USDC-OPTIMISM-FF85': 6, 'USDC-ARBITRUM-NATIVE': 6, 'USDC-BASE': 6, BETH: 18,
  'USDT-TRC20': 6, 'USDC-TRC': 6, TRX: 6, FIL: 18, CFX: 18, ELF: 8, LUNC: 6, SOL: 9, 'USDC-SPL': 6, APTOS: 8,
  'TONCOIN-NEW': 9, DOT: 10, EOS: 4, RIPPLE: 6, 'USDT-ALGO': 6, 'FIL-EVM': 18,
};

/** Base-unit decimals of an OKX coin name (upper-cased), or undefined when por does not know it. */
export function okxBaseUnitDecimals(coin: string): number | undefined {
  const d = OKX_BASE_UNIT_DECIMALS[coin.toUpperCase()];
  return typeof d === 'number' ? d : undefined;
}

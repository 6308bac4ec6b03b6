// report.json, format "por-report" version 1: what an exchange publishes and a journalist audits.
// Every amount is a string: base units as integer text, decimal amounts as exact decimal text.
// Pure types (the web page may read reports too).

export const REPORT_FORMAT = 'por-report';
export const REPORT_VERSION = 1;

export interface ReportBlock {
  /** Block number, integer text. */
  number: string;
  hash: string;
  /** Block time, ISO 8601 UTC. */
  time: string;
}

export interface ReportChain {
  chain: string;
  /** "evm" or "bitcoin". */
  kind: string;
  chainId?: string;
  /** Bitcoin: mainnet, testnet, signet or regtest. */
  network?: string;
  block: ReportBlock;
}

export interface ReportAsset {
  symbol: string;
  /** Ledger decimals: liabilities and reserves below are integers at this precision. */
  decimals: number;
  name?: string;
  exchangeToken?: boolean;
  onchain: { chain: string; native: boolean; contract?: string; decimals: number }[];
}

/** The Merkle engineer's root document without its format/version. */
export interface ReportMerkleRoot {
  snapshotId: string;
  height: number;
  leafCount: number | string;
  hash: string;
  assets: unknown;
  sums: { asset: string; equity: string; debt: string }[];
  [key: string]: unknown;
}

export interface ReportBalance {
  asset: string;
  /** Where on the chain: "native" or the token contract. */
  source: string;
  /** On-chain base units, integer text. */
  units: string;
  /** On-chain decimals of `units`. */
  decimals: number;
  /** Exact decimal text of `units`. */
  amount: string;
}

export interface ReportOwnership {
  /** "eip191", "eip1271", "bip322", "bip137", … as checked by the exchange's tool. */
  scheme: string;
  message: string;
  signature: string;
  /** The publishing tool's verdict; the audit re-checks it and never trusts this field. */
  valid: boolean;
  reason?: string;
}

export interface ReportAddress {
  chain: string;
  address: string;
  label?: string;
  balances: ReportBalance[];
  ownership: ReportOwnership | null;
  /** False when the address is listed but left out of the totals (no valid ownership proof). */
  counted: boolean;
}

export interface ReportSolvencyRow {
  asset: string;
  decimals: number;
  /** Ledger base units (integer text) and exact decimals, for reserves and liabilities alike. */
  reserves: string;
  reservesUnits: string;
  grossLiabilities: string;
  grossLiabilitiesUnits: string;
  userDebt: string;
  userDebtUnits: string;
  netLiabilities: string;
  netLiabilitiesUnits: string;
  /** reserves − gross liabilities (negative = shortfall). */
  surplus: string;
  surplusUnits: string;
  /** reserves / gross liabilities as full-precision decimal text; null when nothing is owed. */
  ratio: string | null;
  /** reserves ≥ gross liabilities. */
  covered: boolean;
  /** Reserves held in the exchange's own token: reported, but a reader should discount them. */
  exchangeToken: boolean;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  tool: { name: string; version: string };
  spec: { report: number; merkle?: number | string };
  exchange?: string;
  snapshot: { id: string; time: string };
  chains: ReportChain[];
  assets: ReportAsset[];
  merkleRoot: ReportMerkleRoot;
  addresses: ReportAddress[];
  solvency: ReportSolvencyRow[];
  /** Decimal digits of precision the ratios were computed with (decimal.js). */
  ratioPrecision: number;
  /** Bad-debt and other notes from the liabilities stage, as plain sentences. */
  notes?: string[];
}

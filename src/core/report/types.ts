// report.json, format "por-report" version 2: what an exchange publishes and a journalist audits.
// v2 (the meaning of "liabilities" changed): gross coverage beside the netted figure, and debt nets
// only against haircut collateral (the table and prices are published in `netting`). Version 1
// netted every healthy user's debt without haircuts; it is refused, naming the version.
// Every amount is a string: base units as integer text, decimal amounts as exact decimal text.
// Pure types (the web page may read reports too).

import type { Detection } from './detection.js';
import type { HaircutTable } from '../solvency/haircuts.js';

export type { Detection } from './detection.js';
export const REPORT_FORMAT = 'por-report';
export const REPORT_VERSION = 2;

export interface ReportBlock {
  /** Block number, integer text. */
  number: string;
  hash: string;
  /** Block time, ISO 8601 UTC. */
  time: string;
}

export interface ReportChain {
  /** The chain's name in this report: a label only. */
  chain: string;
  /**
   * What the chain is, CAIP-2: "eip155:<chainId>" or "bip122:<first 32 hex of the genesis hash>".
   * Addresses are compared across chains and reports by (id, address), never by name. Absent in
   * reports written before it was added: then derived from chainId / network.
   */
  id?: string;
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
  /** Per asset: equity and debt sums as exact decimal text and as base units (`…Units`). */
  sums: { asset: string; equity: string; debt: string; equityUnits: string; debtUnits: string }[];
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
  /** Each amount twice: exact decimal text, and ledger base units as integer text (`…Units`). */
  reserves: string;
  reservesUnits: string;
  /** Σ users' positive net balances: what users own (the Merkle root's equity sum). */
  grossLiabilities: string;
  grossLiabilitiesUnits: string;
  /** Σ users' negative net balances, as a positive number (the Merkle root's debt sum). */
  userDebt: string;
  userDebtUnits: string;
  /** gross − debt. */
  netLiabilities: string;
  netLiabilitiesUnits: string;
  /**
   * Gross coverage: reserves against what users own, nothing netted. Only the root's equity sum
   * (which users check their proofs against) and the on-chain reserves go into it: no figure the
   * exchange states (bad debt, prices, haircuts, flags) can move it.
   */
  grossSurplus: string;
  grossSurplusUnits: string;
  /** reserves / gross, 40 significant digits, rounded down; null when nothing is owed. */
  grossRatio: string | null;
  grossCovered: boolean;
  /**
   * Bad-debt users (total equity below zero at `netting.prices`) in this asset: their holdings,
   * counted as nothing owed, and their debt, not netted. null when not assessed (no prices).
   */
  badDebt: { gross: string; grossUnits: string; debt: string; debtUnits: string } | null;
  /**
   * Debt of users with equity ≥ 0 whose haircut collateral (`netting.haircuts`) does not cover
   * their debt: not netted. null when not assessed (no prices).
   */
  uncollateralisedDebt: { debt: string; debtUnits: string } | null;
  /** Debt netted against other users' holdings: userDebt − badDebt.debt − uncollateralisedDebt (0 when not assessed). */
  nettedDebt: string;
  nettedDebtUnits: string;
  /** What reserves must cover after netting: max(0, gross − badDebt.gross − nettedDebt) (src/core/solvency/coverage.ts). */
  liabilities: string;
  liabilitiesUnits: string;
  /** reserves − liabilities (negative = shortfall). */
  surplus: string;
  surplusUnits: string;
  /** reserves / liabilities as full-precision decimal text (40 significant digits, rounded down); null when nothing is owed. */
  ratio: string | null;
  /** reserves ≥ liabilities. */
  covered: boolean;
  /** The exchange's own token: a label only (its coverage is checked like any asset's). */
  exchangeToken: boolean;
}

/** What the netted figures rest on: stated by the exchange, published so anyone can weigh them. */
export interface ReportNetting {
  /** The prices' snapshot time, when the prices file gave one. */
  pricesTime: string | null;
  /** USD price per asset (decimal text), every asset of the report. */
  prices: { asset: string; usd: string }[];
  /** The haircut table collateral was valued with (src/core/solvency/haircuts.ts); an asset not listed counts for nothing. */
  haircuts: HaircutTable;
  /** Bad-debt users and their combined negative equity in USD (exact decimal text). */
  badDebt: { users: number; usd: string };
  uncollateralised: { users: number };
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
  /** Prices, haircuts and debtor counts behind the netted figures; null when not assessed (nothing netted). */
  netting: ReportNetting | null;
  /** Decimal digits of precision the ratios were computed with (decimal.js). */
  ratioPrecision: number;
  /** Bad-debt and other notes from the liabilities stage, as plain sentences. */
  notes?: string[];
  /**
   * How likely omitted accounts are to be noticed, by share of users checking (threats.md row 5;
   * src/report/detection.ts). Absent in reports written before it was added.
   */
  detection?: Detection;
}

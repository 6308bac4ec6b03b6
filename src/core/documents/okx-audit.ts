// `por audit --format okx-csv --json`: `por-okx-audit` v1, an OKX reserve file's ownership
// signatures, per-coin amounts by proof outcome, the summary block against the rows, and (with
// --rpc) balances and contract-wallet owners re-read (docs/FORMATS.md, "OKX reserve audit"). Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { readCheck } from '../checks/read.js';
import type { Check } from '../checks/index.js';
import type { OkxLayout } from '../formats/okx-csv.js';
import type { Family } from '../formats/okx-networks.js';

export const FORMAT = 'por-okx-audit';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'file', 'layout', 'ok', 'counts', 'rows', 'coins', 'checks', 'warnings'] as const;
const LAYOUTS: readonly OkxLayout[] = ['okx-2022-original', 'okx-2022', 'okx-2022-typed', 'okx-2025', 'okx-other'];
const FAMILIES: readonly Family[] = ['evm', 'okx-ecdsa', 'bitcoin', 'tron', 'other'];
const OWNERSHIP = ['valid', 'invalid', 'unsupported'] as const;
const ROW_FIELDS = ['line', 'coin', 'network', 'address', 'family', 'ownership', 'scheme', 'reason'] as const;
const ROW_OPTIONAL = ['type', 'amount', 'baseUnits', 'height', 'staking', 'contractLink', 'balance'] as const;
const COIN_FIELDS = ['coin', 'rows', 'amount', 'valid', 'invalid', 'unsupported', 'validLinkUnchecked'] as const;

export type Ownership = (typeof OWNERSHIP)[number];

export interface ContractLink {
  status: 'unchecked' | 'owners' | 'not-owners' | 'error';
  detail: string;
}

export interface BalanceCheck {
  status: 'matches' | 'differs' | 'not-read' | 'error';
  onchain?: string;
  detail: string;
}

export interface OkxRowVerdict {
  line: number;
  coin: string;
  type?: string;
  network: string;
  address: string;
  amount?: string;
  /** The original 2022 layout: the amount as written, in base units (`amount` is in whole coins). */
  baseUnits?: string;
  height?: string;
  family: Family;
  ownership: Ownership;
  scheme: string;
  reason: string;
  /** Staking rows (12-column layout): the address is a validator key, proven through EOA1. */
  staking?: 'native' | 'eigenlayer';
  /** Contract-wallet rows (eoa1/eoa2): is the contract controlled by those EOAs? For staking
   *  rows: do the validator's withdrawal credentials point to them? (never checked by por) */
  contractLink?: ContractLink;
  /** With --rpc: the balance re-read at the row's snapshot height. */
  balance?: BalanceCheck;
}

export interface CoinTotals {
  coin: string;
  rows: number;
  amount: string;
  valid: string;
  invalid: string;
  unsupported: string;
  /** Part of `valid` on contract wallets whose link to their EOAs was not checked. */
  validLinkUnchecked: string;
}

export interface OkxAuditResult {
  format: typeof FORMAT;
  version: typeof VERSION;
  file: string;
  layout: OkxLayout;
  ok: boolean;
  counts: { rows: number; valid: number; invalid: number; unsupported: number };
  rows: OkxRowVerdict[];
  coins: CoinTotals[];
  checks: Check[];
  warnings: string[];
}

export function write(r: OkxAuditResult): Record<string, unknown> {
  return inOrder(FIELDS, { ...r, format: FORMAT, version: VERSION });
}

/** Whole coins or base units as written in the file ("" when the layout has none). */
const AMOUNT = /^(-?[0-9]+(\.[0-9]+)?)?$/;

function readRow(r: JsonAt): OkxRowVerdict {
  const o = r.exact(ROW_FIELDS, ROW_OPTIONAL);
  const row: OkxRowVerdict = {
    line: r.get('line').int(1), coin: r.get('coin').string(), network: r.get('network').string(), address: r.get('address').string(),
    family: r.get('family').oneOf(FAMILIES), ownership: r.get('ownership').oneOf(OWNERSHIP), scheme: r.get('scheme').string(), reason: r.get('reason').string(),
  };
  if (o.type !== undefined) row.type = r.get('type').string();
  if (o.amount !== undefined) row.amount = r.get('amount').string(AMOUNT, 'an amount as decimal text');
  if (o.baseUnits !== undefined) row.baseUnits = r.get('baseUnits').string(AMOUNT, 'base units as integer text');
  if (o.height !== undefined) row.height = r.get('height').string(/^[0-9]+$/, 'a block height as integer text');
  if (o.staking !== undefined) row.staking = r.get('staking').oneOf(['native', 'eigenlayer'] as const);
  const link = r.opt('contractLink');
  if (link !== undefined) {
    link.exact(['status', 'detail']);
    row.contractLink = { status: link.get('status').oneOf(['unchecked', 'owners', 'not-owners', 'error']), detail: link.get('detail').string() };
  }
  const bal = r.opt('balance');
  if (bal !== undefined) {
    const b = bal.exact(['status', 'detail'], ['onchain']);
    const status = bal.get('status').oneOf(['matches', 'differs', 'not-read', 'error']);
    row.balance = b.onchain === undefined ? { status, detail: bal.get('detail').string() } : { status, onchain: bal.get('onchain').decimalText(), detail: bal.get('detail').string() };
  }
  return row;
}

function readCoin(c: JsonAt): CoinTotals {
  c.exact(COIN_FIELDS);
  const amount = (k: string) => c.get(k).string(AMOUNT, 'decimal text (or "" when the layout has no amounts)');
  return {
    coin: c.get('coin').string(), rows: c.get('rows').int(), amount: amount('amount'), valid: amount('valid'),
    invalid: amount('invalid'), unsupported: amount('unsupported'), validLinkUnchecked: amount('validLinkUnchecked'),
  };
}

export function read(json: unknown, where: string | Where = {}): OkxAuditResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const c = doc.get('counts');
  c.exact(['rows', 'valid', 'invalid', 'unsupported']);
  return {
    format: FORMAT, version: VERSION, file: doc.get('file').string(), layout: doc.get('layout').oneOf(LAYOUTS), ok: doc.get('ok').bool(),
    counts: { rows: c.get('rows').int(), valid: c.get('valid').int(), invalid: c.get('invalid').int(), unsupported: c.get('unsupported').int() },
    rows: doc.get('rows').array().map(readRow), coins: doc.get('coins').array().map(readCoin),
    checks: doc.get('checks').array().map(readCheck), warnings: doc.get('warnings').array().map((w) => w.string()),
  };
}

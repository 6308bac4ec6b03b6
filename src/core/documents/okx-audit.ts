// `por audit OKX.csv --json`: `por-okx-audit` v2, an OKX reserve file's ownership signatures,
// per-coin amounts by proof outcome, the summary block against the rows, and (with --rpc) balances
// and contract-wallet owners re-read (docs/FORMATS.md, "OKX reserve audit"). Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import type { AuditCheck, Status } from '../checks/index.js';
import type { OkxLayout } from '../formats/okx-csv.js';
import type { Family } from '../formats/okx-networks.js';

export const FORMAT = 'por-okx-audit';
/** v2: checks in the audit's four statuses (`AuditCheck`: pass / fail / warn / unread) with
 *  `verdict` and `summary` instead of `ok`; a balance or contract link the node could not give is
 *  `unread` (it blocks the verdict) where v1 counted it as a failure; `counts.unread` and
 *  `coins[].unread` hold the rows whose contract link could not be read. */
export const VERSION = 2;
/** v1's `ok: false` may be a node that failed, not a check that did: it cannot be read as v2. */
const REFUSED: Record<number, string> = {
  1: 'por-okx-audit version 1 is no longer read: its "ok" and pass/fail checks counted a balance or contract link the node could not read as a failure, so a failure there may be only a node fault; re-run `por audit FILE.csv --json` with this por for version 2',
};
export const FIELDS = ['format', 'version', 'file', 'layout', 'verdict', 'summary', 'counts', 'rows', 'coins', 'checks', 'warnings'] as const;
const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'unread'];
const LAYOUTS: readonly OkxLayout[] = ['okx-2022-original', 'okx-2022', 'okx-2022-typed', 'okx-2025', 'okx-other'];
const FAMILIES: readonly Family[] = ['evm', 'okx-ecdsa', 'bitcoin', 'tron', 'other'];
const OWNERSHIP = ['valid', 'invalid', 'unsupported'] as const;
const ROW_FIELDS = ['line', 'coin', 'network', 'address', 'family', 'ownership', 'scheme', 'reason'] as const;
const ROW_OPTIONAL = ['type', 'amount', 'baseUnits', 'height', 'staking', 'contractLink', 'balance'] as const;
const COIN_FIELDS = ['coin', 'rows', 'amount', 'valid', 'invalid', 'unsupported', 'unread', 'validLinkUnchecked'] as const;
const COUNT_FIELDS = ['rows', 'valid', 'invalid', 'unsupported', 'unread'] as const;
const LINK_STATUSES = ['unchecked', 'owners', 'not-owners', 'unread'] as const;
const BALANCE_STATUSES = ['matches', 'differs', 'not-read', 'unread'] as const;

/** What a row's signatures alone show. */
export type Ownership = (typeof OWNERSHIP)[number];
/** What the row counts as: its signatures' outcome, unless its contract link was found not to hold
 *  (invalid) or could not be read (unread: neither proven nor disproven). */
export type Standing = Ownership | 'unread';

export interface ContractLink {
  /** unchecked: not asked (no --rpc, or a staking row); unread: asked, and the node could not answer. */
  status: (typeof LINK_STATUSES)[number];
  detail: string;
}

export interface BalanceCheck {
  /** not-read: por does not read this kind of row (a token, a stake, no height); unread: the node could not answer. */
  status: (typeof BALANCE_STATUSES)[number];
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
  /** Valid signatures on contract wallets whose link to their EOAs could not be read: not valid, not invalid. */
  unread: string;
  /** Part of `valid` on contract wallets whose link to their EOAs was not checked. */
  validLinkUnchecked: string;
}

export interface OkxAuditResult {
  format: typeof FORMAT;
  version: typeof VERSION;
  file: string;
  layout: OkxLayout;
  /** fail if any check failed; else unread if anything could not be read; else warn (a check's
   *  caveat or any warning); else pass. Exit 1 / 2 / 0 / 0. */
  verdict: Status;
  /** The checks by status, each warning counted as a `warn`. */
  summary: Record<Status, number>;
  counts: Record<Standing | 'rows', number>;
  rows: OkxRowVerdict[];
  coins: CoinTotals[];
  checks: AuditCheck[];
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
    row.contractLink = { status: link.get('status').oneOf(LINK_STATUSES), detail: link.get('detail').string() };
  }
  const bal = r.opt('balance');
  if (bal !== undefined) {
    const b = bal.exact(['status', 'detail'], ['onchain']);
    const status = bal.get('status').oneOf(BALANCE_STATUSES);
    row.balance = b.onchain === undefined ? { status, detail: bal.get('detail').string() } : { status, onchain: bal.get('onchain').decimalText(), detail: bal.get('detail').string() };
  }
  return row;
}

function readCoin(c: JsonAt): CoinTotals {
  c.exact(COIN_FIELDS);
  const amount = (k: string) => c.get(k).string(AMOUNT, 'decimal text (or "" when the layout has no amounts)');
  return {
    coin: c.get('coin').string(), rows: c.get('rows').int(), amount: amount('amount'), valid: amount('valid'),
    invalid: amount('invalid'), unsupported: amount('unsupported'), unread: amount('unread'), validLinkUnchecked: amount('validLinkUnchecked'),
  };
}

function readAuditCheck(c: JsonAt): AuditCheck {
  c.exact(['name', 'status', 'subject', 'detail']);
  return { name: c.get('name').string(), status: c.get('status').oneOf(STATUSES), subject: c.get('subject').string(), detail: c.get('detail').string() };
}

function readCounts<K extends string>(c: JsonAt, keys: readonly K[]): Record<K, number> {
  c.exact(keys);
  return Object.fromEntries(keys.map((k) => [k, c.get(k).int()])) as Record<K, number>;
}

export function read(json: unknown, where: string | Where = {}): OkxAuditResult {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION], REFUSED);
  doc.exact(FIELDS);
  return {
    format: FORMAT, version: VERSION, file: doc.get('file').string(), layout: doc.get('layout').oneOf(LAYOUTS),
    verdict: doc.get('verdict').oneOf(STATUSES), summary: readCounts(doc.get('summary'), STATUSES), counts: readCounts(doc.get('counts'), COUNT_FIELDS),
    rows: doc.get('rows').array().map(readRow), coins: doc.get('coins').array().map(readCoin),
    checks: doc.get('checks').array().map(readAuditCheck), warnings: doc.get('warnings').array().map((w) => w.string()),
  };
}

// The liabilities figures of a snapshot read in parts by user id (src/ingest/partition.ts): every
// row of a user is in one part, so each part's users are netted whole and the figures solvency and
// the report use are sums over parts — per-asset gross, debt, net and holders, users per mode, rows —
// plus two lists put back in the order of their first row in the ORIGINAL file, as the in-memory
// reader gives them: the debtors (the only users bad debt and uncollateralised debt look at) and the
// exchange-owned accounts. `por liabilities` / `por solvency` in parts (./partition.ts) add each
// part here; `por build --wallets` in parts adds each part here while the same part is hashed, so the snapshot is partitioned and read once for both the tree and the report, and
// hands the debtors to a sorter as they come (src/solvency/debtors.ts, DebtorSorter) instead of
// keeping them. Memory: the exchange-owned accounts (and the debtors, unless handed on), never
// every user.
import type { AssetRegistry } from '../core/assets/index.js';
import { porError } from '../core/errors/index.js';
import type { AssetLiability, ExchangeOwnedAccount, Snapshot, SnapshotFormat, SnapshotSummary } from './index.js';
import type { AccountMode, UserBalances } from './types.js';

/**
 * A part's line map (u32 LE per data row: its line in the original file) as a function from the
 * part's own line numbers to the original's; line 1 (the header) and below map to themselves.
 */
export function originalLines(map: Uint8Array): (local: number) => number {
  const view = new DataView(map.buffer, map.byteOffset, map.byteLength);
  return (local) => (local <= 1 ? local : view.getUint32((local - 2) * 4, true));
}

/** Running sums over the parts of one snapshot; `result()` is what readSnapshot would have summarised. */
export class PartSums {
  private rows = 0;
  private userCount = 0;
  private readonly modes = new Map<AccountMode, number>();
  private readonly totals: AssetLiability[];
  private readonly debtors: { line: number; user: UserBalances }[] = [];
  private readonly exchange: { line: number; account: ExchangeOwnedAccount }[] = [];

  /**
   * `onDebtor`: where each debtor goes, with the line of its first row, instead of being kept (a
   * DebtorSorter's add, or nowhere when nothing looks at debtors); then the result has no debtors().
   */
  constructor(
    private readonly registry: AssetRegistry,
    private readonly onDebtor?: (user: UserBalances, line: number) => void,
  ) {
    this.totals = registry.assets.map((a) => ({ asset: a.symbol, gross: 0n, debt: 0n, net: 0n, users: 0 }));
  }

  /** One part, read on its own; `original` maps its line numbers to the original file's. */
  add(part: Snapshot, original: (local: number) => number): void {
    this.rows += part.rows;
    this.userCount += part.userCount;
    for (const [m, n] of Object.entries(part.modes) as [AccountMode, number][]) this.modes.set(m, (this.modes.get(m) ?? 0) + n);
    part.totals.forEach((t, a) => {
      const x = this.totals[a]!;
      x.gross += t.gross;
      x.debt += t.debt;
      x.net += t.net;
      x.users += t.users;
    });
    const lines = part.debtorLines();
    let k = 0;
    const keep = this.onDebtor ?? ((user: UserBalances, line: number) => this.debtors.push({ line, user }));
    for (const user of part.debtors()) keep(user, original(lines[k++]!));
    const ex = part.exchangeLines();
    part.exchangeOwned.accounts.forEach((account, i) => this.exchange.push({ line: original(ex[i]!), account }));
  }

  /** The whole snapshot's summary: sums as they are, lists by the line of their first row. */
  result(file: string, format: SnapshotFormat): SnapshotSummary {
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    const debtors = this.debtors.sort(byLine).map((d) => d.user);
    const accounts = this.exchange.sort(byLine).map((e) => e.account);
    const totals = this.registry.assets.map((_, a) => accounts.reduce((t, x) => t + x.balances[a]!, 0n));
    const modes = Object.fromEntries([...this.modes]) as Record<AccountMode, number>;
    const handedOn = () => {
      throw porError('INTERNAL', 'the debtors of this snapshot were handed on as its parts were read, not kept');
    };
    return { registry: this.registry, file, format, rows: this.rows, userCount: this.userCount, modes, totals: this.totals, exchangeOwned: { accounts, totals }, debtors: this.onDebtor ? handedOn : () => debtors };
  }
}

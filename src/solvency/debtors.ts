// Which users' debt may be netted. Every user who owes something falls in one of three classes:
//   bad debt        total equity Σ net × price below zero: their holdings count as nothing owed
//                   (a liquidation takes them all) and their debt is not netted;
//   uncollateralised equity ≥ 0, but haircut collateral (src/core/solvency/haircuts.ts) below the value of
//                   their debt, or they owe an asset priced at zero: their debt is not netted, and
//                   their holdings stay owed to them (a liquidation would leave them something);
//   healthy         haircut collateral ≥ debt value: their debt nets within its asset.
// Exact throughout: prices, tier ends and ratios become integers at a common scale and every
// comparison is between integers, so nothing rounds, in anyone's favour.
import { formatAmount } from '../core/money/index.js';
import { fractionDigits, scaled, type HaircutTable } from '../core/solvency/haircuts.js';
import type { UserBalances } from '../ingest/types.js';

export interface PricedAsset {
  symbol: string;
  decimals: number;
}

/** USD values as integers: `units` of asset i are worth units × factor[i] × 10^−scale USD. */
export interface Valuation {
  factor: bigint[];
  scale: number;
}

/** `price(symbol)`: decimal text (plain, non-negative). Every asset needs one. */
export function valuation(assets: readonly PricedAsset[], price: (symbol: string) => string): Valuation {
  const texts = assets.map((a) => price(a.symbol));
  const sp = Math.max(0, ...texts.map(fractionDigits));
  const maxDec = Math.max(0, ...assets.map((a) => a.decimals));
  const factor = texts.map((t, i) => scaled(t, sp) * 10n ** BigInt(maxDec - assets[i]!.decimals));
  return { factor, scale: sp + maxDec };
}

/** Σ units[i] × factor[i]: exact USD value at 10^−scale. */
export function usdValue(v: Valuation, units: readonly bigint[]): bigint {
  let s = 0n;
  for (let i = 0; i < units.length; i++) s += units[i]! * v.factor[i]!;
  return s;
}

/** Tiered haircut collateral of holdings and the value of debt, both at 10^−(scale + ratioScale) USD. */
export class CollateralModel {
  private readonly valueMul: bigint;
  private readonly debtMul: bigint;
  /** Per asset: tier ends (value scale; null = no end) and ratios (ratio scale); empty = counts nothing. */
  private readonly tiers: { ends: (bigint | null)[]; ratios: bigint[] }[];

  constructor(
    assets: readonly PricedAsset[],
    private readonly v: Valuation,
    table: HaircutTable,
  ) {
    const all = table.flatMap((a) => a.tiers);
    const st = Math.max(0, ...all.map((t) => (t.upToUsd === null ? 0 : fractionDigits(t.upToUsd))));
    const sr = Math.max(0, ...all.map((t) => fractionDigits(t.ratio)));
    const scale = Math.max(v.scale, st);
    this.valueMul = 10n ** BigInt(scale - v.scale);
    this.debtMul = this.valueMul * 10n ** BigInt(sr);
    this.tiers = assets.map((a) => {
      const entry = table.find((h) => h.asset === a.symbol);
      return {
        ends: (entry?.tiers ?? []).map((t) => (t.upToUsd === null ? null : scaled(t.upToUsd, scale))),
        ratios: (entry?.tiers ?? []).map((t) => scaled(t.ratio, sr)),
      };
    });
  }

  /** Σ over held assets of the tiered haircut value of the holding. */
  collateral(net: readonly bigint[]): bigint {
    let total = 0n;
    for (let i = 0; i < net.length; i++) {
      const units = net[i]!;
      if (units <= 0n) continue;
      const { ends, ratios } = this.tiers[i]!;
      const value = units * this.v.factor[i]! * this.valueMul;
      let from = 0n;
      for (let k = 0; k < ratios.length && value > from; k++) {
        const end = ends[k]!;
        const top = end === null || value < end ? value : end;
        total += (top - from) * ratios[k]!;
        if (end === null) break;
        from = end;
      }
    }
    return total;
  }

  /** Value of what the user owes, at the collateral's scale; null when they owe an asset priced zero. */
  debt(net: readonly bigint[]): bigint | null {
    let total = 0n;
    for (let i = 0; i < net.length; i++) {
      if (net[i]! >= 0n) continue;
      if (this.v.factor[i] === 0n) return null;
      total -= net[i]! * this.v.factor[i]!;
    }
    return total * this.debtMul;
  }
}

export interface DebtorClasses {
  /** Bad-debt users (total equity below zero). */
  users: number;
  /** Their combined negative equity in USD, positive, exact decimal text. */
  usd: string;
  /** Per asset, like the registry: what bad-debt users hold (counted as nothing owed) … */
  gross: bigint[];
  /** … and what they owe (not netted). */
  debt: bigint[];
  /** Up to 20 bad-debt user ids. */
  sample: string[];
  /** Users with equity ≥ 0 whose haircut collateral does not cover their debt: debt not netted. */
  uncollateralised: { users: number; debt: bigint[]; sample: string[] };
}

/** Sorts every debtor into bad debt, uncollateralised or healthy (see the top of this file). */
export function classifyDebtors(debtors: Iterable<UserBalances>, assets: readonly PricedAsset[], price: (symbol: string) => string, table: HaircutTable): DebtorClasses {
  const sorter = new DebtorSorter(assets, price, table);
  let order = 0;
  for (const u of debtors) sorter.add(u, order++);
  return sorter.result();
}

const SAMPLE = 20;

/** The first SAMPLE ids by `order`, whatever order they are offered in. */
class Sample {
  private readonly kept: { order: number; id: string }[] = [];
  offer(order: number, id: string): void {
    const k = this.kept;
    if (k.length === SAMPLE && order >= k[SAMPLE - 1]!.order) return;
    let i = k.length;
    while (i > 0 && k[i - 1]!.order > order) i--;
    k.splice(i, 0, { order, id });
    if (k.length > SAMPLE) k.pop();
  }
  ids(): string[] {
    return this.kept.map((x) => x.id);
  }
}

/**
 * Sorts debtors one at a time, keeping only the sums and the two samples: a snapshot read in parts
 * (src/ingest/part-sums.ts) hands each part's debtors here as it is read, so memory does not grow
 * with the debtors. `order` (the line of the user's first row) picks the samples: the first 20 in
 * the file, as classifyDebtors gives them from the debtors in file order.
 */
export class DebtorSorter {
  private readonly v: Valuation;
  private readonly model: CollateralModel;
  private readonly out: DebtorClasses;
  private short = 0n;
  private readonly bad = new Sample();
  private readonly un = new Sample();

  constructor(assets: readonly PricedAsset[], price: (symbol: string) => string, table: HaircutTable) {
    this.v = valuation(assets, price);
    this.model = new CollateralModel(assets, this.v, table);
    const zeros = () => new Array<bigint>(assets.length).fill(0n);
    this.out = { users: 0, usd: '0', gross: zeros(), debt: zeros(), sample: [], uncollateralised: { users: 0, debt: zeros(), sample: [] } };
  }

  add(u: UserBalances, order: number): void {
    const out = this.out;
    const equity = usdValue(this.v, u.net);
    if (equity < 0n) {
      out.users++;
      this.short -= equity;
      this.bad.offer(order, u.userId);
      addSplit(u.net, out.gross, out.debt);
      return;
    }
    const owed = this.model.debt(u.net);
    if (owed !== null && this.model.collateral(u.net) >= owed) return;
    out.uncollateralised.users++;
    this.un.offer(order, u.userId);
    addSplit(u.net, null, out.uncollateralised.debt);
  }

  result(): DebtorClasses {
    const { out } = this;
    return { ...out, usd: formatAmount(this.short, this.v.scale, { trim: true }), sample: this.bad.ids(), uncollateralised: { ...out.uncollateralised, sample: this.un.ids() } };
  }
}

function addSplit(net: readonly bigint[], gross: bigint[] | null, debt: bigint[]): void {
  for (let i = 0; i < net.length; i++) {
    const x = net[i]!;
    if (x > 0n && gross) gross[i]! += x;
    else if (x < 0n) debt[i]! -= x;
  }
}

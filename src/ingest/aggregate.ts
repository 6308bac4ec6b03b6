// Groups snapshot rows by user without a JS object per user: user ids are interned to an index,
// and each asset's net balances live in a BigInt64Array column (an int64 that would overflow moves
// to a side Map). Duplicate (user, account, asset) rows are caught with per-user seen-bits.
// Pure (no Node builtins): the readers in ./read.ts feed it rows and add file/line/column to errors.
import { porError } from '../errors/index.js';
import { parseAmount } from '../money/index.js';
import type { AssetRegistry } from '../assets/index.js';
import { ACCOUNT_MODES, ACCOUNT_TYPES, type AccountMode, type UserBalances } from './types.js';

/** Account value prefix that marks an exchange-owned account, e.g. `exchange:insurance-fund`. */
export const EXCHANGE_ACCOUNT_PREFIX = 'exchange:';
const EXCHANGE_LABEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface AssetLiability {
  asset: string;
  /** Σ max(net, 0) over all users: what users own. */
  gross: bigint;
  /** Σ max(−net, 0) over all users, as a positive number: what users owe. */
  debt: bigint;
  /** gross − debt. */
  net: bigint;
  /** Users with a non-zero net in this asset. */
  users: number;
}

export interface ExchangeOwnedAccount {
  /** The id the snapshot gives the exchange's own account (its user_id column). */
  userId: string;
  /** The label after `exchange:`, e.g. "insurance-fund". */
  label: string;
  /** Balance per asset in ledger base units, indexed like the registry. */
  balances: bigint[];
}

export interface ExchangeOwned {
  accounts: ExchangeOwnedAccount[];
  /** Per asset, indexed like the registry: the sum over all exchange-owned accounts. */
  totals: bigint[];
}

const ACCOUNT_INDEX = new Map<string, number>(ACCOUNT_TYPES.map((a, i) => [a, i]));
// Modes are stored as 1..3 in a Uint8Array; 0 means "no row seen yet".
const MODE_INDEX = new Map<string, number>(ACCOUNT_MODES.map((m, i) => [m, i + 1]));
const SIMPLE = 1;
const I64_MAX = (1n << 63n) - 1n;
// Marks a column cell whose value lives in the overflow map (also holds the value −2^63 itself).
const SPILLED = -(1n << 63n);
const EXCHANGE_MODE = 4; // marks an interned id that is an exchange-owned account, not a user

export class Aggregator {
  readonly registry: AssetRegistry;
  private readonly assetCount: number;
  private readonly decimals: number[];
  private readonly bytesPerUser: number;
  // Interned user ids: an open-addressing hash table of indexes over a UTF-16 arena. A Map of
  // 10M strings costs ~0.5 µs per lookup here and ~1 GB; this is ~3x faster and a third the size.
  private table = new Int32Array(1 << 12).fill(-1);
  private arena = new Uint16Array(1 << 16);
  private arenaLen = 0;
  private offsets = new Uint32Array(1025); // id u is arena[offsets[u] .. offsets[u + 1])
  private hashes = new Uint32Array(1024);
  private modes = new Uint8Array(1024);
  private seen: Uint8Array;
  private nets: BigInt64Array[];
  private readonly spilled: Map<number, bigint>[];
  private capacity = 1024;
  count = 0;
  rows = 0;
  private readonly exchange = new Map<number, { userId: string; label: string; balances: bigint[]; firstLine: number }>();
  private readonly exchangeRows = new Set<string>();

  constructor(registry: AssetRegistry) {
    this.registry = registry;
    this.assetCount = registry.assets.length;
    this.decimals = registry.assets.map((a) => a.decimals);
    this.bytesPerUser = Math.ceil((ACCOUNT_TYPES.length * this.assetCount) / 8);
    this.seen = new Uint8Array(this.capacity * this.bytesPerUser);
    this.nets = this.registry.assets.map(() => new BigInt64Array(this.capacity));
    this.spilled = this.registry.assets.map(() => new Map());
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const modes = new Uint8Array(cap);
    modes.set(this.modes);
    this.modes = modes;
    const seen = new Uint8Array(cap * this.bytesPerUser);
    seen.set(this.seen);
    this.seen = seen;
    const offsets = new Uint32Array(cap + 1);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const hashes = new Uint32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.nets = this.nets.map((col) => {
      const next = new BigInt64Array(cap);
      next.set(col);
      return next;
    });
    this.capacity = cap;
  }

  /** Index of the id text[start..end), or −1 − (its table slot) when it is not interned yet. */
  private find(text: string, start: number, end: number, h: number): number {
    const mask = this.table.length - 1;
    const len = end - start;
    let slot = h & mask;
    for (;;) {
      const u = this.table[slot]!;
      if (u === -1) return -1 - slot;
      if (this.hashes[u] === h) {
        const off = this.offsets[u]!;
        if (this.offsets[u + 1]! - off === len) {
          let i = 0;
          while (i < len && this.arena[off + i] === text.charCodeAt(start + i)) i++;
          if (i === len) return u;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  private insert(text: string, start: number, end: number, h: number, slot: number): number {
    const u = this.count++;
    if (u === this.capacity) this.grow();
    const len = end - start;
    if (this.arenaLen + len > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < this.arenaLen + len) size *= 2;
      if (size > 2 ** 32) throw porError('OVERFLOW', 'user ids take more than 4 Gi characters in total');
      const next = new Uint16Array(size);
      next.set(this.arena.subarray(0, this.arenaLen));
      this.arena = next;
    }
    for (let i = 0; i < len; i++) this.arena[this.arenaLen + i] = text.charCodeAt(start + i);
    this.arenaLen += len;
    this.offsets[u + 1] = this.arenaLen;
    this.hashes[u] = h;
    this.table[slot] = u;
    // Keep the load factor at or below 1/2 so probes stay short.
    if (this.count * 2 > this.table.length) this.rehash();
    return u;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let u = 0; u < this.count; u++) {
      let slot = this.hashes[u]! & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = u;
    }
    this.table = table;
  }

  private idOf(u: number): string {
    const off = this.offsets[u]!;
    const end = this.offsets[u + 1]!;
    // apply() over a typed array is ~4x faster than spreading it; chunks keep the argument count low.
    let s = '';
    for (let i = off; i < end; i += 4096) s += String.fromCharCode.apply(null, this.arena.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
    return s;
  }

  /** Index of a user id, creating it with the given mode byte if new; `isNew` tells which. */
  private intern(text: string, start: number, end: number): number {
    const h = hashChars(text, start, end);
    const found = this.find(text, start, end, h);
    if (found >= 0) {
      this.isNew = false;
      return found;
    }
    this.isNew = true;
    return this.insert(text, start, end, h, -1 - found);
  }
  private isNew = false;

  /**
   * Adds one row. The user id is text[idStart..idEnd) (no substring is made for it). `mode` is
   * undefined when the snapshot has no mode column: every user is then simple. Throws PorError
   * with `field` set; the reader adds file, line and column.
   */
  add(text: string, idStart: number, idEnd: number, account: string, asset: string, balance: string, mode: string | undefined, line: number): void {
    this.rows++;
    if (idEnd === idStart) throw porError('BAD_INPUT', 'empty user_id', { field: 'user_id' });
    const a = this.registry.index.get(asset);
    if (a === undefined) {
      throw porError('UNKNOWN_ASSET', `unknown asset "${asset}"; the asset registry lists ${[...this.registry.index.keys()].join(', ')}`, { field: 'asset', asset });
    }
    const acc = ACCOUNT_INDEX.get(account);
    if (acc === undefined) {
      if (account.startsWith(EXCHANGE_ACCOUNT_PREFIX)) return this.addExchange(text.slice(idStart, idEnd), account, a, balance, line);
      throw porError(
        'BAD_INPUT',
        `unknown account "${account}"; allowed: ${ACCOUNT_TYPES.join(', ')}, or ${EXCHANGE_ACCOUNT_PREFIX}<label> for an exchange-owned account (e.g. ${EXCHANGE_ACCOUNT_PREFIX}insurance-fund)`,
        { field: 'account' },
      );
    }
    let m = SIMPLE;
    if (mode !== undefined) {
      const mi = MODE_INDEX.get(mode);
      if (mi === undefined) throw porError('BAD_INPUT', `unknown mode "${mode}"; allowed: ${ACCOUNT_MODES.join(', ')}`, { field: 'mode' });
      m = mi;
    }
    let value: bigint;
    try {
      value = parseAmount(balance, this.decimals[a]!, { allowNegative: true });
    } catch (err) {
      throw porError('BAD_AMOUNT', (err as Error).message, { field: 'balance' }, err);
    }
    if (value < 0n && m === SIMPLE) {
      throw porError(
        'BAD_AMOUNT',
        `negative balance ${balance} for a user in simple mode; only single-currency-margin and multi-currency-margin users can owe`,
        { field: 'balance' },
      );
    }
    const u = this.intern(text, idStart, idEnd);
    const had = this.modes[u]!;
    if (this.isNew) this.modes[u] = m;
    else if (had !== m) {
      if (had === EXCHANGE_MODE) {
        throw porError('BAD_INPUT', `user_id "${this.idOf(u)}" is an exchange-owned account (line ${this.exchange.get(u)!.firstLine}); it cannot also hold user accounts`, { field: 'user_id' });
      }
      throw porError(
        'BAD_INPUT',
        `user "${this.idOf(u)}" has mode ${ACCOUNT_MODES[m - 1]} here but ${ACCOUNT_MODES[had - 1]} on an earlier row; a user has one mode`,
        { field: 'mode' },
      );
    }
    const bit = acc * this.assetCount + a;
    const byte = u * this.bytesPerUser + (bit >> 3);
    const mask = 1 << (bit & 7);
    if ((this.seen[byte]! & mask) !== 0) {
      throw porError('DUPLICATE', `duplicate row: user "${this.idOf(u)}" already has a ${account} row for ${asset}`, { field: 'user_id' });
    }
    this.seen[byte] = this.seen[byte]! | mask;
    const col = this.nets[a]!;
    const cur = col[u]!;
    if (cur === SPILLED) {
      const map = this.spilled[a]!;
      map.set(u, (map.get(u) ?? SPILLED) + value);
      return;
    }
    const sum = cur + value;
    if (sum > I64_MAX || sum <= SPILLED) {
      col[u] = SPILLED;
      this.spilled[a]!.set(u, sum);
    } else col[u] = sum;
  }

  private addExchange(userId: string, account: string, a: number, balance: string, line: number): void {
    const label = account.slice(EXCHANGE_ACCOUNT_PREFIX.length);
    if (!EXCHANGE_LABEL.test(label)) {
      throw porError('BAD_INPUT', `exchange-owned account "${account}" needs a label of lower-case letters, digits, "-" or "_" after "${EXCHANGE_ACCOUNT_PREFIX}"`, { field: 'account' });
    }
    let value: bigint;
    try {
      value = parseAmount(balance, this.decimals[a]!, { allowNegative: true });
    } catch (err) {
      throw porError('BAD_AMOUNT', (err as Error).message, { field: 'balance' }, err);
    }
    const u = this.intern(userId, 0, userId.length);
    if (this.isNew) this.modes[u] = EXCHANGE_MODE;
    else if (this.modes[u] !== EXCHANGE_MODE) {
      throw porError('BAD_INPUT', `user_id "${userId}" already holds user accounts; an exchange-owned account needs an id of its own`, { field: 'user_id' });
    }
    const key = `${u}/${account}/${a}`;
    if (this.exchangeRows.has(key)) {
      throw porError('DUPLICATE', `duplicate row: "${userId}" already has a ${account} row for ${this.registry.assets[a]!.symbol}`, { field: 'user_id' });
    }
    this.exchangeRows.add(key);
    let entry = this.exchange.get(u);
    if (entry === undefined) {
      entry = { userId, label, balances: this.registry.assets.map(() => 0n), firstLine: line };
      this.exchange.set(u, entry);
    } else if (entry.label !== label) {
      throw porError('BAD_INPUT', `"${userId}" is ${EXCHANGE_ACCOUNT_PREFIX}${entry.label} on line ${entry.firstLine}; one id, one exchange-owned account`, { field: 'account' });
    }
    entry.balances[a] = entry.balances[a]! + value;
  }

  private netOf(a: number, u: number): bigint {
    const v = this.nets[a]![u]!;
    return v === SPILLED ? this.spilled[a]!.get(u)! : v;
  }

  /** Users, i.e. interned ids that are not exchange-owned accounts. */
  get userCount(): number {
    return this.count - this.exchange.size;
  }

  /**
   * Per-asset totals, user counts per mode, the users in first-seen order (indexes, exchange-owned
   * ids left out) and those who owe something (the only ones that can be bad debt).
   */
  summarize(): { totals: AssetLiability[]; modes: Record<AccountMode, number>; users: Uint32Array; debtors: Uint32Array } {
    const n = this.count;
    const owes = new Uint8Array(n);
    const totals = this.registry.assets.map((asset, a) => {
      const col = this.nets[a]!;
      let gross = 0n;
      let debt = 0n;
      let users = 0;
      for (let u = 0; u < n; u++) {
        let v = col[u]!;
        if (v === 0n) continue;
        if (v === SPILLED) v = this.spilled[a]!.get(u)!;
        if (v > 0n) gross += v;
        else if (v < 0n) {
          debt -= v;
          owes[u] = 1;
        } else continue;
        users++;
      }
      return { asset: asset.symbol, gross, debt, net: gross - debt, users };
    });
    const counts = [0, 0, 0, 0, 0];
    for (let u = 0; u < n; u++) counts[this.modes[u]!]!++;
    const modes = Object.fromEntries(ACCOUNT_MODES.map((m, i) => [m, counts[i + 1]!])) as Record<AccountMode, number>;
    const users = new Uint32Array(n - counts[EXCHANGE_MODE]!);
    let k = 0;
    let d = 0;
    for (let u = 0; u < n; u++) {
      if (this.modes[u] === EXCHANGE_MODE) continue;
      users[k++] = u;
      d += owes[u]!;
    }
    const debtors = new Uint32Array(d);
    k = 0;
    for (let u = 0; u < n; u++) if (owes[u]) debtors[k++] = u;
    return { totals, modes, users, debtors };
  }

  user(u: number): UserBalances {
    const net: bigint[] = new Array(this.assetCount);
    for (let a = 0; a < this.assetCount; a++) net[a] = this.netOf(a, u);
    return { userId: this.idOf(u), mode: ACCOUNT_MODES[this.modes[u]! - 1]!, net };
  }

  exchangeOwned(): ExchangeOwned {
    const totals = this.registry.assets.map(() => 0n);
    const accounts: ExchangeOwnedAccount[] = [];
    for (const e of this.exchange.values()) {
      accounts.push({ userId: e.userId, label: e.label, balances: e.balances });
      e.balances.forEach((b, a) => (totals[a] = totals[a]! + b));
    }
    return { accounts, totals };
  }

  /** Lets the seen-bits and the id table go once reading is over. */
  releaseReadState(): void {
    this.seen = new Uint8Array(0);
    this.table = new Int32Array(0);
    this.hashes = new Uint32Array(0);
    this.exchangeRows.clear();
  }
}

/** FNV-1a over UTF-16 code units, spread with a final avalanche so linear probing stays short. */
function hashChars(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

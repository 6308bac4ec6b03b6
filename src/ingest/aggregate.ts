// Groups snapshot rows by user without a JS object per user. User ids are interned to an index in
// an open-addressing table over a character arena; each (user, asset) pair the snapshot mentions
// is one entry in flat typed arrays (asset, accounts seen, net as int64, owner, next entry of the
// same user), chained per user. Memory grows with rows, not users × assets, and the 7-bit account
// mask per entry catches a duplicate (user, account, asset) row. A sum past int64 moves to an
// exact bigint side table. Pure (no Node builtins): the readers in ./index.ts feed it rows and add
// file/line/column to its errors.
import { porError, type PorError } from '../core/errors/index.js';
import { formatAmount, parseAmount } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { ACCOUNT_MODES, ACCOUNT_TYPES, type AccountMode, type SeenIds, type UserBalances } from './types.js';

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
// Marks an entry whose net lives in the bigint side table (as does the value −2^63 itself).
const SPILLED = -(1n << 63n);
// The high word of SPILLED (its low word is 0), as an Int32Array sees it.
const SPILLED_HI = -0x80000000;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const EXCHANGE_MODE = 4; // marks an interned id that is an exchange-owned account, not a user
const TWO_32 = 2 ** 32;
const TWO_32N = 1n << 32n;
// Where an int64's low and high 32-bit words sit in an Int32Array over it.
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;
// Entries per block of summarize()'s sums as doubles: 2^16 words of under 2^32 sum below 2^48.
const SUM_BLOCK = 1 << 16;
const utf8 = new TextEncoder();
// A plain sum stays a number while |net| < 2^53: the high word is then within ±2^21.
const SAFE_HI = 1 << 21;

export class Aggregator {
  readonly registry: AssetRegistry;
  private readonly assetCount: number;
  private readonly decimals: number[];
  // Interned ids (users and exchange-owned accounts): open addressing over a character arena that
  // is one byte per character until an id needs more. A Map of 10M strings measured 41 s and
  // 2.9 GB for a 10M-user snapshot; this table about half the time and memory. A slot holds
  // u + 1 (0: empty) under the id's hash bits above the slot mask, so a probe compares hashes
  // without reading a per-id array.
  private table: Int32Array<ArrayBufferLike> = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1; // slots − 1
  private arena: Uint8Array | Uint16Array = new Uint8Array(1 << 16);
  private arenaLen = 0;
  private offsets = new Uint32Array(1025); // id u is arena[offsets[u] .. offsets[u + 1])
  private modes = new Uint8Array(1024);
  // 1 for an id with a negative row: only those can have a negative net (summarize checks them).
  private negRows = new Uint8Array(1024);
  private firstRows = new Uint32Array(1024); // line of each id's first row
  // First entry of each id, complemented (~e): 0 for none, so a fresh array needs no filling.
  private heads = new Int32Array(1024);
  // The last id the byte path met, and where its bytes are: rows grouped by user skip the table.
  private lastId = -1;
  private lastOff = 0;
  private lastLen = -1;
  private capacity = 1024;
  // Entries: one per (user, asset).
  private eAsset = new Uint16Array(4096);
  private eAccounts = new Uint8Array(4096);
  private eNet = new BigInt64Array(4096);
  private eNetWords = new Int32Array(this.eNet.buffer); // eNet as (lo, hi) words, little-endian machines
  private eNext = new Int32Array(4096);
  private eCount = 0;
  private readonly spilled = new Map<number, bigint>(); // entry → exact net, where eNet holds SPILLED
  count = 0;
  rows = 0;
  private readonly exchange = new Map<number, { userId: string; label: string; balances: bigint[]; firstLine: number }>();
  private readonly exchangeRows = new Set<string>();

  /**
   * `bound`: the largest balance or user net (in base units, either sign) a leaf can carry; it is
   * at least 2^63, so only sums that spill past int64 are compared with it. `height` names the tree
   * it comes from in the message.
   */
  constructor(
    registry: AssetRegistry,
    private readonly bound: bigint = (1n << 127n) - 1n,
    private readonly height?: number,
  ) {
    this.registry = registry;
    this.assetCount = registry.assets.length;
    if (this.assetCount > 0xffff) throw porError('OVERFLOW', 'the asset registry lists more than 65,535 assets');
    this.decimals = registry.assets.map((a) => a.decimals);
  }

  /**
   * Room for about `rows` rows whose ids take `idBytes` bytes each, made once (the CSV reader's
   * estimate from the file size): growing by doubling copied every table several times and, at
   * 10^7 users, held the old and the new copy at once. Users are taken as half the rows (≈2 rows
   * each in the snapshots seen); more still grow as before. With a `toucher`, the tables are made
   * shared and handed to it (./prefault.ts maps their pages ahead of the reader), best before any
   * row is added: the id table is then empty and its pages are the toucher's to map first.
   */
  reserve(rows: number, idBytes: number, toucher?: PageToucher): void {
    const regions: TouchRegion[] | undefined = toucher ? [] : undefined;
    const col = <T extends Column>(a: T, cap: number, kind: number, unit: number): T => {
      const b = widen(a, cap, regions !== undefined);
      regions?.push({ buffer: b.buffer as SharedArrayBuffer, kind, unit });
      return b;
    };
    const users = Math.ceil(rows / 2);
    if (users > this.capacity) {
      this.modes = col(this.modes, users, TOUCH_IDS, 1);
      this.negRows = col(this.negRows, users, TOUCH_IDS, 1);
      this.firstRows = col(this.firstRows, users, TOUCH_IDS, 4);
      this.heads = col(this.heads, users, TOUCH_IDS, 4);
      this.offsets = col(this.offsets, users + 1, TOUCH_IDS, 4);
      this.capacity = users;
      const slots = 2 ** Math.ceil(Math.log2((users * 4) / 3));
      if (slots > this.mask + 1) this.rehashTo(slots, regions !== undefined);
      if (regions && this.table.buffer instanceof SharedArrayBuffer) regions.unshift({ buffer: this.table.buffer, kind: TOUCH_ALL, unit: 0 });
    }
    const entries = Math.ceil(rows * 1.02);
    if (entries > this.eAsset.length) this.growEntries(entries, (a, cap, unit) => col(a, cap, TOUCH_ENTRIES, unit));
    const chars = Math.ceil(users * idBytes * 1.05);
    if (chars > this.arena.length && this.arena instanceof Uint8Array) this.arena = col(this.arena, chars, TOUCH_ID_BYTES, 1);
    if (toucher && regions!.length > 0) {
      this.progress = new Int32Array(new SharedArrayBuffer(16));
      this.toucher = toucher;
      toucher.start(regions!, this.progress);
    }
  }
  private toucher: PageToucher | undefined;
  /** Where the reader is, for the toucher: ids, entries, arena characters (./prefault.ts). */
  private progress: Int32Array | undefined;

  /** Ends the toucher: reading is over, or a table grew past what it was handed. */
  private stopTouching(): void {
    this.toucher?.stop();
    this.toucher = undefined;
    this.progress = undefined;
  }

  private grow(): void {
    this.stopTouching();
    const cap = Math.max(this.capacity * 2, 1024);
    this.modes = widen(this.modes, cap);
    this.negRows = widen(this.negRows, cap);
    this.firstRows = widen(this.firstRows, cap);
    this.heads = widen(this.heads, cap);
    this.offsets = widen(this.offsets, cap + 1);
    this.capacity = cap;
  }

  private growEntries(cap = this.eAsset.length * 2, make = <T extends Column>(a: T, n: number, _unit: number): T => widen(a, n)): void {
    this.eAsset = make(this.eAsset, cap, 2);
    this.eAccounts = make(this.eAccounts, cap, 1);
    this.eNet = make(this.eNet, cap, 8);
    this.eNetWords = new Int32Array(this.eNet.buffer, 0, cap * 2);
    this.eNext = make(this.eNext, cap, 4);
  }

  /** Index of the id text[start..end) (hash h), or −1 − the empty slot where it would go. */
  private find(text: string, start: number, end: number, h: number): number {
    const t = this.table;
    const mask = this.mask;
    const len = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const key = t[slot]!;
      if (key === 0) return -1 - slot;
      if (((key ^ h) & ~mask) !== 0) continue; // another hash
      const u = (key & mask) - 1;
      const off = this.offsets[u]!;
      if (this.offsets[u + 1]! - off !== len) continue;
      let i = 0;
      while (i < len && this.arena[off + i] === text.charCodeAt(start + i)) i++;
      if (i === len) return u;
    }
  }

  private insert(text: string, start: number, end: number, h: number, slot: number): number {
    const len = end - start;
    let wide = false;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) wide = true;
      if (c > 0x7f) this.ascii = false;
    }
    this.reserveArena(len, wide);
    for (let i = 0; i < len; i++) this.arena[this.arenaLen + i] = text.charCodeAt(start + i);
    return this.placeId(len, h, slot);
  }

  /** Room for `len` more characters in the arena, 16 bits wide from the first id that needs it. */
  private reserveArena(len: number, wide: boolean): void {
    wide ||= this.arena instanceof Uint16Array;
    if (this.arenaLen + len <= this.arena.length && wide === this.arena instanceof Uint16Array) return;
    let size = this.arena.length;
    while (size < this.arenaLen + len) size *= 2;
    if (size > 2 ** 32) throw porError('OVERFLOW', 'user ids take more than 4 Gi characters in total');
    this.stopTouching();
    const next = wide ? new Uint16Array(size) : new Uint8Array(size);
    next.set(this.arena.subarray(0, this.arenaLen));
    this.arena = next;
  }

  /** Records a new id, whose `len` characters were just appended to the arena, in the empty `slot`. */
  private placeId(len: number, h: number, slot: number): number {
    const u = this.count++;
    if (u === this.capacity) this.grow();
    this.table[slot] = (h & ~this.mask) | (u + 1);
    this.arenaLen += len;
    this.offsets[u + 1] = this.arenaLen;
    return u;
  }

  /** Before an id is looked up: keeps the load factor at or below 3/4 once it is added. */
  private roomForOne(): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.rehashTo((this.mask + 1) * 2);
  }

  /** The table moved to `slots` slots: every id placed again by its hash, read back from the arena. */
  private rehashTo(slots: number, shared = false): void {
    if (slots > 2 ** 30) throw porError('OVERFLOW', 'more than 800 million distinct user ids in one snapshot; partition it (--parts)');
    if (!shared) this.stopTouching();
    const t = shared ? new Int32Array(new SharedArrayBuffer(slots * 4)) : new Int32Array(slots);
    const mask = slots - 1;
    for (let u = 0; u < this.count; u++) {
      const h = hashArena(this.arena, this.offsets[u]!, this.offsets[u + 1]!);
      let slot = h & mask;
      while (t[slot] !== 0) slot = (slot + 1) & mask;
      t[slot] = (h & ~mask) | (u + 1);
    }
    this.table = t;
    this.mask = mask;
  }

  private idOf(u: number): string {
    const off = this.offsets[u]!;
    const end = this.offsets[u + 1]!;
    // apply() over a typed array is ~4x faster than spreading it; chunks keep the argument count low.
    let s = '';
    for (let i = off; i < end; i += 4096) s += String.fromCharCode.apply(null, this.arena.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
    return s;
  }

  /** find() for an id given as bytes, buf[start..end) (the CSV fast path: ASCII only). */
  private findBytes(buf: Uint8Array, start: number, end: number, h: number): number {
    const t = this.table;
    const mask = this.mask;
    const len = end - start;
    const arena = this.arena;
    const offsets = this.offsets;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const key = t[slot]!;
      if (key === 0) return -1 - slot;
      if (((key ^ h) & ~mask) !== 0) continue; // another hash
      const u = (key & mask) - 1;
      const off = offsets[u]!;
      if (offsets[u + 1]! - off !== len) continue;
      let i = 0;
      while (i < len && arena[off + i] === buf[start + i]) i++;
      if (i === len) return u;
    }
  }

  /** intern() for an ASCII id given as bytes, hash h: the same index, hash and arena text as its string. */
  private internBytes(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    if (len === this.lastLen && this.isLast(buf, start, len)) {
      this.isNew = false;
      return this.lastId;
    }
    this.roomForOne();
    let u = this.findBytes(buf, start, end, h);
    this.isNew = u < 0;
    if (u < 0) {
      this.reserveArena(len, false);
      const arena = this.arena;
      const at = this.arenaLen;
      for (let i = 0; i < len; i++) arena[at + i] = buf[start + i]!;
      u = this.placeId(len, h, -1 - u);
    }
    this.lastId = u;
    this.lastOff = this.offsets[u]!;
    this.lastLen = len;
    return u;
  }

  /** Whether buf[start..start + len) is the id addPlain() met last. */
  private isLast(buf: Uint8Array, start: number, len: number): boolean {
    const arena = this.arena;
    const off = this.lastOff;
    for (let i = 0; i < len; i++) if (arena[off + i] !== buf[start + i]) return false;
    return true;
  }

  /** Index of the id text[start..end), interning it if new; `isNew` tells which. */
  private intern(text: string, start: number, end: number): number {
    const h = hashChars(text, start, end);
    this.roomForOne();
    const found = this.find(text, start, end, h);
    this.isNew = found < 0;
    if (found >= 0) return found;
    return this.insert(text, start, end, h, -1 - found);
  }
  private isNew = false;
  /** Every id so far is ASCII: arena bytes are then the ids' UTF-8. */
  private ascii = true;

  /**
   * Adds one row. The user id is text[idStart..idEnd) (no substring is made for it). `mode` is
   * undefined when the snapshot has no mode column: every user is then simple. Throws PorError
   * with `field` set; the reader adds file, line and column.
   */
  add(text: string, idStart: number, idEnd: number, account: string, asset: string, balance: string, mode: string | undefined, line: number): void {
    this.rows++;
    if (idEnd === idStart) throw porError('BAD_INPUT', 'empty user_id', { field: 'user_id' });
    const a = this.assetIndex(asset);
    const acc = ACCOUNT_INDEX.get(account);
    if (acc === undefined) {
      if (account.startsWith(EXCHANGE_ACCOUNT_PREFIX)) return this.addExchange(text.slice(idStart, idEnd), account, a, balance, line);
      throw unknownAccount(account);
    }
    const m = mode === undefined ? SIMPLE : modeIndex(mode);
    const value = this.parseBalance(balance, a);
    if (value < 0n && m === SIMPLE) {
      throw porError(
        'BAD_AMOUNT',
        `negative balance ${balance} for a user in simple mode; only single-currency-margin and multi-currency-margin users can owe`,
        { field: 'balance' },
      );
    }
    const u = this.intern(text, idStart, idEnd);
    if (this.isNew) this.firstRows[u] = line;
    this.setMode(u, m);
    if (value < 0n) this.negRows[u] = 1;
    const e = this.entryOf(u, a);
    if (e === -1) this.setNet(this.newEntry(u, a, acc), a, value);
    else this.addToEntry(e, u, acc, value);
  }

  /**
   * add() for each row of a batch the CSV fast path read as bytes (./csv-bytes.ts), in order: an
   * ASCII id buf[idStart..idEnd) that user-id.ts accepts, a known account and asset, mode index
   * (1..3), and the balance in base units as a number (|value| < 2^53), never negative in simple
   * mode. Same state afterwards as add() row by row. Empties the batch.
   */
  addPlainBatch(buf: Uint8Array, b: PlainBatch): void {
    const n = b.count;
    b.count = 0;
    for (let i = 0; i < n; i++) b.hash[i] = hashBytes(buf, b.idStart[i]!, b.idEnd[i]!);
    this.touch(b, n);
    for (let i = 0; i < n; i++) this.addPlain(buf, b.idStart[i]!, b.idEnd[i]!, b.hash[i]!, b.account[i]!, b.asset[i]!, b.value[i]!, b.mode[i]!, b.line[i]!);
    const p = this.progress;
    if (p !== undefined) {
      p[TOUCH_IDS] = this.count;
      p[TOUCH_ENTRIES] = this.eCount;
      p[TOUCH_ID_BYTES] = this.arenaLen;
    }
  }

  /**
   * Reads what the rows of a batch will read, in three sweeps: each id's home slot; then the index
   * found there's offset, mode and first entry; then its bytes and that entry. The loads of one
   * sweep do not wait on one another, so the processor keeps many cache misses in flight, where
   * one row at a time waits for each in turn (at 10^7 ids nearly every one is a miss). Only a
   * hint: nothing read here is used.
   */
  private touch(b: PlainBatch, n: number): void {
    const t = this.table;
    const mask = this.mask;
    const hash = b.hash;
    const ids = b.user;
    let sink = 0;
    for (let i = 0; i < n; i++) sink ^= t[hash[i]! & mask]!;
    for (let i = 0; i < n; i++) {
      const key = t[hash[i]! & mask]!;
      const u = key === 0 || ((key ^ hash[i]!) & ~mask) !== 0 ? -1 : (key & mask) - 1;
      ids[i] = u;
      if (u >= 0) sink ^= this.offsets[u]! ^ this.heads[u]! ^ this.modes[u]!;
    }
    for (let i = 0; i < n; i++) {
      const u = ids[i]!;
      if (u < 0) continue;
      const head = ~this.heads[u]!;
      sink ^= this.arena[this.offsets[u]!]!;
      if (head >= 0) sink ^= this.eAsset[head]! ^ this.eNext[head]! ^ this.eAccounts[head]! ^ this.eNetWords[2 * head]!;
    }
    this.sink = sink;
  }
  private sink = 0;

  /** One row of addPlainBatch(); `h` is its id's hash. */
  private addPlain(buf: Uint8Array, idStart: number, idEnd: number, h: number, acc: number, a: number, value: number, m: number, line: number): void {
    this.rows++;
    const u = this.internBytes(buf, idStart, idEnd, h);
    if (this.isNew) this.firstRows[u] = line;
    this.setMode(u, m);
    if (value < 0) this.negRows[u] = 1;
    const e = this.entryOf(u, a);
    if (e === -1) {
      const f = this.newEntry(u, a, acc);
      if (LITTLE_ENDIAN) {
        this.eNetWords[2 * f] = value;
        this.eNetWords[2 * f + 1] = Math.floor(value / TWO_32);
      } else this.eNet[f] = BigInt(value);
    } else this.addNumber(e, u, acc, value);
  }

  private assetIndex(asset: string): number {
    const a = this.registry.index.get(asset);
    if (a === undefined) {
      throw porError('UNKNOWN_ASSET', `unknown asset "${asset}"; the asset registry lists ${[...this.registry.index.keys()].join(', ')}`, { field: 'asset', asset });
    }
    return a;
  }

  /** A balance as base units of asset `a`; either sign is read, the caller decides what a debt means. */
  private parseBalance(balance: string, a: number): bigint {
    try {
      return parseAmount(balance, this.decimals[a]!, { allowNegative: true });
    } catch (err) {
      throw porError('BAD_AMOUNT', (err as Error).message, { field: 'balance' }, err);
    }
  }

  /** Records a new id's mode, or refuses a row whose mode differs from the id's earlier rows. */
  private setMode(u: number, m: number): void {
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
  }

  /** User u's entry for asset `a`, or −1. */
  private entryOf(u: number, a: number): number {
    let e = ~this.heads[u]!;
    while (e !== -1 && this.eAsset[e] !== a) e = this.eNext[e]!;
    return e;
  }

  /** The user's first row in asset `a`: a new entry at the head of the user's chain (its net set by the caller). */
  private newEntry(u: number, a: number, acc: number): number {
    const e = this.eCount++;
    if (e === this.eAsset.length) {
      this.stopTouching();
      this.growEntries();
    }
    this.eAsset[e] = a;
    this.eAccounts[e] = 1 << acc;
    this.eNext[e] = ~this.heads[u]!;
    this.heads[u] = ~e;
    return e;
  }

  /** A new entry's net: in eNet, or the bigint side table past int64. */
  private setNet(e: number, a: number, value: bigint): void {
    if (value > I64_MAX || value <= SPILLED) {
      this.checkBound(value, a);
      this.eNet[e] = SPILLED;
      this.spilled.set(e, value);
    } else this.eNet[e] = value;
  }

  /** Marks account `acc` seen for entry `e`, refusing a second row of the same (user, account, asset). */
  private takeAccount(e: number, u: number, acc: number): void {
    const bit = 1 << acc;
    if ((this.eAccounts[e]! & bit) !== 0) {
      const asset = this.registry.assets[this.eAsset[e]!]!.symbol;
      throw porError('DUPLICATE', `duplicate row: user "${this.idOf(u)}" already has a ${ACCOUNT_TYPES[acc]} row for ${asset}`, { field: 'user_id' });
    }
    this.eAccounts[e] = this.eAccounts[e]! | bit;
  }

  /** addToEntry() for a plain number (|value| < 2^53): summed as numbers while the net stays under 2^53. */
  private addNumber(e: number, u: number, acc: number, value: number): void {
    this.takeAccount(e, u, acc);
    const w = this.eNetWords;
    const hi = w[2 * e + 1]!;
    if (LITTLE_ENDIAN && hi >= -SAFE_HI && hi < SAFE_HI) {
      const sum = hi * TWO_32 + (w[2 * e]! >>> 0) + value;
      if (sum <= Number.MAX_SAFE_INTEGER && sum >= -Number.MAX_SAFE_INTEGER) {
        w[2 * e] = sum;
        w[2 * e + 1] = Math.floor(sum / TWO_32);
        return;
      }
    }
    this.sumInto(e, BigInt(value));
  }

  /** A further account's row for entry `e`'s user and asset: refused if that account was seen, else summed. */
  private addToEntry(e: number, u: number, acc: number, value: bigint): void {
    this.takeAccount(e, u, acc);
    this.sumInto(e, value);
  }

  /** eNet[e] += value, moving to the bigint side table past int64. */
  private sumInto(e: number, value: bigint): void {
    const a = this.eAsset[e]!;
    const cur = this.eNet[e]!;
    if (cur === SPILLED) {
      const next = this.spilled.get(e)! + value;
      this.checkBound(next, a);
      this.spilled.set(e, next);
      return;
    }
    const sum = cur + value;
    if (sum > I64_MAX || sum <= SPILLED) {
      this.checkBound(sum, a);
      this.eNet[e] = SPILLED;
      this.spilled.set(e, sum);
    } else this.eNet[e] = sum;
  }

  /**
   * A user's net in one asset (or the row that makes it) past the leaf bound: no tree of this
   * height could hold it, so it is refused at this row rather than when the tree is built.
   */
  private checkBound(net: bigint, a: number): void {
    if (net <= this.bound && -net <= this.bound) return;
    const asset = this.registry.assets[a]!;
    const h = this.height ?? 1;
    const tree = this.height === undefined ? 'the most any tree (height 1) can hold' : `the leaf bound of a height-${h} tree`;
    throw porError(
      'OVERFLOW',
      `${asset.symbol} ${net < 0n ? 'debt' : 'balance'} ${formatAmount(net < 0n ? -net : net, this.decimals[a]!)} (this row, or the user's net up to it) is above ${formatAmount(this.bound, this.decimals[a]!)} = 2^${128 - h}−1 base units, ${tree} (docs/SPEC.md, Bounds)`,
      { field: 'balance' },
    );
  }

  private addExchange(userId: string, account: string, a: number, balance: string, line: number): void {
    const label = account.slice(EXCHANGE_ACCOUNT_PREFIX.length);
    if (!EXCHANGE_LABEL.test(label)) {
      throw porError('BAD_INPUT', `exchange-owned account "${account}" needs a label of lower-case letters, digits, "-" or "_" after "${EXCHANGE_ACCOUNT_PREFIX}"`, { field: 'account' });
    }
    const value = this.parseBalance(balance, a);
    const u = this.intern(userId, 0, userId.length);
    if (this.isNew) {
      this.firstRows[u] = line;
      this.modes[u] = EXCHANGE_MODE;
    } else if (this.modes[u] !== EXCHANGE_MODE) {
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

  private netOf(e: number): bigint {
    const v = this.eNet[e]!;
    return v === SPILLED ? this.spilled.get(e)! : v;
  }

  /** Users, i.e. interned ids that are not exchange-owned accounts. */
  get userCount(): number {
    return this.count - this.exchange.size;
  }

  /**
   * Per-asset totals, user counts per mode, the users in first-seen order (indexes, exchange-owned
   * ids left out; undefined when there are none: user i is then id i, and an index of 4 bytes per
   * user is not made) and those who owe something (the only ones that can be bad debt).
   */
  summarize(): { totals: AssetLiability[]; modes: Record<AccountMode, number>; users: Uint32Array | undefined; userCount: number; debtors: Uint32Array } {
    const n = this.count;
    const { gross, debt, holders } = this.sumNets();
    const totals = this.registry.assets.map((asset, a) => ({ asset: asset.symbol, gross: gross[a]!, debt: debt[a]!, net: gross[a]! - debt[a]!, users: holders[a]! }));
    const counts = [0, 0, 0, 0, 0];
    for (let u = 0; u < n; u++) counts[this.modes[u]!]!++;
    const modes = Object.fromEntries(ACCOUNT_MODES.map((m, i) => [m, counts[i + 1]!])) as Record<AccountMode, number>;
    const userCount = n - counts[EXCHANGE_MODE]!;
    let users: Uint32Array | undefined;
    if (userCount < n) {
      users = new Uint32Array(userCount);
      for (let u = 0, k = 0; u < n; u++) if (this.modes[u] !== EXCHANGE_MODE) users[k++] = u;
    }
    return { totals, modes, users, userCount, debtors: this.debtors() };
  }

  /**
   * The users with a negative net in some asset, in index order. Only a user with a negative row
   * can have one (and only users have entries), so only those users' nets are read.
   */
  private debtors(): Uint32Array {
    const n = this.count;
    const neg = this.negRows;
    let d = 0;
    for (let u = 0; u < n; u++) if (neg[u] === 1 && this.owes(u)) d++;
    const debtors = new Uint32Array(d);
    for (let u = 0, k = 0; k < d; u++) if (neg[u] === 1 && this.owes(u)) debtors[k++] = u;
    return debtors;
  }

  /** Whether user u has a negative net in some asset. */
  private owes(u: number): boolean {
    const w = this.eNetWords;
    for (let e = ~this.heads[u]!; e !== -1; e = this.eNext[e]!) {
      const hi = w[2 * e + HI]!;
      if (hi >= 0) continue;
      if (hi !== SPILLED_HI || w[2 * e + LO] !== 0) return true;
      if (this.spilled.get(e)! < 0n) return true;
    }
    return false;
  }

  /**
   * Per asset, Σ of the positive nets, Σ of the negative ones (as a positive debt) and the count of
   * non-zero ones. Reads eNet as int32 word pairs,
   * no bigint per entry (a BigInt64Array read makes one): within a block of SUM_BLOCK entries each
   * asset's high words (signed) and low words (unsigned) are summed apart as doubles, exact since
   * a block's sums stay below 2^53; each block's sums then go into bigints. Spilled nets are added
   * as the exact bigints they are.
   */
  private sumNets(): { gross: bigint[]; debt: bigint[]; holders: number[] } {
    const A = this.assetCount;
    const gross = new Array<bigint>(A).fill(0n);
    const debt = new Array<bigint>(A).fill(0n);
    const holders = new Array<number>(A).fill(0);
    const w = new Int32Array(this.eNet.buffer, this.eNet.byteOffset, this.eCount * 2);
    const asset = this.eAsset;
    // Per asset: positive nets' high and low words, then negative nets' high and low words.
    const part = new Float64Array(4 * A);
    for (let start = 0; start < this.eCount; start += SUM_BLOCK) {
      const end = Math.min(this.eCount, start + SUM_BLOCK);
      for (let e = start; e < end; e++) {
        const hi = w[2 * e + HI]!;
        const lo = w[2 * e + LO]!;
        if (hi === 0 && lo === 0) continue;
        const a = asset[e]!;
        if (hi >= 0) {
          part[4 * a]! += hi;
          part[4 * a + 1]! += lo >>> 0;
        } else if (hi !== SPILLED_HI || lo !== 0) {
          part[4 * a + 2]! += hi;
          part[4 * a + 3]! += lo >>> 0;
        } else if (!this.addSpilled(e, a, gross, debt)) continue;
        holders[a]!++;
      }
      for (let a = 0; a < A; a++) {
        gross[a]! += BigInt(part[4 * a]!) * TWO_32N + BigInt(part[4 * a + 1]!);
        debt[a]! -= BigInt(part[4 * a + 2]!) * TWO_32N + BigInt(part[4 * a + 3]!);
      }
      part.fill(0);
    }
    return { gross, debt, holders };
  }

  /** sumNets() for a net kept in the side table: false when it came back to zero. */
  private addSpilled(e: number, a: number, gross: bigint[], debt: bigint[]): boolean {
    const v = this.spilled.get(e)!;
    if (v > 0n) gross[a]! += v;
    else if (v < 0n) debt[a]! -= v;
    return v !== 0n;
  }

  user(u: number): UserBalances {
    if (this.released) throw porError('INTERNAL', 'the users were read after their memory was released (releaseUsers)');
    const net = new Array<bigint>(this.assetCount).fill(0n);
    for (let e = ~this.heads[u]!; e !== -1; e = this.eNext[e]!) net[this.eAsset[e]!] = this.netOf(e);
    return { userId: this.idOf(u), mode: ACCOUNT_MODES[this.modes[u]! - 1]!, net };
  }

  /**
   * User u written straight into a leaf chunk (src/merkle/leaves.ts): its UTF-8 id at ids[at..] and
   * each non-zero net as a 128-bit big-endian equity or debt field (asset a's pair at base + 32a,
   * zeroed by the caller). Returns the id's byte length, or −1 when the user must go through user()
   * instead: an id that is not ASCII, or a net kept as a bigint (past int64).
   */
  encodeUser(u: number, ids: Uint8Array, at: number, dv: DataView, base: number): number {
    const net = this.net32;
    if (!this.ascii || net === undefined) return -1;
    for (let e = ~this.heads[u]!; e !== -1; e = this.eNext[e]!) {
      let lo = net[2 * e]!;
      let hi = net[2 * e + 1]!;
      if (lo === 0 && (hi === 0 || hi === SPILLED_HI)) {
        if (hi === 0) continue;
        return -1;
      }
      let field = base + this.eAsset[e]! * 32;
      if (hi < 0) {
        // two's complement negation of (hi, lo): the debt as a positive 64-bit value
        lo = (~lo + 1) >>> 0;
        hi = ~hi + (lo === 0 ? 1 : 0);
        field += 16;
      }
      dv.setUint32(field + 8, hi >>> 0);
      dv.setUint32(field + 12, lo >>> 0);
    }
    const off = this.offsets[u]!;
    const len = this.offsets[u + 1]! - off;
    for (let i = 0; i < len; i++) ids[at + i] = this.arena[off + i]!;
    return len;
  }
  /**
   * The ids met so far, for a consumer that hashes them while the file is still read. An id's
   * kind (user or exchange-owned) is set in the same call that meets it, so every id below seen()
   * is final; reading is single-threaded and a consumer runs between rows.
   */
  seenIds(): SeenIds {
    return {
      seen: () => this.count,
      isUser: (u) => this.modes[u] !== EXCHANGE_MODE,
      idUtf8: (u, dst, at) => {
        const off = this.offsets[u]!;
        const len = this.offsets[u + 1]! - off;
        const arena = this.arena;
        for (let i = 0; i < len; i++) {
          const c = arena[off + i]!;
          // Not ASCII: the arena holds UTF-16 code units; encoded as user() hands the id on.
          if (c > 0x7f) return utf8.encodeInto(this.idOf(u), dst.subarray(at)).written;
          dst[at + i] = c;
        }
        return len;
      },
    };
  }

  /** No net spilled past int64: every net can be handed on as an int64 (encodeNets). */
  get narrow(): boolean {
    return this.spilled.size === 0 && this.net32 !== undefined;
  }

  /**
   * User u's id at ids[at..] and each net as an int64 at words[word + 2a] (low word, then high),
   * for the tree builder's compact leaf records (src/merkle/leaves.ts). Returns the id's byte
   * length, or −1 for a non-ASCII id (the caller then goes through user()). Only when `narrow`.
   */
  encodeNets(u: number, ids: Uint8Array, at: number, words: Int32Array, word: number): number {
    const net = this.net32;
    if (!this.ascii || net === undefined) return -1;
    for (let e = ~this.heads[u]!; e !== -1; e = this.eNext[e]!) {
      const w = word + 2 * this.eAsset[e]!;
      words[w] = net[2 * e]!;
      words[w + 1] = net[2 * e + 1]!;
    }
    const off = this.offsets[u]!;
    const len = this.offsets[u + 1]! - off;
    for (let i = 0; i < len; i++) ids[at + i] = this.arena[off + i]!;
    return len;
  }

  /**
   * Lets every per-user table go (ids, entries, modes, first lines): a tree build that has hashed
   * every leaf and whose caller reads no user again (por build without --wallets). Totals,
   * exchange-owned accounts and the counts stay; user(), encodeUser and encodeNets stop working.
   */
  releaseUsers(): void {
    this.released = true;
    this.net32 = undefined;
    this.arena = new Uint8Array(0);
    this.offsets = new Uint32Array(0);
    this.modes = new Uint8Array(0);
    this.negRows = new Uint8Array(0);
    this.firstRows = new Uint32Array(0);
    this.heads = new Int32Array(0);
    this.eAsset = new Uint16Array(0);
    this.eNet = new BigInt64Array(0);
    this.eNext = new Int32Array(0);
    this.spilled.clear();
  }
  private released = false;

  /** eNet as (lo, hi) 32-bit words, once reading is over (little-endian machines only). */
  private net32: Int32Array | undefined;

  /** The line of id u's first row in the file read. */
  firstLine(u: number): number {
    return this.firstRows[u]!;
  }

  /** The line of each exchange-owned account's first row, in exchangeOwned().accounts order. */
  exchangeLines(): number[] {
    return [...this.exchange.values()].map((e) => e.firstLine);
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

  /** Lets what only reading needs go: the id table and the account masks. */
  releaseReadState(): void {
    this.stopTouching();
    this.eAccounts = new Uint8Array(0);
    this.table = new Int32Array(0);
    this.lastLen = -1;
    this.exchangeRows.clear();
    if (LITTLE_ENDIAN) this.net32 = new Int32Array(this.eNet.buffer, this.eNet.byteOffset, this.eNet.length * 2);
  }
}

/** FNV-1a over UTF-16 code units, spread with a final avalanche so linear probing stays short. */
function hashChars(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return avalanche(h);
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | BigInt64Array;

/** A copy of a typed-array column with room for `cap` entries (the new tail is zero), over shared memory if asked. */
function widen<T extends Column>(a: T, cap: number, shared = false): T {
  const C = a.constructor as new (...args: [number] | [SharedArrayBuffer, number, number]) => T;
  // Shared buffers are whole 4-byte words, for the toucher's Int32Array over each.
  const b = shared ? new C(new SharedArrayBuffer(Math.ceil((cap * a.BYTES_PER_ELEMENT) / 8) * 8), 0, cap) : new C(cap);
  b.set(a as never);
  return b;
}

function unknownAccount(account: string): PorError {
  return porError(
    'BAD_INPUT',
    `unknown account "${account}"; allowed: ${ACCOUNT_TYPES.join(', ')}, or ${EXCHANGE_ACCOUNT_PREFIX}<label> for an exchange-owned account (e.g. ${EXCHANGE_ACCOUNT_PREFIX}insurance-fund)`,
    { field: 'account' },
  );
}

/** A mode column's value as its 1..3 index. */
function modeIndex(mode: string): number {
  const mi = MODE_INDEX.get(mode);
  if (mi === undefined) throw porError('BAD_INPUT', `unknown mode "${mode}"; allowed: ${ACCOUNT_MODES.join(', ')}`, { field: 'mode' });
  return mi;
}

/** hashChars() of the id stored at arena[start..end). */
function hashArena(arena: Uint8Array | Uint16Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ arena[i]!, 0x01000193);
  return avalanche(h);
}

/** hashChars() of an ASCII id given as bytes, buf[start..end). */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return avalanche(h);
}

/**
 * Maps fresh pages of the reader's tables ahead of it, in another thread (./prefault.ts): each
 * region is a table of `unit` bytes per id (kind TOUCH_IDS), per entry (TOUCH_ENTRIES) or per id
 * character (TOUCH_ID_BYTES), filled in order, or used all at once (TOUCH_ALL: the id table).
 * progress[kind] is where the reader is; progress[3] = 1 stops the toucher.
 */
export interface PageToucher {
  start(regions: TouchRegion[], progress: Int32Array): void;
  stop(): void;
}
export interface TouchRegion {
  buffer: SharedArrayBuffer;
  kind: number;
  unit: number;
}
export const TOUCH_IDS = 0;
export const TOUCH_ENTRIES = 1;
export const TOUCH_ID_BYTES = 2;
export const TOUCH_ALL = 4;

/** Rows the CSV fast path read as bytes, kept until Aggregator.addPlainBatch() adds them together. */
export class PlainBatch {
  static readonly SIZE = 256;
  count = 0;
  readonly idStart = new Int32Array(PlainBatch.SIZE);
  readonly idEnd = new Int32Array(PlainBatch.SIZE);
  readonly hash = new Int32Array(PlainBatch.SIZE);
  readonly user = new Int32Array(PlainBatch.SIZE); // the id found at the home slot, or −1 (a hint)
  readonly account = new Uint8Array(PlainBatch.SIZE);
  readonly asset = new Uint16Array(PlainBatch.SIZE);
  readonly mode = new Uint8Array(PlainBatch.SIZE);
  readonly value = new Float64Array(PlainBatch.SIZE);
  readonly line = new Uint32Array(PlainBatch.SIZE);
}

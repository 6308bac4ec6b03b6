// The aggregator's per-asset totals (Aggregator.summarize, which sums int32 words in blocks) and
// its compact encoding of each user's nets (encodeNets), against a second, plain computation:
// rows generated with their amounts as bigints, summed per user in a Map with BigInt. The rows mix
// small amounts (the CSV byte path), amounts of more than 15 digits (read as text), nets near
// ±2^63 and nets that spill past int64 (the exact side table), some coming back to zero; with
// more than one block of entries.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshot } from '../../src/ingest/index.js';
import { loadAssetRegistry } from '../../src/assets/load.js';

const registry = await loadAssetRegistry('test/fixtures/ingest/assets.json');
const SYMBOLS = registry.assets.map((a) => a.symbol);
const DEC = registry.assets.map((a) => a.decimals);
const ACCOUNTS = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'];
const MODES = ['simple', 'single-currency-margin', 'multi-currency-margin'];
const I64_MAX = (1n << 63n) - 1n;
const dir = mkdtempSync(join(tmpdir(), 'por-summarize-'));

/** Base units as decimal text with `decimals` fractional digits, by hand. */
function text(v: bigint, decimals: number): string {
  const digits = (v < 0n ? -v : v).toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return `${v < 0n ? '-' : ''}${int}${decimals > 0 ? `.${frac}` : ''}`;
}

/** A deterministic stream of 24-bit numbers (a linear congruential generator). */
function numbers(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
}

interface Row {
  id: string;
  account: string;
  asset: number;
  value: bigint;
  mode: string;
}

/**
 * Rows for `users` users in two passes (as the bench snapshots: a user's rows far apart), each
 * user with one mode; simple users never negative. Every 97th user holds nets near ±2^63, every
 * 101st spills past int64 (a debt for odd margin users; every other one comes back to zero).
 */
function rows(users: number, seed: number): Row[] {
  const next = numbers(seed);
  const out: Row[] = [];
  const big = () => (1n << 62n) + BigInt(next()) * BigInt(next()) * 7919n; // about 2^62, < 2^63
  for (let pass = 0; pass < 2; pass++) {
    for (let u = 0; u < users; u++) {
      const mode = MODES[u % 3]!;
      const id = `user-${(u * 2654435761) >>> 0}`;
      const sign = mode === 'simple' || next() % 3 !== 0 ? 1n : -1n;
      let value = sign * (BigInt(next()) * BigInt(next() % 4096) + BigInt(next() % 7));
      if (u % 97 === 0) value = sign * (I64_MAX - BigInt(next())); // near ±2^63: read as text
      const asset = u % 101 === 0 ? 1 : next() % SYMBOLS.length;
      if (u % 101 === 0) value = (mode !== 'simple' && u % 2 === 1 ? -1n : 1n) * big(); // two of about ±2^62: past int64 together
      out.push({ id, account: ACCOUNTS[pass * 3 + (next() % 3)]!, asset, value, mode });
      if (u % 202 === 0 && pass === 1 && mode !== 'simple') {
        const sum = out.filter((r) => r.id === id && r.asset === asset).reduce((s, r) => s + r.value, 0n);
        out.push({ id, account: 'earn', asset, value: -sum, mode }); // back to zero, from past int64
      }
    }
  }
  return out;
}

/** Per asset: Σ of positive nets, Σ of negative nets as a debt, non-zero nets; and the debtors, by hand. */
function expected(list: Row[]): { totals: { gross: bigint; debt: bigint; users: number }[]; debtors: string[]; nets: Map<string, bigint[]> } {
  const nets = new Map<string, bigint[]>();
  for (const r of list) {
    const n = nets.get(r.id) ?? SYMBOLS.map(() => 0n);
    n[r.asset] = n[r.asset]! + r.value;
    nets.set(r.id, n);
  }
  const totals = SYMBOLS.map(() => ({ gross: 0n, debt: 0n, users: 0 }));
  for (const n of nets.values()) {
    n.forEach((v, a) => {
      if (v > 0n) totals[a]!.gross += v;
      if (v < 0n) totals[a]!.debt -= v;
      if (v !== 0n) totals[a]!.users++;
    });
  }
  const debtors = [...nets].filter(([, n]) => n.some((v) => v < 0n)).map(([id]) => id);
  return { totals, debtors, nets };
}

async function snapshotOf(name: string, list: Row[]) {
  const file = join(dir, name);
  const lines = list.map((r) => `${r.id},${r.account},${SYMBOLS[r.asset]},${text(r.value, DEC[r.asset]!)},${r.mode}`);
  writeFileSync(file, `user_id,account,asset,balance,mode\n${lines.join('\n')}\n`);
  return readSnapshot(file, registry);
}

describe('per-asset totals and compact nets', () => {
  it('sums every asset exactly over 80,000 entries, with nets near ±2^63 and past int64', async () => {
    const list = rows(40_000, 7);
    const want = expected(list);
    const spilled = [...want.nets.values()].filter((n) => n.some((v) => v > I64_MAX || v < -I64_MAX - 1n)).length;
    expect(spilled).toBeGreaterThan(100); // the side table is exercised, with debts
    expect([...want.nets.values()].filter((n) => n.some((v) => v < -I64_MAX - 1n)).length).toBeGreaterThan(50);
    expect([...want.nets.values()].filter((n) => n.some((v) => v < -(1n << 62n))).length).toBeGreaterThan(50);
    const snap = await snapshotOf('sums.csv', list);
    expect(snap.totals.map(({ gross, debt, net, users }) => ({ gross, debt, net, users }))).toEqual(want.totals.map((t) => ({ ...t, net: t.gross - t.debt })));
    expect([...snap.debtors()].map((u) => u.userId)).toEqual(want.debtors);
    expect(snap.encoder.narrow).toBe(false);
  });

  it('writes each user\'s nets as the int64 words user() reads, users far apart in memory', async () => {
    const list = rows(30_000, 11).filter((r) => r.value <= I64_MAX / 4n && r.value >= -I64_MAX / 4n); // every net fits int64
    const want = expected(list);
    const snap = await snapshotOf('nets.csv', list);
    expect(snap.encoder.narrow).toBe(true);
    const A = SYMBOLS.length;
    const ids = new Uint8Array(64);
    const ordered = [...want.nets];
    expect(snap.encoder.count).toBe(ordered.length);
    for (let i = 0; i < snap.encoder.count; i++) {
      const words = new Int32Array(2 * A + 2); // one word each side of the nets: left zero
      const len = snap.encoder.encodeNets!(i, ids, 0, words, 1);
      const [id, nets] = ordered[i]!;
      expect(new TextDecoder().decode(ids.subarray(0, len))).toBe(id);
      const got = SYMBOLS.map((_, a) => (BigInt(words[1 + 2 * a + 1]!) << 32n) + BigInt(words[1 + 2 * a]! >>> 0));
      expect(got).toEqual(nets);
      expect(snap.encoder.user(i).net).toEqual(nets);
      expect(words[0] === 0 && words[2 * A + 1] === 0).toBe(true);
    }
  });
});

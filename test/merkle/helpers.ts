// Synthetic snapshots for tree tests: the shape src/ingest hands the builder, without a file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SynthUser {
  userId: string;
  net: bigint[];
}

export const ASSETS = [
  { symbol: 'BTC', decimals: 8 },
  { symbol: 'ETH', decimals: 18 },
  { symbol: 'USDT', decimals: 6 },
];

export function snapshotOf(users: SynthUser[], assets = ASSETS) {
  const totals = assets.map((_, a) => ({
    gross: users.reduce((s, u) => s + (u.net[a]! > 0n ? u.net[a]! : 0n), 0n),
    debt: users.reduce((s, u) => s + (u.net[a]! < 0n ? -u.net[a]! : 0n), 0n),
  }));
  return { registry: { assets }, userCount: users.length, totals, users: () => users.map((u) => ({ ...u, mode: 'simple' as const })) };
}

export const SECRET = new TextEncoder().encode('0123456789abcdef0123456789abcdef-test-secret');

export function tmp(prefix = 'por-merkle-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic pseudo-random users (xorshift), balances in base units, some negative. */
export function randomUsers(n: number, assets = ASSETS.length, seed = 1): SynthUser[] {
  let x = seed >>> 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const out: SynthUser[] = [];
  for (let i = 0; i < n; i++) {
    const net: bigint[] = [];
    for (let a = 0; a < assets; a++) {
      const r = rnd();
      net.push(r < 0.4 ? 0n : r < 0.45 ? -BigInt(Math.floor(rnd() * 1e9)) : BigInt(Math.floor(rnd() * 1e12)));
    }
    out.push({ userId: `user-${i}`, net });
  }
  return out;
}

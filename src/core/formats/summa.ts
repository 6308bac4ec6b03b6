// Summa v1 (summa-dev/summa-solvency, MIT / Apache-2.0): the Merkle sum tree root recomputed from
// the exchange's liabilities CSV (`username,balance_<ASSET>_<CHAIN>,…`) and compared with the
// published commitment (`commitment_solidity_calldata.json`: root_hash, root_balances). Hash:
// halo2's Poseidon sponge, width 2 / rate 1, circomlib's t = 2 permutation; ConstantLength<L>:
// state = [0, L·2^64], each input added to state[0] then permuted, output state[0].
// Leaf = H(username as a big-endian UTF-8 integer, balance_0, …); middle = H(Σbalance_0, …, left, right).
// Pure: the web page can bundle it.
import { porError } from '../errors/index.js';
import { isObject } from '../json/index.js';
import { JsonAt } from '../json/read.js';
import { BN254_R, circomPermutation } from '../crypto/poseidon-bn254.js';
import type { AssetAmount, Check, Verdict } from '../verify/types.js';

export function looksLikeSummaCsv(text: string): boolean {
  return /^\ufeff?username(,balance_[^,\r\n]+)+\r?$/.test(text.split('\n', 1)[0] ?? '');
}

/** halo2's ConstantLength sponge over circomlib's width-2 permutation. */
export function summaHash(inputs: readonly bigint[]): bigint {
  const perm = circomPermutation(2);
  let s = [0n, BigInt(inputs.length) << 64n];
  for (const x of inputs) s = perm([(s[0]! + x) % BN254_R, s[1]!]);
  return s[0]!;
}

interface Entry {
  line: number;
  username: string;
  balances: bigint[];
}

function readEntries(text: string, file?: string): { assets: string[]; entries: Entry[] } {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const assets = lines[0]!.split(',').slice(1).map((h) => h.replace(/^balance_/, ''));
  const entries = lines.slice(1).flatMap((l, i): Entry[] => {
    if (l.trim() === '') return [];
    const cells = l.split(',');
    const line = i + 2;
    if (cells.length !== assets.length + 1) throw porError('BAD_INPUT', `${cells.length} fields; the header has ${assets.length + 1}`, { file, line, column: 1 });
    const username = cells[0]!;
    if (username === '' || new TextEncoder().encode(username).length > 31) throw porError('BAD_INPUT', 'a username is 1 to 31 bytes (it is hashed as one field element)', { file, line, column: 1, field: 'username' });
    const balances = cells.slice(1).map((c, k) => {
      if (!/^\d{1,30}$/.test(c)) throw porError('BAD_INPUT', `balance "${c}" is not a non-negative integer`, { file, line, column: cells.slice(0, k + 1).join(',').length + 2, field: `balance_${assets[k]}` });
      return BigInt(c);
    });
    return [{ line, username, balances }];
  });
  const n = entries.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw porError('BAD_INPUT', `${n} entries: por reads Summa v1 trees of a power-of-two number of entries`, { file, line: 1, column: 1 });
  return { assets, entries };
}

const usernameInt = (u: string) => [...new TextEncoder().encode(u)].reduce((a, b) => (a << 8n) | BigInt(b), 0n);

/** The root hash and balances, built bottom-up from the entries in file order. */
export function summaRoot(entries: Entry[]): { hash: bigint; balances: bigint[] } {
  let level = entries.map((e) => ({ hash: summaHash([usernameInt(e.username), ...e.balances]), balances: e.balances }));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      const [l, r] = [level[i]!, level[i + 1]!];
      const balances = l.balances.map((b, k) => b + r.balances[k]!);
      next.push({ hash: summaHash([...balances, l.hash, r.hash]), balances });
    }
    level = next;
  }
  return level[0]!;
}

function readCommitment(json: unknown): { hash: bigint; balances: bigint[] } {
  const hex = (at: JsonAt): bigint => BigInt(at.string(/^0x[0-9a-fA-F]{1,64}$/, '0x-prefixed hex'));
  const doc = JsonAt.root(json);
  if (!isObject(json) || !Array.isArray(json.root_balances)) doc.get('root_balances').fail('a Summa commitment has "root_hash" and "root_balances"');
  return { hash: hex(doc.get('root_hash')), balances: doc.get('root_balances').array().map(hex) };
}

const hex64 = (x: bigint) => `0x${x.toString(16).padStart(64, '0')}`;

export const SUMMA_WARNINGS = [
  'This checks the exchange-side liabilities file against the published commitment: it needs the whole CSV, which only the exchange (or its auditor) holds. A user\'s Summa inclusion proof is a halo2 KZG SNARK, verified by Summa\'s Solidity verifier on-chain; por does not verify it (no JavaScript verifier exists).',
  'Usernames are hashed as big-endian UTF-8 integers (Summa v1 until April 2024); later code hashes keccak256(username), which gives another root.',
  'Balances are per currency with no prices; negative balances cannot be written, so debts are not netted here.',
];

/** Recomputes the root from the CSV and compares it with the commitment (or a root hash alone). */
export function verifySumma(text: string, published: { commitment?: unknown; rootHash?: string }, file?: string): Verdict {
  const { assets, entries } = readEntries(text, file);
  const root = summaRoot(entries);
  const sums: AssetAmount[] = assets.map((asset, k) => ({ asset, amount: root.balances[k]!.toString() }));
  const checks: Check[] = [];
  const overflow = root.balances.filter((b) => b >= BN254_R).length;
  checks.push({ name: 'sums-within-field', ok: overflow === 0, detail: overflow === 0 ? 'every root balance is below the BN254 field order' : `${overflow} root balance(s) wrap around the field` });
  const names = new Set(entries.map((e) => e.username));
  checks.push({ name: 'usernames-distinct', ok: names.size === entries.length, detail: names.size === entries.length ? `${entries.length} distinct usernames` : `${entries.length - names.size} username(s) appear twice` });
  if (published.commitment !== undefined) {
    const c = readCommitment(published.commitment);
    checks.push({ name: 'root-hash', ok: c.hash === root.hash, detail: `recomputed ${hex64(root.hash)}${c.hash === root.hash ? ', the committed root' : `, the commitment says ${hex64(c.hash)}`}` });
    const ok = c.balances.length === root.balances.length && c.balances.every((b, k) => b === root.balances[k]);
    checks.push({ name: 'root-balances', ok, detail: `recomputed ${root.balances.join(', ')}; committed ${c.balances.join(', ')}` });
  }
  if (published.rootHash !== undefined) {
    const want = BigInt(`0x${published.rootHash.trim().replace(/^0x/i, '')}`);
    checks.push({ name: 'published-root-hash', ok: want === root.hash, detail: `recomputed ${hex64(root.hash)}${want === root.hash ? ', the published root' : `, not ${hex64(want)}`}` });
  }
  return { valid: checks.every((c) => c.ok), format: 'summa-v1', checks, warnings: [...SUMMA_WARNINGS], user: { balances: [] }, root: { hash: hex64(root.hash), sums, height: Math.log2(entries.length) + 1 } };
}

#!/usr/bin/env node
// Deterministic synthetic liabilities snapshots (seeded PRNG: the same arguments give the same bytes).
//
//   node scripts/gen-snapshot.mjs --users 1000000 --out /tmp/snap-1m.csv [--seed 1]
//       bench file for the sample asset registry: ~2 rows per user, 3 modes, margin debt, and rows
//       written in two passes so the file is NOT grouped by user (ingest must not rely on order).
//   node scripts/gen-snapshot.mjs --sample [--out-dir samples]
//       regenerates samples/liabilities.csv and samples/liabilities.ndjson (~1,000 users) from seed 2026.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** mulberry32: small, fast, seeded; good enough to spread synthetic data. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A decimal amount with exactly `dec` fractional digits, integer part below `maxInt`. */
function amount(r, maxInt, dec) {
  const int = Math.floor(r() * maxInt);
  let frac = '';
  for (let i = 0; i < dec; i++) frac += Math.floor(r() * 10);
  return dec > 0 ? `${int}.${frac}` : String(int);
}

async function writeLines(file, produce) {
  const out = createWriteStream(file);
  let buf = '';
  const flush = async () => {
    if (!out.write(buf)) await once(out, 'drain');
    buf = '';
  };
  for (const line of produce()) {
    buf += line + '\n';
    if (buf.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
}

// Sample registry order and decimals (samples/assets.json).
const ASSETS = [
  ['BTC', 8, 3],
  ['ETH', 8, 40],
  ['USDT', 6, 50000],
  ['USDC', 6, 50000],
  ['XTK', 8, 2000],
];
const MODES = ['simple', 'single-currency-margin', 'multi-currency-margin'];
const SECOND = ['funding', 'earn', 'margin', 'futures', 'perpetual', 'options'];

function hexId(i) {
  // A bijective scramble of the index so ids are unique but not in file order.
  let x = (Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d) >>> 0).toString(16).padStart(8, '0');
  return `${x}${i.toString(16).padStart(8, '0')}`;
}

async function bench(users, file, seed) {
  const r = rng(seed);
  const user = [];
  // Per user: mode and two (account, asset) picks, decided once so both passes agree.
  const modes = new Uint8Array(users);
  const a1 = new Uint8Array(users);
  const a2 = new Uint8Array(users);
  const acc2 = new Uint8Array(users);
  for (let i = 0; i < users; i++) {
    const m = r();
    modes[i] = m < 0.8 ? 0 : m < 0.95 ? 1 : 2;
    a1[i] = Math.floor(r() * ASSETS.length);
    a2[i] = Math.floor(r() * ASSETS.length);
    acc2[i] = Math.floor(r() * SECOND.length);
  }
  void user;
  await writeLines(file, function* () {
    yield 'user_id,account,asset,balance,mode';
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < users; i++) {
        const account = pass === 0 ? 'spot' : SECOND[acc2[i]];
        const [sym, dec, max] = ASSETS[pass === 0 ? a1[i] : a2[i]];
        let bal = amount(r, max, dec);
        // margin users owe on their second row a quarter of the time
        if (pass === 1 && modes[i] !== 0 && r() < 0.25) bal = `-${bal}`;
        yield `${hexId(i)},${account},${sym},${bal},${MODES[modes[i]]}`;
      }
    }
  });
  return users * 2;
}

/**
 * The sample snapshot: ~1,000 users, every account type, all three modes, margin debt, a
 * perpetual account with negative unrealized PnL, one bad-debt user, and an insurance fund.
 * Hand-placed rows first (named so the docs can point at them), then seeded random users.
 */
function sampleRows() {
  const r = rng(2026);
  const rows = [];
  const add = (user, account, asset, balance, mode) => rows.push({ user, account, asset, balance, mode });
  // Margin user who borrowed ETH against USDT: owes 2 ETH, holds 9,000 USDT (solvent user).
  add('alice', 'spot', 'USDT', '9000.000000', 'multi-currency-margin');
  add('alice', 'margin', 'ETH', '-2.00000000', 'multi-currency-margin');
  add('alice', 'earn', 'USDC', '150.250000', 'multi-currency-margin');
  // Perpetual account whose equity (margin 1,200 USDT minus 1,450 USDT unrealized loss) is negative,
  // covered by spot BTC in the same multi-currency margin account.
  add('bob', 'perpetual', 'USDT', '-250.000000', 'multi-currency-margin');
  add('bob', 'spot', 'BTC', '0.05000000', 'multi-currency-margin');
  // Single-currency margin: futures equity including open-position collateral.
  add('carol', 'futures', 'USDT', '4200.500000', 'single-currency-margin');
  add('carol', 'options', 'USDT', '310.000000', 'single-currency-margin');
  add('carol', 'funding', 'USDT', '-100.000000', 'single-currency-margin');
  // Bad debt: owes 3 ETH, holds only exchange tokens worth far less. Total equity < 0 at sample prices.
  add('mallory', 'margin', 'ETH', '-3.00000000', 'multi-currency-margin');
  add('mallory', 'spot', 'XTK', '1500.00000000', 'multi-currency-margin');
  // A plain simple-mode user in every non-margin account type.
  add('dave', 'spot', 'BTC', '1.25000000', 'simple');
  add('dave', 'funding', 'BTC', '0.10000000', 'simple');
  add('dave', 'earn', 'ETH', '3.50000000', 'simple');
  add('dave', 'options', 'USDC', '42.000000', 'simple');
  // The exchange's own insurance fund: reported apart, never a user liability.
  add('insurance-fund', 'exchange:insurance-fund', 'USDT', '250000.000000', '');
  add('insurance-fund', 'exchange:insurance-fund', 'BTC', '5.00000000', '');
  const accounts = ['spot', 'funding', 'margin', 'futures', 'perpetual', 'options', 'earn'];
  for (let i = 1; i <= 1000; i++) {
    const user = `user-${String(i).padStart(4, '0')}`;
    const m = r();
    const mode = m < 0.7 ? 'simple' : m < 0.85 ? 'single-currency-margin' : 'multi-currency-margin';
    const k = 1 + Math.floor(r() * 4);
    const used = new Set();
    let owes = false;
    // Margin users first get ample USDT collateral (100,000+) so that none of them is bad debt:
    // at most one debt row each, worth at most ~1 BTC at sample prices.
    if (mode !== 'simple') {
      used.add('spot/USDT');
      add(user, 'spot', 'USDT', `${100000 + Math.floor(r() * 50000)}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}`, mode);
    }
    for (let j = 0; j < k; j++) {
      const account = accounts[Math.floor(r() * accounts.length)];
      const [asset, dec, max] = ASSETS[Math.floor(r() * ASSETS.length)];
      if (used.has(`${account}/${asset}`)) continue;
      used.add(`${account}/${asset}`);
      const negative = mode !== 'simple' && !owes && r() < 0.3;
      if (negative) owes = true;
      const bal = amount(r, negative ? Math.max(1, Math.floor(max / 50)) : max, dec);
      add(user, account, asset, negative ? `-${bal}` : bal, mode);
    }
  }
  return rows;
}

const seed = Number(arg('seed', '1'));
if (process.argv.includes('--sample')) {
  const rows = sampleRows();
  const dir = arg('out-dir', 'samples');
  await writeLines(`${dir}/liabilities.csv`, function* () {
    yield 'user_id,account,asset,balance,mode';
    for (const x of rows) yield `${x.user},${x.account},${x.asset},${x.balance},${x.mode}`;
  });
  await writeLines(`${dir}/liabilities.ndjson`, function* () {
    for (const x of rows) {
      const o = { user_id: x.user, account: x.account, asset: x.asset, balance: x.balance };
      if (x.mode) o.mode = x.mode;
      yield JSON.stringify(o);
    }
  });
  process.stderr.write(`wrote ${dir}/liabilities.csv and ${dir}/liabilities.ndjson: ${rows.length} rows\n`);
} else {
  const users = Number(arg('users', '1000000'));
  const out = arg('out', `/tmp/por-snapshot-${users}.csv`);
  const t0 = performance.now();
  const rows = await bench(users, out, seed);
  process.stderr.write(`wrote ${out}: ${users} users, ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

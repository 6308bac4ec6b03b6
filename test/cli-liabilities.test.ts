// `por liabilities` and `por solvency` end to end: spawns the built CLI (npm test builds first).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const FIX = 'test/fixtures/ingest';
const ASSETS = `${FIX}/assets.json`;

function por(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('por liabilities', () => {
  it('--json: one document with the hand-computed totals of small.csv', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--assets', ASSETS, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'por-liabilities', version: 1, users: 4, modes: { simple: 1, 'single-currency-margin': 1, 'multi-currency-margin': 2 } });
    // see test/ingest/ingest.test.ts for the arithmetic
    expect(doc.assets.map((a: Record<string, string>) => [a.asset, a.grossLiabilities, a.userDebt, a.netLiabilities, a.exchangeOwned])).toEqual([
      ['BTC', '1.75000001', '0.00000000', '1.75000001', '0.00000000'],
      ['ETH', '0.00000000', '2.50000000', '-2.50000000', '0.00000000'],
      ['USDT', '1079.500000', '0.000000', '1079.500000', '5000.000000'],
      ['USDC', '0.000000', '0.000000', '0.000000', '0.000000'],
      ['XTK', '10.00000000', '0.00000000', '10.00000000', '0.00000000'],
    ]);
    expect(doc.exchangeOwned).toEqual([{ userId: 'fund', label: 'insurance-fund', balances: { USDT: '5000.000000' } }]);
    expect(doc.badDebt.assessed).toBe(false);
  });

  it('prints a table, the insurance fund apart, and bad debt with --prices', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--assets', ASSETS, '--prices', 'test/fixtures/solvency/small-prices.csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^USDT\s+1079\.500000\s+0\.000000\s+1079\.500000\s+2$/m);
    expect(r.stdout).toMatch(/Exchange-owned, not a user liability: fund \(exchange:insurance-fund\): 5000\.000000 USDT/);
    expect(r.stdout).toMatch(/Bad debt: 1 user with total equity below zero, 3995 USD short \(e\.g\. u4\)/);
  });

  it('reads NDJSON to the same totals as CSV', () => {
    const a = JSON.parse(por('liabilities', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--json').stdout);
    const b = JSON.parse(por('liabilities', 'samples/liabilities.ndjson', '--assets', 'samples/assets.json', '--json').stdout);
    expect(b.assets).toEqual(a.assets);
    expect(b.users).toBe(1005);
  });

  const bad: Array<[string, string]> = [
    ['too-many-decimals.csv', ':3:14, field balance: amount "1.1234567" has 7 fractional digits; this asset allows at most 6'],
    ['unknown-account.csv', ':2:4, field account: unknown account "wallet"; allowed: spot, funding, margin, futures, perpetual, options, earn'],
    ['duplicate.csv', ':4:1, field user_id: duplicate row: user "u1" already has a spot row for BTC'],
    ['truncated.csv', ':3:11, field balance: the last line has no newline at the end and looks truncated'],
    ['conflicting-modes.csv', ':3:18, field mode: user "u1" has mode multi-currency-margin here but simple on an earlier row'],
  ];
  for (const [name, message] of bad) {
    it(`exits 2 on ${name}, naming file:line:column, with nothing on stdout`, () => {
      const r = por('liabilities', `${FIX}/bad/${name}`, '--assets', ASSETS);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`por liabilities: error: ${FIX}/bad/${name}${message}`);
    });
  }

  it('--json on bad input: only an error document on stdout, exit 2', () => {
    const r = por('liabilities', `${FIX}/bad/unknown-asset.csv`, '--assets', ASSETS, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.error).toMatchObject({ code: 'UNKNOWN_ASSET', info: { line: 2, column: 9, field: 'asset' } });
    expect(doc.assets).toBeUndefined();
  });

  it('a folder given as a file: exit 2, the message says it is a folder', () => {
    const r = por('liabilities', FIX, '--assets', ASSETS);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${FIX}: cannot read file: EISDIR (a folder, not a file)`);
    const a = por('liabilities', `${FIX}/small.csv`, '--assets', FIX);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`${FIX}: cannot read file: EISDIR (a folder, not a file)`);
  });

  it('a por file of another kind given as --assets says what it is', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--assets', 'samples/wallets.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/samples\/wallets\.json:2:13, field format: format must be "por-assets"; this file is "por-wallets"/);
  });

  it('exits 2 without --assets', () => {
    const r = por('liabilities', `${FIX}/small.csv`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/assets/);
  });

  it('--json on a usage error (missing --assets): the error document on stdout, exit 2', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'por-error', version: 1 });
    expect(Object.keys(doc)).toEqual(['format', 'version', 'error']);
    expect(doc.error).toMatchObject({ code: 'BAD_USAGE', message: expect.stringMatching(/assets/) });
  });

  it('--json on bad input inside a command: the same por-error envelope, located', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--assets', `${FIX}/small.csv`, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'por-error', version: 1, error: { code: 'BAD_INPUT', info: { file: `${FIX}/small.csv`, line: 1, column: 1 } } });
  });

  it('a single-valued option given twice is a usage error, not two values joined into one', () => {
    const r = por('liabilities', `${FIX}/small.csv`, '--assets', ASSETS, '--assets', ASSETS, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_USAGE', message: '--assets is given more than once; give it once' });
  });

  it('a usage error names the command whose --help to read', () => {
    const r = por('liabilities', `${FIX}/small.csv`);
    expect(r.stderr).toMatch(/^por liabilities: Missing required argument: assets\nRun `por liabilities --help` for usage\.\n$/);
    const sub = por('report');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/^por report: Give a report sub-command: verify-signature or render\n/);
  });
});

describe('--help of every command', () => {
  // A user reads the exit codes from --help before scripting a command: every command states them.
  const commands = ['liabilities', 'solvency', 'reserves', 'build', 'proof', 'verify', 'compare', 'audit', 'history', 'watch', 'verify-page', 'report verify-signature', 'report render'];
  it.each(commands)('por %s --help gives an example and the exit codes', (c) => {
    const r = por(...c.split(' '), '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 /);
    expect(r.stdout).toMatch(/Examples:/);
  });
});

describe('por solvency', () => {
  const small = ['solvency', `${FIX}/small.csv`, '--assets', ASSETS, '-r', 'test/fixtures/solvency/small-reserves.csv'];

  it('exits 1 when one asset falls short, and names it', () => {
    const r = por(...small, '--prices', 'test/fixtures/solvency/small-prices.csv');
    expect(r.code).toBe(1);
    // asset, reserves, owned, gross ratio, owed by users, netted, to cover, surplus, ratio: no USDT debt, so gross = netted
    // Amounts with thousands separators; 1079.499999 / 1079.5 = 0.99999999907… → 99.99 % (rounded down, never 100.00 %)
    expect(r.stdout).toMatch(/^USDT\s+1,079\.499999\s+1,079\.500000\s+99\.99 %\s+0\.000000\s+0\.000000\s+1,079\.500000\s+-0\.000001\s+99\.99 %\s+SHORT$/m);
    expect(r.stdout).toMatch(/NOT SOLVENT in USDT/);
    expect(r.stdout).toMatch(/Bad debt: 1 user with total equity below zero, 3,995\.00 USD short/);
  });

  it('--json: por-solvency document, exact decimals, full-precision ratio', () => {
    const r = por(...small, '--prices', 'test/fixtures/solvency/small-prices.csv', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'por-solvency', version: 2, solvent: false, shortfalls: ['USDT'], grossShortfalls: ['USDT', 'XTK'] });
    // XTK: u4's 10 XTK are written off as bad debt (nothing to cover after netting), but the 0 XTK
    // held is 0 % of the 10 users own
    expect(doc.assets.find((a: { asset: string }) => a.asset === 'XTK')).toMatchObject({ grossRatio: '0', grossCovered: false, liabilities: '0.00000000', solvent: true });
    const usdt = doc.assets.find((a: { asset: string }) => a.asset === 'USDT');
    expect(usdt).toMatchObject({ reserves: '1079.499999', liabilities: '1079.500000', surplus: '-0.000001', ratio: '0.9999999990736452061139416396479851783232', solvent: false });
  });

  it('without prices, says nothing was netted', () => {
    const r = por(...small);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Netting: none — no prices given/);
    expect(r.stdout).toMatch(/NOT SOLVENT in USDT, XTK/);
  });

  it('chain options without --wallets are bad usage, not silently ignored', () => {
    const r = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '-r', 'samples/reserves.csv', '--rpc', 'ethereum=http://127.0.0.1:8545', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_USAGE', message: expect.stringMatching(/give --wallets/) });
  });

  it('--confirmations below 0 is bad usage (it would read above the head)', () => {
    const r = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '--wallets', 'samples/wallets.json', '--rpc', 'ethereum=http://127.0.0.1:9', '--confirmations', '-3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--confirmations must be a whole number ≥ 0/);
    expect(r.stderr).not.toMatch(/warning/); // refused before any node is asked
  });

  it('the samples are solvent: exit 0', () => {
    const r = por('solvency', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '-r', 'samples/reserves.csv', '--prices', 'samples/prices.csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SOLVENT after netting: every asset/);
    expect(r.stdout).toMatch(/Gross coverage \(nothing netted\): every asset at 100 % or more/);
    expect(r.stdout).toMatch(/mallory/);
  });

  it('exits 2 on a bad reserves file, naming its line', () => {
    const r = por('solvency', `${FIX}/small.csv`, '--assets', ASSETS, '-r', `${FIX}/small.csv`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/small\.csv:1:1, field user_id: bad header: unknown column "user_id"/);
  });
});

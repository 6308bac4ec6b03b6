// por liabilities and por solvency within a memory budget (issue 17): a snapshot read in parts by
// user id (temporary files, removed afterwards) must print exactly what the in-memory read prints,
// debtors' sample and exchange-owned accounts in the same order, and the same located errors.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
const dir = mkdtempSync(join(tmpdir(), 'por-parts-cli-'));

const LIAB = ['samples/liabilities.csv', '--assets', 'samples/assets.json', '--prices', 'samples/prices.csv'];
const SOLV = ['solvency', '-l', 'samples/liabilities.csv', '--assets', 'samples/assets.json', '-r', 'samples/reserves.csv', '--prices', 'samples/prices.csv', '--haircuts', 'samples/haircuts.json'];

describe('liabilities and solvency in parts', () => {
  for (const [name, args] of [['liabilities', ['liabilities', ...LIAB]], ['solvency', SOLV]] as const) {
    it(`${name}: --parts 3 and 5 print the in-memory output (text and --json); no temporary file left`, () => {
      const t = mkdtempSync(join(dir, 'tmp-'));
      for (const json of [[], ['--json']]) {
        const whole = por(...args, ...json, '--parts', '1');
        expect(whole.status, whole.stderr).toBeLessThan(2);
        for (const parts of ['3', '5']) {
          const p = por(...args, ...json, '--parts', parts, '--tmp-dir', t);
          expect(p.status).toBe(whole.status);
          expect(p.stdout).toBe(whole.stdout);
          expect(p.stderr).toMatch(new RegExp(`read in ${parts} parts`));
        }
      }
      expect(readdirSync(t)).toEqual([]);
    });
  }

  it('the same debtors in the same order: bad-debt sample (first 20 in file order) and counts equal', () => {
    // 60 users in bad debt (1 BTC owed against 1 USDT) and 6 exchange-owned accounts, spread over
    // the parts by their ids: only ordering by first line gives the in-memory sample and list.
    const rows = ['user_id,account,asset,balance,mode'];
    for (let i = 0; i < 60; i++) rows.push(`bd${i},margin,BTC,-1,multi-currency-margin`, `bd${i},spot,USDT,1,multi-currency-margin`);
    for (let i = 0; i < 6; i++) rows.push(`fund${i},exchange:fund-${i},USDT,${i + 1},simple`);
    const file = join(dir, 'debtors.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const args = ['liabilities', file, '--assets', 'samples/assets.json', '--prices', 'samples/prices.csv', '--json'];
    const whole = JSON.parse(por(...args, '--parts', '1').stdout);
    const parts = JSON.parse(por(...args, '--parts', '4', '--tmp-dir', dir).stdout);
    expect(whole.badDebt.users).toBe(60);
    expect(whole.badDebt.sample).toEqual(Array.from({ length: 20 }, (_, i) => `bd${i}`));
    expect(parts.badDebt).toEqual(whole.badDebt);
    expect(parts.exchangeOwned.map((a: { userId: string }) => a.userId)).toEqual(['fund0', 'fund1', 'fund2', 'fund3', 'fund4', 'fund5']);
  });

  it('a bad row is reported at the original file:line:column, as in memory', () => {
    const lines = readFileSync(join(ROOT, 'samples/liabilities.csv'), 'utf8').split('\n');
    lines[700] = lines[700]!.replace(/,(\d+)(\.\d+)?,/, ',$1.5.5,');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, lines.join('\n'));
    const whole = por('liabilities', file, '--assets', 'samples/assets.json', '--parts', '1');
    const parts = por('liabilities', file, '--assets', 'samples/assets.json', '--parts', '3', '--tmp-dir', dir);
    expect(whole.status).toBe(2);
    expect(whole.stderr).toContain(`${file}:701:`);
    expect(parts.status).toBe(2);
    expect(parts.stderr.split('\n').filter((l) => l.includes(file))).toEqual(whole.stderr.split('\n').filter((l) => l.includes(file)));
  });
});

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

  it('the same debtors in the same order: bad-debt sample and counts equal', () => {
    const whole = JSON.parse(por('liabilities', ...LIAB, '--json', '--parts', '1').stdout);
    const parts = JSON.parse(por('liabilities', ...LIAB, '--json', '--parts', '4', '--tmp-dir', dir).stdout);
    expect(whole.badDebt.users).toBeGreaterThan(0); // the sample has bad debt to compare
    expect(parts.badDebt).toEqual(whole.badDebt);
    expect(parts.exchangeOwned.length).toBeGreaterThan(0);
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

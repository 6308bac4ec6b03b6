// The per-user rules `build` needs are checked where the snapshot is read, so `liabilities`,
// `solvency` and `build` refuse the same row at the same file:line:column, exit 2, and `build`
// writes nothing (it used to fail after reading, with no file or line).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ASSETS = 'test/fixtures/ingest/assets.json';
const dir = mkdtempSync(join(tmpdir(), 'por-rules-cli-'));
writeFileSync(join(dir, 'secret.key'), 'c'.repeat(64) + '\n', { mode: 0o600 });

function por(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snapshot(name: string, rows: string): string {
  const f = join(dir, name);
  writeFileSync(f, `user_id,account,asset,balance,mode\nu0,spot,BTC,1,simple\n${rows}`);
  return f;
}

const commands: Array<[string, (f: string, out: string) => string[]]> = [
  ['liabilities', (f) => ['liabilities', f, '--assets', ASSETS]],
  ['solvency', (f) => ['solvency', f, '--assets', ASSETS, '-r', 'test/fixtures/solvency/small-reserves.csv']],
  ['build', (f, out) => ['build', f, '--assets', ASSETS, '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 's', '--out', out]],
];

describe('liabilities, solvency and build refuse a bad row alike', () => {
  // Line 3 in each: the id starts in column 1; `u1,spot,BTC,` is 12 characters, the balance column 13.
  const BIG = (1n << 127n).toString(); // 2^127 BTC (whole coins, so 2^127·10^8 base units): no tree holds it
  const cases: Array<[string, string, string]> = [
    ['id-1025.csv', `${'i'.repeat(1025)},spot,BTC,1,simple\n`, ':3:1, field user_id: user_id is 1025 bytes of UTF-8; at most 1024 are allowed'],
    ['id-space.csv', 'u1 ,spot,BTC,1,simple\n', ':3:3, field user_id: user_id starts or ends with a space'],
    ['amount.csv', `u1,spot,BTC,${BIG},simple\n`, ':3:13, field balance: BTC balance'],
  ];
  for (const [name, rows, message] of cases) {
    for (const [command, args] of commands) {
      it(`${command}: ${name} exits 2 at file:line:column`, () => {
        const f = snapshot(`${command}-${name}`, rows);
        const out = join(dir, `tree-${command}-${name}`);
        const r = por(...args(f, out));
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${f}${message}`);
        expect(existsSync(out)).toBe(false);
      });
    }
  }

  it('build: an amount within 2^127 but above its height-32 leaf bound (2^96 − 1 base units) is refused at its row', () => {
    // 2^96 base units of BTC (8 decimals) = 792281625142643375935.43950336 BTC, worked out by hand.
    const f = snapshot('h32.csv', 'u1,spot,BTC,792281625142643375935.43950336,simple\n');
    expect((792281625142643375935_43950336n) === 1n << 96n).toBe(true);
    const out = join(dir, 'tree-h32');
    const r = por('build', f, '--assets', ASSETS, '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 's', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:3:13, field balance: BTC balance 792281625142643375935.43950336`);
    expect(r.stderr).toContain('2^96−1 base units, the leaf bound of a height-32 tree');
    expect(existsSync(out)).toBe(false);
    // a lower tree has room for it
    const low = por('build', f, '--assets', ASSETS, '--secret-file', join(dir, 'secret.key'), '--snapshot-id', 's', '--out', join(dir, 'tree-h20'), '--height', '20', '--quiet');
    expect(low.code).toBe(0);
  });
});

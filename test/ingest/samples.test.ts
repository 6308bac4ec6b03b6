// The committed sample snapshot is exactly what its seeded generator writes, and has what the
// README promises: every account type and mode, margin debt, a perpetual loss, bad debt, a fund.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT_TYPES, readSnapshot } from '../../src/ingest/index.js';
import { loadAssetRegistry } from '../../src/assets/load.js';

describe('samples/liabilities', () => {
  it('regenerates byte for byte from scripts/gen-snapshot.mjs --sample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-sample-'));
    const r = spawnSync(process.execPath, ['scripts/gen-snapshot.mjs', '--sample', '--out-dir', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const f of ['liabilities.csv', 'liabilities.ndjson']) {
      expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(`samples/${f}`, 'utf8'));
    }
  });

  it('covers every account type and mode, margin debt, a perpetual loss and an insurance fund', async () => {
    const text = readFileSync('samples/liabilities.csv', 'utf8');
    for (const a of ACCOUNT_TYPES) expect(text).toMatch(new RegExp(`^[^,]+,${a},`, 'm'));
    expect(text).toMatch(/^bob,perpetual,USDT,-250\.000000,multi-currency-margin$/m);
    expect(text).toMatch(/^insurance-fund,exchange:insurance-fund,/m);
    const s = await readSnapshot('samples/liabilities.csv', await loadAssetRegistry('samples/assets.json'));
    expect(s.userCount).toBeGreaterThanOrEqual(1000);
    for (const m of Object.values(s.modes)) expect(m).toBeGreaterThan(0);
    expect(s.totals.some((t) => t.debt > 0n)).toBe(true);
  });
});

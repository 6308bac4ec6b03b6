// The README promises `npm ci && npm run demo` works: run the demo's script as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('tells the whole story on the samples and leaves the published pages behind', () => {
    const r = spawnSync(process.execPath, ['scripts/demo.mjs'], { encoding: 'utf8', timeout: 240_000 });
    expect(r.stderr).not.toMatch(/expected \d/);
    expect(r.status).toBe(0);
    // The twelve steps, each ending as the story says: the tampered proof and the watch during
    // the post-snapshot outflows must fail (exit 1), everything else must hold.
    const summary = r.stdout.slice(r.stdout.lastIndexOf('━━ Summary'));
    expect(summary.match(/^ok {4}exit 0 /gm)).toHaveLength(10);
    expect(summary.match(/^ok {4}exit 1 /gm)).toHaveLength(2);
    expect(summary).not.toMatch(/FAIL/);
    // The publishing build shows the per-asset table it published: BTC 680.5 held against 635.82815289
    // to cover (1.0702… → 107.02 %) and 645.78094465 owned (1.0537… → 105.37 %), with its USD value.
    expect(r.stdout).toMatch(/^asset\s+owed to users\s+reserves must cover\s+on-chain reserves\s+coverage\s+gross coverage\s+reserves \(USD\)\s+status$/m);
    expect(r.stdout).toMatch(/^BTC\s+645\.78094465\s+635\.82815289\s+680\.50000000\s+107\.02 %\s+105\.37 %\s+[\d,]+\.\d\d\s+covered$/m);
    // What the demo calls publishable is exactly the published set: no key, no store, no proof.
    expect(readdirSync('out/demo/tree/public').sort()).toEqual(['report.html', 'report.json', 'report.sig.json', 'root.json', 'verify.html']);
    for (const f of ['audit.html', 'user/alice-proof.json', 'tree/private/store.json', 'keys/secret.key', 'keys/exchange.key']) {
      expect(existsSync(`out/demo/${f}`), f).toBe(true);
    }
    // Secret-bearing: the keys and the store are readable by their owner only.
    for (const f of ['keys', 'tree/private']) expect(statSync(`out/demo/${f}`).mode & 0o777, f).toBe(0o700);
    for (const f of ['keys/secret.key', 'keys/exchange.key', 'tree/private/salts.bin', 'tree/private/store.json']) expect(statSync(`out/demo/${f}`).mode & 0o777, f).toBe(0o600);
    const report = JSON.parse(readFileSync('out/demo/tree/public/report.json', 'utf8')) as { format: string };
    expect(report.format).toBe('por-report');
    // report.html links the verifier page published beside it.
    expect(readFileSync('out/demo/tree/public/report.html', 'utf8')).toMatch(/href="verify\.html"/);
  }, 300_000);
});

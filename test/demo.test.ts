// The README promises `npm ci && npm run demo` works: run the demo's script as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
    for (const f of ['report.json', 'report.sig.json', 'report.html', 'verify.html', 'audit.html', 'root.json', 'alice-proof.json']) {
      expect(existsSync(`out/demo/${f}`), f).toBe(true);
    }
    const report = JSON.parse(readFileSync('out/demo/report.json', 'utf8')) as { format: string };
    expect(report.format).toBe('por-report');
  }, 300_000);
});

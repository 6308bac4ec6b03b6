// docs/API.md's examples are programs: each ```js block starting with `// example: NAME` is written
// out and run with Node, importing `por` and `por/verify` by name (the package's own `exports`,
// i.e. the built dist/). Each example asserts its hand-worked figures with node:assert.
import { describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(repo, 'docs/API.md'), 'utf8');
const examples = [...doc.matchAll(/```js\n(\/\/ example: ([\w-]+)\n[\s\S]*?)```/g)].map((m) => ({ name: m[2]!, code: m[1]! }));

/** Inside the repository (the git-ignored tmp/), so `import 'por'` resolves to this package itself. */
function runExample(name: string, code: string, env: Record<string, string> = {}) {
  const dir = join(repo, 'tmp', `api-example-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, `${name}.mjs`), code);
    copyFileSync(join(repo, 'test/fixtures/okx/upstream/merkle_proof_file.json'), join(dir, 'merkle_proof_file.json'));
    const r = spawnSync(process.execPath, [`${name}.mjs`], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    return { code: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs/API.md examples', () => {
  it('has the examples this test expects (one per section)', () => {
    expect(examples.map((e) => e.name)).toEqual(['build-and-look-up', 'verify-okx', 'solvency', 'report-and-audit']);
  });

  for (const { name, code } of examples) {
    it(`${name} runs and its assertions hold`, () => {
      const anvil = inject('anvil');
      const holder = anvil.wallets[7]!; // read only: test files never send from a shared account
      const r = runExample(name, code, {
        POR_EXAMPLE_RPC: anvil.url,
        POR_EXAMPLE_CHAIN_ID: String(anvil.chainId),
        POR_EXAMPLE_BLOCK: anvil.snapshot,
        POR_EXAMPLE_HOLDER_KEY: holder.key,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

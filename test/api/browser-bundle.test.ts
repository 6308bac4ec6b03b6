// `por/verify` must run in a browser: bundle it (with every dependency) for the browser, the way a
// wallet or an exchange's web page would, and fail if any import reaches a Node builtin.
import { describe, expect, it } from 'vitest';
import { build, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Records every import of a Node builtin (node:fs, fs, crypto, …), with the file that made it. */
function noBuiltins(reached: string[]): Plugin {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.split('/')[0]!;
        if (args.path.startsWith('node:') || builtins.has(args.path) || builtins.has(bare)) {
          reached.push(`${args.path} (imported by ${args.importer.slice(repo.length + 1)})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

async function bundle(entry: string) {
  const reached: string[] = [];
  const out = await build({
    entryPoints: [resolve(repo, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [noBuiltins(reached)],
  });
  return { reached, bytes: out.outputFiles[0]!.contents.length };
}

describe('por/verify in a browser bundle', () => {
  it('src/api/verify.ts and everything it imports reach no Node builtin', async () => {
    const { reached, bytes } = await bundle('src/api/verify.ts');
    expect(reached).toEqual([]);
    expect(bytes).toBeGreaterThan(0);
  });

  it('the check itself sees a builtin when one is there (the Node entry point uses several)', async () => {
    const { reached } = await bundle('src/api/index.ts');
    expect(reached.some((r) => r.startsWith('node:fs'))).toBe(true);
  });
});

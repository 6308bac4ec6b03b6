// The pure core (src/core/) is what verify.html and `por/verify` bundle for the browser. A Node
// builtin or a Node-side module reached from here would break the offline page (or silently pull
// fs into it), so the rule is checked on the source, not left to a comment. The compiler guards
// the same rule from the other side: src/core/tsconfig.json has no Node types (`npm run typecheck`).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = resolve(__dirname, '../../src/core');
// Packages the core may use: pure cryptography, encodings and exact decimals, all browser-safe.
// Not ethers: every one of its entry points' type declarations reaches its IPC provider, which
// loads @types/node and would make `Buffer` type-check here, blinding the compiler guard.
const ALLOWED_PACKAGES = ['@noble/hashes', '@noble/curves', '@scure/base', 'decimal.js'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every module specifier a file names: static imports/exports and dynamic import(). */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  // Only statements that begin with import/export, so prose like `from "userHash"` in a string is not one.
  const patterns = [/(?:^|;)\s*(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm, /\bimport\s*\(\s*['"]([^'"]+)['"]/g, /(?:^|;)\s*import\s*['"]([^'"]+)['"]/gm, /\brequire\s*\(\s*['"]([^'"]+)['"]/g];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

/** Why a specifier may not appear in the core, or null when it may. */
export function forbidden(file: string, spec: string): string | null {
  if (spec.startsWith('.')) {
    const target = resolve(dirname(file), spec);
    return target === CORE || target.startsWith(CORE + sep) ? null : `reaches outside the core: ${relative(CORE, target)}`;
  }
  if (NODE_BUILTINS.has(spec) || spec.startsWith('node:')) return 'is a Node builtin';
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  return ALLOWED_PACKAGES.includes(pkg) ? null : `is not a browser-safe package the core may use (${ALLOWED_PACKAGES.join(', ')})`;
}

/** Node globals that exist in no browser. Comments are stripped first so they may be named in prose. */
function nodeGlobals(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return ['Buffer', 'process', '__dirname', '__filename', 'require'].filter((g) => new RegExp(`\\b${g}\\b(?!['"\`])`).test(code));
}

describe('the pure core (src/core) imports nothing Node-side', () => {
  const files = sourceFiles(CORE);

  it('has the modules the browser needs', () => {
    const names = files.map((f) => relative(CORE, f).split(sep).join('/'));
    for (const must of ['errors/index.ts', 'json/parse.ts', 'money/index.ts', 'merkle/core.ts', 'verify/any.ts', 'formats/okx-proof.ts']) {
      expect(names).toContain(must);
    }
  });

  it('every import is inside the core or an allowed browser-safe package', () => {
    const offences = files.flatMap((f) => specifiers(readFileSync(f, 'utf8'))
      .map((s) => [s, forbidden(f, s)] as const)
      .filter(([, why]) => why !== null)
      .map(([s, why]) => `${relative(CORE, f)}: '${s}' ${why}`));
    expect(offences).toEqual([]);
  });

  it('uses no Node globals', () => {
    const offences = files.flatMap((f) => nodeGlobals(readFileSync(f, 'utf8')).map((g) => `${relative(CORE, f)}: ${g}`));
    expect(offences).toEqual([]);
  });

  it('the checker itself refuses what it must (a Node builtin, a Node-side module, an unlisted package)', () => {
    const f = join(CORE, 'verify', 'x.ts');
    expect(forbidden(f, 'node:fs')).toMatch(/Node builtin/);
    expect(forbidden(f, 'fs/promises')).toMatch(/Node builtin/);
    expect(forbidden(f, '../../io/node.js')).toMatch(/outside the core/);
    expect(forbidden(f, 'yargs')).toMatch(/not a browser-safe package/);
    expect(forbidden(f, 'ethers/crypto')).toMatch(/not a browser-safe package/);
    expect(forbidden(f, '../merkle/core.js')).toBeNull();
    expect(forbidden(f, '@noble/hashes/sha2.js')).toBeNull();
    expect(specifiers("import a from 'x'; export * from \"y\"; await import('z'); import 'w';")).toEqual(['x', 'y', 'z', 'w']);
    expect(specifiers("import {\n  a,\n  type B,\n} from '../m.js';\nconst t = 'starts from \"userHash\", which';")).toEqual(['../m.js']);
  });
});

// Bundles the CLI (and any worker entry points) into dist/. Dependencies stay external.
// Run by `npm run build`, `npm test` (pretest), `npm run demo` and `npm pack` (prepack, with --types).
// Not an install script: an installed package carries dist/ already, and npm 11 holds back install
// scripts it has not been told to allow.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

/** The commit this tree was built from, "-dirty" when it has changes; "unknown" outside its own git checkout. */
function gitCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    // An unpacked tarball inside someone else's repository must not take that repository's commit.
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return 'unknown';
    const head = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}

const args = new Set(process.argv.slice(2));

const define = { __POR_VERSION__: JSON.stringify(version), __POR_COMMIT__: JSON.stringify(gitCommit()) };

const entryPoints = {
  cli: 'src/cli/main.ts',
  // Merkle builder's worker thread, and the builder as a library (scripts/bench-tree.mjs).
  'merkle-worker': 'src/merkle/worker.ts',
  merkle: 'src/merkle/index.ts',
  // The library: `import … from 'por'` (Node). It finds dist/merkle-worker.mjs beside itself.
  por: 'src/api/index.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // src/cli/version.ts reads these; `por --version` prints them.
  define,
});

// `import … from 'por/verify'`: pure, no Node builtin (test/api/browser-bundle.test.ts holds it to
// that), so a wallet or a web page can bundle it. Dependencies stay external for the user's bundler.
await build({
  entryPoints: { verify: 'src/api/verify.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'neutral',
  format: 'esm',
  target: 'es2022',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  define,
});

// The offline verifier page (dist/verify.html): the browser bundle of src/verify, inlined into one
// html file; `por verify-page` copies it, so esbuild is not needed at run time.
const { buildVerifyPage } = await import('./build-web.mjs');
await buildVerifyPage();

// Type declarations for both entry points (dist/types/…), for the package (`npm pack` runs this
// with --types). Not part of every build: `npm test` type-checks the same sources anyway.
if (args.has('--types')) {
  const { rm } = await import('node:fs/promises');
  await rm(resolve(root, 'dist/types'), { recursive: true, force: true });
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', resolve(root, 'tsconfig.types.json')], { cwd: root, stdio: 'inherit' });
}

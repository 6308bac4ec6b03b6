// Bundles the CLI (and any worker entry points) into dist/. Dependencies stay external.
// Run by `npm run build`, `npm test` (pretest), `npm ci` (prepare) and `npm pack` (prepack).
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

const entryPoints = {
  cli: 'src/cli/main.ts',
  // Merkle builder's worker thread, and the builder as a library (scripts/bench-tree.mjs).
  'merkle-worker': 'src/merkle/worker.ts',
  merkle: 'src/merkle/index.ts',
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
  define: { __POR_VERSION__: JSON.stringify(version), __POR_COMMIT__: JSON.stringify(gitCommit()) },
});

// The offline verifier page (dist/verify.html): the browser bundle of src/verify, inlined into one
// html file; `por verify-page` copies it, so esbuild is not needed at run time.
const { buildVerifyPage } = await import('./build-web.mjs');
await buildVerifyPage();

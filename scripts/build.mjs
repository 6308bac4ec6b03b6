// Bundles the CLI (and any worker entry points) into dist/. Dependencies stay external.
import { build } from 'esbuild';

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
});

// The offline verifier page (dist/verify.html): the browser bundle of src/verify, inlined into one
// html file; `por verify-page` copies it, so esbuild is not needed at run time.
const { buildVerifyPage } = await import('./build-web.mjs');
await buildVerifyPage();

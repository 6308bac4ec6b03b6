#!/usr/bin/env node
// The CLI is bundled into dist/ by `npm run build` (and by `npm test`, `npm run demo`, `npm pack`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('por: dist/cli.mjs is missing; run `npm run build` first.\n');
  process.exit(2);
}
await import(entry.href);

// Dev-time only: compiles samples/contracts/*.sol into samples/contracts/artifacts.json (ABI +
// bytecode). Tests and the demo read the committed artifact, so they need no compiler.
// Run: npm exec --yes --package=solc@0.8.28 -- node scripts/compile-contracts.mjs
// (or with solc resolvable from NODE_PATH).
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require(process.env.SOLC_PATH ?? 'solc');
const dir = new URL('../samples/contracts/', import.meta.url);
const sources = {};
for (const f of readdirSync(dir).filter((f) => f.endsWith('.sol'))) sources[f] = { content: readFileSync(new URL(f, dir), 'utf8') };
const input = {
  language: 'Solidity',
  sources,
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const artifacts = { compiler: `solc ${solc.version()}`, contracts: {} };
for (const [file, contracts] of Object.entries(out.contracts)) {
  for (const [name, c] of Object.entries(contracts)) artifacts.contracts[name] = { source: `samples/contracts/${file}`, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}
writeFileSync(new URL('artifacts.json', dir), JSON.stringify(artifacts, null, 1) + '\n');
console.log(`wrote samples/contracts/artifacts.json (${Object.keys(artifacts.contracts).join(', ')})`);

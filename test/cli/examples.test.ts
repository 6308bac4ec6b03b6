// Every README example (`npx por …` lines in ```sh blocks) and every `--help` example (each
// command's yargs .example()) is run, in order, with the built CLI (`npm run build` first), in a
// temporary folder holding the bundled samples, against the demo chain the samples are made for
// (scripts/demo-chain.mjs: one anvil and an Esplora fixture). Each must exit with its documented
// code — 0, or N where the example says "→ exit N" — and never with a usage error. So no example
// can rot: change a flag and forget an example, and this goes red.
//
// What the test fills in, and nothing else (any other "…", "<…>" or "[…]" in an example fails it):
// - node URLs: http://127.0.0.1:8545, https://YOUR-NODE, http://127.0.0.1:PORT → the demo anvil;
//   http://127.0.0.1:3000, https://YOUR-ESPLORA, https://ESPLORA, http://127.0.0.1:PORT2 → its Esplora;
// - the signer: 0xAbC…, 0xEXCHANGE_SIGNING_ADDRESS, 0xYOUR_ADDRESS → the address of ./exchange.key;
// - `$(jq -r .FIELD FILE)` → that field of that JSON file (as the shell would), `*` → the matching files;
// - `watch`: --interval and --duration shortened to 1s and 3s (the example's 1h would outlast any test).
// The third-party files the verify/audit examples name are copied from test/fixtures (or built by
// the zk builders there) under the example's file name; the shards `combine` names are built first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { Wallet } from 'ethers';
import { demoChain } from '../../scripts/demo-chain.mjs';
import { commands } from '../../src/cli/commands/index.js';
import { reportSubcommands } from '../../src/cli/commands/report.js';
import { globalOptions } from '../../src/cli/program.js';
import { buildTree, parseBatch, proofFor, sumProofDataText, type Account } from '../formats/okx-zk-builder.js';
import { binance2023Text, build } from '../formats/binance-zk-builder.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/por.mjs');
// TEST ONLY keys (public): the help examples' secret.key and exchange.key.
const SECRET_HEX = 'de5e' + '00'.repeat(30);
const SIGN_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

export interface Example {
  /** "README.md:28" or "por verify --help". */
  where: string;
  line: string;
  expect: number;
}

/** "→ exit N" in an example's description or trailing comment; 0 otherwise. */
const expectedExit = (note: string) => Number(/→ exit (\d)/.exec(note)?.[1] ?? 0);

/** The `por` lines of README.md's ```sh blocks, continuation lines joined, comments apart. */
export function readmeExamples(text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  let inSh = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*```/.test(l)) {
      inSh = !inSh && /^\s*```sh\s*$/.test(l);
      continue;
    }
    if (!inSh || !/^\s*(npx )?por /.test(l)) continue;
    const start = i;
    let full = l;
    while (/\\\s*$/.test(full.replace(/\s+#.*$/, ''))) full = `${full.replace(/\\\s*$/, '')} ${lines[++i]!.trim()}`;
    const comment = /\s#\s(.*)$/.exec(full)?.[1] ?? '';
    out.push({ where: `README.md:${start + 1}`, line: full.replace(/\s#\s.*$/, '').replace(/\s+/g, ' ').trim(), expect: expectedExit(comment) });
  }
  return out;
}

/** Every command's .example() calls, in --help order (report's sub-commands where report is). */
export function helpExamples(): Example[] {
  const out: Example[] = [];
  const name = (c: CommandModule<never, never>) => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!;
  const list = (commands as unknown as CommandModule<never, never>[]).flatMap((c) =>
    name(c) === 'report' ? (reportSubcommands as unknown as CommandModule<never, never>[]).map((s) => [`report ${name(s)}`, s] as const) : [[name(c), c] as const]);
  for (const [cmd, c] of list) {
    const y = globalOptions(yargs([])) as unknown as Argv;
    const original = y.example.bind(y) as (line: string, description: string) => Argv;
    (y as unknown as { example: (line: string, description: string) => Argv }).example = (line, description) => {
      out.push({ where: `por ${cmd} --help`, line, expect: expectedExit(description) });
      return original(line, description);
    };
    (c.builder as unknown as (y: Argv) => Argv)(y);
  }
  return out;
}

/** Words of a command line as a POSIX shell splits them (quotes; `$(…)` kept whole). */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /\$\([^)]*\)|'[^']*'|"(?:\\.|[^"\\])*"|[^\s'"]+/g;
  let cur = '';
  let last = 0;
  for (const m of line.matchAll(re)) {
    if (m.index! > last && line.slice(last, m.index).trim() === '' && cur !== '') {
      out.push(cur);
      cur = '';
    }
    const t = m[0];
    cur += t.startsWith("'") ? t.slice(1, -1) : t.startsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
    last = m.index! + t.length;
  }
  if (cur !== '') out.push(cur);
  return out;
}

interface Env {
  cwd: string;
  eth: string;
  btc: string;
}

const NODE_URLS: Record<string, 'eth' | 'btc'> = {
  'http://127.0.0.1:8545': 'eth',
  'https://YOUR-NODE': 'eth',
  'http://127.0.0.1:PORT': 'eth',
  'http://127.0.0.1:3000': 'btc',
  'https://YOUR-ESPLORA': 'btc',
  'https://ESPLORA': 'btc',
  'http://127.0.0.1:PORT2': 'btc',
};
const SIGNERS = new Set(['0xAbC…', '0xEXCHANGE_SIGNING_ADDRESS', '0xYOUR_ADDRESS']);

/** One word with the test's substitutions (see the header), or several for a glob. */
function fill(word: string, env: Env, cmd: string, prev: string): string[] {
  const node = /^(\w+)=(.+)$/.exec(word);
  if (node && NODE_URLS[node[2]!] !== undefined) return [`${node[1]}=${env[NODE_URLS[node[2]!]!]}`];
  if (SIGNERS.has(word)) return [new Wallet(readFileSync(join(env.cwd, 'exchange.key'), 'utf8').trim()).address];
  const jq = /^\$\(jq -r \.(\w+) (\S+)\)$/.exec(word);
  if (jq) return [String(JSON.parse(readFileSync(join(env.cwd, jq[2]!), 'utf8'))[jq[1]!])];
  if (cmd === 'watch' && prev === '--interval') return ['1s'];
  if (cmd === 'watch' && prev === '--duration') return ['3s'];
  if (word.includes('*')) {
    const slash = word.lastIndexOf('/');
    const dir = word.slice(0, slash);
    const re = new RegExp(`^${word.slice(slash + 1).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    return readdirSync(join(env.cwd, dir)).filter((f) => re.test(f)).sort().map((f) => `${dir}/${f}`);
  }
  return [word];
}

/** The example as por's arguments: the leading `npx por`, `por` or `$0` dropped, placeholders filled. */
export function argsOf(line: string, env: Env): string[] {
  const w = words(line);
  const start = w[0] === 'npx' ? 2 : 1;
  const cmd = w[start] ?? '';
  const out: string[] = [];
  for (let i = start; i < w.length; i++) out.push(...fill(w[i]!, env, cmd, w[i - 1]!));
  const left = out.find((a) => /…|^<.*>$|^\[.*\]$/.test(a));
  if (left !== undefined) throw new Error(`"${line}": "${left}" is a placeholder the test cannot fill: write a runnable example`);
  return out;
}

function run(ex: Example, env: Env): void {
  const args = argsOf(ex.line, env);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: env.cwd, encoding: 'utf8', timeout: 180_000 });
  const shown = `${ex.where}: ${ex.line}\n  exit ${r.status} (expected ${ex.expect})\n  stderr: ${r.stderr.slice(-1500)}\n  stdout: ${r.stdout.slice(-600)}`;
  expect(r.stderr, shown).not.toMatch(/Run `por[^`]*--help` for usage|Unknown arguments?:|Not enough non-option arguments|Missing required argument/);
  expect(r.status, shown).toBe(ex.expect);
}

/** A folder with the samples, and the third-party files the examples name, under those names. */
function workspace(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `por-examples-${label}-`));
  cpSync(join(ROOT, 'samples'), join(dir, 'samples'), { recursive: true });
  const copies: Record<string, string> = {
    'okx_por_example.csv': 'test/fixtures/okx/upstream/okx_por_example.csv',
    'merkle_proof_file.json': 'test/fixtures/okx/upstream/merkle_proof_file.json',
    'user_info_file.json': 'test/fixtures/okx/upstream/user_info_file.json',
    'full-liabilities-merkle-tree.txt': 'test/fixtures/okx/upstream/full-liabilities-merkle-tree.txt',
    'mock_user_merkle_tree_path_40.json': 'test/fixtures/bybit/mock_user_merkle_tree_path_40.json',
    'liabilities-100-proof.csv': 'test/fixtures/bitmex/generated-liabilities-100-proof.csv',
    'entry_16.csv': 'test/fixtures/summa/entry_16.csv',
    'commitment_solidity_calldata.json': 'test/fixtures/summa/commitment_solidity_calldata.json',
  };
  for (const [to, from] of Object.entries(copies)) copyFileSync(join(ROOT, from), join(dir, to));
  return dir;
}

/** What only the --help examples need: the test keys, the zk files, and two shards for `combine`. */
function helpFiles(dir: string): void {
  writeFileSync(join(dir, 'secret.key'), `${SECRET_HEX}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'exchange.key'), `${SIGN_KEY}\n`, { mode: 0o600 });
  const batch = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/okx-zk/batch0.json'), 'utf8'));
  const tokens = Object.keys(batch[0].assets);
  const pad: Account = { id: '0'.repeat(64), equity: tokens.map(() => 0n), debt: tokens.map(() => 0n) };
  const tree = buildTree(parseBatch(batch, tokens), 4, 4, pad);
  writeFileSync(join(dir, '3_inclusion_proof.json'), JSON.stringify(proofFor(tree, 3), null, 2));
  writeFileSync(join(dir, 'sum_proof_data.json'), sumProofDataText(tree));
  const user = build({ index: 5, assets: [{ Index: 300, Equity: 10n ** 18n, Debt: 0n }], equity: 10n ** 24n, debt: 0n, slots: 350, seed: 'examples' });
  writeFileSync(join(dir, 'user_config.json'), binance2023Text(user));
  // Every row of a user in one part, as docs/SCALE.md asks; then `por build PART --shard I/2`.
  const [head, ...rows] = readFileSync(join(dir, 'samples/liabilities.csv'), 'utf8').trim().split('\n');
  const part = (r: string) => createHash('sha256').update(r.split(',')[0]!).digest()[0]! % 2;
  mkdirSync(join(dir, 'shards'));
  for (const i of [0, 1]) {
    writeFileSync(join(dir, `part-${i}.csv`), [head, ...rows.filter((r) => part(r) === i)].join('\n') + '\n');
    const r = spawnSync(process.execPath, [BIN, 'build', `part-${i}.csv`, '--assets', 'samples/assets.json', '--secret-file', 'secret.key', '--snapshot-id', '2026-11-24', '--shard', `${i}/2`, '--out', `shards/${i}`, '-q'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`shard ${i}: ${r.stderr}`);
  }
}

describe('every README and --help example runs', () => {
  let chain: Awaited<ReturnType<typeof demoChain>>;
  let readmeEnv: Env;
  let helpEnv: Env;
  beforeAll(async () => {
    chain = await demoChain();
    const urls = { eth: chain.rpc.ethereum!, btc: chain.rpc.bitcoin! };
    readmeEnv = { cwd: workspace('readme'), ...urls };
    helpEnv = { cwd: workspace('help'), ...urls };
    helpFiles(helpEnv.cwd);
  }, 300_000);
  afterAll(() => chain?.stop());

  const readme = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const help = helpExamples();

  it('finds the examples (README\'s story and every command\'s --help)', () => {
    expect(readme.length).toBeGreaterThanOrEqual(15);
    const withExamples = new Set(help.map((e) => e.where));
    for (const c of ['liabilities', 'solvency', 'reserves', 'ownership-message', 'build', 'combine', 'proof', 'verify', 'compare', 'report verify-signature', 'report render', 'audit', 'history', 'watch', 'verify-page', 'keygen']) {
      expect(withExamples, `por ${c} --help has no example`).toContain(`por ${c} --help`);
    }
  });

  // Sequential, in document order: later examples use what earlier ones wrote (keys, tree/, out/).
  it('README.md: each example exits with its documented code, no usage error', () => {
    for (const ex of readme) run(ex, readmeEnv);
  }, 900_000);

  it('--help: each example exits with its documented code, no usage error', () => {
    for (const ex of help) run(ex, helpEnv);
  }, 900_000);
});

describe('the examples reader', () => {
  it('joins continuation lines, reads "→ exit N" from the comment, skips other commands', () => {
    const md = '```sh\nnode x.mjs &\nnpx por a b \\\n    --c d   # → exit 1: why\nnpm test\n```\n```json\npor not-this\n```\n';
    expect(readmeExamples(md)).toEqual([{ where: 'README.md:3', line: 'npx por a b --c d', expect: 1 }]);
  });

  it('splits like a shell and refuses a placeholder it cannot fill', () => {
    expect(words(`por x --a 'b c' "d \\"e\\"" $(jq -r .hash f.json)`)).toEqual(['por', 'x', '--a', 'b c', 'd "e"', '$(jq -r .hash f.json)']);
    expect(() => argsOf('por verify p.json --root 3f…9a', { cwd: '.', eth: 'E', btc: 'B' })).toThrow(/"3f…9a" is a placeholder the test cannot fill/);
    expect(argsOf('npx por audit r.json --rpc ethereum=https://YOUR-NODE --rpc bitcoin=http://127.0.0.1:PORT2', { cwd: '.', eth: 'E', btc: 'B' })).toEqual(['audit', 'r.json', '--rpc', 'ethereum=E', '--rpc', 'bitcoin=B']);
  });
});

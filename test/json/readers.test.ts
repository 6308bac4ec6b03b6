// Every JSON document por reads goes through one reader (src/core/json/parse.ts via readJsonFile): a
// key given twice is refused where it stands (JSON.parse would keep the last one, so an exchange
// could show one value to one reader and another to the next), and a syntax error names its line
// and column. Each case edits a real document the way a careless or hostile exchange would.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadAssetRegistry } from '../../src/assets/load.js';
import { loadWalletManifest } from '../../src/reserves/load.js';
import { readReserveBalances } from '../../src/solvency/load.js';
import { readJsonFile } from '../../src/io/node.js';
import { PorError } from '../../src/core/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'por-json-readers-'));
let seq = 0;

/** `from` with the first `find` replaced by `replace`, written to a new file. */
function edited(from: string, find: string, replace: string): { file: string; text: string } {
  const src = readFileSync(from, 'utf8');
  expect(src).toContain(find);
  const text = src.replace(find, replace);
  const file = join(dir, `${seq++}-${from.split('/').pop()}`);
  writeFileSync(file, text);
  return { file, text };
}

/** 1-based line and column of offset `at` in `text`: the second, simpler count the tests compare with. */
function lineColumn(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

async function refusal(p: Promise<unknown>): Promise<PorError> {
  const r = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(r instanceof PorError)) throw new Error(`expected a PorError, got ${String(r)}`);
  return r;
}

const REGISTRY = 'test/fixtures/ingest/assets.json';

describe('duplicate keys are refused in every document', () => {
  it('asset registry: a second "decimals" for BTC', async () => {
    const { file, text } = edited(REGISTRY, '"decimals": 8,', '"decimals": 8, "decimals": 2,');
    const e = await refusal(loadAssetRegistry(file));
    expect(e.code).toBe('DUPLICATE');
    expect(e.info).toMatchObject({ file, ...lineColumn(text, text.indexOf('"decimals": 2')), field: 'assets[0].decimals' });
  });

  it('wallet manifest: a second "chainId" on a chain', async () => {
    const { file, text } = edited('samples/wallets.json', '"chainId": 31337', '"chainId": 31337, "chainId": 1');
    const e = await refusal(loadWalletManifest(file));
    expect(e.code).toBe('DUPLICATE');
    expect(e.info).toMatchObject({ file, ...lineColumn(text, text.indexOf('"chainId": 1')), field: 'chains[0].chainId' });
  });

  it('reserves.json: a second "balance" on an address', async () => {
    const registry = await loadAssetRegistry(REGISTRY);
    const { file, text } = edited('test/fixtures/solvency/reserves-doc.json', '"balance": "150000000"', '"balance": "150000000", "balance": "1"');
    const e = await refusal(readReserveBalances(file, registry));
    expect(e.code).toBe('DUPLICATE');
    expect(e.info).toMatchObject({ file, ...lineColumn(text, text.indexOf('"balance": "1"')), field: 'addresses[2].balances[0].balance' });
  });

  it('report, root, proof and signature files (readJsonFile): a second "hash"', async () => {
    const file = join(dir, 'root.json');
    const text = '{\n  "format": "por-root",\n  "hash": "aa",\n  "hash": "bb"\n}\n';
    writeFileSync(file, text);
    const e = await refusal(readJsonFile(file));
    expect(e.code).toBe('DUPLICATE');
    expect(e.info).toMatchObject({ file, line: 4, column: 3, field: 'hash' });
  });
});

describe('syntax errors name line and column', () => {
  it('asset registry: a bare word where a number should be', async () => {
    // JSON.parse's message here ("Unexpected token 'x', ... is not valid JSON") carries no position.
    const { file, text } = edited(REGISTRY, '"decimals": 6,', '"decimals": x,');
    const e = await refusal(loadAssetRegistry(file));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.info).toMatchObject({ file, ...lineColumn(text, text.indexOf('x,')) });
  });

  it('asset registry cut off mid-document', async () => {
    const src = readFileSync(REGISTRY, 'utf8');
    const file = join(dir, 'cut.json');
    const text = src.slice(0, src.indexOf('"USDC"'));
    writeFileSync(file, text);
    const e = await refusal(loadAssetRegistry(file));
    expect(e.message).toMatch(/end of input/);
    expect(e.info).toMatchObject({ file, ...lineColumn(text, text.length) });
  });

  it('the CLI prints file:line:column and exits 2', () => {
    const { file, text } = edited(REGISTRY, '"decimals": 6,', '"decimals": x,');
    const r = spawnSync(process.execPath, ['bin/por.mjs', 'liabilities', 'test/fixtures/ingest/small.csv', '--assets', file], { encoding: 'utf8' });
    const { line, column } = lineColumn(text, text.indexOf('x,'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:${line}:${column}, field assets[2].decimals: not valid JSON: unexpected "x"`);
  });
});

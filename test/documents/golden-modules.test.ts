// The report, wallets, haircuts, reserves and audit modules against the golden documents por wrote
// (test/fixtures/golden): each reads them, writes them back to the same bytes, and refuses a changed
// field with an error naming the file, the field and where it stands (found here by searching the
// text, a second computation independent of the reader's locator).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/core/json/parse.js';
import { audit, haircuts, proofExport, report, reserves, wallets } from '../../src/core/documents/index.js';
import { canonicalJson } from '../../src/report/assemble.js';
import { caught } from '../helpers/caught.js';

const G = new URL('../fixtures/golden/', import.meta.url).pathname;
const text = (f: string): string => readFileSync(join(G, f), 'utf8');


/** Line and column (1-based) of the first `needle` in `t`, plus `offset` characters. */
function at(t: string, needle: string, offset: number): { line: number; column: number } {
  const i = t.indexOf(needle);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  const before = t.slice(0, i + offset);
  return { line: before.split('\n').length, column: i + offset - before.lastIndexOf('\n') };
}

describe('document modules and the golden documents', () => {
  it('por-report: reads report.json, writes back its exact canonical bytes, refuses a bad figure where it stands', () => {
    const t = text('report.json');
    expect(canonicalJson(report.write(report.read(parseJson(t, { file: 'report.json' }))))).toBe(t);
    const needle = '"reservesUnits": "';
    const bad = t.replace(needle, `${needle}x`);
    const e = caught(() => report.read(parseJson(bad, { file: 'report.json' })));
    expect(e.info).toMatchObject({ file: 'report.json', field: 'solvency[0].reservesUnits', ...at(bad, needle, needle.length - 1) });
  });

  it('por-audit: reads audit.json, writes back its exact bytes, refuses an unknown status where it stands', () => {
    const t = text('audit.json');
    expect(JSON.stringify(audit.write(audit.read(parseJson(t, { file: 'audit.json' }))), null, 2) + '\n').toBe(t);
    const bad = t.replace('"verdict": "warn"', '"verdict": "ok"');
    const e = caught(() => audit.read(parseJson(bad, { file: 'audit.json' })));
    expect(e.info).toMatchObject({ file: 'audit.json', field: 'verdict', ...at(bad, '"verdict": "ok"', '"verdict": '.length) });
  });

  it('por-wallets: reads the golden manifest; a chain id of 0 is refused where it stands', () => {
    const t = text('inputs-generated/wallets.json');
    const m = wallets.read(parseJson(t, { file: 'wallets.json' }));
    expect(m.addresses.length).toBeGreaterThan(0);
    const bad = t.replace(/"chainId": \d+/, '"chainId": 0');
    const e = caught(() => wallets.read(parseJson(bad, { file: 'wallets.json' })));
    expect(e.info).toMatchObject({ file: 'wallets.json', field: 'chains[0].chainId', ...at(bad, '"chainId": 0', '"chainId": '.length) });
  });

  it('por-haircuts: reads a table and writes it back; a rising ratio is refused where it stands', () => {
    const doc = { format: 'por-haircuts', version: 1, assets: [{ asset: 'BTC', tiers: [{ upToUsd: '10', ratio: '0.6' }, { upToUsd: null, ratio: '0.5' }] }] };
    expect(haircuts.write(haircuts.read(doc, 'h.json', ['BTC']))).toEqual(doc);
    const t = '{"format":"por-haircuts","version":1,"assets":[{"asset":"BTC","tiers":[{"upToUsd":"10","ratio":"0.5"},{"upToUsd":null,"ratio":"0.6"}]}]}';
    const e = caught(() => haircuts.read(parseJson(t, { file: 'h.json' }), 'h.json', ['BTC']));
    expect(e.info).toMatchObject({ file: 'h.json', field: 'assets[0].tiers[1].ratio', ...at(t, '"0.6"', 0) });
  });

  it('por-reserves: reads the golden reserves.json\'s counted balances; a v1 document of an unread chain is refused', () => {
    const rows = reserves.read(parseJson(text('reserves.json'), { file: 'reserves.json' }));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(typeof r.units).toBe('bigint');
    const e = caught(() => reserves.read({ format: 'por-reserves', version: 1, chains: [{ name: 'c', error: 'down' }], addresses: [{ chain: 'c', address: 'a', counted: false, balances: [] }] }, 'r.json'));
    expect(e.code).toBe('NETWORK');
    expect(e.info).toMatchObject({ file: 'r.json', field: 'addresses[0]', chain: 'c', address: 'a' });
  });

  it('por-proof-export: reads the golden export manifest, writes back its exact bytes, refuses an upper-case digest', () => {
    const t = text('export/manifest.json');
    expect(JSON.stringify(proofExport.write(proofExport.read(parseJson(t, { file: 'manifest.json' }))), null, 2) + '\n').toBe(t);
    const m = /"sha256": "([0-9a-f]{64})"/.exec(t)!;
    const bad = t.replace(m[0], `"sha256": "${m[1]!.toUpperCase()}"`);
    const e = caught(() => proofExport.read(parseJson(bad, { file: 'manifest.json' })));
    expect(e.info).toMatchObject({ file: 'manifest.json', field: 'files[0].sha256', ...at(bad, m[1]!.toUpperCase(), -1) });
  });
});

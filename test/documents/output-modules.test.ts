// The output documents (every `--json` a command prints, shard.json, the watch stream) each as one
// module: what por writes reads back to the same bytes, and a wrong format, an unknown version, a
// missing field or a bad nested value is refused naming the file and the field. Where a stage can
// make the document cheaply it does (history, OKX audit, solvency); the others are written out here
// by hand from docs/FORMATS.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SomeDocumentModule } from '../../src/core/json/read.js';
import { parseJson } from '../../src/core/json/parse.js';
import {
  compare, history, keygen, liabilities, okxAudit, ownershipMessages, proofExportRun, proofWritten, shard, solvency, verifyPage, watchEvent,
} from '../../src/core/documents/index.js';
import { buildHistory } from '../../src/audit/history.js';
import { parseOkxReserveCsv } from '../../src/core/formats/okx-csv.js';
import { auditOkxSignatures, summarizeOkxAudit } from '../../src/formats/okx-audit.js';
import { computeSolvency, solvencyDocument } from '../../src/solvency/index.js';
import { parseAssetRegistry } from '../../src/core/assets/index.js';
import { makeReport } from '../report/fixture.js';
import { caught } from '../helpers/caught.js';

const H = 'ab'.repeat(32);
const claim = (proof: number, role: string) => ({ proof, name: `p${proof}.json`, user: `u${proof}`, role, hash: H, sums: [{ asset: 'BTC', amount: '1.00000000', debt: '0.00000000' }] });

const okxText = readFileSync(new URL('../fixtures/okx/valid-2022.csv', import.meta.url), 'utf8');
const okxFile = parseOkxReserveCsv(okxText, 'valid-2022.csv');
const registry = parseAssetRegistry({ format: 'por-assets', version: 1, assets: [{ symbol: 'BTC', decimals: 8 }, { symbol: 'ETH', decimals: 18 }] }, 'assets.json');

/** Each module, a document as por prints it, and the top-level fields a document may lack. */
const CASES: { m: SomeDocumentModule; doc: Record<string, unknown>; optional?: string[] }[] = [
  { m: history, doc: history.write(buildHistory([{ file: 'oct.json', report: makeReport({ id: 'oct', time: '2026-10-01T00:00:00Z', ethWei: 1_500000000000000000n }) }, { file: 'nov.json', report: makeReport({ id: 'nov', time: '2026-11-01T00:00:00Z', ethWei: 2_500000000000000000n }) }])) },
  { m: watchEvent, doc: watchEvent.write({ event: 'alert', time: '2026-11-30T10:00:00.000Z', poll: 3, asset: 'ETH', current: '1.5', owed: '2.0', ratio: '0.75' }) },
  { m: verifyPage, doc: verifyPage.write({ out: '/tmp/verify.html', bytes: 123456, sha256: H }) },
  { m: solvency, optional: ['liabilities', 'reservesFile', 'pricesFile', 'haircutsFile'], doc: solvencyDocument(computeSolvency({
    registry, totals: [{ asset: 'BTC', gross: 300000000n, debt: 0n, net: 300000000n, users: 2 }, { asset: 'ETH', gross: 10n ** 18n, debt: 0n, net: 10n ** 18n, users: 1 }] as never,
    reserves: [{ chain: 'bitcoin', address: 'bc1q', asset: 'BTC', balance: 200000000n }, { chain: 'ethereum', address: '0xa', asset: 'ETH', balance: 2n * 10n ** 18n }] as never,
  }), { liabilities: { file: 'l.csv', users: 3, rows: 3 }, reservesFile: 'reserves.csv', pricesFile: null, haircutsFile: null }) },
  { m: shard, doc: shard.write({ format: 'por-shard', version: 1, shard: { index: 1, count: 4 }, snapshotId: 's', height: 32, assets: [{ symbol: 'BTC', decimals: 8 }], secretCheck: H, userCount: 10, totals: [{ asset: 'BTC', equityUnits: '100', debtUnits: '0' }], leavesBytes: 1530 }) },
  { m: proofWritten, doc: proofWritten.write({ user: 'alice', file: 'alice.json', root: H }) },
  { m: proofExportRun, doc: proofExportRun.write({ count: 10, files: 2, layout: 'ndjson', out: 'proofs', seconds: 0.25 }) },
  { m: ownershipMessages, doc: ownershipMessages.write({ exchange: 'X', snapshot: { id: 's', time: '2026-11-24T00:00:00.000Z' }, messages: [{ index: 0, chain: 'ethereum', chainId: 'eip155:1', address: '0xAb', label: 'hot', message: 'por ownership proof v1\n…', signed: false }] }) },
  { m: okxAudit, doc: okxAudit.write(summarizeOkxAudit('valid-2022.csv', okxFile, auditOkxSignatures(okxFile))) },
  { m: liabilities, doc: liabilities.write({ snapshot: { file: 'l.csv', format: 'csv', rows: 4 }, users: 3, modes: { simple: 3 }, assets: [{ asset: 'BTC', decimals: 8, grossLiabilities: '3.00000000', userDebt: '0.50000000', netLiabilities: '2.50000000', users: 3, exchangeOwned: '0.00000000' }], exchangeOwned: [{ userId: 'exchange:fund', label: 'fund', balances: { BTC: '1.00000000' } }], badDebt: { assessed: false, reason: 'no --prices given' } }) },
  { m: keygen, optional: ['signingKey', 'secret'], doc: keygen.write({ format: 'por-keygen', version: 1, signingKey: { file: 'k', address: `0x${'Ab'.repeat(20)}` }, secret: { file: 's', bytes: 32 } }) },
  { m: compare, doc: compare.write({ consistent: false, checks: [{ name: 'same-tree', ok: false, detail: 'two values' }], sharedNodes: 3, conflicts: [
    { kind: 'node', level: 1, position: 0, a: claim(0, 'path') as never, b: claim(1, 'sibling') as never },
    { kind: 'user-position', user: 'u', a: { proof: 0, name: 'a', position: 1 }, b: { proof: 1, name: 'b', position: 2 } },
    { kind: 'header', field: 'height', a: { proof: 0, name: 'a', value: '4' }, b: { proof: 1, name: 'b', value: '5' } },
    { kind: 'invalid', proof: 1, name: 'b', check: 'leaf-hash', detail: 'no' },
  ] }) },
];

const text = (doc: unknown) => JSON.stringify(doc, null, 2);

describe('output document modules', () => {
  for (const { m, doc, optional = [] } of CASES) {
    describe(`${m.FORMAT} v${m.VERSION}`, () => {
      it('writes its header first and reads back what it wrote, byte for byte', () => {
        expect(Object.keys(doc).slice(0, 2)).toEqual(['format', 'version']);
        expect(doc).toMatchObject({ format: m.FORMAT, version: m.VERSION });
        const back = m.write(m.read(parseJson(text(doc), { file: 'doc.json' })) as never);
        expect(text(back)).toBe(text(doc));
      });

      it('refuses another format and an unknown version, naming the field', () => {
        const f = caught(() => m.read(parseJson(text({ ...doc, format: 'por-other' }), { file: 'doc.json' })));
        expect(f.info).toMatchObject({ file: 'doc.json', field: 'format', line: 2 });
        expect(f.message).toContain(`"${m.FORMAT}"`);
        const v = caught(() => m.read({ ...doc, version: m.VERSION + 98 }, 'doc.json'));
        expect(v.info).toMatchObject({ file: 'doc.json', field: 'version' });
        expect(v.message).toContain(`unsupported version ${m.VERSION + 98}`);
      });

      it('refuses a document missing any required field, naming it; an unknown field too', () => {
        const required = m.FIELDS.filter((f) => !['format', 'version', ...optional].includes(f));
        for (const k of required) {
          const { [k]: _gone, ...rest } = doc;
          expect(caught(() => m.read(rest, 'doc.json')).info, k).toMatchObject({ file: 'doc.json', field: k });
        }
        expect(caught(() => m.read({ ...doc, extra: 1 }, 'doc.json')).info).toMatchObject({ field: 'extra' });
      });
    });
  }
});

describe('nested values are refused where they stand', () => {
  it('por-shard: a total of another asset, an index past the count, a short secret check', () => {
    const d = CASES.find((c) => c.m === shard)!.doc as Record<string, unknown>;
    const t = text({ ...d, totals: [{ asset: 'ETH', equityUnits: '100', debtUnits: '0' }] });
    // "asset" is the first key of totals[0]: its line is found in the text, independently of the reader.
    const line = t.split('\n').findIndex((l) => l.includes('"asset": "ETH"')) + 1;
    expect(caught(() => shard.read(parseJson(t, { file: 'shard.json' }))).info).toMatchObject({ file: 'shard.json', field: 'totals[0].asset', line });
    expect(caught(() => shard.read({ ...d, shard: { index: 4, count: 4 } })).info.field).toBe('shard.index');
    expect(caught(() => shard.read({ ...d, secretCheck: 'abc' })).info.field).toBe('secretCheck');
  });

  it('por-history: a change that is not signed decimal text; por-solvency: a ratio in exponent form', () => {
    const h = CASES.find((c) => c.m === history)!.doc as { assets: { points: { change?: { reserves: string } }[] }[] };
    const bad = JSON.parse(JSON.stringify(h));
    bad.assets[0].points[1].change.reserves = '1e3';
    expect(caught(() => history.read(bad)).info.field).toBe('assets[0].points[1].change.reserves');
    const s = JSON.parse(JSON.stringify(CASES.find((c) => c.m === solvency)!.doc));
    s.assets[0].ratio = '1e-1';
    expect(caught(() => solvency.read(s)).info.field).toBe('assets[0].ratio');
  });

  it('por-watch-event: an event por does not write, and a field of another event', () => {
    const e = CASES.find((c) => c.m === watchEvent)!.doc;
    expect(caught(() => watchEvent.read({ ...e, event: 'panic' })).info.field).toBe('event');
    expect(caught(() => watchEvent.read({ ...e, event: 'poll-failed' })).info.field).toMatch(/^(error|asset)$/);
  });

  it('por-okx-audit: an ownership outcome outside valid / invalid / unsupported; por-compare: a conflict kind it does not know', () => {
    const o = JSON.parse(JSON.stringify(CASES.find((c) => c.m === okxAudit)!.doc));
    o.rows[0].ownership = 'probably';
    expect(caught(() => okxAudit.read(o)).info.field).toBe('rows[0].ownership');
    // v1 counted a balance its node could not read as a failure: refused, naming the version.
    const v1 = { ...JSON.parse(JSON.stringify(CASES.find((x) => x.m === okxAudit)!.doc)), version: 1 };
    const e = caught(() => okxAudit.read(v1));
    expect(e.info.field).toBe('version');
    expect(e.message).toMatch(/por-okx-audit version 1 is no longer read: .*could not read as a failure/);
    const unread = JSON.parse(JSON.stringify(CASES.find((x) => x.m === okxAudit)!.doc));
    unread.checks[0].status = 'error';
    expect(caught(() => okxAudit.read(unread)).info.field).toBe('checks[0].status');
    const c = JSON.parse(JSON.stringify(CASES.find((x) => x.m === compare)!.doc));
    c.conflicts[0].kind = 'shrug';
    expect(caught(() => compare.read(c)).info.field).toBe('conflicts[0].kind');
  });

  it('por-keygen: never a key: a member other than signingKey / secret is refused', () => {
    expect(caught(() => keygen.read({ format: 'por-keygen', version: 1, privateKey: '0x00' })).info.field).toBe('privateKey');
    expect(keygen.read({ format: 'por-keygen', version: 1 })).toEqual({ format: 'por-keygen', version: 1 });
  });
});

// The page's wording decisions, in Node: messages carry what a user needs (file, line, column,
// which slot), and every check name gets a sentence, unknown ones their own detail.
import { describe, expect, it } from 'vitest';
import { classifyDocument, explainCheck, explainError, normaliseRootHash, parseJsonText } from '../../src/web/explain.js';
import { porError } from '../../src/core/errors/index.js';

describe('parseJsonText', () => {
  it('parses JSON, ignoring a byte-order mark', () => {
    expect(parseJsonText('\ufeff{"a":1}', 'x.json')).toEqual({ ok: true, json: { a: 1 } });
  });
  it('names the line and column of a syntax error', () => {
    // Line 3 is `  "b": x`: two spaces, `"b"` in columns 3–5, `:` 6, a space 7, the stray x in 8.
    const text = '{\n  "a": 1,\n  "b": x\n}';
    const r = parseJsonText(text, 'p.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('“p.json” is not a valid JSON file (line 3, column 8)');
  });
  it('refuses a proof with a key given twice, naming where', () => {
    // A proof whose second "hash" would win under JSON.parse; line 3, the key's quote in column 3.
    const r = parseJsonText('{\n  "hash": "aa",\n  "hash": "bb"\n}', 'p.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('(line 3, column 3)');
    if (!r.ok) expect(r.message).toContain('duplicate key "hash"');
  });
  it('empty and whitespace-only files', () => {
    const r = parseJsonText('  \n', 'p.json');
    expect(r.ok ? '' : r.message).toContain('is empty');
  });
});

describe('classifyDocument', () => {
  it('tells proofs, reports, roots and strangers apart', () => {
    expect(classifyDocument({ format: 'por-proof', version: 1 })).toEqual({ kind: 'proof', format: 'por' });
    expect(classifyDocument({ self: {}, path: [] })).toEqual({ kind: 'proof', format: 'okx-v1' });
    expect(classifyDocument({ hash: 'a', nodes: [], totalBalances: {} })).toEqual({ kind: 'proof', format: 'okx-user' });
    expect(classifyDocument({ format: 'por-report', version: 1 })).toEqual({ kind: 'report' });
    expect(classifyDocument({ merkleRoot: {} })).toEqual({ kind: 'report' });
    expect(classifyDocument({ format: 'por-root', version: 1 })).toEqual({ kind: 'root' });
    expect(classifyDocument([1, 2])).toEqual({ kind: 'unknown' });
    expect(classifyDocument('text')).toEqual({ kind: 'unknown' });
    expect(classifyDocument(null)).toEqual({ kind: 'unknown' });
  });
});

describe('normaliseRootHash', () => {
  const h = 'AB'.repeat(32);
  it('accepts 64 hex characters, with or without 0x, trimmed and lower-cased', () => {
    expect(normaliseRootHash(`  ${h}\n`)).toEqual({ ok: true, hash: 'ab'.repeat(32) });
    expect(normaliseRootHash(`0x${h}`)).toEqual({ ok: true, hash: `0x${'ab'.repeat(32)}` });
    expect(normaliseRootHash('   ')).toBeUndefined();
  });
  it('explains what is wrong', () => {
    expect(normaliseRootHash('xyz')).toMatchObject({ ok: false, message: expect.stringContaining('hexadecimal') });
    expect(normaliseRootHash('ab'.repeat(31))).toMatchObject({ ok: false, message: expect.stringContaining('this one has 62') });
  });
});

describe('explainCheck', () => {
  it('plain sentences for the known names, none of them the raw detail', () => {
    for (const name of ['leaf-hash', 'root-hash', 'root-sums', 'snapshot-id', 'sibling-sum-non-negative', 'sum-overflow', 'node-sums', 'path-length', 'snapshot', 'well-formed', 'assets', 'height', 'leaf-values', 'user-hash', 'position', 'sibling-sums', 'no-overflow', 'published-root-hash', 'published-root-sums', 'format']) {
      const s = explainCheck({ name, detail: 'DETAIL' });
      expect(s).not.toBe('DETAIL');
      expect(s.length).toBeGreaterThan(40);
    }
    expect(explainCheck({ name: 'snapshot-id', detail: '' })).toContain('different snapshot');
    expect(explainCheck({ name: 'sibling-sums', detail: '' })).toContain('negative or impossibly large balance');
  });
  it('names it does not know by heart are matched by their words', () => {
    expect(explainCheck({ name: 'okx-root-hash', detail: 'x' })).toContain('fingerprint (root hash)');
    expect(explainCheck({ name: 'published-root-hash-v2', detail: 'x' })).toContain('than the one the exchange published');
    expect(explainCheck({ name: 'path-3-sum', detail: 'x' })).toContain('A step on the path');
  });
  it('a name that matches nothing falls back to the check’s own detail', () => {
    expect(explainCheck({ name: 'zebra', detail: 'the zebra was striped wrongly' })).toBe('the zebra was striped wrongly');
  });
});

describe('explainError', () => {
  it('a PorError becomes its message, with the field', () => {
    expect(explainError(porError('BAD_INPUT', 'salt must be 64 hex characters', { field: 'salt' }))).toBe(
      'The proof could not be checked: salt must be 64 hex characters (field “salt”).',
    );
  });
  it('anything else is called a bug in the page, without a stack', () => {
    const e = new TypeError('x is undefined');
    const s = explainError(e);
    expect(s).toContain('unexpected problem in this page (x is undefined)');
    expect(s).not.toContain('at ');
  });
});

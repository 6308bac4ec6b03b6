// por's one JSON reader: what JSON.parse accepts it reads the same, except a key given twice;
// every error says line and column (counted by hand in each case below).
import { describe, expect, it } from 'vitest';
import { parseJson, MAX_JSON_DEPTH } from '../../src/core/json/parse.js';
import { PorError } from '../../src/core/errors/index.js';

function failure(text: string, file?: string): PorError {
  try {
    parseJson(text, file === undefined ? {} : { file });
  } catch (err) {
    if (err instanceof PorError) return err;
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJson', () => {
  it('reads what JSON.parse reads, to the same value', () => {
    const docs = [
      '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"],"b":{},"c":[]}',
      ' [] ',
      '"x"',
      '0',
      '-0.5E+2',
      '{"__proto__":{"x":1},"constructor":2}',
      '\ufeff{"bom":true}',
      '"\\ud83d\\ude00 and a lone \\ud800"',
      '{"nested":{"deep":[[[{"k":"v"}]]]}}',
    ];
    for (const d of docs) {
      const expected = JSON.parse(d.replace(/^\ufeff/, ''));
      expect(parseJson(d)).toEqual(expected);
    }
    // "__proto__" is an own key, as JSON.parse makes it, not the object's prototype.
    const o = parseJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('refuses a key given twice, naming the key, its line and column and the path', () => {
    // Line 4 is `    "balance": "2"`: four spaces, the key's quote in column 5.
    const text = '{\n  "addresses": [{\n    "balance": "1",\n    "balance": "2"\n  }]\n}';
    expect(() => JSON.parse(text)).not.toThrow(); // JSON.parse keeps the last one silently
    const e = failure(text, 'r.json');
    expect(e.code).toBe('DUPLICATE');
    expect(e.message).toContain('duplicate key "balance"');
    expect(e.info).toMatchObject({ file: 'r.json', line: 4, column: 5, field: 'addresses[0].balance' });
    expect(e.describe()).toMatch(/^r\.json:4:5, field addresses\[0\]\.balance: duplicate key "balance"/);
  });

  it('a duplicate written with an escape is still the same key', () => {
    // "b\u0061lance" is "balance": column 17 is the second key's quote.
    const e = failure('{"balance":"1", "b\\u0061lance":"2"}');
    expect(e.code).toBe('DUPLICATE');
    expect(e.info).toMatchObject({ line: 1, column: 17 });
  });

  it('names line and column of every kind of syntax error', () => {
    const cases: [string, number, number][] = [
      ['{"a":1,}', 1, 8], // a key expected where "}" is
      ['[1,2', 1, 5], // end of input
      ['{"a" 1}', 1, 6], // ":" expected
      ['"\\q"', 1, 2], // the backslash of a bad escape
      ['01', 1, 2], // a leading zero
      ['1.', 1, 2], // the "." with no digit after it
      ['{} x', 1, 4], // after the value
      ['{\n  "a": 1,\n  "b": x\n}', 3, 8],
      ['{\r\n"a": tru}', 2, 6],
      ['"abc', 1, 1], // unterminated: points at the opening quote
      ['"a\tb"', 1, 3], // a raw tab inside a string
      ['{"a":"\\u12G4"}', 1, 7],
      ['', 1, 1],
      ['[1 2]', 1, 4],
      ["{'a':1}", 1, 2],
      ['NaN', 1, 1],
    ];
    for (const [text, line, column] of cases) {
      const e = failure(text, 'f.json');
      expect({ text, code: e.code, ...e.info }).toMatchObject({ text, code: 'BAD_INPUT', file: 'f.json', line, column });
      expect(() => JSON.parse(text)).toThrow(); // the same documents JSON.parse refuses
    }
  });

  it('refuses nesting past the limit with a located error, not a stack overflow', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 2);
    const e = failure(deep);
    expect(e.message).toContain('nested deeper');
    expect(e.info).toMatchObject({ line: 1, column: MAX_JSON_DEPTH + 2 });
  });

  it('parses a slice of a larger text, counting lines from the one given', () => {
    const text = 'xx{"a":1}yy';
    expect(parseJson(text, { start: 2, end: 9 })).toEqual({ a: 1 });
    const e = (() => {
      try {
        parseJson('zz{"a":1,"a":2}', { start: 2, end: 15, line: 7, file: 'u.ndjson' });
      } catch (err) {
        return err as PorError;
      }
    })()!;
    expect(e.info).toMatchObject({ file: 'u.ndjson', line: 7, column: 8, field: 'a' });
  });
});

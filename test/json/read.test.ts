// The located reader: every refusal names the file, the field path and (for parsed text) the line
// and column of the value, worked out here by counting characters in the text by hand.
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/core/json/parse.js';
import { JsonAt, readHeader } from '../../src/core/json/read.js';
import { PorError } from '../../src/core/errors/index.js';
import { caught } from '../helpers/caught.js';


// Line 3, column 17 is where "-5" starts: `    { "amount": ` is 16 characters.
const TEXT = '{\n  "balances": [\n    { "amount": "1" },\n    { "amount": -5 }\n  ]\n}\n';

describe('JsonAt', () => {
  it('names file, field path, line and column of a bad value', () => {
    const doc = JsonAt.root(parseJson(TEXT, { file: 'b.json' }));
    const err = caught(() => doc.get('balances').array()[1]!.get('amount').intText());
    expect(err.info).toEqual({ file: 'b.json', line: 4, column: 17, field: 'balances[1].amount' });
    expect(err.message).toMatch(/integer text/);
  });

  it('refuses an unknown key at the key, and a missing one at its object', () => {
    const text = '{"a": 1,\n "zz": 2}';
    const unknown = caught(() => JsonAt.root(parseJson(text), 'x.json').exact(['a']));
    expect(unknown.info).toMatchObject({ file: 'x.json', field: 'zz', line: 2, column: 8 });
    const missing = caught(() => JsonAt.root(parseJson('{"a": {}}'), 'x.json').get('a').exact(['b']));
    expect(missing.info).toMatchObject({ field: 'a.b', line: 1, column: 7 });
    expect(missing.message).toBe('"b" is missing');
  });

  it('reads canonical integer and decimal text only', () => {
    const at = (v: unknown) => JsonAt.root(v, 'f');
    expect(at('0').intText()).toBe('0');
    expect(at('-12').intText(true)).toBe('-12');
    for (const bad of ['007', '-0', '+1', '1e3', '', ' 1', '1.0']) expect(() => at(bad).intText(true)).toThrow(PorError);
    expect(() => at('-1').intText()).toThrow(/non-negative/);
    expect(at('1.50').decimalText({ decimals: 2 })).toBe('1.50');
    expect(() => at('1.5').decimalText({ decimals: 2 })).toThrow(/exactly 2 digits/);
    expect(() => at('1.').decimalText()).toThrow(PorError);
    expect(() => at('01.5').decimalText()).toThrow(PorError);
    expect(() => at('-1').decimalText({ signed: false })).toThrow(/negative/);
  });

  it('checks strings against a pattern, integers against a range, arrays against a length', () => {
    const at = (v: unknown) => JsonAt.root(v, 'f');
    expect(() => at('ABC').string(/^[a-z]+$/, 'lower-case')).toThrow('must be lower-case');
    expect(() => at(37).int(0, 36)).toThrow('from 0 to 36');
    expect(() => at(1.5).int()).toThrow(PorError);
    expect(() => at([1, 2]).array({ length: 3, what: 'amounts' })).toThrow('must list 3 amounts, not 2');
    expect(() => at([]).array({ min: 1 })).toThrow('must not be empty');
    expect(() => at({}).array()).toThrow('must be an array');
  });

  it('finds the text of a document parsed elsewhere without being handed it', () => {
    const json = parseJson('{\n"x": true}', { file: 'p.json' });
    const err = caught(() => JsonAt.root(json).get('x').string());
    expect(err.info).toEqual({ file: 'p.json', line: 2, column: 6, field: 'x' });
  });

  it('refuses another format, and a refused version with its reason', () => {
    const doc = (o: object) => JsonAt.root(o, 'd.json');
    expect(readHeader(doc({ format: 'por-x', version: 2 }), 'por-x', [2])).toBe(2);
    expect(caught(() => readHeader(doc({ format: 'por-y', version: 2 }), 'por-x', [2])).info.field).toBe('format');
    const old = caught(() => readHeader(doc({ format: 'por-x', version: 1 }), 'por-x', [2], { 1: 'version 1 meant something else' }));
    expect(old.message).toBe('version 1 meant something else');
    expect(caught(() => readHeader(doc({ format: 'por-x', version: 9 }), 'por-x', [2])).message).toMatch(/unsupported version 9/);
  });
});

// The one JSON reader for every document por reads (and each NDJSON line): a strict RFC 8259
// parser that, unlike JSON.parse, refuses a key that appears twice in one object (JSON.parse keeps
// the last, so a second "balance" would silently replace the first) and says where every error is,
// as line and column, with the path of the value (e.g. addresses[3].balance). Pure: the browser
// page uses it too.
import { porError, type ErrorInfo } from '../errors/index.js';

export interface ParseJsonOptions {
  /** Named in errors. */
  file?: string;
  /** Line number of text[start] (default 1): NDJSON readers pass the line they are on. */
  line?: number;
  start?: number;
  end?: number;
  /**
   * Integers beyond 2^53 (which JSON.parse would round) come back as bigint, exactly as written:
   * for foreign proof files that write 64-bit and larger amounts as bare JSON numbers.
   */
  bigIntegers?: boolean;
}

/** Nesting deeper than this is refused (a located error) rather than overflowing the stack. */
export const MAX_JSON_DEPTH = 512;

/**
 * Parses text[start..end) as one JSON value (a leading BOM is skipped). Throws PorError BAD_INPUT
 * with file, line, column and (where inside a value) field: the path to it.
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): unknown {
  const p = new Parser(text, options);
  if (p.i < p.end && text.charCodeAt(p.i) === 0xfeff) p.i++;
  p.ws();
  if (p.i >= p.end) p.fail(p.i === (options.start ?? 0) ? 'the document is empty' : 'no JSON value, only whitespace');
  const value = p.value(0);
  p.ws();
  if (p.i < p.end) p.fail(`unexpected ${p.what()} after the end of the JSON value`);
  return value;
}

const HEX: Record<string, number> = {};
for (let c = 0; c < 16; c++) {
  HEX[c.toString(16)] = c;
  HEX[c.toString(16).toUpperCase()] = c;
}
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  i: number;
  readonly end: number;
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly t: string,
    private readonly o: ParseJsonOptions,
  ) {
    this.i = o.start ?? 0;
    this.end = o.end ?? t.length;
  }

  fail(message: string, at = this.i, code: 'BAD_INPUT' | 'DUPLICATE' = 'BAD_INPUT'): never {
    const start = this.o.start ?? 0;
    let line = this.o.line ?? 1;
    let lineStart = start;
    for (let k = this.t.indexOf('\n', start); k !== -1 && k < at; k = this.t.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    const info: ErrorInfo = { line, column: at - lineStart + 1 };
    if (this.o.file !== undefined) info.file = this.o.file;
    if (this.path.length > 0) info.field = fieldPath(this.path);
    throw porError(code, code === 'DUPLICATE' ? message : `not valid JSON: ${message}`, info);
  }

  /** The character at i, for messages. */
  what(): string {
    if (this.i >= this.end) return 'end of input';
    const c = this.t.codePointAt(this.i)!;
    return c < 0x20 || c === 0x7f ? `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `"${String.fromCodePoint(c)}"`;
  }

  ws(): void {
    const t = this.t;
    let i = this.i;
    for (; i < this.end; i++) {
      const c = t.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    }
    this.i = i;
  }

  value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    const c = this.i < this.end ? this.t.charCodeAt(this.i) : -1;
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of LITERALS) if (this.t.startsWith(word, this.i) && this.i + word.length <= this.end) {
      this.i += word.length;
      return v;
    }
    return this.fail(`unexpected ${this.what()}; expected a value (object, array, string, number, true, false or null)`);
  }

  private object(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.t.charCodeAt(this.i) === 0x7d && this.i < this.end) {
      this.i++;
      return obj;
    }
    for (;;) {
      if (this.i >= this.end || this.t.charCodeAt(this.i) !== 0x22) this.fail(`unexpected ${this.what()}; expected a key in double quotes`);
      const keyAt = this.i;
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(obj, key)) {
        this.path.push(key);
        this.fail(`duplicate key "${key}": a key may appear only once in an object (JSON readers disagree on which one counts)`, keyAt, 'DUPLICATE');
      }
      this.ws();
      if (this.t.charCodeAt(this.i) !== 0x3a || this.i >= this.end) this.fail(`unexpected ${this.what()}; expected ":" after the key "${key}"`);
      this.i++;
      this.ws();
      this.path.push(key);
      const v = this.value(depth + 1);
      this.path.pop();
      // A plain assignment of "__proto__" would set the prototype instead of a key.
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      this.ws();
      const c = this.i < this.end ? this.t.charCodeAt(this.i) : -1;
      if (c !== 0x7d && c !== 0x2c) this.fail(`unexpected ${this.what()}; expected "," or "}" in an object`);
      this.i++;
      if (c === 0x7d) return obj;
      this.ws();
    }
  }

  private array(depth: number): unknown[] {
    const arr: unknown[] = [];
    this.i++;
    this.ws();
    if (this.t.charCodeAt(this.i) === 0x5d && this.i < this.end) {
      this.i++;
      return arr;
    }
    for (;;) {
      this.path.push(arr.length);
      arr.push(this.value(depth + 1));
      this.path.pop();
      this.ws();
      const c = this.i < this.end ? this.t.charCodeAt(this.i) : -1;
      if (c !== 0x5d && c !== 0x2c) this.fail(`unexpected ${this.what()}; expected "," or "]" in an array`);
      this.i++;
      if (c === 0x5d) return arr;
      this.ws();
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.t);
    if (m === null || this.i + m[0].length > this.end) return this.fail(`bad number at ${this.what()}`);
    const next = this.t.charCodeAt(this.i + m[0].length);
    // "01", "1.", "1e": the regex stopped at a character that continues a number in error.
    if (this.i + m[0].length < this.end && ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45)) {
      this.i += m[0].length;
      return this.fail(`bad number: ${this.what()} cannot follow "${m[0]}"`);
    }
    this.i += m[0].length;
    const n = Number(m[0]);
    if (this.o.bigIntegers && !Number.isSafeInteger(n) && /^-?[0-9]+$/.test(m[0])) return BigInt(m[0]);
    return n;
  }

  string(): string {
    const t = this.t;
    const start = ++this.i;
    // Fast path: no escapes (almost every string) is one slice.
    let i = start;
    for (; i < this.end; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.i = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c || c < 0x20) break;
    }
    let out = t.slice(start, i);
    for (;;) {
      if (i >= this.end) {
        this.i = i;
        this.fail('unterminated string: no closing double quote', start - 1);
      }
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.i = i;
        this.fail(`${this.what()} inside a string; write it as an escape (e.g. \\n)`);
      }
      if (c !== 0x5c) {
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      if (e === 'u') {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const d = i + k < this.end ? HEX[t[i + k]!] : undefined;
          if (d === undefined) {
            this.i = i;
            this.fail('bad \\u escape: four hex digits must follow \\u');
          }
          code = code * 16 + d;
        }
        out += String.fromCharCode(code);
        i += 6;
      } else if (e !== undefined && i + 1 < this.end && ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        i += 2;
      } else {
        this.i = i;
        this.fail(`bad escape "\\${e ?? ''}"; allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`);
      }
    }
  }
}

const LITERALS: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** addresses[3].balance; keys that are not identifiers are quoted: a["x y"]. */
export function fieldPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p)) s += s === '' ? p : `.${p}`;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}

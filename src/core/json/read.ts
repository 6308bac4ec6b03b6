// The one located reader every por document (and every foreign one) is read through: a value with
// its path, whose checks throw a PorError naming the file, the field path (e.g.
// `balances[3].amount`) and, when the value came from parseJson, the line and column where it
// stands. One way to check a shape, used at every edge (as @noble/hashes' abytes/anumber). Pure.
import { porError, type ErrorCode, type ErrorInfo } from '../errors/index.js';
import { isObject } from './index.js';
import { fieldPath, locateField, sourceOf } from './parse.js';

/** Where a document came from: its file name (for errors) and, optionally, its text (for line:column). */
export interface Where {
  file?: string;
  text?: string;
  /** Put before every message, e.g. "published root" gives "published root: must be …". */
  subject?: string;
}

type Path = readonly (string | number)[];

/** Canonical integer text: no sign on zero, no leading zeros, no "+". */
export const INT_TEXT = /^(0|-?[1-9][0-9]*)$/;
/** Canonical non-negative integer text. */
export const UINT_TEXT = /^(0|[1-9][0-9]*)$/;
/** Plain decimal text (the form por writes amounts in): optional "-", digits, optional fraction. */
export const DECIMAL_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** A JSON value and where it is. Every check returns the value typed or throws a located PorError. */
export class JsonAt {
  private constructor(
    readonly value: unknown,
    private readonly where: Where,
    readonly path: Path,
  ) {}

  /** The document itself; `where` is its file name or { file, text }. */
  static root(json: unknown, where: string | Where = {}): JsonAt {
    const w: Where = typeof where === 'string' ? { file: where } : { ...where };
    if (w.text === undefined) {
      const src = sourceOf(json);
      if (src !== undefined) {
        w.text = src.text;
        if (w.file === undefined && src.file !== undefined) w.file = src.file;
      }
    }
    return new JsonAt(json, w, []);
  }

  /** `balances[3].amount`, or `(document)` for the top. */
  get field(): string {
    return this.path.length === 0 ? '(document)' : fieldPath(this.path);
  }

  get file(): string | undefined {
    return this.where.file;
  }

  /** A located error at this value. */
  error(message: string, code: ErrorCode = 'BAD_INPUT'): Error {
    const info: ErrorInfo = {};
    if (this.where.file !== undefined) info.file = this.where.file;
    const at = this.where.text !== undefined ? locateField(this.where.text, this.path) : undefined;
    if (at !== undefined) {
      info.line = at.line;
      info.column = at.column;
    }
    info.field = this.field;
    return porError(code, this.where.subject !== undefined ? `${this.where.subject}: ${message}` : message, info);
  }

  fail(message: string, code: ErrorCode = 'BAD_INPUT'): never {
    throw this.error(message, code);
  }

  /** The same value and place, its errors introduced by `subject` ("published root: …"). */
  about(subject: string): JsonAt {
    return new JsonAt(this.value, { ...this.where, subject }, this.path);
  }

  /** The member `key` (its value is undefined when absent). */
  get(key: string | number): JsonAt {
    const v = isObject(this.value) || Array.isArray(this.value) ? (this.value as Record<string | number, unknown>)[key] : undefined;
    const own = v !== undefined && Object.prototype.hasOwnProperty.call(this.value, key);
    return new JsonAt(own ? v : undefined, this.where, [...this.path, key]);
  }

  /** The member `key`, or undefined when the object lacks it (an optional field). */
  opt(key: string): JsonAt | undefined {
    const o = this.object();
    return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined ? this.get(key) : undefined;
  }

  get absent(): boolean {
    return this.value === undefined;
  }

  object(): Record<string, unknown> {
    if (!isObject(this.value)) this.fail(this.value === undefined ? 'is missing' : 'must be an object');
    return this.value;
  }

  /**
   * An object with exactly these keys: every `required` one present, the `optional` ones allowed,
   * anything else refused (an unknown field in a signed or hashed document is a red flag).
   */
  exact(required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    const o = this.object();
    for (const k of required) if (!Object.prototype.hasOwnProperty.call(o, k)) this.get(k).fail(`"${k}" is missing`);
    for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) this.get(k).fail(`unknown field "${k}"`);
    return o;
  }

  /** Each element, located; `length` exact, or `min`/`max`. */
  array(limits: { length?: number; min?: number; max?: number; what?: string } = {}): JsonAt[] {
    if (!Array.isArray(this.value)) this.fail(this.value === undefined ? 'is missing' : `must be an array${limits.what ? ` of ${limits.what}` : ''}`);
    const n = this.value.length;
    if (limits.length !== undefined && n !== limits.length) this.fail(`must list ${limits.length} ${limits.what ?? 'entries'}, not ${n}`);
    if (limits.min !== undefined && n < limits.min) this.fail(limits.min === 1 ? 'must not be empty' : `must have at least ${limits.min} entries`);
    if (limits.max !== undefined && n > limits.max) this.fail(`must have at most ${limits.max} entries`);
    return this.value.map((_, i) => this.get(i));
  }

  /** A string, matching `pattern` when given (`what` says what it must be). */
  string(pattern?: RegExp, what = 'text'): string {
    if (typeof this.value !== 'string' || (pattern !== undefined && !pattern.test(this.value))) this.fail(`must be ${what}`);
    return this.value;
  }

  /** One of the listed strings. */
  oneOf<T extends string>(choices: readonly T[]): T {
    if (typeof this.value !== 'string' || !choices.includes(this.value as T)) this.fail(`must be ${choices.map((c) => `"${c}"`).join(' or ')}`);
    return this.value as T;
  }

  /** A JSON number that is an integer in [min, max] (safe integers only). */
  int(min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      this.fail(min === 0 && max === Number.MAX_SAFE_INTEGER ? 'must be a non-negative integer' : `must be an integer from ${min} to ${max}`);
    }
    return v;
  }

  /** Canonical integer text (`-12`, `0`, never `007` or `-0`); `signed: false` refuses a sign. */
  intText(signed = false): string {
    return this.string(signed ? INT_TEXT : UINT_TEXT, signed ? 'integer text (no leading zeros)' : 'non-negative integer text (no sign, no leading zeros)');
  }

  /**
   * Decimal text: `-1.50`, `0.5`, `12`; `decimals` given: exactly that many digits after the point
   * (none and no point when 0), the canonical form of an amount at that precision.
   */
  decimalText(options: { signed?: boolean; decimals?: number } = {}): string {
    const v = this.string(DECIMAL_TEXT, `decimal text${options.signed === false ? ' (no sign)' : ''}`);
    if (options.signed === false && v.startsWith('-')) this.fail('must not be negative');
    if (options.decimals !== undefined) {
      const dot = v.indexOf('.');
      const frac = dot < 0 ? 0 : v.length - dot - 1;
      if (frac !== options.decimals) this.fail(`must have exactly ${options.decimals} digits after the point`);
    }
    return v;
  }

  bool(): boolean {
    if (typeof this.value !== 'boolean') this.fail('must be true or false');
    return this.value;
  }

  /** An ISO 8601 time (anything Date.parse reads). */
  time(): string {
    const v = this.string(undefined, 'an ISO 8601 time');
    if (Number.isNaN(Date.parse(v))) this.fail('must be an ISO 8601 time');
    return v;
  }

  /** `null`, or whatever `read` makes of the value. */
  nullable<T>(read: (at: JsonAt) => T): T | null {
    return this.value === null ? null : read(this);
  }
}

/**
 * A por document's header: `format` must be FORMAT; `version` one this por reads, or a version it
 * refuses (`refused[v]` says why, e.g. what changed in its meaning). Returns the version read.
 */
export function readHeader(doc: JsonAt, format: string, versions: readonly number[], refused: Record<number, string> = {}, hint = ''): number {
  const o = doc.object();
  if (o.format !== format) {
    doc.get('format').fail(`must be "${format}"${hint}; ${typeof o.format === 'string' ? `this file is "${o.format}"` : 'this file has no "format"'}`);
  }
  const v = o.version;
  if (typeof v === 'number' && refused[v] !== undefined) doc.get('version').fail(refused[v]!);
  if (typeof v !== 'number' || !versions.includes(v)) {
    doc.get('version').fail(`unsupported version ${String(v)}; this por reads ${format} version ${versions.join(' or ')}`);
  }
  return v as number;
}

/** Every document module: its format name, the version it writes, its fields, a reader and a writer. */
export interface DocumentModule<T> {
  readonly FORMAT: string;
  readonly VERSION: number;
  /** Top-level field names in the order `write` puts them: what docs/FORMATS.md's section lists. */
  readonly FIELDS: readonly string[];
  read(json: unknown, where?: string | Where): T;
  write(value: T): Record<string, unknown>;
}

/** Any document module, whatever its value type (for lists of them). */
export interface SomeDocumentModule {
  readonly FORMAT: string;
  readonly VERSION: number;
  readonly FIELDS: readonly string[];
  read(json: unknown, where?: string | Where): unknown;
  write(value: never): object;
}

/** Copies `value`'s fields into a new object in FIELDS order (undefined ones left out). */
export function inOrder(fields: readonly string[], value: object): Record<string, unknown> {
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of fields) if (v[k] !== undefined) out[k] = v[k];
  return out;
}

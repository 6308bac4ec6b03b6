// One error type for all of por: a stable code plus where the problem is. Pure (runs in browsers).

export type ErrorCode =
  | 'BAD_USAGE' // wrong arguments
  | 'BAD_INPUT' // a file that cannot be read as what it claims to be
  | 'BAD_AMOUNT' // a decimal amount that breaks the grammar or the asset's precision
  | 'UNKNOWN_ASSET'
  | 'DUPLICATE' // a row, user or address given twice where it must be unique
  | 'OVERFLOW' // a value above a documented bound
  | 'CANNOT_WRITE' // an output the device refused: disk full, file too large, quota, read-only
  | 'NETWORK' // a node or API that could not be reached or answered wrongly, after retries
  | 'INTERNAL'; // an invariant of por itself broke: a bug

export interface ErrorInfo {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  chain?: string;
  address?: string;
  block?: number | bigint | string;
  [key: string]: unknown;
}

export class PorError extends Error {
  readonly code: ErrorCode;
  readonly info: ErrorInfo;

  constructor(code: ErrorCode, message: string, info: ErrorInfo = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PorError';
    this.code = code;
    this.info = info;
  }

  /** `file:line:column: field: message` — the form editors and humans both read. */
  describe(): string {
    const { file, line, column, field, chain, address, block } = this.info;
    let where = '';
    if (file !== undefined) where += file;
    if (line !== undefined) where += `:${line}`;
    if (column !== undefined) where += `:${column}`;
    const parts: string[] = [];
    if (where) parts.push(where);
    if (chain !== undefined) parts.push(`chain ${chain}`);
    if (address !== undefined) parts.push(`address ${address}`);
    if (block !== undefined) parts.push(`block ${String(block)}`);
    if (field !== undefined) parts.push(`field ${field}`);
    return parts.length ? `${parts.join(', ')}: ${this.message}` : this.message;
  }
}

export function porError(code: ErrorCode, message: string, info: ErrorInfo = {}, cause?: unknown): PorError {
  return new PorError(code, message, info, cause === undefined ? undefined : { cause });
}

/** Re-throws a PorError with more location info (e.g. an amount error given its file and line). */
export function withInfo(err: unknown, info: ErrorInfo): never {
  if (err instanceof PorError) throw new PorError(err.code, err.message, { ...err.info, ...info }, { cause: err.cause });
  throw err;
}

export function isPorError(err: unknown, code?: ErrorCode): err is PorError {
  return err instanceof PorError && (code === undefined || err.code === code);
}

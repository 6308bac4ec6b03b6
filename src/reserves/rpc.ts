// A small JSON-RPC client for reading many balances fast: raw batches (one HTTP request carries
// up to `batchSize` calls; ~8x faster than ethers' automatic batching on anvil), a timeout per
// HTTP request, retries with exponential backoff for transport faults, rate limits and per-call
// errors. Per-call errors that survive the retries come back as values, so one bad address does
// not hide the others.
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';

export interface RpcCall {
  method: string;
  params: unknown[];
}

export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/** Defaults for every node client (JSON-RPC and Esplora) and every command's --timeout-ms/--retries. */
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_BACKOFF_MS = 200;

/** The longest one call to a node can take before it is given up: every attempt times out, plus
 *  the backoff between attempts (doubling from `backoffMs`). */
export function callBudgetMs(timeoutMs = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES, backoffMs = DEFAULT_BACKOFF_MS): number {
  return (retries + 1) * timeoutMs + backoffMs * (2 ** retries - 1);
}

/** Throws NETWORK when `signal` has fired: the caller's deadline passed (e.g. `por watch --duration`). */
export function checkStopped(signal: AbortSignal | undefined, where: { chain?: string }): void {
  if (signal?.aborted) throw porError('NETWORK', `stopped waiting for the node: ${String(signal.reason ?? 'deadline reached')}`, where);
}

/** Sleeps `ms`, or less when `signal` fires first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RpcOptions {
  /** Milliseconds one HTTP request may take before it is aborted and retried. Default 15,000. */
  timeoutMs?: number;
  /** Extra attempts after the first. Default 3. */
  retries?: number;
  /** Calls per HTTP request. Default 1,000. */
  batchSize?: number;
  /** HTTP requests in flight at once. Default 4. */
  concurrency?: number;
  /** First backoff in ms, doubled each attempt. Default 200. */
  backoffMs?: number;
  reporter?: Reporter;
  /** Names the chain in warnings and errors. */
  chain?: string;
  /** Aborts every request in flight and stops retrying when it fires (a caller's deadline). */
  signal?: AbortSignal;
}

/** Thrown (as PorError NETWORK) when a whole request cannot be completed after retries. */
export class RpcClient {
  readonly url: string;
  private readonly opts: Required<Omit<RpcOptions, 'reporter' | 'chain' | 'signal'>> & Pick<RpcOptions, 'reporter' | 'chain' | 'signal'>;
  private nextId = 1;

  constructor(url: string, options: RpcOptions = {}) {
    this.url = url;
    this.opts = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: options.retries ?? DEFAULT_RETRIES,
      batchSize: options.batchSize ?? 1000,
      concurrency: options.concurrency ?? 4,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
      reporter: options.reporter,
      chain: options.chain,
      signal: options.signal,
    };
  }

  /** One call; an RPC error after retries throws PorError NETWORK. */
  async call(method: string, params: unknown[]): Promise<unknown> {
    const [out] = await this.batch([{ method, params }]);
    if (!out) throw porError('INTERNAL', 'empty batch result');
    if (!out.ok) throw porError('NETWORK', `${method} failed: ${out.error}`, this.where());
    return out.result;
  }

  /**
   * Many calls, results in the same order. Transport failures of a whole request are retried and
   * then thrown (the chain cannot be read); per-call errors are retried, then returned.
   */
  async batch(calls: RpcCall[], onProgress?: (done: number) => void): Promise<RpcOutcome[]> {
    const out: RpcOutcome[] = new Array(calls.length);
    const chunks: number[] = [];
    for (let i = 0; i < calls.length; i += this.opts.batchSize) chunks.push(i);
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const start = chunks[next++]!;
        const slice = calls.slice(start, start + this.opts.batchSize);
        const res = await this.sendWithRetries(slice);
        for (let j = 0; j < res.length; j++) out[start + j] = res[j]!;
        done += slice.length;
        onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, chunks.length) }, worker));
    return out;
  }

  private where() {
    return this.opts.chain === undefined ? {} : { chain: this.opts.chain };
  }

  private async sendWithRetries(calls: RpcCall[]): Promise<RpcOutcome[]> {
    const results: (RpcOutcome | undefined)[] = new Array(calls.length).fill(undefined);
    let pending = calls.map((_, i) => i);
    let lastTransport = '';
    for (let attempt = 0; attempt <= this.opts.retries && pending.length > 0; attempt++) {
      if (attempt > 0) await pause(this.opts.backoffMs * 2 ** (attempt - 1), this.opts.signal);
      checkStopped(this.opts.signal, this.where());
      let res: RpcOutcome[];
      try {
        res = await this.send(pending.map((i) => calls[i]!));
      } catch (err) {
        lastTransport = (err as Error).message;
        if (attempt < this.opts.retries) this.opts.reporter?.warn(`${this.label()}: ${lastTransport}; retrying (${attempt + 1}/${this.opts.retries})`);
        continue;
      }
      const still: number[] = [];
      res.forEach((r, k) => {
        const i = pending[k]!;
        results[i] = r;
        // A revert is the contract's answer, not a fault: asking again gives the same.
        if (!r.ok && !/revert/i.test(r.error)) still.push(i);
      });
      if (still.length && attempt < this.opts.retries) this.opts.reporter?.warn(`${this.label()}: ${still.length} call(s) answered with an error (${(res.find((r) => !r.ok) as { error: string }).error}); retrying (${attempt + 1}/${this.opts.retries})`);
      pending = still;
    }
    if (results.some((r) => r === undefined)) {
      throw porError('NETWORK', `node did not answer after ${this.opts.retries + 1} attempts: ${lastTransport}`, this.where());
    }
    return results as RpcOutcome[];
  }

  private label(): string {
    return this.opts.chain ?? 'rpc';
  }

  /** One HTTP request. Throws (to be retried) on transport faults, HTTP errors and timeouts. */
  private async send(calls: RpcCall[]): Promise<RpcOutcome[]> {
    const first = this.nextId;
    this.nextId += calls.length;
    const body = JSON.stringify(calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params })));
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([ctrl.signal, this.opts.signal]) : ctrl.signal;
    let text: string;
    try {
      // The timer covers the whole answer, body included: a node that sends headers and then
      // stalls is given up on like one that never answers.
      const resp = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
      text = await resp.text();
      if (!resp.ok) throw new Error(`HTTP ${resp.status}${resp.status === 429 ? ' (rate limited)' : ''}: ${text.slice(0, 200)}`);
    } catch (err) {
      checkStopped(this.opts.signal, this.where());
      if (ctrl.signal.aborted) throw new Error(`no answer within ${this.opts.timeoutMs} ms`);
      throw new Error(describeFetchError(err));
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`node answered with something that is not JSON: ${text.slice(0, 120)}`);
    }
    // A node may answer a batch with one error object (e.g. batch too large, rate limited).
    if (!Array.isArray(parsed)) {
      const e = (parsed as { error?: { message?: string } } | null)?.error;
      throw new Error(`node rejected the batch of ${calls.length} calls: ${e?.message ?? text.slice(0, 200)} (a provider limiting batch size needs a smaller --batch-size)`);
    }
    type Answer = { id: number; result?: unknown; error?: { code?: number; message?: string } };
    const byId = new Map<number, Answer>();
    for (const r of parsed as Answer[]) byId.set(r.id, r);
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (!r) return { ok: false, error: `no answer for ${c.method} in the batch` };
      if (r.error) return { ok: false, error: `${r.error.message ?? 'error'}${r.error.code !== undefined ? ` (code ${r.error.code})` : ''}` };
      if (!('result' in r)) return { ok: false, error: `answer for ${c.method} has neither result nor error` };
      return { ok: true, result: r.result };
    });
  }
}

function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `cannot reach node (${cause})` : e.message ?? String(err);
}

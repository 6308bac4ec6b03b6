// A fixed set of worker threads (dist/merkle-worker.mjs) running leaf, level, block and touch jobs
// over shared memory. Node-only. The build, the shard and the combine steps use it.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import type { BlockJob, LeafJob, LevelJob, TouchJob } from './compute.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export type WorkerJob = { kind: 'leaves'; job: LeafJob } | { kind: 'level'; job: LevelJob } | { kind: 'blocks'; job: BlockJob } | { kind: 'touch'; job: TouchJob };

/** Queued jobs sent to one worker ahead of its reply: a second one waiting there keeps it busy while the main thread is. */
const DEPTH = 2;

/**
 * When a job is sent: 'now' at once; 'queued' (block jobs, all made at once over shared memory)
 * once a worker has fewer than DEPTH outstanding, so a worker slowed by the main thread beside it
 * takes fewer of them and both end together (posted at once, split evenly, one worker ended ~2.5 s
 * after the other at 10^7 users); 'background' (salts made ahead) likewise, after every queued job.
 * A job's arrays that are not shared memory are copied when it is sent: a queued or background job's
 * must not change until it is answered.
 */
export type When = 'now' | 'queued' | 'background';

interface Queued {
  req: WorkerJob;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Each job goes to the worker with the fewest outstanding. Background jobs (salts made ahead of
 * the leaf pass, ./early.ts) wait here until a worker has fewer than DEPTH, so a job asked for
 * meanwhile never queues behind more than one of them; sent round robin, a leaf job could wait
 * behind a long job while the other worker idled. Other jobs are posted at once: their typed
 * arrays are copied when run() is called, as before, so a caller may reuse them after.
 */
export class WorkerPool {
  private seq = 0;
  private last = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly outstanding: number[];
  private readonly queued: Queued[] = [];
  private readonly background: Queued[] = [];
  private failed: Error | undefined;
  private constructor(private readonly workers: Worker[]) {
    this.outstanding = workers.map(() => 0);
    workers.forEach((w, i) => {
      w.on('message', (m: WorkerReply) => {
        const p = this.waiting.get(m.id);
        if (!p) return;
        this.waiting.delete(m.id);
        this.outstanding[i]!--;
        this.pump();
        if (m.ok) p.resolve();
        else p.reject(m.overflow ? porError('OVERFLOW', m.message) : new Error(m.message));
      });
      w.on('error', (e) => this.fail(e));
    });
  }

  /** A worker died: every job sent or waiting fails with its error, and so does every later one. */
  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
    for (const q of [...this.queued.splice(0), ...this.background.splice(0)]) q.reject(e);
  }

  static async start(n: number, params: unknown, url: URL | undefined, reporter: Reporter): Promise<WorkerPool | undefined> {
    const candidates = url ? [url] : [new URL('./merkle-worker.mjs', import.meta.url), new URL('../../dist/merkle-worker.mjs', import.meta.url)];
    for (const c of candidates) {
      if (!existsSync(c) || !(await stat(c)).isFile()) continue;
      return new WorkerPool(Array.from({ length: n }, () => new Worker(c, { workerData: params })));
    }
    reporter.warn('the worker bundle (dist/merkle-worker.mjs) is missing; hashing on one thread (run npm run build)');
    return undefined;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Jobs sent to each worker and not answered yet, and jobs waiting here (for tests and progress). */
  get load(): { outstanding: number[]; queued: number; background: number } {
    return { outstanding: [...this.outstanding], queued: this.queued.length, background: this.background.length };
  }

  /** Runs a job on a worker, sent `when` (see When). */
  run(req: WorkerJob, when: When = 'now'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      if (when === 'now') return this.post(this.leastBusy(), { req, resolve, reject });
      (when === 'queued' ? this.queued : this.background).push({ req, resolve, reject });
      this.pump();
    });
  }

  /** The worker with the fewest jobs outstanding; among equals, the one after the last used. */
  private leastBusy(): number {
    const n = this.workers.length;
    let best = (this.last + 1) % n;
    for (let k = 1; k < n; k++) {
      const i = (this.last + 1 + k) % n;
      if (this.outstanding[i]! < this.outstanding[best]!) best = i;
    }
    return best;
  }

  private post(i: number, q: Queued): void {
    const id = this.seq++;
    this.waiting.set(id, { resolve: q.resolve, reject: q.reject });
    this.outstanding[i]!++;
    this.last = i;
    this.workers[i]!.postMessage({ id, ...q.req } as WorkerRequest);
  }

  /** Queued, then background jobs to workers with fewer than DEPTH outstanding. */
  private pump(): void {
    while (this.queued.length + this.background.length > 0) {
      const i = this.leastBusy();
      if (this.outstanding[i]! >= DEPTH) return;
      this.post(i, (this.queued.length > 0 ? this.queued : this.background).shift()!);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

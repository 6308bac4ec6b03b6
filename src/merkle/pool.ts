// A fixed set of worker threads (dist/merkle-worker.mjs) running leaf, level and block jobs over
// shared memory. Node-only. Moved out of build.ts unchanged: the shard and combine steps use it too.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { porError } from '../core/errors/index.js';
import type { Reporter } from '../core/progress/index.js';
import type { BlockJob, LeafJob, LevelJob } from './compute.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export type WorkerJob = { kind: 'leaves'; job: LeafJob } | { kind: 'level'; job: LevelJob } | { kind: 'blocks'; job: BlockJob };

export class WorkerPool {
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: WorkerReply) => {
        const p = this.waiting.get(m.id);
        if (!p) return;
        this.waiting.delete(m.id);
        if (m.ok) p.resolve();
        else p.reject(m.overflow ? porError('OVERFLOW', m.message) : new Error(m.message));
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
    }
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

  run(req: WorkerJob): Promise<void> {
    const id = this.seq++;
    const w = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, ...req } as WorkerRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

// Worker thread entry (bundled to dist/merkle-worker.mjs): runs the same loops as the inline path
// over shared memory, so one thread and several give byte-identical trees.
import { parentPort, workerData } from 'node:worker_threads';
import { makeBlockHasher, makeLeafHasher, makeLevelHasher, touchPages, type TreeParams } from './compute.js';
import type { WorkerJob } from './pool.js';

export type WorkerRequest = { id: number } & WorkerJob;
export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; message: string; overflow: boolean };

const params = workerData as TreeParams;
const leaves = makeLeafHasher(params);
const level = makeLevelHasher(params.assetCount);
const blocks = makeBlockHasher(params.assetCount);

parentPort!.on('message', (req: WorkerRequest) => {
  try {
    if (req.kind === 'leaves') leaves(req.job);
    else if (req.kind === 'blocks') blocks(req.job);
    else if (req.kind === 'touch') touchPages(req.job);
    else level(req.job);
    parentPort!.postMessage({ id: req.id, ok: true } satisfies WorkerReply);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage({ id: req.id, ok: false, message, overflow: err instanceof Error && err.name === 'SumOverflow' } satisfies WorkerReply);
  }
});

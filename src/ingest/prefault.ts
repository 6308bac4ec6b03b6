// A thread that maps fresh memory just ahead of the CSV reader. Node-only. On the machines measured
// (docs/SCALE.md) the first write to each fresh 4 KiB page costs ~17 µs (the kernel's fault, under
// a hypervisor), ~4 ns a byte: the reader's tables at 10^7 users (~650 MB) took ~3 s of the main
// thread that way. This thread writes to each page first, a little ahead of where the reader
// writes, so the reader finds them mapped. It writes with Atomics.add(x, 0), which changes no
// value, even one the reader stores into the same word at the same moment: the add is one locked
// read-modify-write (x86 lock xadd; arm64 LDADD or an exclusive pair that retries when another
// store hits the line), so a plain store by the reader is either before it or after it.
import { Worker } from 'node:worker_threads';
import type { PageToucher, TouchRegion } from './aggregate.js';

// Bytes mapped ahead of the reader's position in each table, at most: what a table reserved for
// more rows than come costs at most (a few MB a table), while staying ahead of the reader.
const AHEAD = 4 << 20;

// Plain JavaScript run by the worker (eval: no separate bundle). progress[k] is the reader's
// position of kind k (ids, entries, id characters); kind 4 is mapped whole at once (the id table,
// written at random); progress[3] = 1 stops the thread.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { regions, progress, ahead } = workerData;
const views = regions.map((r) => new Int32Array(r.buffer, 0, r.buffer.byteLength >> 2));
const done = regions.map(() => 0);
const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  if (Atomics.load(progress, 3) === 1) break;
  let moved = false;
  let open = false;
  for (let k = 0; k < regions.length; k++) {
    const v = views[k];
    const at = regions[k].kind === 4 ? Infinity : Atomics.load(progress, regions[k].kind) * regions[k].unit;
    const want = Math.min(v.length, Math.ceil((at + ahead) / 4));
    for (let i = done[k]; i < want; i += 1024) Atomics.add(v, i, 0);
    if (want > done[k]) { done[k] = want + ((1024 - (want & 1023)) & 1023); moved = true; }
    if (done[k] < v.length) open = true;
  }
  if (!open) break;
  if (!moved) Atomics.wait(nap, 0, 0, 1);
}
`;

/** Starts the thread on `regions`; the reader writes its positions to `progress` and ends it with stop(). */
export function startPrefault(): PageToucher {
  let worker: Worker | undefined;
  let progress: Int32Array | undefined;
  return {
    start(regions: TouchRegion[], p: Int32Array): void {
      progress = p;
      worker = new Worker(SOURCE, { eval: true, workerData: { regions, progress: p, ahead: AHEAD } });
      worker.unref();
      worker.on('error', () => {}); // only a hint: the reader maps what it writes either way
    },
    stop(): void {
      if (progress) Atomics.store(progress, 3, 1);
      void worker?.terminate();
      worker = undefined;
    },
  };
}

// `por watch REPORT.json --rpc ... --interval 60s --duration 1h`: live coverage during a pause.
// The first poll prints the whole table, later polls only what changed (a balance or a coverage
// that moved, an alert raised or cleared); `--json` is a stream of one event per line. Always ends
// by itself: the last poll starts no later than --duration after the first, and a poll still
// waiting on a node one --interval after --duration is abandoned (whatever the node does). Ctrl-C
// (SIGINT) or SIGTERM ends it early with the same summary and exit code.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineCommand, EXIT, type Context, type ExitCode } from '../context.js';
import { isPorError, type PorError } from '../../core/errors/index.js';
import { silentReporter, type Reporter } from '../../core/progress/index.js';
import { readJsonFile } from '../../io/node.js';
import { parseReport } from '../../core/report/parse.js';
import type { Report } from '../../core/report/types.js';
import {
  changeText, newTally, parseDuration, planWatch, recordSample, sampleText, startText, summarise, summaryText, watchEvent, watchOnce,
  type WatchDiff, type WatchSample, type WatchSummary, type WatchTally,
} from '../../audit/watch.js';
import { parseChainUrls } from '../../reserves/load.js';
import { checkNodes, networkOptions, networkSettings, reportNodes } from '../network.js';

export const watchCommand = defineCommand({
  command: 'watch <report>',
  describe: "Poll a report's addresses now: outflow per asset since the snapshot and live coverage; alert below 100 %",
  builder: (y) =>
    networkOptions(y)
      .positional('report', { type: 'string', demandOption: true, describe: 'The published report.json' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=URL of a node you trust (repeatable); a chain with no node is not watched and its assets are "not checked"' })
      .option('interval', { type: 'string', default: '60s', describe: 'Time between polls (e.g. 30s, 5m)' })
      .option('duration', { type: 'string', default: '1h', describe: 'Stop after this long (e.g. 10m, 1h); Ctrl-C stops earlier with the same summary' })
      .example('$0 watch out/public/report.json --rpc ethereum=http://127.0.0.1:8545 --rpc bitcoin=http://127.0.0.1:3000 --interval 60s --duration 1h', 'exit 0 coverage stayed ≥ 100 %, 1 an alert was raised, 2 some poll could not read or a chain was not watched (→ exit 1 on the demo chain: funds left after the snapshot)')
      .example('$0 watch out/public/report.json --rpc ethereum=http://127.0.0.1:8545 --rpc bitcoin=http://127.0.0.1:3000 --duration 10m --json', 'one JSON event per line (por-watch-event v1): start, sample, change, alert, alert-cleared, poll-failed, summary; e.g. | jq -c \'select(.event == "alert")\' (→ exit 1 on the demo chain)')
      .epilogue(
        'Each poll reads the current balances of every published address and compares them with the liabilities the report published at its snapshot (what users are owed now is not known). The first poll prints the whole table; later polls print only what changed. ' +
          'Nodes are asked one question first (eth_chainId, or an Esplora server\'s tip): a URL that does not answer is exit 2 before anything is read. ' +
          'With nodes for only some of the report\'s chains, the others are named as NOT WATCHED and the verdict covers only the watched chains: an unwatched chain is "not checked", never counted as fine. ' +
          'Always stops within one --interval after --duration: a poll still waiting on a node then is abandoned and counts as "could not read". Ctrl-C (or SIGTERM) stops at once and prints the summary.\n' +
          'Exit codes: 0 every poll read every balance on every chain holding reserves and coverage stayed ≥ 100 %; 1 an alert was raised (at any time, even if later cleared); 2 bad input, a node that does not answer at the start, some poll could not read, or some chain was not watched (a chain or balance unread is never a zero).',
      ),
  run: async (args, ctx) => {
    const rpc = parseChainUrls(args.rpc);
    const interval = parseDuration(args.interval, 'interval');
    const duration = parseDuration(args.duration, 'duration');
    const net = networkSettings(args);
    const report = parseReport(await readJsonFile(args.report), args.report);
    const plan = planWatch(report, rpc);
    const stop = stopOnSignals();
    try {
      // The hard end: no node can hold the watch past it (each poll's reads are aborted then).
      const signal = AbortSignal.any([AbortSignal.timeout(duration + interval), stop.signal]);
      await checkNodes(reportNodes(report.chains.filter((c) => plan.watched.includes(c.chain)), rpc), net, { signal, reporter: ctx.reporter });
      ctx.print(startText(args.report, report, plan, args.interval, args.duration));
      ctx.printEvent(watchEvent('start', { report: args.report, snapshotId: report.snapshot.id, interval: args.interval, duration: args.duration, watchedChains: plan.watched, unwatchedChains: plan.unwatched, notChecked: plan.notChecked }));
      const tally = await pollLoop({ report, rpc, net, ctx, interval, duration, signal, user: stop.signal });
      return finish(ctx, summarise(tally, plan, report, stop.by() ?? 'duration'));
    } finally {
      stop.dispose();
    }
  },
});

interface LoopOptions {
  report: Report;
  rpc: Record<string, string>;
  net: { timeoutMs: number; retries: number };
  ctx: Context;
  interval: number;
  duration: number;
  /** Fires at the hard end or on a signal. */
  signal: AbortSignal;
  /** Fires on SIGINT / SIGTERM only. */
  user: AbortSignal;
}

async function pollLoop(o: LoopOptions): Promise<WatchTally> {
  const tally = newTally();
  const start = Date.now();
  // Retries still warn; per-poll "N balances read" lines would repeat every poll.
  const reporter: Reporter = { ...silentReporter, warn: (m) => o.ctx.reporter.warn(m) };
  for (let n = 1; ; n++) {
    try {
      const s = await watchOnce({ report: o.report, rpc: o.rpc, reporter, ...o.net, signal: o.signal });
      const d = recordSample(tally, s);
      showSample(o.ctx, s, n, d, tally.read === 1);
    } catch (err) {
      // A poll that fails is reported and skipped; usage errors end the watch at once.
      if (!isPorError(err) || err.code !== 'NETWORK') throw err;
      // Interrupted by the user: not a poll that could not read, just the end.
      if (o.user.aborted) break;
      recordFailure(o.ctx, tally, n, err);
    }
    const next = start + n * o.interval;
    if (next - start > o.duration || o.signal.aborted) break;
    try {
      await sleep(Math.max(0, next - Date.now()), undefined, { signal: o.signal });
    } catch {
      break;
    }
  }
  return tally;
}

/** The first poll that reads: the whole table. Later ones: only what changed, nothing when nothing did. */
function showSample(ctx: Context, s: WatchSample, n: number, d: WatchDiff, first: boolean): void {
  if (first) {
    ctx.print(sampleText(s, n));
    ctx.printEvent(watchEvent('sample', { poll: n, ...s }));
  } else {
    const text = changeText(s, n, d);
    if (text !== '') ctx.print(text);
    if (d.changed.length > 0) {
      const previous = d.changed.map(({ before }) => ({ asset: before.asset, current: before.current, ratio: before.ratio }));
      ctx.printEvent(watchEvent('change', { poll: n, time: s.time, blocks: s.blocks, assets: d.changed.map((c) => c.after), previous }));
    }
  }
  const line = (event: 'alert' | 'alert-cleared', asset: string) => {
    const a = s.assets.find((x) => x.asset === asset)!;
    ctx.printEvent(watchEvent(event, { poll: n, time: s.time, asset, current: a.current, owed: a.owed, ratio: a.ratio }));
  };
  for (const x of d.raised) line('alert', x);
  for (const x of d.cleared) line('alert-cleared', x);
}

function recordFailure(ctx: Context, t: WatchTally, n: number, err: PorError): void {
  t.polls++;
  const time = new Date().toISOString();
  t.failed.push({ poll: n, time, message: err.describe() });
  ctx.reporter.warn(`poll ${n} failed: ${err.describe()}`);
  ctx.printEvent(watchEvent('poll-failed', { poll: n, time, error: { code: err.code, message: err.message, info: err.info } }));
}

function finish(ctx: Context, s: WatchSummary): ExitCode {
  ctx.print(summaryText(s));
  const exit = s.verdict === 'fails' ? EXIT.CHECK_FAILED : s.verdict === 'not-checked' ? EXIT.BAD_INPUT : EXIT.OK;
  ctx.printEvent(watchEvent('summary', { ...s, exit }));
  return exit;
}

/** SIGINT / SIGTERM end the watch (with its summary) instead of killing it; a second one kills. */
function stopOnSignals(): { signal: AbortSignal; by: () => 'SIGINT' | 'SIGTERM' | undefined; dispose: () => void } {
  const ctrl = new AbortController();
  let by: 'SIGINT' | 'SIGTERM' | undefined;
  const on = (name: 'SIGINT' | 'SIGTERM') => () => {
    by = name;
    ctrl.abort();
  };
  const int = on('SIGINT');
  const term = on('SIGTERM');
  process.once('SIGINT', int);
  process.once('SIGTERM', term);
  return {
    signal: ctrl.signal,
    by: () => by,
    dispose: () => {
      process.removeListener('SIGINT', int);
      process.removeListener('SIGTERM', term);
    },
  };
}

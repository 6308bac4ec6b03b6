// `por watch REPORT.json --rpc ... --interval 60s --duration 1h`: live coverage during a pause.
// Always ends by itself: the last poll starts no later than --duration after the first, and a poll
// still waiting on a node one --interval after --duration is abandoned (whatever the node does).
import { setTimeout as sleep } from 'node:timers/promises';
import { defineCommand, EXIT } from '../context.js';
import { isPorError, porError } from '../../core/errors/index.js';
import { readJsonFile } from '../../io/node.js';
import { parseReport } from '../../core/report/parse.js';
import { parseDuration, sampleText, watchOnce, type WatchSample } from '../../audit/watch.js';
import { parseChainUrls } from '../../reserves/load.js';
import { networkOptions, networkSettings } from '../network.js';

export const watchCommand = defineCommand({
  command: 'watch <report>',
  describe: "Poll a report's addresses now: outflow per asset since the snapshot and live coverage; alert below 100 %",
  builder: (y) =>
    networkOptions(y)
      .positional('report', { type: 'string', demandOption: true, describe: 'The published report.json' })
      .option('rpc', { type: 'string', array: true, default: [] as string[], describe: 'CHAIN=URL of a node you trust, for every chain the report uses (repeatable)' })
      .option('interval', { type: 'string', default: '60s', describe: 'Time between polls (e.g. 30s, 5m)' })
      .option('duration', { type: 'string', default: '1h', describe: 'Stop after this long (e.g. 10m, 1h)' })
      .example('$0 watch report.json --rpc ethereum=http://127.0.0.1:8545 --interval 60s --duration 1h', 'exit 0: coverage stayed ≥ 100 %; 1: an alert was raised; 2: some poll could not read a balance')
      .epilogue('Each poll reads the current balances of every published address and compares them with the liabilities the report published at its snapshot (what users are owed now is not known). Always stops within one --interval after --duration: a poll still waiting on a node then is abandoned and counts as "could not read".\nExit codes: 0 every poll read every balance and coverage stayed ≥ 100 %; 1 an alert was raised; 2 bad input, or some poll could not read (a chain or balance unread is never a zero).'),
  run: async (args, ctx) => {
    const report = parseReport(await readJsonFile(args.report), args.report);
    const rpc = parseChainUrls(args.rpc);
    // As in `por audit`: a node for a chain the report does not use is a mistake, not a note.
    const chains = report.chains.map((c) => c.chain);
    for (const name of Object.keys(rpc)) {
      if (!chains.includes(name)) throw porError('BAD_USAGE', `--rpc names chain ${name}, which the report does not list (it lists ${chains.join(', ') || 'none'})`, { chain: name, field: 'rpc' });
    }
    const interval = parseDuration(args.interval, 'interval');
    const duration = parseDuration(args.duration, 'duration');
    const net = networkSettings(args);
    const start = Date.now();
    // The hard end: no node can hold the watch past it (each poll's reads are aborted then).
    const stop = AbortSignal.timeout(duration + interval);
    const samples: WatchSample[] = [];
    const failures: string[] = [];
    const alerted = new Set<string>();
    for (let n = 1; ; n++) {
      try {
        const s = await watchOnce({ report, rpc, reporter: ctx.reporter, ...net, signal: stop });
        samples.push(s);
        for (const a of s.alerts) alerted.add(a);
        ctx.print(sampleText(s, n));
      } catch (err) {
        // A poll that fails is reported and skipped; usage errors end the watch at once.
        if (!isPorError(err) || err.code !== 'NETWORK') throw err;
        failures.push(`${new Date().toISOString()}: ${err.describe()}`);
        ctx.reporter.warn(`poll ${n} failed: ${err.describe()}`);
      }
      const next = start + n * interval;
      if (next - start > duration || stop.aborted) break;
      await sleep(Math.max(0, next - Date.now()));
    }
    if (ctx.json) {
      ctx.printJson({ format: 'por-watch', version: 1, report: args.report, snapshotId: report.snapshot.id, interval: args.interval, duration: args.duration, samples, alerts: [...alerted], failedPolls: failures });
    }
    if (samples.length === 0) {
      ctx.note('could not read: no poll succeeded, nothing was watched');
      return EXIT.BAD_INPUT;
    }
    if (alerted.size) {
      ctx.print(`ALERTS raised for: ${[...alerted].join(', ')}${failures.length ? ` (and ${failures.length} poll(s) could not read)` : ''}`);
      return EXIT.CHECK_FAILED;
    }
    // A poll that could not read saw nothing: coverage over the watch is not known (exit 2).
    if (failures.length) {
      ctx.print(`could not read: ${failures.length} of ${samples.length + failures.length} polls failed; coverage was not watched throughout`);
      return EXIT.BAD_INPUT;
    }
    ctx.print(`coverage stayed at or above 100 % for every asset over ${samples.length} poll${samples.length === 1 ? '' : 's'}`);
    return EXIT.OK;
  },
});

// `por watch --json`: a stream of `por-watch-event` v1 lines (NDJSON), one per thing that happens:
// start, the first sample, changes, alerts, failed polls, the summary (docs/FORMATS.md). Each line
// is one document; after `event` and `time` come the fields its event names (EVENT_FIELDS). Pure.
import { JsonAt, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-watch-event';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'event', 'time'] as const;

/** Each event's own fields, in the order por writes them. */
export const EVENT_FIELDS = {
  start: ['report', 'snapshotId', 'interval', 'duration', 'watchedChains', 'unwatchedChains', 'notChecked'],
  sample: ['poll', 'blocks', 'assets', 'alerts'],
  change: ['poll', 'blocks', 'assets', 'previous'],
  alert: ['poll', 'asset', 'current', 'owed', 'ratio'],
  'alert-cleared': ['poll', 'asset', 'current', 'owed', 'ratio'],
  'poll-failed': ['poll', 'error'],
  summary: ['polls', 'read', 'failed', 'stoppedBy', 'fails', 'holds', 'notChecked', 'watchedChains', 'unwatchedChains', 'verdict', 'exit'],
} as const;

export type WatchEventName = keyof typeof EVENT_FIELDS;
const EVENTS = Object.keys(EVENT_FIELDS) as WatchEventName[];

/** One line: its event, its ISO time, and that event's fields. */
export interface WatchEvent {
  event: WatchEventName;
  time: string;
  [field: string]: unknown;
}

export function write(e: WatchEvent): Record<string, unknown> {
  const { event, time, ...fields } = e;
  return { format: FORMAT, version: VERSION, event, time, ...fields };
}

/** Reads one line: the header, the event, its time, exactly that event's fields (their values as written). */
export function read(json: unknown, where: string | Where = {}): WatchEvent {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  const event = doc.get('event').oneOf(EVENTS);
  const o = doc.exact([...FIELDS, ...EVENT_FIELDS[event]]);
  const time = doc.get('time').time();
  if (event !== 'start') doc.get(event === 'summary' ? 'polls' : 'poll').int();
  if (event === 'summary') doc.get('verdict').oneOf(['holds', 'fails', 'not-checked']);
  if (event === 'summary') doc.get('exit').int(0, 2);
  if (event === 'poll-failed') doc.get('error').exact(['code', 'message'], ['info']);
  const { format: _f, version: _v, event: _e, time: _t, ...fields } = o;
  return { event, time, ...fields };
}

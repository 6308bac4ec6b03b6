// `por report render --json`: `por-render` v1, the page it wrote. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';

export const FORMAT = 'por-render';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'out'] as const;

export interface Render {
  /** The report.html written, as given on the command line. */
  out: string;
}

export function write(v: Render): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, out: v.out });
}

export function read(json: unknown, where: string | Where = {}): Render {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return { out: doc.get('out').string() };
}

// Reads report.json back with a located error (file, field path, line:column) for every field that
// is not what v2 says: the por-report document module (src/core/documents/report.ts). Pure.
import { read } from '../documents/report.js';
import type { Report } from './types.js';

export function parseReport(json: unknown, file = 'report.json'): Report {
  return read(json, file);
}

// docs/FORMATS.md describes every document module: a section whose heading names the module's
// format, and whose "Fields:" line lists exactly the module's FIELDS (the list its reader requires
// and its writer orders by), in that order. The field list comes from the module, not from here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../src/core/documents/index.js';

const doc = readFileSync(new URL('../../docs/FORMATS.md', import.meta.url), 'utf8');

/** The section (heading to the next heading of the same or a higher level) whose heading names `format`. */
function sectionOf(format: string): string | undefined {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#{2,4} /.test(l) && l.includes(`\`${format}\``));
  if (start < 0) return undefined;
  const level = lines[start]!.match(/^#+/)![0].length;
  let end = start + 1;
  while (end < lines.length && !(/^#+ /.test(lines[end]!) && lines[end]!.match(/^#+/)![0].length <= level)) end++;
  return lines.slice(start, end).join('\n');
}

/** The names on the section's `Fields:` line, in order. */
function fieldsLine(section: string): string[] | undefined {
  const m = section.match(/^Fields: (.+)$/m);
  return m ? [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!) : undefined;
}

describe('docs/FORMATS.md and the document modules', () => {
  it('lists a module for every format name once', () => {
    const names = DOCUMENTS.map((d) => d.FORMAT);
    expect(new Set(names).size).toBe(names.length);
  });
  for (const d of DOCUMENTS) {
    it(`${d.FORMAT} v${d.VERSION}: a section with a Fields: line equal to the module's fields`, () => {
      const section = sectionOf(d.FORMAT);
      expect(section, `no heading naming \`${d.FORMAT}\``).toBeDefined();
      expect(section!, 'the section names the version the module writes').toContain(`v${d.VERSION}`);
      expect(fieldsLine(section!), `${d.FORMAT}: the Fields: line`).toEqual([...d.FIELDS]);
    });
  }
});

// No function in src/ is longer than LIMIT lines (docs/DEVELOPING.md says why: a function is read at
// once, and a stage's steps are named functions). Measured with the TypeScript compiler on every
// function, method, accessor, constructor and arrow body, nested ones included: an outer function's
// lines count its inner closures too, since a reader reads them there.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const LIMIT = 80;
const SRC = resolve(__dirname, '../../src');

/**
 * Functions still over the limit, in files other work is rewriting (issue 14: the Merkle builder
 * and ingest, the OKX reserve CSV and audit, the document readers). Each carries its length today so
 * it cannot grow; an entry whose function is gone or back under the limit must be removed.
 */
const KNOWN: Record<string, number> = {
};

export interface Measured {
  /** "path#name", the path relative to src/. */
  key: string;
  line: number;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** A function's name as a reader would search for it: its own, or the variable or property it is assigned to. */
function nameOf(fn: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  if (fn.name) return fn.name.getText(sf);
  const p = fn.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText(sf);
  return `<anonymous:${sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line + 1}>`;
}

/** Every function body in one file, with its length in lines (first to last line of the body). */
export function measure(file: string, text: string): Measured[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Measured[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      const first = sf.getLineAndCharacterOfPosition(body.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(body.getEnd()).line;
      out.push({ key: `${file}#${nameOf(node, sf)}`, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function measureSrc(): Measured[] {
  return sourceFiles(SRC).flatMap((f) => measure(relative(SRC, f).split('\\').join('/'), readFileSync(f, 'utf8')));
}

describe('function length', () => {
  it('measures bodies by their lines, arrows and methods too', () => {
    const text = [
      'export function a(x: number) {', //  1: a's body opens
      '  const inner = (y: number) => {', //  2: inner's body opens
      '    return y + 1;', //  3
      '  };', //  4: inner's body closes (3 lines)
      '  return inner(x);', //  5
      '}', //  6: a's body closes (6 lines)
      'class K { m() { return 1; } }', //  7: m, one line
      'const e = (z: number) =>', //  8
      '  z * 2;', //  9: e's expression body, one line
    ].join('\n');
    const got = Object.fromEntries(measure('t.ts', text).map((m) => [m.key, m.lines]));
    expect(got).toEqual({ 't.ts#a': 6, 't.ts#inner': 3, 't.ts#m': 1, 't.ts#e': 1 });
  });

  it(`no function in src/ is over ${LIMIT} lines, except the known ones, which do not grow`, () => {
    const all = measureSrc();
    const over = all.filter((m) => m.lines > LIMIT);
    const problems: string[] = [];
    for (const m of over) {
      const known = KNOWN[m.key];
      if (known === undefined) problems.push(`${m.key} (line ${m.line}) is ${m.lines} lines; split it into named steps (limit ${LIMIT})`);
      else if (m.lines > known) problems.push(`${m.key} grew from ${known} to ${m.lines} lines`);
    }
    for (const [key, lines] of Object.entries(KNOWN)) {
      if (!over.some((m) => m.key === key)) problems.push(`${key} (listed at ${lines} lines) is no longer over ${LIMIT}: remove it from KNOWN`);
    }
    expect(problems).toEqual([]);
  });
});

// `por compare --json`: `por-compare` v1, several users' proofs side by side (src/core/verify/
// compare.ts): whether they describe one tree, the checks, every conflict, how many nodes were
// shared. Pure.
import { JsonAt, inOrder, readHeader, type Where } from '../json/read.js';
import { readCheck } from '../checks/read.js';
import type { Comparison, Conflict, NodeClaim } from '../verify/compare.js';
import { readAmounts } from './verdict.js';

export const FORMAT = 'por-compare';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'consistent', 'checks', 'conflicts', 'sharedNodes'] as const;

export function write(c: Comparison): Record<string, unknown> {
  return inOrder(FIELDS, { format: FORMAT, version: VERSION, ...c });
}

function readClaim(c: JsonAt): NodeClaim {
  c.exact(['proof', 'name', 'user', 'role', 'hash', 'sums']);
  return {
    proof: c.get('proof').int(), name: c.get('name').string(), user: c.get('user').string(),
    role: c.get('role').oneOf(['leaf', 'path', 'sibling', 'root']), hash: c.get('hash').string(), sums: readAmounts(c.get('sums')),
  };
}

/** `{proof, name, <key>}` of a user-position or header conflict. */
function readSide<K extends 'position' | 'value'>(s: JsonAt, key: K): { proof: number; name: string } & Record<K, K extends 'position' ? number : string> {
  s.exact(['proof', 'name', key]);
  const v = key === 'position' ? s.get(key).int() : s.get(key).string();
  return { proof: s.get('proof').int(), name: s.get('name').string(), [key]: v } as { proof: number; name: string } & Record<K, K extends 'position' ? number : string>;
}

function readConflict(c: JsonAt): Conflict {
  const kind = c.get('kind').oneOf(['node', 'leaf-position', 'user-position', 'header', 'invalid']);
  switch (kind) {
    case 'node':
    case 'leaf-position': {
      c.exact(['kind', 'level', 'position', 'a', 'b']);
      const level = c.get('level').int(0, kind === 'node' ? 256 : 0);
      return { kind, level, position: c.get('position').int(), a: readClaim(c.get('a')), b: readClaim(c.get('b')) } as Conflict;
    }
    case 'user-position':
      c.exact(['kind', 'user', 'a', 'b']);
      return { kind, user: c.get('user').string(), a: readSide(c.get('a'), 'position'), b: readSide(c.get('b'), 'position') };
    case 'header':
      c.exact(['kind', 'field', 'a', 'b']);
      return { kind, field: c.get('field').oneOf(['snapshotId', 'height', 'assets']), a: readSide(c.get('a'), 'value'), b: readSide(c.get('b'), 'value') };
    case 'invalid':
      c.exact(['kind', 'proof', 'name', 'check', 'detail']);
      return { kind, proof: c.get('proof').int(), name: c.get('name').string(), check: c.get('check').string(), detail: c.get('detail').string() };
  }
}

export function read(json: unknown, where: string | Where = {}): Comparison {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  return {
    consistent: doc.get('consistent').bool(), checks: doc.get('checks').array().map(readCheck),
    conflicts: doc.get('conflicts').array().map(readConflict), sharedNodes: doc.get('sharedNodes').int(),
  };
}

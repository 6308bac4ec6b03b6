// `por compare`: put several users' proofs side by side to catch equivocation (threats.md row 14).
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { readJsonFile } from '../../io/node.js';
import { isPorError, porError, PorError } from '../../core/errors/index.js';
import { write as writeComparison } from '../../core/documents/compare.js';
import { compareProofs, type Comparison, type Conflict, type NodeClaim } from '../../core/verify/compare.js';

export interface CompareArgs {
  proofs: string[];
}

export const compareCommand = defineCommand<CompareArgs>({
  command: 'compare <proofs..>',
  describe: 'Compare proofs of several users: catch an exchange that shows different users different trees',
  builder: (y) =>
    y
      .usage(
        'por compare PROOF.json PROOF.json... [--json]\n\n' +
          'Each proof is first verified against the root it states. Then every node a proof fixes (its path, ' +
          'recomputed from the leaf up, and the siblings it lists) is compared with the same node position in the ' +
          'other proofs: the hash and the sums must be the same, and so must the root, snapshot, height and assets. ' +
          'Two users, one at position p and one at q, share the nodes from level bitlength(p XOR q) − 1 up (their ' +
          'siblings there are each other\'s path), so any two proofs of one honest tree agree at least on the root.\n\n' +
          'Ask other users (friends, a forum, a journalist) for their proof files: proofs carry balances, so share ' +
          'them only with people you trust. Reads only the files given; nothing is sent anywhere.',
      )
      .positional('proofs', { type: 'string', array: true, demandOption: true, describe: 'Two or more por proof files of the same snapshot (proofs of different snapshots: exit 2)' })
      .example('por compare proofs/users/alice.json proofs/users/bob.json', 'two users\' proofs (from `por proof DIR --all --layout files`)')
      .example('por compare proofs/users/*.json --json', '')
      .epilogue('Exit codes: 0 the proofs are consistent (one tree); 1 a conflict within one snapshot (two values for one node, two users at one leaf, different heights or assets, a proof that does not verify); 2 a file cannot be read or is not a por proof, or the proofs are of different snapshots (a new tree is built for every snapshot, so there is nothing to compare).') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    const files = args.proofs;
    if (files.length < 2) throw porError('BAD_USAGE', `give at least two proof files to compare, got ${files.length}`);
    const docs: unknown[] = [];
    for (const f of files) docs.push(await readJsonFile(f));
    let result: Comparison;
    try {
      result = compareProofs(docs, { names: files });
    } catch (err) {
      // The core names the proof in its message (it has no files); here the file leads the line
      // already, so drop the name from the message and the proofs[i] field (no file name twice).
      if (isPorError(err) && typeof err.info.proof === 'number' && files[err.info.proof] !== undefined) {
        const file = files[err.info.proof] as string;
        const { field, ...info } = err.info;
        const message = err.message.startsWith(`${file} is `) ? err.message.slice(file.length + 4) : err.message;
        throw new PorError(err.code, message, { ...info, ...(field === `proofs[${err.info.proof}]` ? {} : { field }), file }, { cause: err.cause });
      }
      throw err;
    }
    if (ctx.json) ctx.printJson(writeComparison(result));
    else ctx.print(renderComparison(result));
    return result.consistent ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

const value = (c: NodeClaim) => `${c.hash} (${c.sums.map((s) => `${s.asset} ${s.amount}${s.debt !== undefined && /[1-9]/.test(s.debt) ? ` debt ${s.debt}` : ''}`).join(', ')})`;
const how = (c: NodeClaim) => (c.role === 'sibling' ? 'states' : c.role === 'leaf' ? 'has as its leaf' : 'computes');

function describeConflict(c: Conflict): string[] {
  switch (c.kind) {
    case 'node':
      return [
        `level ${c.level}, position ${c.position}${c.level === 0 ? ' (a leaf)' : ''}${c.a.role === 'root' ? ' (the root)' : ''}:`,
        `    ${c.a.name} (user "${c.a.user}") ${how(c.a)} ${value(c.a)}`,
        `    ${c.b.name} (user "${c.b.user}") ${how(c.b)} ${value(c.b)}`,
      ];
    case 'leaf-position':
      return [`leaf position ${c.position} is claimed by two users: "${c.a.user}" (${c.a.name}) and "${c.b.user}" (${c.b.name})`];
    case 'user-position':
      return [`user "${c.user}" is at leaf position ${c.a.position} in ${c.a.name} and at ${c.b.position} in ${c.b.name}`];
    case 'header':
      return [`${c.field} differs: ${c.a.name} says ${c.a.value}, ${c.b.name} says ${c.b.value}`];
    case 'invalid':
      return [`${c.name} does not verify against its own root: check "${c.check}" failed: ${c.detail}`];
  }
}

function renderComparison(r: Comparison): string {
  const lines: string[] = [];
  if (r.consistent) {
    lines.push(`CONSISTENT: the proofs describe one tree (${r.sharedNodes} shared node positions compared, all equal)`);
  } else {
    const first = describeConflict(r.conflicts[0]!);
    lines.push(`CONFLICT: these proofs cannot come from one tree (${r.conflicts.length} conflict${r.conflicts.length === 1 ? '' : 's'}). First: ${first[0]}`, ...first.slice(1));
    if (r.conflicts.length > 1) {
      lines.push('', 'All conflicts:');
      for (const c of r.conflicts) {
        const d = describeConflict(c);
        lines.push(`  ${d[0]}`, ...d.slice(1).map((l) => `  ${l}`));
      }
    }
  }
  lines.push('', 'Checks:');
  const nw = Math.max(...r.checks.map((c) => c.name.length));
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(nw)}  ${c.detail}`);
  if (!r.consistent) {
    lines.push('', 'Keep in mind:', '  - Two values for one node position in proofs of the same snapshot mean the exchange showed these users different trees: keep the files, they are the evidence.');
  }
  return lines.join('\n');
}

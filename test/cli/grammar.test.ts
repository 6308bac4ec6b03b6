// One CLI grammar (issue 16, docs/CLI.md): every short flag means one thing in every command, and
// docs/CLI.md's table of short flags is the one the commands define. Reads each command's yargs
// options the way the CLI builds them (the global options first, then the command's builder).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { commands } from '../../src/cli/commands/index.js';
import { reportSubcommands } from '../../src/cli/commands/report.js';
import { globalOptions } from '../../src/cli/program.js';

type Builder = (y: Argv) => Argv;

/** Every command as "name" → its builder, `report`'s sub-commands as "report render" etc. */
function allCommands(): [string, Builder][] {
  const name = (c: CommandModule<never, never>) => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!;
  const top = (commands as unknown as CommandModule<never, never>[]).filter((c) => name(c) !== 'report');
  const subs = reportSubcommands as unknown as CommandModule<never, never>[];
  return [...top.map((c) => [name(c), c.builder as unknown as Builder] as [string, Builder]), ...subs.map((c) => [`report ${name(c)}`, c.builder as unknown as Builder] as [string, Builder])];
}

/** For one command: each one-letter alias → the long option name (the declared key) it stands for. */
export function shortFlags(builder: Builder): Map<string, string> {
  const y = builder(globalOptions(yargs([])) as unknown as Argv);
  const alias = (y as unknown as { getOptions(): { alias: Record<string, string[]> } }).getOptions().alias;
  const out = new Map<string, string>();
  for (const [long, names] of Object.entries(alias)) for (const n of names) if (n.length === 1) out.set(n, long);
  return out;
}

/** Short flag → long name → the commands where it means that. */
function usage(list: [string, Builder][]): Map<string, Map<string, string[]>> {
  const by = new Map<string, Map<string, string[]>>();
  for (const [cmd, builder] of list) {
    for (const [short, long] of shortFlags(builder)) {
      const m = by.get(short) ?? new Map<string, string[]>();
      m.set(long, [...(m.get(long) ?? []), cmd]);
      by.set(short, m);
    }
  }
  return by;
}

/** "-r is --reserves in solvency but --report in verify", one line per short flag with two meanings. */
function conflicts(by: Map<string, Map<string, string[]>>): string[] {
  return [...by].filter(([, m]) => m.size > 1).map(([short, m]) => `-${short} is ${[...m].map(([long, cmds]) => `--${long} in ${cmds.join(', ')}`).join(' but ')}`);
}

describe('one CLI grammar', () => {
  const list = allCommands();

  it('reads every command (and report\'s sub-commands)', () => {
    expect(list.map(([n]) => n).sort()).toEqual(['audit', 'build', 'combine', 'compare', 'history', 'keygen', 'liabilities', 'ownership-message', 'proof', 'report render', 'report verify-signature', 'reserves', 'solvency', 'verify', 'verify-page', 'watch']);
  });

  it('every short flag stands for the same long option in every command', () => {
    expect(conflicts(usage(list))).toEqual([]);
  });

  it('the check finds a short flag with two meanings (a command that reuses -o for something else)', () => {
    const rogue: Builder = (y) => y.option('owner', { alias: 'o', type: 'string' });
    expect(conflicts(usage([...list, ['rogue', rogue]]))).toEqual([expect.stringMatching(/^-o is --out in .*build.* but --owner in rogue$/)]);
  });

  it('docs/CLI.md lists exactly the short flags the commands define', () => {
    const doc = readFileSync('docs/CLI.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Short flags'));
    const rows = [...section.matchAll(/^\| `-(\w)` \| `--([\w-]+)` \|/gm)].map((m) => `-${m[1]} --${m[2]}`).sort();
    const defined = [...usage(list)].map(([short, m]) => `-${short} --${[...m.keys()][0]}`).sort();
    expect(rows).toEqual(defined);
  });

  it('every command that writes a file takes it as -o/--out', () => {
    const writers = ['build', 'combine', 'proof', 'reserves', 'verify-page', 'report render', 'audit', 'history'];
    for (const [cmd, builder] of list.filter(([n]) => writers.includes(n))) expect([cmd, shortFlags(builder).get('o')]).toEqual([cmd, 'out']);
  });
});

const por = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const SOLVENCY = ['--assets', 'samples/assets.json', '-r', 'samples/reserves.csv', '--json'];

describe('the main input is the first argument; the old named options still work, deprecated', () => {
  it('por solvency SNAPSHOT and por solvency -l SNAPSHOT give the same document; only the old form warns', () => {
    const now = por('solvency', 'samples/liabilities.csv', ...SOLVENCY);
    const old = por('solvency', '-l', 'samples/liabilities.csv', ...SOLVENCY);
    const long = por('solvency', '--liabilities=samples/liabilities.csv', ...SOLVENCY);
    expect([now.code, old.code, long.code]).toEqual([0, 0, 0]);
    expect(old.stdout).toBe(now.stdout);
    expect(long.stdout).toBe(now.stdout);
    expect(now.stderr).not.toMatch(/deprecated/);
    const warning = /^warning: --liabilities\/-l is deprecated and will be removed: give SNAPSHOT as the first argument \(por solvency SNAPSHOT /m;
    expect(old.stderr).toMatch(warning);
    expect(long.stderr).toMatch(warning);
    expect(old.stderr.match(/deprecated/g)).toHaveLength(1);
  });

  it('the snapshot given both ways, or not at all: exit 2 saying how to give it', () => {
    const both = por('solvency', 'samples/liabilities.csv', '-l', 'samples/liabilities.csv', ...SOLVENCY);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/SNAPSHOT is given twice, as the first argument and as --liabilities; give it once, first/);
    const none = por('solvency', '--assets', 'samples/assets.json', '-r', 'samples/reserves.csv');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give SNAPSHOT as the first argument: por solvency SNAPSHOT --assets/);
  });

  it('por ownership-message --wallets FILE still works (warning), as por ownership-message FILE', () => {
    const now = por('ownership-message', 'samples/wallets.json', '--json');
    const old = por('ownership-message', '--wallets', 'samples/wallets.json', '--json');
    expect([now.code, old.code]).toEqual([0, 0]);
    expect(old.stdout).toBe(now.stdout);
    expect(old.stderr).toMatch(/^warning: --wallets is deprecated and will be removed: give WALLETS.json as the first argument/m);
  });

  it('por proof --store DIR still reads the same store as por proof DIR (warning)', () => {
    const now = por('proof', 'test/fixtures/golden/build', '--user', 'nobody-by-this-name');
    const old = por('proof', '--store', 'test/fixtures/golden/build', '--user', 'nobody-by-this-name');
    expect([now.code, old.code]).toEqual([2, 2]);
    expect(now.stderr).toMatch(/nobody-by-this-name/);
    expect(old.stderr).toContain(now.stderr.trim());
    expect(old.stderr).toMatch(/^warning: --store is deprecated and will be removed: give DIR as the first argument \(por proof DIR --user ID/m);
  });

  it('-r is --reserves, not --report: por verify PROOF -r FILE is an unknown option (exit 2)', () => {
    const r = por('verify', 'samples/reserves.csv', '-r', 'samples/reserves.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: -r \(did you mean --report\? -r means --reserves in every command now/);
  });
});

describe('arguments in the wrong order say what is wrong', () => {
  const ROOT = 'test/fixtures/golden/build/public/root.json';
  const PROOF = 'test/fixtures/golden/proof-jose.json';

  it('por verify ROOT --report PROOF (swapped): names the root and where it goes, not "an undefined proof"', () => {
    const r = por('verify', ROOT, '--report', PROOF);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${ROOT}, field format: this is the published root (por-root), not a proof: the proof goes first and this file after --report: por verify PROOF.json --report ${ROOT}`);
    expect(r.stderr).not.toMatch(/undefined/);
  });

  it('por verify with the report alone, or another por document first: says which document it is', () => {
    expect(por('verify', 'test/fixtures/golden/report.json').stderr).toMatch(/this is the published report \(por-report\), not a proof: the proof goes first/);
    const w = por('verify', 'samples/wallets.json', '--report', ROOT);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/samples\/wallets\.json, field format: this is a por-wallets document, not a proof: por verify takes your proof file/);
  });

  it('por verify on an OKX reserve CSV points to por audit (not "not valid JSON")', () => {
    const r = por('verify', 'test/fixtures/okx/valid-2022.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/this is an OKX reserve file \(address signatures\), not a proof: check it with `por audit FILE`/);
  });

  it('a JSON file that is no proof at all, with --report: "not a proof file por knows", never "undefined"', () => {
    const r = por('verify', 'package.json', '--report', ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a proof file por knows/);
    expect(r.stderr).not.toMatch(/undefined/);
  });
});

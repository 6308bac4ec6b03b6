// One CLI: a typo gets the nearest command or option ("did you mean …", exit 2), and `por completion`
// prints a bash or zsh script that really completes por's commands. Spawns the built CLI.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { editDistance, nearest } from '../../src/cli/suggest.js';

const repo = resolve(import.meta.dirname, '../..');
const por = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: repo });

describe('edit distance', () => {
  it('counts insertions, deletions, substitutions, and a swap of neighbours as one', () => {
    // kitten → sitting: k→s, e→i, +g (the textbook example).
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('jsn', 'json')).toBe(1);
    expect(editDistance('josn', 'json')).toBe(1);
    expect(editDistance('verfy', 'verify')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only a near name, the nearest one', () => {
    expect(nearest('jsn', ['json', 'quiet', 'help'])).toBe('json');
    expect(nearest('rpx', ['rpc', 'root'])).toBe('rpc');
    // Two edits in three letters is not a typo of "out".
    expect(nearest('xyz', ['out', 'json'])).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('por verfy: exit 2, "did you mean `por verify`?"', () => {
    const r = por('verfy', 'proof.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^por: unknown command "verfy": did you mean `por verify`\?$/m);
    expect(r.stdout).toBe('');
  });

  it('por verify --jsn: exit 2, "did you mean --json?", naming the command whose --help to read', () => {
    const r = por('verify', 'proof.json', '--jsn');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^por verify: Unknown argument: --jsn \(did you mean --json\?\)$/m);
    expect(r.stderr).toMatch(/Run `por verify --help` for usage\./);
  });

  it('an option of the command itself is suggested (audit --rcp → --rpc), and a mistyped --foo-bar is named once', () => {
    expect(por('audit', 'r.json', '--rcp', 'x').stderr).toMatch(/Unknown argument: --rcp \(did you mean --rpc\?\)/);
    const r = por('watch', 'r.json', '--timout-ms', '3');
    expect(r.stderr).toMatch(/^por watch: Unknown argument: --timout-ms \(did you mean --timeout-ms\?\)$/m);
  });

  it('under --json the usage error is the one JSON document, with the suggestion', () => {
    const r = por('verfy', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ format: 'por-error', version: 1, error: { code: 'BAD_USAGE', message: 'unknown command "verfy": did you mean `por verify`?', info: {} } });
  });

  it('a word near no command is still called an unknown command', () => {
    const r = por('zzz');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "zzz" \(`por --help` lists the commands\)/);
  });
});

describe('por completion', () => {
  it('bash: prints a script that completes por\'s commands (run in bash, with por on the PATH)', () => {
    const r = por('completion', 'bash');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/complete -o bashdefault -o default -F _por_yargs_completions por/);
    const dir = mkdtempSync(join(tmpdir(), 'por-completion-'));
    writeFileSync(join(dir, 'completion.bash'), r.stdout);
    writeFileSync(join(dir, 'por'), `#!/bin/sh\nexec "${process.execPath}" "${join(repo, 'bin/por.mjs')}" "$@"\n`);
    chmodSync(join(dir, 'por'), 0o755);
    const script = `source ${join(dir, 'completion.bash')}; COMP_WORDS=(por veri); COMP_CWORD=1; _por_yargs_completions; echo "\${COMPREPLY[@]}"`;
    const b = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    expect(b.stdout.trim().split(/\s+/).sort()).toEqual(['verify', 'verify-page']);
  });

  it('zsh: a compdef script', () => {
    const r = por('completion', 'zsh');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('#compdef por');
    expect(r.stdout).toMatch(/compdef _por_yargs_completions por/);
  });

  it('another shell is bad usage (exit 2), and --help lists the command with how to load it', () => {
    const r = por('completion', 'fish');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no completion script for "fish": give bash or zsh/);
    const h = por('--help');
    expect(h.stdout.replace(/\s+/g, ' ')).toMatch(/por completion Print a shell completion script for bash or zsh/);
    expect(h.stdout).toMatch(/source <\(por completion bash\)/);
  });
});

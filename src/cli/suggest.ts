// "Did you mean …": yargs' usage messages for an unknown command or flag, with the nearest known
// name added (as `git`, `gh` and `cast` do). A suggestion is only a hint: the exit is still 2.

/** Levenshtein distance with adjacent transpositions counted as one edit ("josn" → "json": 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `word`, when near enough to be a typo (at most 2 edits, and fewer than half its letters). */
export function nearest(word: string, known: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    if (name.length <= 1) continue;
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (d <= 2 && d * 2 < Math.max(word.length, name.length) && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** Short flags that used to mean something else in some command (docs/CLI.md): where that long
 *  option exists, the hint names it and says why the short one is gone. */
const RETIRED_SHORT: Record<string, { was: string; why: string }> = {
  r: { was: 'report', why: '-r means --reserves in every command now (por solvency)' },
};

/**
 * yargs' "Unknown argument(s): a, b" with "did you mean --x?" after each argument that was typed
 * as a flag and is near a known option; any other message is returned unchanged.
 */
export function suggestFlags(msg: string, argv: readonly string[], options: readonly string[]): string {
  const m = /^(Unknown arguments?): (.+)$/.exec(msg);
  if (!m) return msg;
  const given = (name: string) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `-${name}`);
  const names = m[2]!.split(', ');
  const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // yargs lists a mistyped --foo-bar twice (foo-bar, fooBar): once is enough.
  const parts = names.filter((n) => kebab(n) === n || !names.includes(kebab(n))).map((name) => {
    if (!given(name)) return name;
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    const retired = RETIRED_SHORT[name];
    if (retired !== undefined && options.includes(retired.was)) return `${flag} (did you mean --${retired.was}? ${retired.why})`;
    const hit = nearest(name, options);
    return hit === undefined ? flag : `${flag} (did you mean --${hit}?)`;
  });
  return `${parts.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${parts.join(', ')}`;
}

/**
 * yargs' recommendCommands() message "Did you mean verify?" in por's words; an unknown first word
 * with nothing near it is called an unknown command too (yargs says "Unknown argument").
 */
export function suggestCommand(msg: string, typed: string | undefined, commands: ReadonlySet<string>): string {
  if (typed === undefined || commands.has(typed)) return msg;
  const m = /^Did you mean (.+)\?$/.exec(msg);
  if (m) return `unknown command "${typed}": did you mean \`por ${m[1]}\`?`;
  if (msg === `Unknown argument: ${typed}`) return `unknown command "${typed}" (\`por --help\` lists the commands)`;
  return msg;
}

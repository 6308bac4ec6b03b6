// A folder that is replaced all at once. Everything goes into a sibling `.NAME.partial-PID`; commit()
// switches it in with renames, so readers see either the old folder or the complete new one, never
// a mix. Node-only. docs/FORMATS.md, "Build folder", describes what a crash leaves and how the next
// run on the folder cleans it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { porError } from '../core/errors/index.js';
import { crashPoint, processAlive, readFault, syncFolder, writeError } from './node.js';

export interface StageOptions {
  /** Replace the folder when it already holds what `isOurs` recognises. */
  replace: boolean;
  /** True when an existing, non-empty folder is one this kind of run wrote (and may replace). */
  isOurs: (dir: string) => boolean;
  /** What the folder holds, for messages: "a tree", "a proof export". */
  what: string;
  /** The option that names the folder, for messages: "out". */
  field: string;
  /** Hint for a folder that holds something already: how to replace it. */
  replaceHint: string;
  /** Crash-point prefix for tests ("build", "export"). */
  crashName: string;
  /** Mode of the new folder: 0o700 when everything in it is secret-bearing. */
  mode?: number;
}

type Leftover = { kind: 'partial' | 'old'; pid: number; path: string };

/** `.NAME.partial-PID` and `.NAME.old-PID` beside `target`. */
function leftovers(target: string): Leftover[] {
  const parent = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of names) {
    const m = /^\.(.*)\.(partial|old)-(\d+)$/.exec(name);
    if (m && m[1] === base) out.push({ kind: m[2] as Leftover['kind'], pid: Number(m[3]), path: join(parent, name) });
  }
  return out;
}

/**
 * What a killed run left beside `target`: when it died between moving the old folder away and
 * moving the new one in, the old folder is put back (the run never finished, so nothing changed);
 * every other leftover of a dead run is removed. Runs still alive are left alone.
 */
async function recoverInterrupted(target: string): Promise<void> {
  const dead = leftovers(target).filter((l) => !processAlive(l.pid));
  const old = dead.find((l) => l.kind === 'old');
  if (old && !existsSync(target)) await rename(old.path, target);
  for (const l of dead) await rm(l.path, { recursive: true, force: true });
}

/** A reader's view: the folder is missing because a run was killed mid-switch (the next run restores it). */
export function interruptedSwitch(target: string): string | undefined {
  return leftovers(resolve(target)).find((l) => l.kind === 'old')?.path;
}

function isEmptyFolder(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

export class StagedFolder {
  private constructor(
    /** The folder the user named (absolute). */
    readonly target: string,
    /** Where this run writes; becomes `target` on commit. */
    readonly path: string,
    private readonly opts: StageOptions,
  ) {}

  /** Cleans a killed run's leftovers, checks `target` may be (re)placed, and makes the staging folder. */
  static async begin(target: string, opts: StageOptions): Promise<StagedFolder> {
    const abs = resolve(target);
    await recoverInterrupted(abs);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) throw porError('BAD_USAGE', `--${opts.field} must be a folder, but this is a file`, { file: target, field: opts.field });
    if (st !== undefined && !isEmptyFolder(abs)) {
      if (!opts.isOurs(abs)) throw porError('BAD_USAGE', `this folder is not empty and does not hold ${opts.what}; choose an empty or new folder`, { file: target, field: opts.field });
      if (!opts.replace) throw porError('BAD_USAGE', `this folder already holds ${opts.what}; ${opts.replaceHint}`, { file: target, field: opts.field });
    }
    const path = join(dirname(abs), `.${basename(abs)}.partial-${process.pid}`);
    try {
      await mkdir(dirname(abs), { recursive: true });
      await rm(path, { recursive: true, force: true });
      await mkdir(path, { mode: opts.mode ?? 0o755 });
    } catch (err) {
      throw writeError(path, err);
    }
    return new StagedFolder(abs, path, opts);
  }

  /**
   * Puts the staged folder in place. A folder that is absent or empty is replaced by one rename;
   * a previous one is first renamed aside to `.NAME.old-PID` and removed after the switch.
   */
  async commit(): Promise<void> {
    const c = this.opts.crashName;
    syncFolder(this.path);
    crashPoint(`${c}:before-switch`);
    const old = join(dirname(this.target), `.${basename(this.target)}.old-${process.pid}`);
    let movedAside = false;
    try {
      if (existsSync(this.target) && (await readdir(this.target)).length > 0) {
        await rename(this.target, old);
        movedAside = true;
        crashPoint(`${c}:mid-switch`);
      }
      await rename(this.path, this.target);
    } catch (err) {
      if (movedAside && !existsSync(this.target)) await rename(old, this.target).catch(() => {});
      throw porError('CANNOT_WRITE', `cannot put the new folder in place: ${readFault(err)}`, { file: this.target, field: this.opts.field }, err);
    }
    syncFolder(dirname(this.target));
    crashPoint(`${c}:after-switch`);
    if (movedAside) await rm(old, { recursive: true, force: true });
  }

  /** Removes what this run staged; the target is as it was. */
  async abort(): Promise<void> {
    await rm(this.path, { recursive: true, force: true }).catch(() => {});
  }
}

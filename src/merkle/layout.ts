// Where `por build` puts things, and how readers find them and check they belong together.
// Node-only. docs/FORMATS.md, "Build folder".
//
//   DIR/public/   what the exchange publishes: root.json, and with --wallets report.json,
//                 report.sig.json, report.html, verify.html
//   DIR/private/  the proof store (salts, ids, balances): never published; mode 0700, files 0600
//
// The whole of DIR is written as one staged folder and switched in at once (src/io/staged.ts).
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { porError } from '../core/errors/index.js';
import { isObject } from '../core/json/index.js';
import { processAlive, readJsonFile } from '../io/node.js';
import { rm } from 'node:fs/promises';
import { interruptedSwitch, StagedFolder } from '../io/staged.js';

export const PUBLIC_DIR = 'public';
export const PRIVATE_DIR = 'private';
export const ROOT_FILE = 'root.json';
export const STORE_META = 'store.json';
/** Before the split (por 0.1.0 early builds): DIR/root.json beside DIR/store/. Still read, never written. */
const LEGACY_STORE_DIR = 'store';

/** True when DIR holds a build (this layout or the legacy one). */
export function isBuildFolder(dir: string): boolean {
  if (existsSync(join(dir, PUBLIC_DIR, ROOT_FILE)) || existsSync(join(dir, PRIVATE_DIR))) return true;
  return existsSync(join(dir, ROOT_FILE)) || existsSync(join(dir, LEGACY_STORE_DIR));
}

/** DIR/.store.partial-PID: what killed builds of earlier versions left inside DIR. */
async function removeLegacyPartials(dir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^\.store\.partial-(\d+)$/.exec(n);
    if (m && !processAlive(Number(m[1]))) await rm(join(dir, n), { recursive: true, force: true });
  }
}

/** The staged build folder for `por build --out DIR` (and buildTree called on its own). */
export async function stageBuild(outDir: string, replace: boolean): Promise<StagedFolder> {
  await removeLegacyPartials(outDir);
  return StagedFolder.begin(outDir, {
    replace,
    isOurs: isBuildFolder,
    what: 'a tree (public/root.json or private/)',
    field: 'out',
    replaceHint: 'choose another folder, or --force to replace it',
    crashName: 'build',
  });
}

export interface StoreLocation {
  /** The folder holding store.json and the binary files. */
  storeDir: string;
  /** Published documents to check the store against (root.json, report.json), when present. */
  published: string[];
}

/**
 * Finds the store from what the user gave: a build folder (DIR/private, or the legacy DIR/store),
 * or the store folder itself. The published root (and report, when built with --wallets) beside it
 * are what a proof must match.
 */
export function locateStore(dir: string): StoreLocation {
  const abs = resolve(dir);
  const beside = (folder: string) => [join(folder, ROOT_FILE), join(folder, 'report.json')].filter((f) => existsSync(f));
  if (existsSync(join(abs, PRIVATE_DIR, STORE_META))) return { storeDir: join(abs, PRIVATE_DIR), published: beside(join(abs, PUBLIC_DIR)) };
  if (existsSync(join(abs, LEGACY_STORE_DIR, STORE_META))) return { storeDir: join(abs, LEGACY_STORE_DIR), published: beside(abs) };
  if (existsSync(join(abs, STORE_META))) {
    const parent = dirname(abs);
    const published = basename(abs) === PRIVATE_DIR ? beside(join(parent, PUBLIC_DIR)) : basename(abs) === LEGACY_STORE_DIR ? beside(parent) : [];
    return { storeDir: abs, published };
  }
  const old = existsSync(abs) ? undefined : interruptedSwitch(abs);
  if (old !== undefined) {
    throw porError('BAD_INPUT', `this folder is missing: a build was killed while switching it (the previous one is in ${old}); run the build again, it puts the previous folder back first`, { file: dir });
  }
  throw porError('BAD_INPUT', `not a proof store: no ${PRIVATE_DIR}/${STORE_META} here, nor ${STORE_META} (run por build first)`, { file: dir });
}

/** The root hash a published document commits to: root.json's `hash`, report.json's `merkleRoot.hash`. */
function publishedRoot(doc: unknown): { hash?: unknown; snapshotId?: unknown } | undefined {
  if (!isObject(doc)) return undefined;
  if (doc.format === 'por-root') return doc;
  if (doc.format === 'por-report' && isObject(doc.merkleRoot)) return doc.merkleRoot;
  return undefined;
}

/**
 * Refuses to serve proofs from a store whose published root or report is for another tree (a
 * build interrupted half-way by older tools, or files copied together by hand): every proof would
 * be INVALID against what users are told to check.
 */
export async function checkBelongsTogether(loc: StoreLocation, root: { hash: string; snapshotId: string }): Promise<void> {
  for (const file of loc.published) {
    const r = publishedRoot(await readJsonFile(file));
    if (r === undefined) throw porError('BAD_INPUT', 'neither a por-root nor a por-report document, beside the proof store', { file });
    if (r.hash !== root.hash || r.snapshotId !== root.snapshotId) {
      throw porError(
        'BAD_INPUT',
        `this published document is for another tree (root ${String(r.hash)}, snapshot ${String(r.snapshotId)}) than the proof store beside it (root ${root.hash}, snapshot ${root.snapshotId}): root, store and report do not belong together; rebuild with por build --force`,
        { file, field: 'hash' },
      );
    }
  }
}

// `por proof`: one user's inclusion proof from the store, or every proof, streaming.
import { write as writeProof } from '../../core/documents/proof.js';
import { write as writeProofWritten } from '../../core/documents/proof-written.js';
import { write as writeExportRun } from '../../core/documents/proof-export-run.js';
import { statSync } from 'node:fs';
import { defineCommand, EXIT, writeJson, type ExitCode } from '../context.js';
import { inputArgument } from '../inputs.js';
import { ProofStore } from '../../merkle/store.js';
import { crashPoint, writeFileAtomic } from '../../io/node.js';
import { MANIFEST_FILE, stageExport, writeManifest, EXPORT_FORMAT, EXPORT_VERSION } from '../../merkle/export.js';
import type { Reporter } from '../../core/progress/index.js';
import { porError } from '../../core/errors/index.js';

export interface ProofArgs {
  /** The build folder: the first argument (or the deprecated --store). */
  dir: string;
  user?: string;
  all: boolean;
  out?: string;
  layout: 'ndjson' | 'files';
}

export const proofCommand = defineCommand<ProofArgs>({
  command: 'proof [dir]',
  describe: "Export a user's inclusion proof (or every user's) from the store `por build` wrote",
  builder: (y) =>
    inputArgument(y, {
      key: 'dir',
      label: 'DIR',
      describe: 'Folder `por build --out` wrote (or its private/ store folder); its public/root.json and report.json must be for the same tree',
      usage: 'por proof DIR --user ID [--out FILE]',
      old: { name: 'store' },
    })
      .usage(
        'por proof DIR --user ID [--out FILE]\npor proof DIR --all --out DIR2 [--layout ndjson|files]\n\n' +
          "A proof (format por-proof) holds the user's id, salt and balances, the sibling hash and sums at every level, " +
          'and the root: the user checks it with `por verify PROOF --report report.json` or the offline web page. ' +
          'Give each user only their own proof: it contains their salt.\n\n' +
          '--all writes every proof in leaf order: by default NDJSON shards (proofs-000000.ndjson, one proof per line, ' +
          '100,000 per shard); --layout files writes users/NAME.json per user (NAME is the id when it is plain lower-case ' +
          '[a-z0-9._-]; other ids are hex-encoded as x-…, or h-SHA256 above 100 bytes: docs/FORMATS.md). ' +
          'The export is written beside DIR2 and switched in whole when complete; manifest.json, written last, lists every file ' +
          'with its size and SHA-256. A previous export in DIR2 is replaced; any other non-empty folder is refused.',
      )
      .option('user', { alias: 'u', type: 'string', describe: 'User id, exactly as in the snapshot' })
      .option('all', { type: 'boolean', default: false, describe: 'Export every proof (needs --out DIR)' })
      .option('out', { alias: 'o', type: 'string', describe: 'With --user: write the proof to this file instead of stdout. With --all: output folder' })
      .option('layout', { choices: ['ndjson', 'files'] as const, default: 'ndjson' as const, describe: 'With --all: NDJSON shards or one file per user' })
      .example('por proof tree/ --user alice --out alice-proof.json', '')
      .example('por proof tree/ --all --out proofs/ --layout files', 'proofs/users/NAME.json for every user, and proofs/manifest.json')
      .epilogue('Exit codes: 0 written; 2 bad input (unknown user, no store).') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    if (args.all === (args.user !== undefined)) throw porError('BAD_USAGE', 'give either --user ID or --all');
    if (args.all && !args.out) throw porError('BAD_USAGE', '--all needs --out DIR');
    if (args.all && statSync(args.out!, { throwIfNoEntry: false })?.isDirectory() === false) {
      throw porError('BAD_USAGE', '--out with --all must be a folder, but this is a file', { file: args.out!, field: 'out' });
    }
    const store = await ProofStore.open(args.dir, { bulk: args.all });
    try {
      if (args.user !== undefined) {
        const doc = store.proof(args.user);
        const text = JSON.stringify(writeProof(doc), null, 2) + '\n';
        if (args.out) {
          await writeFileAtomic(args.out, text);
          if (ctx.json) ctx.printJson(writeProofWritten({ user: args.user, file: args.out, root: doc.root.hash }));
          else ctx.note(`wrote the proof of user "${args.user}" to ${args.out}`);
        } else {
          // The proof itself on stdout: the same JSON, terminal-safe like every document por prints.
          writeJson(doc);
        }
        return EXIT.OK;
      }
      const t0 = Date.now();
      const res = await exportAll(store, args.out!, args.layout, ctx.reporter);
      const secs = (Date.now() - t0) / 1000;
      if (ctx.json) ctx.printJson(writeExportRun({ count: res.count, files: res.files, layout: args.layout, out: args.out!, seconds: secs }));
      else ctx.print(`wrote ${res.count.toLocaleString('en-US')} proofs to ${args.out} (${res.files.toLocaleString('en-US')} files, ${args.layout}, listed in ${MANIFEST_FILE}) in ${secs.toFixed(1)} s`);
      return EXIT.OK;
    } finally {
      store.close();
    }
  },
});

/** Stages the export beside `out`, writes every proof and then the manifest, and switches it in. */
async function exportAll(store: ProofStore, out: string, layout: 'ndjson' | 'files', reporter: Reporter): Promise<{ count: number; files: number }> {
  const stage = await stageExport(out);
  try {
    const res = store.exportAll(stage.path, { layout, reporter });
    crashPoint('export:before-manifest');
    await writeManifest(stage.path, { format: EXPORT_FORMAT, version: EXPORT_VERSION, layout, count: res.count, root: store.meta.root, files: res.files });
    await stage.commit();
    return { count: res.count, files: res.files.length };
  } catch (err) {
    await stage.abort();
    throw err;
  }
}

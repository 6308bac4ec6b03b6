// `por verify-page`: writes the offline verifier page. The page is built once by `npm run build`
// (scripts/build-web.mjs → dist/verify.html, next to dist/cli.mjs) and copied here, so the CLI needs
// no bundler at run time and every copy of a given por version is byte-identical (the SHA-256 it
// prints lets a user compare the page they were sent with one they built themselves).
import { write as writeVerifyPage } from '../../core/documents/verify-page.js';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineCommand, EXIT } from '../context.js';
import { isPorError, porError } from '../../core/errors/index.js';
import { writeFileAtomic } from '../../io/node.js';

/** dist/verify.html beside the bundled CLI; from the source tree, the repository's dist/. */
const CANDIDATES = [new URL('./verify.html', import.meta.url), new URL('../../../dist/verify.html', import.meta.url)];

export async function readBuiltPage(): Promise<{ html: Buffer; from: string }> {
  for (const url of CANDIDATES) {
    try {
      return { html: await readFile(url), from: fileURLToPath(url) };
    } catch {
      // try the next place
    }
  }
  throw porError('BAD_USAGE', 'the verifier page has not been built (dist/verify.html is missing); run `npm run build` in the por checkout first');
}

export const verifyPageCommand = defineCommand({
  command: 'verify-page',
  describe: 'Write the offline web page where users check their proof in a browser (one HTML file, no network)',
  builder: (y) =>
    y
      .option('out', {
        alias: 'o',
        type: 'string',
        default: 'verify.html',
        describe: 'Where to write the page. Publish it beside report.json, or hand it to users: it opens from file:// too',
      })
      .example('$0 verify-page --out site/verify.html', 'Write the page next to the published report')
      .epilogue(
        'The page runs the same verification code as `por verify` (por proofs and OKX proof files), inlined into ' +
          'one file. Its Content-Security-Policy forbids every network request, so a user can see that nothing ' +
          'they drop into it is uploaded. The printed SHA-256 identifies this build of the page.\n' +
          'Exit codes: 0 written; 2 the page cannot be written.',
      ),
  run: async (args, ctx) => {
    const { html } = await readBuiltPage();
    const out = resolve(args.out);
    try {
      await writeFileAtomic(out, html);
    } catch (err) {
      // writeFileAtomic already says why (a PorError); keep the path as the user typed it.
      if (isPorError(err)) throw porError(err.code, `cannot write the page: ${err.message.replace(/^cannot write file: /, '')}`, { ...err.info, file: args.out }, err.cause);
      throw err;
    }
    const sha256 = createHash('sha256').update(html).digest('hex');
    if (ctx.json) ctx.printJson(writeVerifyPage({ out, bytes: html.length, sha256 }));
    else {
      ctx.print(`wrote ${args.out} (${(html.length / 1024).toFixed(0)} KiB, sha256 ${sha256})`);
      ctx.note('Open it in any browser, online or off; it checks proofs on the device and sends nothing.');
    }
    return EXIT.OK;
  },
});

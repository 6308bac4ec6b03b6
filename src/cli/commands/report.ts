// `por report verify-signature` and `por report render`: the published report's signature and page.
import { write as writeSignatureCheck } from '../../core/documents/signature-check.js';
import { write as writeRender } from '../../core/documents/render.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { defineCommand, EXIT, type GlobalArgs } from '../context.js';
import { porError } from '../../core/errors/index.js';
import { readJsonFile, writeFileAtomic, readFault } from '../../io/node.js';
import { parseReport } from '../../core/report/parse.js';
import { checkReportSignature, parseSignature } from '../../report/signature.js';
import { renderReportHtml } from '../../report/html.js';
import { signaturePathFor } from '../../report/publish.js';

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw porError('BAD_INPUT', `cannot read file: ${readFault(err)}`, { file }, err);
  }
}

const verifySignature = defineCommand({
  command: 'verify-signature <report>',
  name: 'report verify-signature',
  describe: "Check the exchange's EIP-191 signature over the exact bytes of report.json",
  builder: (y) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'The published report.json' })
      .option('signer', { type: 'string', describe: "The exchange's signing address, as announced somewhere you trust (not from the signature file)" })
      .option('signature', { type: 'string', describe: 'The signature file (default: report.sig.json beside the report)' })
      .example('$0 report verify-signature out/public/report.json --signer 0xAbC…', 'exit 0 when that key signed these exact bytes')
      .epilogue('Exit codes: 0 the signature is valid (and by --signer, if given); 1 it is not; 2 a file cannot be read or is not what it should be.'),
  run: async (args, ctx) => {
    const sigFile = args.signature ?? signaturePathFor(args.report);
    const bytes = await readBytes(args.report);
    const sig = parseSignature(await readJsonFile(sigFile), sigFile);
    const res = checkReportSignature(bytes, sig, args.signer);
    if (ctx.json) ctx.printJson(writeSignatureCheck({ valid: res.ok, check: res.check, detail: res.detail, signer: res.recovered ?? null, report: args.report, signature: sigFile }));
    ctx.print(`${res.ok ? 'VALID' : 'INVALID'}: ${res.detail}`);
    if (res.ok && args.signer === undefined) ctx.note('note: without --signer this only shows the file was not changed since that key signed it');
    return res.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

const render = defineCommand({
  command: 'render <report>',
  name: 'report render',
  describe: 'Write report.html again from a published report.json (self-contained, no network)',
  builder: (y) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'The report.json' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'The HTML file to write' })
      .option('verify-page', { type: 'string', describe: 'Relative link to the offline proof checker (e.g. verify.html)' })
      .example('$0 report render out/public/report.json -o report-check.html --verify-page verify.html', '')
      .epilogue('The page names the signature (report.sig.json beside the report) only if it signs these exact bytes.\nExit codes: 0 written; 2 the report cannot be read or the page cannot be written.'),
  run: async (args, ctx) => {
    const report = parseReport(await readJsonFile(args.report), args.report);
    const opts: Parameters<typeof renderReportHtml>[1] = {};
    if (args.verifyPage !== undefined) opts.verifyPage = args.verifyPage;
    // Name the signature on the page only if it really signs these bytes.
    const sigFile = signaturePathFor(args.report);
    if (existsSync(sigFile)) {
      const sig = parseSignature(await readJsonFile(sigFile), sigFile);
      if (checkReportSignature(await readBytes(args.report), sig).ok) {
        opts.signatureFile = basename(sigFile);
        opts.signer = sig.signer;
      } else ctx.reporter.warn(`${sigFile} does not sign ${args.report}; the page will say the report is unsigned`);
    }
    const html = await renderReportHtml(report, opts);
    await writeFileAtomic(args.out, html);
    if (ctx.json) ctx.printJson(writeRender({ out: args.out }));
    ctx.print(`wrote ${args.out}`);
    return EXIT.OK;
  },
});

/** `por report`'s sub-commands (the grammar test reads their options too). */
export const reportSubcommands = [verifySignature, render] as unknown as CommandModule<GlobalArgs, never>[];

export const reportCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'report',
  describe: 'Work with a published report: check its signature, render its page',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(verifySignature as never)
      .command(render as never)
      .demandCommand(1, 'Give a report sub-command: verify-signature or render'),
  handler: () => {},
};

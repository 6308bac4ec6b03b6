// `por history REPORT.json...`: reports lined up by snapshot time, as a table (and an HTML chart).
import { defineCommand, EXIT } from '../context.js';
import { readJsonFile, writeFileAtomic } from '../../io/node.js';
import { parseReport } from '../../core/report/parse.js';
import { buildHistory, historyHtml, historyText, verdictText } from '../../audit/history.js';
import { write as writeHistory } from '../../core/documents/history.js';

export const historyCommand = defineCommand({
  command: 'history <reports..>',
  describe: 'Line up published reports by snapshot time: reserves, liabilities and ratio per asset, and the change between them',
  builder: (y) =>
    y
      .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'report.json files, in any order (two or more to see changes)' })
      .option('out', { alias: ['o', 'html'], type: 'string', describe: 'Also write a self-contained HTML page with the table and a line chart to this file (--html is the same option)' })
      .example('$0 history out/public/report.json --html history.html', 'give every report.json (any order); first line: HISTORY HOLDS, or HISTORY FAILS naming each asset that fell below 100 %, its lowest coverage and the report')
      .example('$0 history out/public/report.json --json', 'one por-history document; `verdict` holds the headline')
      .epilogue('Reserves that jump only around a snapshot date, or liabilities that shrink while reserves do, show up here. The figures are the reports\' own: they are not re-read from the chains (run `por audit` on each for that), and the headline says so.\nExit codes: 0 every asset\'s coverage was at or above 100 % in every report; 1 some asset\'s coverage was below 100 % in some report (the headline names it, the report and the percentage); 2 a report cannot be read (or two share a snapshot).'),
  run: async (args, ctx) => {
    const files = args.reports as string[];
    const inputs = [];
    for (const file of files) inputs.push({ file, report: parseReport(await readJsonFile(file), file) });
    const h = buildHistory(inputs);
    if (args.out !== undefined) {
      await writeFileAtomic(args.out, await historyHtml(h));
      ctx.note(`wrote ${args.out}`);
    }
    if (ctx.json) ctx.printJson(writeHistory(h));
    ctx.print(`${verdictText(h)}\n\n${historyText(h)}`);
    return h.verdict.status === 'fails' ? EXIT.CHECK_FAILED : EXIT.OK;
  },
});

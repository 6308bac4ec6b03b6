// `por verify`: check an inclusion proof (por's own, or OKX's) against the published root.
import { defineCommand, EXIT, type ExitCode } from '../context.js';
import { readJsonFile, readTextFile } from '../../io/node.js';
import { parseJson } from '../../core/json/parse.js';
import { looksLikeOkxTree, verifyOkxTree } from '../../core/formats/okx-tree.js';
import { looksLikeBitmexTree, verifyBitmexTree } from '../../core/formats/bitmex.js';
import { looksLikeSummaCsv, verifySumma } from '../../core/formats/summa.js';
import { withPublishedRootHash } from '../../core/verify/any.js';
import { isPorError, porError } from '../../core/errors/index.js';
import { detectProofFormat, verifyAnyProof, PROOF_FORMATS, type ProofFormat, type Published } from '../../core/verify/any.js';
import type { AssetAmount, Verdict } from '../../core/verify/types.js';
import { safeText } from '../safe-text.js';
import { notTiedToRoot } from '../../core/verify/headline.js';
import { write as writeVerdict } from '../../core/documents/verdict.js';
import { parseOkxSumProofData } from '../../core/formats/okx-zk.js';
import { looksLikeOkxReserveCsv } from '../../core/formats/okx-csv.js';

export interface VerifyArgs {
  proof: string;
  report?: string;
  root?: string;
  format?: ProofFormat | TextFormat;
  tree?: string;
  account?: string;
  nonce?: string;
}

/** Formats published as text (whole trees), read beside or instead of a JSON proof. */
const TEXT_FORMATS = ['okx-tree', 'bitmex-tree', 'summa-v1'] as const;
type TextFormat = (typeof TEXT_FORMATS)[number];

/** BitMEX's published tree, with the user's account number and nonce when given. */
function verifyBitmex(args: VerifyArgs, text: string): Verdict {
  if (args.report !== undefined || args.root !== undefined || args.tree !== undefined) throw porError('BAD_USAGE', "a BitMEX liabilities file is checked whole: give --account N --nonce HEX (not --report, --root or --tree); compare the root it prints with BitMEX's published one", { field: args.report !== undefined ? 'report' : args.root !== undefined ? 'root' : 'tree' });
  if ((args.account === undefined) !== (args.nonce === undefined)) throw porError('BAD_USAGE', '--account and --nonce go together: your BitMEX account number and the nonce BitMEX gave you', { field: args.account === undefined ? 'account' : 'nonce' });
  if (args.account !== undefined && !/^\d{1,20}$/.test(args.account)) throw porError('BAD_USAGE', `--account takes your account number; got "${args.account}"`, { field: 'account' });
  return verifyBitmexTree(text, args.account === undefined ? undefined : { account: BigInt(args.account), nonce: args.nonce!.replace(/^0x/i, '') }, args.proof);
}

/** Summa v1: the liabilities CSV against the commitment (--report) or a root hash (--root). */
async function verifySummaCsv(args: VerifyArgs, text: string): Promise<Verdict> {
  if (args.report === undefined && args.root === undefined) throw porError('BAD_USAGE', "a Summa liabilities CSV is checked against the published commitment: give --report commitment_solidity_calldata.json or --root HEX", { field: 'report' });
  const published: { commitment?: unknown; rootHash?: string } = {};
  if (args.report !== undefined) published.commitment = await readJsonFile(args.report);
  if (args.root !== undefined) published.rootHash = args.root;
  try {
    return verifySumma(text, published, args.proof);
  } catch (err) {
    if (isPorError(err) && err.info.file === undefined) err.info.file = args.report ?? args.proof;
    throw err;
  }
}

/** The format to check PROOF as; options that contradict it, or would be ignored, are refused. */
function proofFormatFor(args: VerifyArgs, detected: ProofFormat | undefined, json: unknown): ProofFormat | undefined {
  // A --format that contradicts what the file plainly is would only produce a confusing field error.
  if (args.format !== undefined && detected !== undefined && detected !== args.format) {
    throw porError('BAD_USAGE', `--format ${args.format} was given, but this file is recognised as ${detected}; leave --format out to use that`, { file: args.proof, field: 'format' });
  }
  const format = (args.format ?? detected) as ProofFormat | undefined;
  if (format === undefined) notAProof(json, args.proof);
  // An option that would be ignored must not look checked: say so instead.
  if (format !== undefined && format !== 'por' && format !== 'okx-zk' && args.report !== undefined) {
    throw porError('BAD_USAGE', `--report takes a por report.json or root.json; an ${format} proof is not checked against it (give the exchange's published root hash with --root HEX)`, { field: 'report' });
  }
  if (format === 'okx-user' && args.root !== undefined) {
    throw porError('BAD_USAGE', 'an OKX per-user breakdown holds no root to compare with --root; check a path proof (merkle_proof_file.json) against the published root instead', { field: 'root' });
  }
  return format;
}

/**
 * PROOF is another por document: most often the arguments in the wrong order (`por verify
 * report.json --report proof.json`). Says which document it is and where it goes.
 */
function notAProof(json: unknown, file: string): void {
  const format = typeof json === 'object' && json !== null && 'format' in json ? (json as { format: unknown }).format : undefined;
  if (typeof format !== 'string' || !format.startsWith('por-')) return;
  if (format === 'por-root' || format === 'por-report') {
    throw porError('BAD_USAGE', `this is the published ${format === 'por-root' ? 'root' : 'report'} (${format}), not a proof: the proof goes first and this file after --report: por verify PROOF.json --report ${file}`, { file, field: 'format' });
  }
  throw porError('BAD_USAGE', `this is a ${format} document, not a proof: por verify takes your proof file (por-proof, from \`por proof\`) first: por verify PROOF.json --report report.json`, { file, field: 'format' });
}

/** The whole published tree: recomputed, and the user's nodes looked for among its leaves. */
async function verifyTree(args: VerifyArgs): Promise<Verdict> {
  if (args.report !== undefined) throw porError('BAD_USAGE', '--report takes a por report; an OKX tree is checked against OKX\'s published root: give it with --root HEX', { field: 'report' });
  const treeFile = args.tree ?? args.proof;
  const treeText = await readTextFile(treeFile);
  if (!looksLikeOkxTree(treeText)) throw porError('BAD_INPUT', 'not an OKX liabilities tree: its first line is not hash,height,{balances}', { file: treeFile, line: 1, column: 1 });
  let user: unknown;
  if (args.tree !== undefined) {
    user = await readJsonFile(args.proof);
    if (detectProofFormat(user) !== 'okx-user') throw porError('BAD_USAGE', '--tree goes with your OKX user_info_file.json (hash, nodes, totalBalances)', { file: args.proof, field: 'tree' });
  }
  try {
    return withPublishedRootHash(verifyOkxTree(treeText, user, treeFile), args.root);
  } catch (err) {
    if (isPorError(err) && err.info.file === undefined) err.info.file = args.proof;
    throw err;
  }
}

export const verifyCommand = defineCommand<VerifyArgs>({
  command: 'verify <proof>',
  describe: 'Check that your balances are included in the published liabilities (por or OKX proof)',
  builder: (y) =>
    y
      .usage(
        'por verify PROOF.json (--report report.json | --root HEX) [--format por|okx-v1|okx-user|okx-zk|binance-zk|bybit-v1|okx-tree]\n\n' +
          "Recomputes your leaf from your user id, salt and balances, walks the path to the root checking that every " +
          'sibling sum is non-negative, within its bound and never wraps, and compares the root hash and sums with the ' +
          'published ones. Prints a verdict, your balances per asset, the root totals and every check. Reads only the ' +
          'files you give it: nothing is sent anywhere.\n\n' +
          '--report takes the published report.json (its merkleRoot) or root.json, read strictly (docs/SPEC.md, "Published ' +
          'documents"); a report is first checked against its own root: its solvency table, snapshot id and decimals must ' +
          'agree with it, or the verdict is INVALID ("report inconsistent"). --root takes just the root hash: the ' +
          'root sums then come from the proof, so compare them with the published totals yourself. OKX 2022 proof files carry ' +
          'their root and need neither.\n\n' +
          "Also read: OKX's zk-STARK inclusion proofs (*_inclusion_proof.json, checked against --report sum_proof_data.json or " +
          '--root HEX; the STARK itself is not verified) and Binance, Gate and HTX zk user proofs (user_config.json: leaf and ' +
          "28-level Poseidon path to the file's root, compared with --root when given; the Groth16 batch proofs are not verified).",
      )
      .positional('proof', { type: 'string', demandOption: true, describe: 'Your proof file (por-proof JSON, or an OKX proof)' })
      .option('report', { type: 'string', describe: "Published report.json or root.json (for an OKX zk-STARK proof: OKX's sum_proof_data.json)" })
      .option('root', { type: 'string', describe: 'Published root hash (64 hex digits)' })
      .option('format', { choices: [...PROOF_FORMATS, ...TEXT_FORMATS], describe: 'Proof format (default: recognised from the file)' })
      .option('account', { type: 'string', describe: 'BitMEX: your account number (with --nonce), to find your leaves in the published liabilities file' })
      .option('nonce', { type: 'string', describe: 'BitMEX: the account nonce BitMEX gave you (64 hex digits)' })
      .option('tree', { type: 'string', describe: "OKX's full liabilities tree (full-liabilities-merkle-tree.txt), with your user_info_file.json as PROOF" })
      .example('por verify mock_user_merkle_tree_path_40.json', "Bybit's path proof: leaf and walk by Bybit's rules, balances in its asset list's order (add --root HEX: Bybit's published root)")
      .example('por verify liabilities-100-proof.csv --account 1 --nonce 122eb8f8470d83122b6651b5c8f865532eb608fac65f529eb50319bb07d1400a', "BitMEX's full tree: every parent recomputed, your split leaves found and added up")
      .example('por verify entry_16.csv --report commitment_solidity_calldata.json', "Summa v1: the Merkle sum tree root recomputed from the liabilities CSV and compared with the commitment")
      .example('por verify user_info_file.json --tree full-liabilities-merkle-tree.txt', "OKX's Merkle v2 period: every parent recomputed, your nodes found among the leaves")
      .example('por verify alice-proof.json --report tree/public/root.json', 'a por proof against the published root.json (or report.json)')
      .example('por verify alice-proof.json --root $(jq -r .hash tree/public/root.json)', 'against a root hash given by hand')
      .example('por verify 3_inclusion_proof.json --report sum_proof_data.json', "OKX's zk-STARK inclusion proof against its published sum_proof_data.json")
      .example('por verify user_config.json', "Binance-family zk user proof (add --root HEX: the exchange's published root)")
      .epilogue('Exit codes: 0 the proof is valid; 1 it is not, or the report contradicts itself (the failing check is named); 2 a file cannot be read, is not a proof, or is not a published root this por reads (por-root v1, SHA-256), or it ties to no published root (an OKX per-user breakdown alone: "consistent; not checked against any published root").') as never,
  run: async (args, ctx): Promise<ExitCode> => {
    // A mistyped --root is a usage error for every format (for an OKX proof it would read as INVALID).
    if (args.root !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(args.root.trim())) {
      throw porError('BAD_USAGE', `--root takes the published root hash, 64 hex digits (0x optional); got "${args.root}"`, { field: 'root' });
    }
    const text = await readTextFile(args.proof);
    // Not JSON but an OKX reserve file: the wrong command, said as such (not "not valid JSON").
    if (args.format === undefined && looksLikeOkxReserveCsv(text)) {
      throw porError('BAD_USAGE', 'this is an OKX reserve file (address signatures), not a proof: check it with `por audit FILE`', { file: args.proof });
    }
    const whole = args.format === 'bitmex-tree' || (args.format === undefined && looksLikeBitmexTree(text))
      ? verifyBitmex(args, text)
      : args.format === 'summa-v1' || (args.format === undefined && looksLikeSummaCsv(text)) ? await verifySummaCsv(args, text)
      : args.tree !== undefined || args.format === 'okx-tree' || looksLikeOkxTree(text) ? await verifyTree(args) : undefined;
    if (whole) {
      // The same por-verdict document as every other format (and as verify.html shows).
      if (ctx.json) ctx.printJson(writeVerdict(whole));
      else ctx.print(renderVerdict(whole));
      return whole.valid ? EXIT.OK : EXIT.CHECK_FAILED;
    }
    if (args.account !== undefined || args.nonce !== undefined) throw porError('BAD_USAGE', '--account and --nonce are for a BitMEX liabilities file', { field: 'account' });
    // Exact integers: OKX and Binance write 64-bit and larger amounts as bare JSON numbers.
    const json = parseJson(text, { file: args.proof, bigIntegers: true });
    const format = proofFormatFor(args, detectProofFormat(json), json);
    const published: Published = {};
    if (args.report !== undefined) published.report = await readJsonFile(args.report, { bigIntegers: format === 'okx-zk' });
    if (format === 'okx-zk' && published.report !== undefined) readOkxPublished(published.report, args.report!);
    if (args.root !== undefined) published.rootHash = args.root;
    if (format === 'por' && published.report === undefined && published.rootHash === undefined) {
      throw porError('BAD_USAGE', 'a por proof is checked against the published root: give --report report.json (or root.json) or --root HEX');
    }
    let verdict: Verdict;
    try {
      verdict = verifyAnyProof(json, published, format);
    } catch (err) {
      // A por proof's own faults become a verdict; what throws is the published root (or usage).
      if (isPorError(err) && err.info.file === undefined) {
        err.info.file = format === 'por' && args.report !== undefined ? args.report : args.proof;
      }
      throw err;
    }
    // Not a por proof at all (another document, or --format por on an OKX file) cannot be checked:
    // exit 2 as the help says, not an INVALID verdict about the user's inclusion.
    const formatCheck = verdict.checks.find((c) => c.name === 'format');
    if (format === 'por' && formatCheck !== undefined && !formatCheck.ok) {
      throw porError('BAD_INPUT', `not a por proof: ${formatCheck.detail}`, { file: args.proof, field: 'format' });
    }
    // Checked against the root the file itself states, not a published one: the headline says so.
    const rootOfFile = (format === 'okx-v1' || format === 'binance-zk' || format === 'bybit-v1') && args.root === undefined;
    if (ctx.json) ctx.printJson(writeVerdict(verdict));
    else ctx.print(renderVerdict(verdict, rootOfFile));
    // Consistent but tied to no published root: not checked (exit 2), never exit 0 as if verified.
    if (notTiedToRoot(verdict) !== null) return EXIT.BAD_INPUT;
    if (rootOfFile && verdict.valid) {
      ctx.note(`note: root ${verdict.root.hash} is the one the file states; only ${format === 'okx-v1' ? "OKX's" : "the exchange's"} published root shows it is the real tree: compare it, or pass it with --root HEX`);
    }
    return verdict.valid ? EXIT.OK : EXIT.CHECK_FAILED;
  },
});

// A bad sum_proof_data.json is named as such, not as a fault of the user's proof.
function readOkxPublished(json: unknown, file: string): void {
  try {
    parseOkxSumProofData(json);
  } catch (err) {
    if (isPorError(err)) err.info.file = file;
    throw err;
  }
}

function amounts(list: AssetAmount[]): string[] {
  const w = Math.max(5, ...list.map((a) => a.asset.length));
  const aw = Math.max(...list.map((a) => a.amount.length), 0);
  return list.map((a) => `  ${a.asset.padEnd(w)}  ${a.amount.padStart(aw)}${a.debt !== undefined ? `   debt ${a.debt}` : ''}`);
}

export function renderVerdict(v: Verdict, rootOfFile = false): string {
  const failed = v.checks.filter((c) => !c.ok);
  // The id is the exchange's text: on one line, so a line feed in it cannot start a fake verdict line.
  const id = v.user.id === undefined ? undefined : safeText(v.user.id, true);
  const who = id === undefined ? 'this proof' : ['okx-user', 'okx-tree', 'bybit-v1'].includes(v.format) ? `user hash ${id}` : `user "${id}"`;
  const lines: string[] = [];
  // An OKX breakdown has no tree root: its root.hash is the user's own hash, so "included in root"
  // would claim what the file cannot show.
  const untied = notTiedToRoot(v);
  if (untied !== null) {
    lines.push(`NOT CHECKED AGAINST A ROOT: ${untied}`);
  } else if (v.valid && v.format === 'bitmex-tree') {
    lines.push(id === undefined
      ? `VALID: the BitMEX liabilities tree with root ${v.root.hash} (${v.root.snapshotId}) is consistent: every parent recomputes from its children`
      : `VALID: ${id} holds ${v.user.balances[0]?.amount ?? '?'} BTC in the BitMEX liabilities tree with root ${v.root.hash} (${v.root.snapshotId}), and every parent recomputes`);
  } else if (v.valid && v.format === 'summa-v1') {
    lines.push(`VALID: the liabilities file recomputes to the committed Summa root ${v.root.hash}`);
  } else if (v.valid && v.format === 'okx-tree') {
    lines.push(id === undefined
      ? `VALID: the OKX liabilities tree with root ${v.root.hash} is consistent: every parent recomputes from its children`
      : `VALID: every node of ${who} is a leaf of the OKX liabilities tree with root ${v.root.hash}, and every parent recomputes`);
  } else if (v.valid) lines.push(`VALID: ${who} is included in root ${v.root.hash}${v.root.snapshotId ? ` (snapshot "${v.root.snapshotId}")` : ''}${rootOfFile ? ' — the root this file states, NOT yet compared with the exchange\'s published root (pass it with --root HEX)' : ''}`);
  else lines.push(`INVALID: check "${failed[0]?.name ?? '?'}" failed: ${failed[0]?.detail ?? ''}`);
  if (v.user.balances.length) lines.push('', `Balances of ${who}:`, ...amounts(v.user.balances));
  if (v.root.sums.length) lines.push('', `Root totals (all users${v.root.height !== undefined ? `, tree height ${v.root.height}` : ''}):`, ...amounts(v.root.sums));
  lines.push('', 'Checks:');
  const nw = Math.max(...v.checks.map((c) => c.name.length));
  for (const c of v.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(nw)}  ${c.detail}`);
  if (v.warnings.length) lines.push('', 'Keep in mind:', ...v.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}

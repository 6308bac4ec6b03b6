// Everything the verifier page decides without touching the DOM: reading a dropped file as JSON,
// telling a proof from a report, and turning check names and errors into sentences a
// non-engineer can follow. Pure, so vitest covers it in Node and the page bundles it unchanged.
import { PorError } from '../core/errors/index.js';
import { detectProofFormat, type ProofFormat } from '../core/verify/any.js';
import type { Check } from '../core/verify/types.js';
import { isObject } from '../core/json/index.js';
import { parseJson } from '../core/json/parse.js';
import { isOkxSumProofData } from '../core/formats/okx-zk.js';

export type ParsedFile = { ok: true; json: unknown } | { ok: false; message: string };

/** Parses a dropped file with por's JSON reader; the message names the file, line and column. */
export function parseJsonText(text: string, fileName: string): ParsedFile {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.trim() === '') return { ok: false, message: `“${fileName}” is empty. Pick the file again; it may not have finished downloading.` };
  try {
    // Exact integers: OKX and Binance write 64-bit and larger amounts as bare JSON numbers.
    return { ok: true, json: parseJson(t, { bigIntegers: true }) };
  } catch (err) {
    if (!(err instanceof PorError)) throw err;
    const { line, column } = err.info;
    const where = line !== undefined ? ` (line ${line}, column ${column})` : '';
    const why = err.code === 'DUPLICATE' ? ` It has a ${err.message.replace(/:.*$/, '')}, so it cannot be read one way only.` : '';
    const looksHtml = /^\s*</.test(t);
    const hint = looksHtml
      ? ' It looks like a web page (HTML), not a JSON file: save the proof itself, not the page that links to it.'
      : ' A proof or report is a JSON file, usually ending in .json.';
    return { ok: false, message: `“${fileName}” is not a valid JSON file${where}.${why}${hint}` };
  }
}

export type DocumentKind =
  | { kind: 'proof'; format: ProofFormat }
  | { kind: 'report' }
  | { kind: 'root' }
  | { kind: 'okx-sum-proof' }
  | { kind: 'unknown' };

/** What a parsed file is, by its shape: a user's proof, a published report, a root document. */
export function classifyDocument(json: unknown): DocumentKind {
  const format = detectProofFormat(json);
  if (format !== undefined) return { kind: 'proof', format };
  if (!isObject(json)) return { kind: 'unknown' };
  const tag = typeof json.format === 'string' ? json.format : '';
  if (tag.startsWith('por-root')) return { kind: 'root' };
  if (tag.startsWith('por-report') || 'merkleRoot' in json) return { kind: 'report' };
  if (isOkxSumProofData(json)) return { kind: 'okx-sum-proof' };
  return { kind: 'unknown' };
}

export const FORMAT_NAMES: Record<string, string> = {
  por: 'por proof',
  'okx-v1': 'OKX Merkle path proof',
  'okx-user': 'OKX per-user breakdown',
  'bybit-v1': 'Bybit Merkle path proof',
  'okx-zk': 'OKX zk-STARK (Plonky2) inclusion proof',
  'binance-zk': 'Binance-family zk proof (Binance, Gate, HTX)',
  'okx-tree': 'OKX full liabilities tree',
  'bitmex-tree': 'BitMEX liabilities tree',
  'summa-v1': 'Summa v1 liabilities CSV',
};

/** The message for a file put in the proof slot that is not a proof. */
export function notAProofMessage(kind: DocumentKind, fileName: string): string {
  switch (kind.kind) {
    case 'report':
      return `“${fileName}” is the exchange's published report, not your personal proof. Put it in step 2, and put the proof file you downloaded from your account in step 1.`;
    case 'root':
      return `“${fileName}” is the exchange's published root, not your personal proof. Put it in step 2, and put the proof file you downloaded from your account in step 1.`;
    case 'okx-sum-proof':
      return `“${fileName}” is OKX's published sum_proof_data.json (the root and totals), not your personal proof. Put it in step 2, and put your *_inclusion_proof.json in step 1.`;
    default:
      return `“${fileName}” is JSON, but not a proof this page knows. It understands por proofs, OKX Merkle path proofs (with "self" and "path") and OKX per-user breakdowns (with "hash", "nodes" and "totalBalances").`;
  }
}

/** The message for a file put in the published-data slot that is not a report or root. */
export function notPublishedMessage(kind: DocumentKind, fileName: string): string | undefined {
  switch (kind.kind) {
    case 'report':
    case 'root':
    case 'okx-sum-proof':
      return undefined;
    case 'proof':
      return `“${fileName}” is a personal proof (${FORMAT_NAMES[kind.format] ?? kind.format}), not the exchange's published report. Put it in step 1; step 2 takes the report (report.json), the root file (root.json) or the root hash.`;
    default:
      return `“${fileName}” is JSON, but not a published por report or root file. Step 2 takes report.json or root.json as published by the exchange, or the root hash pasted as text.`;
  }
}

/** A root hash as users paste it: hex, optional 0x, whitespace around it ignored. */
export function normaliseRootHash(text: string): { ok: true; hash: string } | { ok: false; message: string } | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const hex = t.startsWith('0x') || t.startsWith('0X') ? t.slice(2) : t;
  if (!/^[0-9a-fA-F]+$/.test(hex)) {
    return { ok: false, message: 'The root hash should be written in hexadecimal (digits 0–9 and letters a–f), as the exchange published it.' };
  }
  if (hex.length !== 64) {
    return { ok: false, message: `The root hash should be 64 hexadecimal characters long; this one has ${hex.length}. Copy it again in full.` };
  }
  return { ok: true, hash: t.startsWith('0x') || t.startsWith('0X') ? `0x${hex.toLowerCase()}` : hex.toLowerCase() };
}

/**
 * Plain sentences for check names. Matched by exact name first, then by the words in the name, so
 * a verifier that adds a "-v2" suffix or a new name still gets a sensible sentence; a name that
 * matches nothing falls back to the check's own detail.
 */
const SNAPSHOT =
  'Your proof belongs to a different snapshot (a different date’s report) than the published report you gave. Use the report published for the same date as your proof.';
const LEAF =
  'Your entry in the tree does not match the user ID, secret code (salt) and balances written in your proof file. The file was changed after it was made, or it describes different balances.';
const NEGATIVE =
  'A part of the tree next to yours claims a negative or impossibly large balance. An exchange could use that to cancel out what it owes you, so the proof is rejected.';
const OVERFLOW =
  'Adding up the balances along your path gives a number too large for the scheme, a trick that makes totals wrap around to small values and hide debts.';
const PUBLISHED_HASH =
  'Following your proof up to the top of the tree gives a different fingerprint (root hash) than the one the exchange published. Your balances are not shown to be part of the published total.';
const STEP = 'A step on the path from your entry to the top of the tree does not match what the rules compute, so the proof does not connect your balances to the total.';

const EXACT: Record<string, string> = {
  // por's own proofs (src/core/verify/por.ts).
  format: 'The file is not a por proof of a version this page knows.',
  'well-formed': 'The proof file is incomplete or has fields that should not be there, so it cannot be trusted as made by the exchange’s tool.',
  'spec-version': 'The proof was made with a version of the rules this page does not know.',
  snapshot: SNAPSHOT,
  'snapshot-id': SNAPSHOT,
  assets: 'The proof lists different assets (or different decimal places) than the published report, so they describe different things.',
  height: 'The path from your entry to the top of the tree has the wrong number of steps for this tree.',
  'leaf-values':
    'Your balances as written in the proof are not valid: one is negative, too large for the scheme, or was edited so that it no longer matches its encoded form.',
  'leaf-bounds': 'One of your balances is outside the range the scheme allows (negative or too large), so it could be used to distort the totals.',
  'user-hash': 'Your user code in the file does not match your user ID and secret code (salt or nonce). The file was changed after it was made, or it belongs to someone else.',
  'leaf-hash': LEAF,
  position: 'The left/right directions along your path do not agree with your position in the tree, so the path cannot be followed as written.',
  'sibling-sums': NEGATIVE,
  'sibling-sum-non-negative': NEGATIVE,
  'no-overflow': OVERFLOW,
  'sum-overflow': OVERFLOW,
  'node-sums': 'The totals along your path do not add up: a higher part of the tree does not equal the sum of the two parts below it.',
  'path-length': 'The path from your entry to the top of the tree has the wrong number of steps for this tree.',
  'root-hash':
    'Following your proof up to the top of the tree does not give the fingerprint (root hash) written in the proof. The proof was altered, or it does not connect your balances to that root.',
  'root-sums': 'The totals at the top of the tree written in the proof are not what your path adds up to.',
  'root-height': 'The tree in your proof has a different height than its root says.',
  'published-root-hash': PUBLISHED_HASH,
  'published-root-sums':
    'The totals your proof adds up to differ from the totals the exchange published (its liabilities). Your balances may not be included in the published total.',
  'report-consistent':
    'The report contradicts itself: what its table says users are owed (or its snapshot date, or the decimal places of an asset) is not what its own Merkle root, the total your proof is checked against, says. Such a report cannot be trusted, whatever your own entry shows.',
  'leaf-count':
    'Your entry sits at a position beyond the number of users the published root states. That published figure is false, so the published root document cannot be trusted as written.',
  // OKX's formats (src/core/formats/okx-proof.ts).
  'node-types':
    'The proof’s left/right markers are inconsistent (for example your entry and its neighbour both claim the same side), so the path cannot be followed as written.',
  'balances-non-negative':
    'An account on your path shows a negative balance. A made-up account with a negative balance can cancel out real ones, hiding what the exchange owes; OKX’s own checker does not look for this.',
  'padding-nodes':
    'A filler entry in the path, which should simply repeat the part of the tree it pairs with (with zero balances), does not. That hides something the proof should show.',
  'path-heights': 'The levels in the path are not numbered one after another from your entry to the top, so the path has gaps or repeats.',
  'node-hash': 'One of your sub-account entries does not match its balances: the file was changed after it was made.',
  'nodes-sum': 'Your sub-accounts do not add up to the total balances the file shows for you.',
  // The zero-knowledge-era formats (src/core/formats/okx-zk.ts, binance-zk.ts).
  'sums-within-field':
    'Your balances add up to a number too large for the scheme’s arithmetic, so your entry in the tree records a wrapped-around total, not what you hold.',
  'path-position':
    'Your position number in the proof does not agree with where the path places you in the tree, so the proof does not describe one place in it.',
  'root-sources-agree': 'The root hash you pasted is not the one in the sum_proof_data.json file you gave: they describe different trees.',
  'proof-depth': 'The path from your entry to the top of the tree has the wrong number of steps for this scheme (28).',
  'values-in-field':
    'A value in the proof is too large for the scheme’s arithmetic; the exchange’s own checker would quietly wrap it around, which a genuine proof never needs.',
};

const PATTERNS: Array<[RegExp, string]> = [
  [/snapshot/, SNAPSHOT],
  [/published.*hash/, PUBLISHED_HASH],
  [/published.*(sum|total)/, EXACT['published-root-sums']!],
  [/overflow|wrap|bound|range/, OVERFLOW],
  [/negative/, NEGATIVE],
  [/root.*hash|hash.*root/, EXACT['root-hash']!],
  [/root.*(sum|total)|(sum|total).*root/, EXACT['root-sums']!],
  [/height/, EXACT['root-height']!],
  [/leaf|self|nonce|salt|user/, LEAF],
  [/path|node|parent|sibling|type|side/, STEP],
  [/version|format/, EXACT['spec-version']!],
];

/** One sentence a non-engineer can follow for a failed check. */
export function explainCheck(check: Pick<Check, 'name' | 'detail'>): string {
  const name = check.name.toLowerCase();
  const exact = EXACT[name];
  if (exact !== undefined) return exact;
  for (const [re, sentence] of PATTERNS) if (re.test(name)) return sentence;
  return check.detail;
}

/** An error thrown while verifying, as a sentence for the page (never a stack trace). */
export function explainError(err: unknown): string {
  if (err instanceof PorError) {
    const where = err.info.field !== undefined ? ` (field “${String(err.info.field)}”)` : '';
    return `The proof could not be checked: ${err.message}${where}.`.replace(/\.\.$/, '.');
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `The proof could not be checked because of an unexpected problem in this page (${msg}). Please report it; your files were not sent anywhere.`;
}

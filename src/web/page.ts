// The offline verifier page: wires the form to verifyAnyProof (the very module `por verify` runs)
// and renders its Verdict. Everything from the user's files is written with textContent, never as
// HTML, so a hostile proof file cannot inject markup or script into the page.
import { verifyAnyProof, type ProofFormat } from '../core/verify/any.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../core/verify/types.js';
import { write as writeVerdict } from '../core/documents/verdict.js';
import { idGroups, idParts } from '../core/display/identifier.js';
import {
  classifyDocument,
  explainCheck,
  explainError,
  FORMAT_NAMES,
  normaliseRootHash,
  notAProofMessage,
  notPublishedMessage,
  parseJsonText,
} from './explain.js';
import { bitmexAccount, detectTextFormat, looksLikeSummaCommitment, verifyBitmexText, verifyOkxTreeText, verifySummaText, type TextFormat } from './text-formats.js';

interface Loaded {
  name: string;
  json: unknown;
}

interface TextLoaded {
  name: string;
  text: string;
}

/** A JSON proof, or a text file `por verify` reads whole (BitMEX tree, Summa CSV, OKX tree); and what was published. */
const state: {
  proof?: Loaded & { format: ProofFormat };
  textProof?: TextLoaded & { format: TextFormat };
  published?: Loaded & { summa?: true };
  tree?: TextLoaded;
} = {};

const TEXT_FORMAT_NAMES: Record<TextFormat, string> = {
  'bitmex-tree': 'BitMEX liabilities tree',
  'summa-v1': 'Summa v1 liabilities CSV',
  'okx-tree': 'OKX full liabilities tree',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

/** A hash or address shown as 0x1234…abcd: the whole value is the text (copied, searched) and the title. */
function idEl(id: string): HTMLElement {
  const p = idParts(id);
  const e = el('span', { class: 'id', title: id }, p.head);
  if (p.middle !== '') e.append(el('span', { class: 'id-m' }, p.middle), p.tail);
  return e;
}

/** A hash the user compares character by character: whole, in groups of 8 that wrap only between groups. */
function fullIdEl(id: string, attrs: Record<string, string> = {}): HTMLElement {
  const e = el('span', { ...attrs, class: 'id-full', title: id });
  idGroups(id).forEach((g, i) => {
    if (i > 0) e.append(el('wbr'));
    e.append(el('span', {}, g));
  });
  return e;
}

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} is missing`);
  return e as T;
}

function setStatus(id: string, text: string, kind: 'good' | 'bad' | '' = ''): void {
  const s = byId(id);
  s.textContent = text;
  s.className = `status ${kind}`.trim();
}

const result = (): HTMLElement => byId('result');

function showResult(verdict: 'valid' | 'invalid' | 'error' | 'waiting', ...nodes: Node[]): void {
  const r = result();
  r.replaceChildren(el('h2', { id: 'result-title', class: 'visually-hidden' }, 'Result'), ...nodes);
  r.dataset.verdict = verdict;
}

function showError(message: string): void {
  showResult('error', el('p', { class: 'verdict error', role: 'alert', id: 'verdict' }, '⚠ Could not check', el('small', { id: 'verdict-reason' }, message)));
}

async function readText(file: File): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    return { ok: true, text: await file.text() };
  } catch {
    return { ok: false, message: `“${file.name}” could not be read. Pick it again.` };
  }
}

/** Shows the BitMEX account fields only while a BitMEX tree is the file in step 1. */
function showBitmexFields(show: boolean): void {
  byId('bitmex-fields').hidden = !show;
}

/** A text file in step 1: recognised by its first line, as `por verify` does; false when it is not one. */
function loadTextProof(file: File, text: string): boolean {
  const format = detectTextFormat(text);
  if (format === undefined) return false;
  state.textProof = { name: file.name, text, format };
  showBitmexFields(format === 'bitmex-tree');
  setStatus('proof-status', `Loaded “${file.name}” (${TEXT_FORMAT_NAMES[format]}).`, 'good');
  check();
  return true;
}

async function loadProof(file: File): Promise<void> {
  delete state.proof;
  delete state.textProof;
  showBitmexFields(false);
  const read = await readText(file);
  if (read.ok && loadTextProof(file, read.text)) return;
  const parsed = read.ok ? parseJsonText(read.text, file.name) : read;
  if (!parsed.ok) {
    setStatus('proof-status', parsed.message, 'bad');
    showError(parsed.message);
    return;
  }
  const kind = classifyDocument(parsed.json);
  if (kind.kind !== 'proof') {
    const message = notAProofMessage(kind, file.name);
    setStatus('proof-status', message, 'bad');
    showError(message);
    return;
  }
  state.proof = { name: file.name, json: parsed.json, format: kind.format };
  setStatus('proof-status', `Loaded “${file.name}” (${FORMAT_NAMES[kind.format] ?? kind.format}).`, 'good');
  check();
}

async function loadPublished(file: File): Promise<void> {
  delete state.published;
  delete state.tree;
  const read = await readText(file);
  if (read.ok && detectTextFormat(read.text) === 'okx-tree') {
    state.tree = { name: file.name, text: read.text };
    setStatus('published-status', `Loaded “${file.name}” (OKX full liabilities tree).`, 'good');
    check();
    return;
  }
  const parsed = read.ok ? parseJsonText(read.text, file.name) : read;
  if (parsed.ok && looksLikeSummaCommitment(parsed.json)) {
    state.published = { name: file.name, json: parsed.json, summa: true };
    setStatus('published-status', `Loaded “${file.name}” (Summa commitment: root hash and balances).`, 'good');
    check();
    return;
  }
  if (!parsed.ok) {
    setStatus('published-status', parsed.message, 'bad');
    showError(parsed.message);
    return;
  }
  const kind = classifyDocument(parsed.json);
  const message = notPublishedMessage(kind, file.name);
  if (message !== undefined) {
    setStatus('published-status', message, 'bad');
    showError(message);
    return;
  }
  state.published = { name: file.name, json: parsed.json };
  const what = kind.kind === 'root' ? 'published root' : kind.kind === 'okx-sum-proof' ? "OKX's sum_proof_data.json: root and totals" : 'published report';
  setStatus('published-status', `Loaded “${file.name}” (${what}).`, 'good');
  check();
}

/** Runs the check when there is enough to check; otherwise says what is missing. */
function check(fromButton = false): void {
  const proof = state.proof;
  const rootText = byId<HTMLInputElement>('root-hash').value;
  const root = normaliseRootHash(rootText);
  if (root && !root.ok) {
    setStatus('root-status', root.message, 'bad');
    if (fromButton) showError(root.message);
    return;
  }
  setStatus('root-status', root ? 'Root hash entered.' : '');
  if (state.textProof) return checkText(state.textProof, root?.hash, fromButton);
  if (!proof) {
    if (fromButton) showError('Choose your proof file first (step 1).');
    return;
  }
  // OKX's zk-STARK inclusion proofs carry no root either: they need sum_proof_data.json or the hash.
  const needsPublished = proof.format === 'por' || proof.format === 'okx-zk';
  if (needsPublished && !state.published && !root) {
    showResult(
      'waiting',
      el('p', { class: 'verdict error', id: 'verdict', role: 'status' }, 'One more step', el('small', { id: 'verdict-reason' }, 'Now add what the exchange published (step 2): the report or root file, or the root hash. Your proof is checked against it.')),
    );
    return;
  }
  const mismatch = publishedMismatch(proof.format);
  if (mismatch !== undefined) {
    showError(mismatch);
    return;
  }
  let verdict: Verdict;
  try {
    const published: { report?: unknown; rootHash?: string } = {};
    if (state.published) published.report = state.published.json;
    if (root) published.rootHash = root.hash;
    // OKX's user_info_file.json with the full tree: `por verify user_info_file.json --tree TREE`.
    verdict = state.tree ? verifyOkxTreeText(state.tree.text, state.tree.name, proof.json, root?.hash) : verifyAnyProof(proof.json, published, proof.format);
  } catch (err) {
    showError(explainError(err));
    return;
  }
  // Another document or version than por-proof v1 was not checked at all: "could not check", as
  // `por verify` exits 2 for it, never a verdict on the user's inclusion (docs/SPEC.md, "Verification").
  const formatCheck = proof.format === 'por' ? verdict.checks.find((c) => c.name === 'format' && !c.ok) : undefined;
  if (formatCheck) {
    showError(`“${proof.name}” is not a por proof this page can check: ${formatCheck.detail}.`);
    return;
  }
  finish(verdict, root?.hash, fromButton);
}

function finish(verdict: Verdict, root: string | undefined, fromButton: boolean): void {
  renderVerdict(verdict, root);
  if (fromButton) result().focus();
  else result().scrollIntoView({ block: 'start' });
}

/** A published file that does not go with this proof, as the CLI refuses --tree or a commitment for it. */
function publishedMismatch(format: ProofFormat): string | undefined {
  if (state.tree && format !== 'okx-user') return `“${state.tree.name}” is OKX's full liabilities tree: it goes with your OKX user_info_file.json in step 1, not with this proof.`;
  if (state.published?.summa) return `“${state.published.name}” is a Summa commitment: it goes with a Summa liabilities CSV in step 1, not with this proof.`;
  return undefined;
}

const WAIT_SUMMA = 'Now add what Summa published (step 2): commitment_solidity_calldata.json, or the root hash. The CSV is checked against it.';

/** The text formats: the same core functions `por verify` calls for them (src/web/text-formats.ts). */
function checkText(p: TextLoaded & { format: TextFormat }, root: string | undefined, fromButton: boolean): void {
  if (state.tree) return showError(`“${state.tree.name}” (an OKX tree) goes with your OKX user_info_file.json in step 1, not with “${p.name}”.`);
  if (state.published && !(p.format === 'summa-v1' && state.published.summa)) {
    return showError(`“${state.published.name}” does not go with “${p.name}” (${TEXT_FORMAT_NAMES[p.format]}): ${p.format === 'summa-v1' ? 'step 2 takes commitment_solidity_calldata.json or the root hash' : 'this file is checked whole; compare the root hash shown with the published one'}.`);
  }
  let verdict: Verdict;
  try {
    if (p.format === 'bitmex-tree') {
      const who = bitmexAccount(byId<HTMLInputElement>('bitmex-account').value, byId<HTMLInputElement>('bitmex-nonce').value);
      if (who && 'message' in who) return showError(who.message);
      verdict = verifyBitmexText(p.text, p.name, who);
    } else if (p.format === 'summa-v1') {
      if (!state.published && root === undefined) {
        return showResult('waiting', el('p', { class: 'verdict error', id: 'verdict', role: 'status' }, 'One more step', el('small', { id: 'verdict-reason' }, WAIT_SUMMA)));
      }
      verdict = verifySummaText(p.text, p.name, state.published?.json, root);
    } else {
      verdict = verifyOkxTreeText(p.text, p.name, undefined, root);
    }
  } catch (err) {
    return showError(explainError(err));
  }
  finish(verdict, root, fromButton);
}

function amountTable(id: string, caption: string, rows: AssetAmount[]): HTMLElement {
  const hasDebt = rows.some((r) => r.debt !== undefined && !/^0*(\.0*)?$/.test(r.debt));
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Asset'), el('th', { scope: 'col', class: 'amount' }, 'Amount'));
  if (hasDebt) head.append(el('th', { scope: 'col', class: 'amount' }, 'Debt'));
  const body = el('tbody');
  for (const r of rows) {
    const tr = el('tr', { 'data-asset': r.asset }, el('th', { scope: 'row' }, r.asset), el('td', { class: 'amount' }, r.amount));
    if (hasDebt) tr.append(el('td', { class: 'amount' }, r.debt ?? '0'));
    body.append(tr);
  }
  return el('div', { class: 'table-wrap' }, el('table', { id }, el('caption', { class: 'visually-hidden' }, caption), el('thead', {}, head), body));
}

function sumsText(sums: AssetAmount[] | undefined): string {
  if (!sums || sums.length === 0) return '—';
  const zero = (t: string) => /^0*(\.0*)?$/.test(t);
  return sums.map((s) => `${s.asset} ${s.amount}${s.debt !== undefined && !zero(s.debt) ? ` (debt ${s.debt})` : ''}`).join('\n');
}

function pathTable(path: PathStep[]): HTMLElement {
  const hasComputed = path.some((p) => p.computed !== undefined);
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Level'),
    el('th', { scope: 'col' }, 'Neighbour on the'),
    el('th', { scope: 'col' }, 'Neighbour’s hash'),
    el('th', { scope: 'col' }, 'Neighbour’s totals'),
  );
  if (hasComputed) head.append(el('th', { scope: 'col' }, 'Computed node'));
  const body = el('tbody');
  for (const p of path) {
    const tr = el(
      'tr',
      {},
      el('td', {}, String(p.level)),
      el('td', {}, p.side),
      el('td', {}, idEl(p.hash)),
      el('td', { class: 'mono sums' }, sumsText(p.sums)),
    );
    if (hasComputed) tr.append(el('td', {}, p.computed === undefined ? '—' : idEl(p.computed)));
    body.append(tr);
  }
  return el('div', { class: 'table-wrap' }, el('table', { id: 'path' }, el('caption', { class: 'visually-hidden' }, 'Path from your entry to the root'), el('thead', {}, head), body));
}

function checksTable(checks: Check[]): HTMLElement {
  const body = el('tbody');
  for (const c of checks) {
    body.append(
      el('tr', { 'data-check': c.name }, el('td', {}, el('code', { class: 'nw' }, c.name)), el('td', { class: c.ok ? 'ok' : 'fail' }, c.ok ? 'passed' : 'FAILED'), el('td', {}, c.detail)),
    );
  }
  return el(
    'div',
    { class: 'table-wrap' },
    el('table', { id: 'checks' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Check'), el('th', { scope: 'col' }, 'Result'), el('th', { scope: 'col' }, 'Evidence'))), body),
  );
}

/** The verdict page: headline, what went wrong, limits, balances, root, then the detail boxes. */
function renderVerdict(v: Verdict, pastedRoot: string | undefined): void {
  showResult(v.valid ? 'valid' : 'invalid', ...verdictHeadline(v), ...limitsSection(v), ...balancesSection(v), ...rootSection(v, pastedRoot), ...detailBoxes(v));
}

/** The one-line verdict and, when invalid, each failed check explained. */
function verdictHeadline(v: Verdict): Node[] {
  const formatName = FORMAT_NAMES[v.format] ?? v.format;
  // Which scheme the page read the file as, before the verdict (a Binance-family file names its variant).
  const variant = v.checks.find((c) => c.name === 'scheme-variant' && c.detail.startsWith('recognised as '));
  const scheme = el('p', { class: 'hint', id: 'scheme' }, `Recognised: ${formatName}${variant ? ` (${variant.detail.slice('recognised as '.length).split(';')[0]})` : ''}.`);
  if (v.valid) {
    return [
      scheme,
      el(
        'p',
        { class: 'verdict good', id: 'verdict', role: 'status' },
        '✔ Your proof checks out',
        el(
          'small',
          { id: 'verdict-reason' },
          `All ${v.checks.length} checks passed: ${v.user.balances.length === 0 && v.format in TEXT_FORMAT_NAMES ? 'the published file recomputes, parent by parent, to the root hash' : `the balances below are part of the total committed to by the ${v.format === 'okx-user' ? 'hash' : 'root hash'}`} shown further down (${formatName})${v.warnings.length ? '. Read the limits of this kind of proof below' : ''}.`,
        ),
      ),
    ];
  }
  const failed = v.checks.filter((c) => !c.ok);
  const list = el('ul', { class: 'failures', id: 'failures' });
  for (const c of failed) {
    list.append(el('li', { 'data-check': c.name }, explainCheck(c), el('span', { class: 'detail' }, `Technical detail (${c.name}): ${c.detail}`)));
  }
  return [
    scheme,
    el(
      'p',
      { class: 'verdict bad', id: 'verdict', role: 'alert' },
      '✘ This proof does NOT check out',
      el(
        'small',
        { id: 'verdict-reason' },
        `${failed.length} of ${v.checks.length} checks failed. Do not take it as evidence that your balance was counted; keep the files and ask the exchange to explain.`,
      ),
    ),
    el('h3', {}, 'What went wrong'),
    list,
  ];
}

function limitsSection(v: Verdict): Node[] {
  if (v.warnings.length === 0) return [];
  const list = el('ul', { class: 'warnings', id: 'warnings' });
  for (const w of v.warnings) list.append(el('li', {}, w));
  return [el('h3', {}, 'Limits you should know'), list];
}

function balancesSection(v: Verdict): Node[] {
  return [
    el('h3', {}, v.user.id !== undefined ? `Your balances (user ${v.user.id})` : 'Your balances'),
    v.user.balances.length ? amountTable('balances', 'Your balances per asset', v.user.balances) : el('p', {}, 'The proof lists no balances.'),
  ];
}

/** The root (or the user's own hash), compared with a pasted one where the proof carries its own, and its totals. */
function rootSection(v: Verdict, pastedRoot: string | undefined): Node[] {
  const nodes: Node[] = [];
  // An OKX per-user breakdown has no tree root: its "root" is the user's own hash.
  const ownHashOnly = v.format === 'okx-user';
  // Unconfirmed when a check failed: the hash shown may be the one the proof leads to, not the published one.
  const confirmed = v.valid;
  nodes.push(el('h3', {}, ownHashOnly ? 'Your entry' : confirmed ? 'Published root' : 'Root (not confirmed: see what went wrong above)'));
  const facts = el('dl', { class: 'facts', id: 'root-facts' }, el('dt', {}, ownHashOnly ? 'Your hash' : 'Root hash'), el('dd', {}, fullIdEl(v.root.hash, { id: 'root-hash-value' })));
  if (v.root.snapshotId !== undefined) facts.append(el('dt', {}, 'Snapshot'), el('dd', { class: 'mono' }, v.root.snapshotId));
  if (v.root.height !== undefined) facts.append(el('dt', {}, 'Tree height'), el('dd', {}, String(v.root.height)));
  nodes.push(facts);
  if (v.format !== 'por' && v.format !== 'okx-zk' && !ownHashOnly) {
    const same = pastedRoot !== undefined ? sameHash(pastedRoot, v.root.hash) : undefined;
    nodes.push(
      el(
        'p',
        { class: 'hint', id: 'root-compare' },
        same === undefined
          ? 'This proof carries its own root. Compare the root hash above, character by character, with the one the exchange published for this date.'
          : same
            ? 'The root hash above is the same as the one you pasted.'
            : 'The root hash above is NOT the one you pasted: this proof does not lead to that published root.',
      ),
    );
  }
  if (v.root.sums.length && !ownHashOnly) nodes.push(el('h3', {}, confirmed ? 'Totals committed to by the root' : 'Totals at that root (not confirmed)'), amountTable('root-sums', 'Root totals per asset', v.root.sums));
  return nodes;
}

/** Collapsed boxes: the path, every check, and the verdict as JSON. */
function detailBoxes(v: Verdict): Node[] {
  const nodes: Node[] = [];
  if (v.path && v.path.length) {
    // Collapsed: two dozen rows of hashes would bury the verdict on a phone.
    nodes.push(el('details', { id: 'path-box' }, el('summary', {}, `Path from your entry to the root (${v.path.length} steps)`), pathTable(v.path)));
  }
  nodes.push(el('details', { id: 'all-checks' }, el('summary', {}, `Every check (${v.checks.length})`), checksTable(v.checks)));
  // The verdict exactly as `por verify --json` prints it, for anyone who wants to compare.
  nodes.push(
    el(
      'details',
      { id: 'verdict-json-box' },
      el('summary', {}, 'The verdict as JSON (the same document as por verify --json)'),
      el('pre', { id: 'verdict-json', class: 'mono', tabindex: '0' }, JSON.stringify(writeVerdict(v), null, 2)),
    ),
  );
  return nodes;
}

function sameHash(a: string, b: string): boolean {
  const n = (h: string) => h.trim().toLowerCase().replace(/^0x/, '');
  return n(a) === n(b);
}

function wireDrop(zone: HTMLElement, onFile: (f: File) => void): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    zone.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) onFile(f);
  });
}

/** A file dropped anywhere else goes where its shape says it belongs. */
async function routeDroppedFile(file: File): Promise<void> {
  const read = await readText(file);
  // OKX's tree is published data beside user_info_file.json; alone it is checked whole in step 1.
  if (read.ok && detectTextFormat(read.text) === 'okx-tree') return state.proof?.format === 'okx-user' ? loadPublished(file) : loadProof(file);
  const parsed = read.ok ? parseJsonText(read.text, file.name) : read;
  if (parsed.ok && looksLikeSummaCommitment(parsed.json)) return loadPublished(file);
  const kind = parsed.ok ? classifyDocument(parsed.json).kind : 'unknown';
  return kind === 'report' || kind === 'root' || kind === 'okx-sum-proof' ? loadPublished(file) : loadProof(file);
}

function guard(fn: () => unknown): () => void {
  return () => {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((err: unknown) => showError(explainError(err)));
    } catch (err) {
      showError(explainError(err));
    }
  };
}

function start(): void {
  const proofInput = byId<HTMLInputElement>('proof-file');
  const publishedInput = byId<HTMLInputElement>('published-file');
  const rootInput = byId<HTMLInputElement>('root-hash');
  proofInput.addEventListener('change', guard(() => (proofInput.files?.[0] ? loadProof(proofInput.files[0]) : undefined)));
  publishedInput.addEventListener('change', guard(() => (publishedInput.files?.[0] ? loadPublished(publishedInput.files[0]) : undefined)));
  rootInput.addEventListener('change', guard(() => check()));
  for (const id of ['bitmex-account', 'bitmex-nonce']) byId(id).addEventListener('change', guard(() => check()));
  byId('form').addEventListener('submit', (e) => {
    e.preventDefault();
    guard(() => check(true))();
  });
  byId('clear').addEventListener('click', () => {
    delete state.proof;
    delete state.published;
    delete state.textProof;
    delete state.tree;
    showBitmexFields(false);
    (byId('form') as HTMLFormElement).reset();
    for (const id of ['proof-status', 'published-status', 'root-status']) setStatus(id, '');
    showResult('waiting');
    delete result().dataset.verdict;
    proofInput.focus();
  });
  wireDrop(byId('proof-drop'), (f) => guard(() => loadProof(f))());
  wireDrop(byId('published-drop'), (f) => guard(() => loadPublished(f))());
  // Dropping a file outside the zones must not make the browser navigate away to it.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) guard(() => routeDroppedFile(f))();
  });
  document.documentElement.dataset.ready = 'true';
}

// Last line of defence: whatever goes wrong, the user sees a sentence, never a blank page.
window.addEventListener('error', (e) => showError(explainError(e.error ?? e.message)));
window.addEventListener('unhandledrejection', (e) => showError(explainError(e.reason)));
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();

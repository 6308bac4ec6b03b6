// OKX's "Merkle v2" full liabilities tree (2023-03 → 2023-04, `full-liabilities-merkle-tree.txt`):
// one node per line `hash,height,{"BTC":…,"ETH":…,"USDT":…}`, root first, each level listed right
// to left. por recomputes EVERY parent by OKX's v1 rule (SHA-256 of left ‖ right ‖ sums ‖ height,
// sums cut to 8 decimals) — OKX's own validator only finds the leaves and adds them up — checks the
// padding copies, and, given the user's `user_info_file.json`, finds its nodes among the leaves.
// Pure: the web page can bundle it.
import { porError, withInfo } from '../errors/index.js';
import { parseJson } from '../json/parse.js';
import { isObject } from '../json/index.js';
import type { AssetAmount, Check, Verdict } from '../verify/types.js';
import { cmpDec, parseDec } from './okx-decimal.js';
import { OKX_ASSETS, okxAddBalances, okxParentHash, verifyOkxUserProof, type OkxBalances } from './okx-proof.js';

export interface OkxTreeNode {
  line: number;
  hash: string;
  height: number;
  balances: OkxBalances;
}

const LINE = /^([0-9a-f]{64}),(\d{1,3}),(.*)$/;

/** Recognises the tree's text by its first line. */
export function looksLikeOkxTree(text: string): boolean {
  return LINE.test(text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '');
}

function readNodeLine(l: string, line: number, file?: string): OkxTreeNode {
  const m = LINE.exec(l);
  if (!m) throw porError('BAD_INPUT', 'not a tree node: expected hash (64 lower-case hex),height,{"BTC":…,"ETH":…,"USDT":…}', { file, line, column: 1 });
  const start = (m[1] as string).length + (m[2] as string).length + 2;
  const json = parseJson(l, { file, line, start });
  if (!isObject(json)) throw porError('BAD_INPUT', 'the balances must be a JSON object', { file, line, column: start + 1 });
  const balances = {} as OkxBalances;
  for (const a of OKX_ASSETS) {
    const t = json[a];
    if (typeof t !== 'string') throw porError('BAD_INPUT', `${a} must be decimal text in quotes`, { file, line, column: start + 1, field: a });
    try {
      parseDec(t);
    } catch (err) {
      withInfo(err, { file, line, column: start + 1, field: a });
    }
    balances[a] = t;
  }
  return { line, hash: m[1] as string, height: Number(m[2]), balances };
}

/** Reads the tree text; malformed lines are exit-2 errors naming line and column. */
export function parseOkxTree(text: string, file?: string): OkxTreeNode[] {
  const nodes = text.replace(/^\ufeff/, '').split(/\r?\n/).flatMap((l, i) => (l.trim() === '' ? [] : [readNodeLine(l, i + 1, file)]));
  if (nodes.length === 0) throw porError('BAD_INPUT', 'the tree file is empty', { file });
  nodes.forEach((n, i) => {
    const prev = nodes[i - 1];
    if (prev && n.height > prev.height) throw porError('BAD_INPUT', `height ${n.height} after height ${prev.height}: the tree lists its root first, then each level below`, { file, line: n.line, column: 66 });
    if (prev && n.height < prev.height - 1) throw porError('BAD_INPUT', `no node of height ${prev.height - 1}`, { file, line: n.line, column: 66 });
  });
  if (nodes[nodes.length - 1]!.height !== 1) throw porError('BAD_INPUT', 'the last level is not the leaves (height 1)', { file, line: nodes[nodes.length - 1]!.line, column: 66 });
  if ((nodes[1]?.height ?? 0) === nodes[0]!.height) throw porError('BAD_INPUT', 'more than one node at the root\'s height', { file, line: nodes[1]!.line, column: 66 });
  return nodes;
}

const isZero = (b: OkxBalances) => OKX_ASSETS.every((a) => parseDec(b[a]).units === 0n);
const sameSums = (a: OkxBalances, b: OkxBalances) => OKX_ASSETS.every((k) => a[k] === b[k]);

/** Levels left to right (the file lists each right to left), index 0 = leaves. */
function levelsOf(nodes: OkxTreeNode[]): OkxTreeNode[][] {
  const levels: OkxTreeNode[][] = [];
  for (const n of nodes) (levels[n.height - 1] ??= []).unshift(n);
  return levels;
}

interface TreeWalk {
  parents: number;
  hashErrors: string[];
  sumErrors: string[];
  paddingErrors: string[];
}

/** Recomputes every parent from its two children; extra nodes must be zero-sum padding copies. */
function walkTree(levels: OkxTreeNode[][]): TreeWalk {
  const w: TreeWalk = { parents: 0, hashErrors: [], sumErrors: [], paddingErrors: [] };
  for (let h = 1; h < levels.length; h++) {
    const below = levels[h - 1]!;
    const here = levels[h]!;
    if (below.length % 2 !== 0) w.paddingErrors.push(`height ${h} has ${below.length} nodes, an odd number: the last has no partner`);
    const pairs = Math.floor(below.length / 2);
    here.forEach((p, i) => {
      if (i >= pairs) {
        const prev = here[i - 1];
        if (i > pairs || !prev || prev.hash !== p.hash || !isZero(p.balances)) w.paddingErrors.push(`line ${p.line}: height ${p.height} has more nodes than parents of the level below, and this one is not a zero-sum copy of its neighbour`);
        return;
      }
      const [l, r] = [below[2 * i]!, below[2 * i + 1]!];
      const sums = okxAddBalances(l.balances, r.balances);
      const hash = okxParentHash(l.hash, r.hash, sums, p.height);
      w.parents++;
      if (hash !== p.hash) w.hashErrors.push(`line ${p.line}: SHA-256 of lines ${l.line} ‖ ${r.line} ‖ sums ‖ ${p.height} is ${hash}, the file says ${p.hash}`);
      if (!sameSums(sums, p.balances)) w.sumErrors.push(`line ${p.line}: lines ${l.line} + ${r.line} give ${OKX_ASSETS.map((a) => `${a} ${sums[a]}`).join(', ')}, the file says ${OKX_ASSETS.map((a) => `${a} ${p.balances[a]}`).join(', ')}`);
    });
    if (here.length < pairs) w.paddingErrors.push(`height ${h + 1} has ${here.length} nodes for ${pairs} pairs below`);
  }
  return w;
}

const amounts = (b: OkxBalances): AssetAmount[] => OKX_ASSETS.map((asset) => ({ asset, amount: b[asset] }));
const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

function treeChecks(nodes: OkxTreeNode[], levels: OkxTreeNode[][]): Check[] {
  const w = walkTree(levels);
  const neg = nodes.filter((n) => OKX_ASSETS.some((a) => parseDec(n.balances[a]).units < 0n)).map((n) => `line ${n.line}`);
  return [
    check('parent-hashes', w.hashErrors.length === 0, w.hashErrors.length === 0 ? `all ${w.parents} parents recompute from their two children (OKX's validator checks none of them)` : w.hashErrors.join('; ')),
    check('parent-sums', w.sumErrors.length === 0, w.sumErrors.length === 0 ? `all ${w.parents} parents' sums are their children's, cut to 8 decimals` : w.sumErrors.join('; ')),
    check('padding-nodes', w.paddingErrors.length === 0, w.paddingErrors.length === 0 ? 'every level pairs up; each padding node is a zero-sum copy of its neighbour' : w.paddingErrors.join('; ')),
    check('balances-non-negative', neg.length === 0, neg.length === 0 ? 'no negative amount in the tree' : `negative amounts (a fake account cancelling real ones): ${neg.join(', ')}`),
  ];
}

/** The user's breakdown nodes must be leaves with the same balances, each leaf used once. */
function userLeafCheck(user: Verdict, userJson: unknown, leaves: OkxTreeNode[]): Check {
  const nodes = (isObject(userJson) && Array.isArray(userJson.nodes) ? userJson.nodes : []) as { hash: string; balances: OkxBalances }[];
  const used = new Set<OkxTreeNode>();
  const problems: string[] = [];
  const found: number[] = [];
  nodes.forEach((n, i) => {
    const leaf = leaves.find((l) => !used.has(l) && l.hash === n.hash && OKX_ASSETS.every((a) => cmpDec(parseDec(l.balances[a]), parseDec(n.balances[a])) === 0));
    if (!leaf) problems.push(`node ${i + 1} (${n.hash}) is not a leaf of the tree with these balances`);
    else {
      used.add(leaf);
      found.push(leaf.line);
    }
  });
  return check('user-leaves', problems.length === 0, problems.length === 0
    ? `all ${nodes.length} nodes of user hash ${user.user.id} are leaves of the tree (lines ${found.join(', ')})`
    : problems.join('; '));
}

export const OKX_TREE_WARNING =
  'The whole tree is published, so every parent is checked against its children and the sibling-sum forgery of ' +
  'ePrint 2018/1139 is excluded for THIS file — provided every user is given the same file: compare its root with the one ' +
  'OKX published. It says nothing about accounts left out of the tree, and it shows every account\'s balances to anyone.';

/** Verifies the whole tree and, given a user's breakdown (`user_info_file.json`), the user's leaves. */
export function verifyOkxTree(treeText: string, userJson?: unknown, file?: string): Verdict {
  const nodes = parseOkxTree(treeText, file);
  const levels = levelsOf(nodes);
  const root = nodes[0]!;
  const checks = treeChecks(nodes, levels);
  const verdict: Verdict = { valid: false, format: 'okx-tree', checks, warnings: [OKX_TREE_WARNING], user: { balances: [] }, root: { hash: root.hash, sums: amounts(root.balances), height: root.height } };
  if (userJson !== undefined) {
    const user = verifyOkxUserProof(userJson);
    checks.unshift(...user.checks);
    checks.push(userLeafCheck(user, userJson, levels[0]!));
    verdict.user = user.user;
  } else {
    verdict.warnings.push('No user file was given: the tree is consistent, but no account of yours was looked for in it (give user_info_file.json).');
  }
  verdict.valid = checks.every((c) => c.ok);
  return verdict;
}

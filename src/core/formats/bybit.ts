// Bybit's user path proofs (bybit-exchange/merkle-proof, MIT), checked by Bybit's validator's own
// rules: leaf = hex SHA-256 of userHash ‖ the balances concatenated in the ASSET LIST's order (not
// the JSON's); parent = hex SHA-256 of left ‖ right ‖ sums ‖ height, each sum the exact addition
// cut toward zero to the asset's scale and written with all its decimals ("0.00000000"); type 1 =
// left, 2 = right, 3 = root. Ten asset lists exist (Bybit's `Asset*` enums); the file's asset names
// choose one, and a file that matches none is "scheme variant not recognised" (exit 2), never
// VALID. Parents commit to totals only, as in OKX v1. Pure: the web page bundles it.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { JsonAt } from '../json/read.js';
import { isObject } from '../json/index.js';
import { formatAmount } from '../money/index.js';
import type { AssetAmount, Check, PathStep, Verdict } from '../verify/types.js';
import { addDec, decAt, parseDec, truncDec, type Dec } from './okx-decimal.js';

// Bybit's validator at 3f0e2da6 (2026-07-23), `src/main/java/com/bybit/merkle/generic/Asset*.java`
// and `merkle/Balance.java`, in enum order. `!` marks an asset that is off-line (read into the
// leaf when present, never summed). Every generic list has scale 8, rounding DOWN.
const LISTS: [string, string][] = [
  ['Asset50', 'AGLA APT ATOM AVAX MNT BTC DOGE DOT DYDX A ETH S LTC POL SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RENDER GALA APEX SHRAP USDE GRAM XAUT HYPE STABLE ENA ARB ASTER ONDO AAVE USD1'],
  ['Asset40V5', 'AGLA APT ATOM AVAX MNT BTC BUSD! DOGE DOT DYDX A ETH S LTC POL SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RENDER GALA APEX SHRAP USDE'],
  ['Asset40V4', 'AGLA APT ATOM AVAX MNT BTC BUSD! DOGE DOT DYDX EOS ETH S LTC POL SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RENDER GALA APEX SHRAP USDE'],
  ['Asset40V3', 'AGLA APT ATOM AVAX MNT BTC BUSD! DOGE DOT DYDX EOS ETH FTM LTC POL SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RENDER GALA APEX SHRAP USDE'],
  ['Asset40V2', 'AGLA APT ATOM AVAX MNT BTC BUSD! DOGE DOT DYDX EOS ETH FTM LTC MATIC SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RENDER GALA APEX SHRAP USDE'],
  ['Asset40', 'AGLA APT ATOM AVAX MNT BTC BUSD! DAI DOGE DOT DYDX EOS ETH FTM LTC MATIC SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE WLD BEAM AGI FET IMX RNDR GALA APEX SHRAP'],
  ['Asset32', 'AGLA APT ATOM AVAX MNT BTC BUSD DAI DOGE DOT DYDX EOS ETH FTM LTC MATIC SOL USDC USDT XRP SHIB OP SAND LDO LINK COMP UNI MANA CRV BLUR SUSHI PEPE'],
  ['AssetMnt20', 'AGLA APT ATOM AVAX MNT BTC BUSD DAI DOGE DOT DYDX EOS ETH FTM LTC MATIC SOL USDC USDT XRP'],
  ['Asset20', 'AGLA APT ATOM AVAX BIT BTC BUSD DAI DOGE DOT DYDX EOS ETH FTM LTC MATIC SOL USDC USDT XRP'],
];

interface AssetList {
  name: string;
  /** Enum order; `online` false = not summed. */
  assets: { name: string; scale: number; online: boolean }[];
}

const VERSIONS: AssetList[] = [
  ...LISTS.map(([name, list]) => ({ name, assets: list.split(' ').map((a) => ({ name: a.replace('!', ''), scale: 8, online: !a.endsWith('!') })) })),
  // The first, fixed class (`merkle/Balance.java`): BTC and ETH cut to 8 decimals, USDT and USDC to 4.
  { name: 'Balance (BTC, ETH, USDT, USDC)', assets: [{ name: 'BTC', scale: 8, online: true }, { name: 'ETH', scale: 8, online: true }, { name: 'USDT', scale: 4, online: true }, { name: 'USDC', scale: 4, online: true }] },
];

export const BYBIT_ASSET_LISTS = VERSIONS.map((v) => v.name);

/** The list whose on-line assets are exactly the file's (off-line ones allowed too), or undefined. */
export function bybitAssetList(keys: string[]): AssetList | undefined {
  const set = new Set(keys);
  return VERSIONS.find((v) => v.assets.every((a) => !a.online || set.has(a.name)) && keys.every((k) => v.assets.some((a) => a.name === k)));
}

type Balances = Map<string, string>;

interface Node {
  hash: string;
  type: number;
  height: number;
  balance: Balances;
}

const HEX64 = /^[0-9a-f]{64}$/;
function readBalance(at: JsonAt): Balances {
  if (!isObject(at.value)) at.fail('must be an object of asset → decimal text');
  return new Map(Object.keys(at.value).map((k) => [k, decAt(at.get(k))]));
}

function readInt(at: JsonAt): number {
  if (typeof at.value !== 'number' || !Number.isSafeInteger(at.value)) at.fail('must be an integer');
  return at.value as number;
}

function readNode(at: JsonAt): Node {
  at.object();
  const hash = at.get('hash').string(HEX64, '64 lower-case hex digits');
  return { hash, type: readInt(at.get('type')), height: readInt(at.get('height')), balance: readBalance(at.get('balance')) };
}

const sha256Hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

/** Concatenation in the list's order of the assets present (as Bybit's EnumMap does). */
function concat(list: AssetList, b: Balances): string {
  return list.assets.filter((a) => b.has(a.name)).map((a) => b.get(a.name)).join('');
}

/** Bybit's add: on-line assets only, exact sum cut toward zero to the asset's scale, all decimals written. */
function addBalances(list: AssetList, a: Balances, b: Balances): Balances {
  const out: Balances = new Map();
  for (const asset of list.assets.filter((x) => x.online)) {
    const sum: Dec = truncDec(addDec(parseDec(a.get(asset.name) ?? '0'), parseDec(b.get(asset.name) ?? '0')), asset.scale);
    out.set(asset.name, formatAmount(sum.units * 10n ** BigInt(asset.scale - sum.scale), asset.scale));
  }
  return out;
}

const sameBalances = (a: Balances, b: Balances) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const amounts = (list: AssetList, b: Balances): AssetAmount[] => list.assets.filter((a) => b.has(a.name)).map((a) => ({ asset: a.name, amount: b.get(a.name) as string }));
const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

export const BYBIT_TOTALS_ONLY_WARNING =
  "Bybit's scheme (like OKX's first one) commits each parent to its children's TOTAL only, not to each child's sums: " +
  'an exchange can show each user a sibling of (parent − user) and leave balances out of the root total ' +
  '(sibling-sum forgery, ePrint 2018/1139). A proof that is valid under these rules is not evidence against that.';

export const BYBIT_USER_HASH_WARNING =
  'The leaf starts from "userHash", which the file gives but does not explain: por cannot recompute it from your account, so it checks that the leaf holds these balances, not that the leaf is yours.';

interface BybitFile {
  self: Node & { userHash: string; auditId?: string };
  path: Node[];
  list: AssetList;
}

function readBybit(json: unknown): BybitFile {
  const doc = JsonAt.root(json);
  if (!isObject(json)) doc.fail('a Bybit proof must be a JSON object with "self" and "path"');
  const self = readNode(doc.get('self'));
  const s = doc.get('self').value as Record<string, unknown>;
  if (typeof s.userHash !== 'string' || s.userHash === '') doc.get('self').get('userHash').fail('the leaf needs its userHash');
  const pathAt = doc.get('path');
  if (!Array.isArray(pathAt.value) || pathAt.value.length < 2) pathAt.fail('must list the siblings and, last, the root');
  const path = pathAt.array().map(readNode);
  const keys = [...self.balance.keys()];
  const list = bybitAssetList(keys);
  if (!list) {
    return doc.get('self').get('balance').fail(`scheme variant not recognised: the assets (${keys.join(', ')}) match none of Bybit's ${VERSIONS.length} asset lists (${BYBIT_ASSET_LISTS.join(', ')}); por cannot tell the order they are hashed in`);
  }
  const out: BybitFile = { self: { ...self, userHash: s.userHash as string }, path, list };
  if (typeof s.auditId === 'string') out.self.auditId = s.auditId;
  return out;
}

interface Walk {
  hash: string;
  sums: Balances;
  height: number;
  steps: PathStep[];
}

/** Bybit's walk: the first sibling is on the side opposite the leaf; later ones by their type (1 = left). */
function walk(f: BybitFile, leafHash: string): Walk {
  let hash = leafHash;
  let sums = f.self.balance;
  let height = 1;
  const steps: PathStep[] = [];
  f.path.slice(0, -1).forEach((s, i) => {
    const siblingLeft = i === 0 ? f.self.type !== 1 : s.type === 1;
    sums = addBalances(f.list, sums, s.balance);
    height++;
    const parent = sha256Hex(`${siblingLeft ? s.hash + hash : hash + s.hash}${concat(f.list, sums)}${height}`);
    steps.push({ level: height - 1, side: siblingLeft ? 'left' : 'right', hash: s.hash, sums: amounts(f.list, s.balance), computed: parent });
    hash = parent;
  });
  return { hash, sums, height, steps };
}

function typeProblems(f: BybitFile): string[] {
  const out: string[] = [];
  if (f.self.type !== 1 && f.self.type !== 2) out.push(`self.type is ${f.self.type}, not 1 (left) or 2 (right)`);
  if (f.path[0]!.type === f.self.type) out.push(`self and path[0] are both type ${f.self.type}: both on the same side`);
  f.path.slice(0, -1).forEach((s, i) => {
    if (s.type < 1 || s.type > 4) out.push(`path[${i}].type is ${s.type}; Bybit's types are 1 to 4`);
  });
  return out;
}

/** Verifies a Bybit path proof by Bybit's validator's rules, plus por's non-negative check. */
export function verifyBybitProof(json: unknown): Verdict {
  const f = readBybit(json);
  const root = f.path[f.path.length - 1]!;
  const leaf = sha256Hex(f.self.userHash + concat(f.list, f.self.balance));
  const w = walk(f, f.self.hash);
  const types = typeProblems(f);
  const sumDiffs = [...w.sums].filter(([k, v]) => root.balance.get(k) !== v).map(([k, v]) => `${k}: computed ${v}, file says ${root.balance.get(k) ?? '(missing)'}`);
  const neg = [f.self, ...f.path].flatMap((n, i) => [...n.balance].filter(([, v]) => parseDec(v).units < 0n).map(([k]) => `${i === 0 ? 'self' : `path[${i - 1}]`}.${k}`));
  const checks: Check[] = [
    check('asset-list', true, `the ${f.self.balance.size} assets are Bybit's list ${f.list.name}; balances are hashed in its order`),
    check('leaf-hash', leaf === f.self.hash, `SHA-256(userHash ‖ balances in ${f.list.name} order) = ${leaf}${leaf === f.self.hash ? ', as in the file' : `, but the file says ${f.self.hash}`}`),
    check('node-types', types.length === 0, types.length === 0 ? `leaf is the ${f.self.type === 1 ? 'left' : 'right'} child; siblings typed 1 (left) or 2 (right), root 3` : types.join('; ')),
    check('root-hash', w.hash === root.hash, w.hash === root.hash ? `the walk ends at ${w.hash}, the root in the file` : `the walk ends at ${w.hash}, but the file's root is ${root.hash}`),
    check('root-sums', sumDiffs.length === 0 && sameBalances(w.sums, root.balance), sumDiffs.length === 0 && sameBalances(w.sums, root.balance) ? `computed root totals for all ${w.sums.size} assets match the file` : sumDiffs.join('; ') || 'the root lists other assets than the sums'),
    check('root-height', w.height === root.height, `computed root height ${w.height}, file says ${root.height}`),
    check('balances-non-negative', neg.length === 0, neg.length === 0 ? 'no negative amount on the path' : `negative amounts (a fake account cancelling real ones; Bybit's validator accepts them): ${neg.join(', ')}`),
  ];
  const verdict: Verdict = {
    valid: checks.every((c) => c.ok),
    format: 'bybit-v1',
    checks,
    warnings: [BYBIT_TOTALS_ONLY_WARNING, BYBIT_USER_HASH_WARNING, `The proof has ${f.path.length} levels: it reveals roughly how many accounts Bybit has (at most 2^${f.path.length - 1}), and sibling sums reveal neighbouring accounts' totals.`],
    user: { id: f.self.userHash, balances: amounts(f.list, f.self.balance) },
    root: { hash: root.hash, sums: amounts(f.list, root.balance), height: root.height },
    path: w.steps,
  };
  if (f.self.auditId !== undefined) verdict.root.snapshotId = f.self.auditId;
  return verdict;
}

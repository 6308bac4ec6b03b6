// Reads report.json back with a located error for every field that is not what v2 says. Pure.
import { porError } from '../errors/index.js';
import { parseHaircutTable } from '../solvency/haircuts.js';
import { REPORT_FORMAT, REPORT_VERSION, type Report } from './types.js';
import { CHAIN_IDENTITY } from '../reserves/identity.js';

const INT = /^-?\d+$/;
const UINT = /^\d+$/;
const DEC = /^-?\d+(\.\d+)?$/;
const PRICE = /^\d+(\.\d+)?$/;

export function parseReport(json: unknown, file = 'report.json'): Report {
  const fail = (field: string, message: string): never => {
    throw porError('BAD_INPUT', message, { file, field });
  };
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(field, 'must be an object');
  const arr = (v: unknown, field: string): unknown[] => (Array.isArray(v) ? v : fail(field, 'must be an array'));
  const str = (v: unknown, field: string, re?: RegExp, what = 'text'): string =>
    typeof v === 'string' && (!re || re.test(v)) ? v : fail(field, `must be ${what}`);
  const int = (v: unknown, field: string): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(field, 'must be a non-negative integer'));

  const r = obj(json, '(document)');
  if (r.format !== REPORT_FORMAT) fail('format', `must be "${REPORT_FORMAT}" (is this a por report?); ${typeof r.format === 'string' ? `this file is "${r.format}"` : 'this file has no "format"'}`);
  if (r.version === 1) {
    fail('version', `report format version 1 is no longer read: its "liabilities" netted every margin user's debt without haircuts, so its coverage figures cannot be compared with version ${REPORT_VERSION}'s (gross coverage beside debt netted only against haircut collateral); rebuild the report with this por`);
  }
  if (r.version !== REPORT_VERSION) fail('version', `unsupported version ${String(r.version)}; this por reads version ${REPORT_VERSION}`);
  const snap = obj(r.snapshot, 'snapshot');
  str(snap.id, 'snapshot.id');
  const time = str(snap.time, 'snapshot.time', undefined, 'an ISO 8601 time');
  if (Number.isNaN(Date.parse(time))) fail('snapshot.time', 'must be an ISO 8601 time');
  obj(r.tool, 'tool');
  obj(r.spec, 'spec');
  arr(r.chains, 'chains').forEach((c, i) => {
    const o = obj(c, `chains[${i}]`);
    str(o.chain, `chains[${i}].chain`);
    str(o.kind, `chains[${i}].kind`);
    // Optional (added with chain identities; older reports derive it from chainId / network).
    if (o.id !== undefined) str(o.id, `chains[${i}].id`, CHAIN_IDENTITY, 'a CAIP-2 chain id (eip155:N or bip122:32 hex digits)');
    const b = obj(o.block, `chains[${i}].block`);
    str(b.number, `chains[${i}].block.number`, UINT, 'a block number as integer text');
    str(b.hash, `chains[${i}].block.hash`);
    const t = str(b.time, `chains[${i}].block.time`, undefined, 'an ISO 8601 time');
    if (Number.isNaN(Date.parse(t))) fail(`chains[${i}].block.time`, 'must be an ISO 8601 time');
  });
  const symbols = new Set<string>();
  arr(r.assets, 'assets').forEach((a, i) => {
    const o = obj(a, `assets[${i}]`);
    symbols.add(str(o.symbol, `assets[${i}].symbol`));
    int(o.decimals, `assets[${i}].decimals`);
    arr(o.onchain, `assets[${i}].onchain`);
  });
  const root = obj(r.merkleRoot, 'merkleRoot');
  str(root.hash, 'merkleRoot.hash');
  str(root.snapshotId, 'merkleRoot.snapshotId');
  arr(root.sums, 'merkleRoot.sums').forEach((s, i) => {
    const o = obj(s, `merkleRoot.sums[${i}]`);
    str(o.asset, `merkleRoot.sums[${i}].asset`);
    str(o.equityUnits, `merkleRoot.sums[${i}].equityUnits`, UINT, 'integer text');
    str(o.debtUnits, `merkleRoot.sums[${i}].debtUnits`, UINT, 'integer text');
  });
  arr(r.addresses, 'addresses').forEach((a, i) => {
    const at = `addresses[${i}]`;
    const o = obj(a, at);
    str(o.chain, `${at}.chain`);
    str(o.address, `${at}.address`);
    if (typeof o.counted !== 'boolean') fail(`${at}.counted`, 'must be true or false');
    arr(o.balances, `${at}.balances`).forEach((b, j) => {
      const bo = obj(b, `${at}.balances[${j}]`);
      const sym = str(bo.asset, `${at}.balances[${j}].asset`);
      if (!symbols.has(sym)) fail(`${at}.balances[${j}].asset`, `asset ${sym} is not in the report's asset list`);
      str(bo.units, `${at}.balances[${j}].units`, UINT, 'integer text');
      int(bo.decimals, `${at}.balances[${j}].decimals`);
    });
    if (o.ownership !== null) {
      const w = obj(o.ownership, `${at}.ownership`);
      str(w.scheme, `${at}.ownership.scheme`);
      str(w.message, `${at}.ownership.message`);
      str(w.signature, `${at}.ownership.signature`);
    }
  });
  arr(r.solvency, 'solvency').forEach((s, i) => {
    const at = `solvency[${i}]`;
    const o = obj(s, at);
    str(o.asset, `${at}.asset`);
    for (const k of ['reservesUnits', 'grossLiabilitiesUnits', 'userDebtUnits', 'netLiabilitiesUnits', 'grossSurplusUnits', 'nettedDebtUnits', 'liabilitiesUnits', 'surplusUnits']) str(o[k], `${at}.${k}`, INT, 'integer text');
    for (const k of ['reserves', 'grossLiabilities', 'userDebt', 'netLiabilities', 'grossSurplus', 'nettedDebt', 'liabilities', 'surplus']) str(o[k], `${at}.${k}`, DEC, 'decimal text');
    // Netting figures come together or not at all: half of them would be read as "not assessed".
    if ((o.badDebt === null) !== (o.uncollateralisedDebt === null)) fail(`${at}.uncollateralisedDebt`, 'badDebt and uncollateralisedDebt are both null (not assessed) or both given');
    if (o.badDebt !== null) {
      const b = obj(o.badDebt, `${at}.badDebt`);
      str(b.grossUnits, `${at}.badDebt.grossUnits`, UINT, 'integer text');
      str(b.debtUnits, `${at}.badDebt.debtUnits`, UINT, 'integer text');
      str(obj(o.uncollateralisedDebt, `${at}.uncollateralisedDebt`).debtUnits, `${at}.uncollateralisedDebt.debtUnits`, UINT, 'integer text');
    }
    for (const k of ['covered', 'grossCovered']) if (typeof o[k] !== 'boolean') fail(`${at}.${k}`, 'must be true or false');
    for (const k of ['ratio', 'grossRatio']) if (o[k] !== null) str(o[k], `${at}.${k}`, DEC, 'decimal text or null');
  });
  if (r.netting !== null) parseNetting(obj(r.netting, 'netting'), [...symbols], file, fail);
  // The rows' netting figures rest on the prices and haircuts in `netting`: both there, or neither.
  (r.solvency as Record<string, unknown>[]).forEach((o, i) => {
    if ((o.badDebt === null) !== (r.netting === null)) fail(`solvency[${i}].badDebt`, r.netting === null ? 'netting figures without the prices and haircuts they rest on ("netting" is null)' : 'must be given: the report states prices and haircuts in "netting"');
  });
  // Optional (added after v1 first shipped): older reports simply lack it.
  if (r.detection !== undefined) {
    const d = obj(r.detection, 'detection');
    str(d.formula, 'detection.formula');
    arr(d.rows, 'detection.rows').forEach((x, i) => {
      const o = obj(x, `detection.rows[${i}]`);
      str(o.share, `detection.rows[${i}].share`, DEC, 'decimal text');
      int(o.omitted, `detection.rows[${i}].omitted`);
      str(o.probability, `detection.rows[${i}].probability`, DEC, 'decimal text');
    });
    if (d.needed !== undefined) {
      arr(d.needed, 'detection.needed').forEach((x, i) => {
        const o = obj(x, `detection.needed[${i}]`);
        str(o.confidence, `detection.needed[${i}].confidence`, DEC, 'decimal text');
        int(o.omitted, `detection.needed[${i}].omitted`);
        str(o.share, `detection.needed[${i}].share`, DEC, 'decimal text');
      });
    }
  }
  return r as unknown as Report;
}

/** The `netting` section: prices for every asset, a valid haircut table, debtor counts. */
function parseNetting(n: Record<string, unknown>, symbols: string[], file: string, fail: (field: string, message: string) => never): void {
  if (n.pricesTime !== null && typeof n.pricesTime !== 'string') fail('netting.pricesTime', 'must be an ISO 8601 time or null');
  if (!Array.isArray(n.prices)) return fail('netting.prices', 'must be an array of { "asset", "usd" }');
  const priced = new Set<string>();
  n.prices.forEach((p: unknown, i: number) => {
    const o = p as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o.asset !== 'string' || !symbols.includes(o.asset) || priced.has(o.asset)) fail(`netting.prices[${i}].asset`, 'must name an asset of the report, once');
    if (typeof o.usd !== 'string' || !PRICE.test(o.usd)) fail(`netting.prices[${i}].usd`, 'must be a plain non-negative decimal');
    priced.add(o.asset as string);
  });
  const missing = symbols.filter((s) => !priced.has(s));
  if (missing.length) fail('netting.prices', `no price for ${missing.join(', ')}`);
  parseHaircutTable(n.haircuts, symbols, file, 'netting.haircuts');
  for (const k of ['badDebt', 'uncollateralised']) {
    const o = n[k] as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o.users !== 'number' || !Number.isSafeInteger(o.users) || o.users < 0) fail(`netting.${k}.users`, 'must be a non-negative integer');
  }
  const usd = (n.badDebt as Record<string, unknown>).usd;
  if (typeof usd !== 'string' || !PRICE.test(usd)) fail('netting.badDebt.usd', 'must be a plain non-negative decimal');
}

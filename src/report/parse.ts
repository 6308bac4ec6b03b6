// Reads report.json back with a located error for every field that is not what v1 says. Pure.
import { porError } from '../errors/index.js';
import { REPORT_FORMAT, REPORT_VERSION, type Report } from './types.js';
import { CHAIN_IDENTITY } from '../reserves/identity.js';

const INT = /^-?\d+$/;
const UINT = /^\d+$/;
const DEC = /^-?\d+(\.\d+)?$/;

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
    for (const k of ['reservesUnits', 'grossLiabilitiesUnits', 'userDebtUnits', 'netLiabilitiesUnits', 'liabilitiesUnits', 'surplusUnits']) str(o[k], `${at}.${k}`, INT, 'integer text');
    for (const k of ['reserves', 'grossLiabilities', 'userDebt', 'netLiabilities', 'liabilities', 'surplus']) str(o[k], `${at}.${k}`, DEC, 'decimal text');
    if (o.badDebt !== null) {
      const b = obj(o.badDebt, `${at}.badDebt`);
      str(b.grossUnits, `${at}.badDebt.grossUnits`, UINT, 'integer text');
      str(b.debtUnits, `${at}.badDebt.debtUnits`, UINT, 'integer text');
    }
    if (typeof o.covered !== 'boolean') fail(`${at}.covered`, 'must be true or false');
    if (o.ratio !== null) str(o.ratio, `${at}.ratio`, DEC, 'decimal text or null');
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

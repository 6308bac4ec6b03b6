// The offline half of `por audit OKX.csv`: every ownership signature of an OKX reserve
// file checked by the scheme its network uses, per-coin amounts behind valid / invalid /
// unsupported proofs, and the summary block compared with the rows. Pure; on-chain checks
// (balances, contract-wallet owners) are added by the CLI and folded in by `summarizeOkxAudit`.
import { verifyBitcoinMessage } from '../signatures/bitcoin.js';
import { networkForCoin } from '../signatures/bitcoin-networks.js';
import { decodeAddress } from '../signatures/bitcoin-address.js';
import { verifyMultisigMessage } from '../signatures/multisig.js';
import { verifyEvmOwnership, verifyOkxEcdsa } from '../signatures/okx-evm.js';
import { verifyTronMessage } from '../signatures/tron.js';
import { tally, type AuditCheck, type Check } from '../core/checks/index.js';
import type { SignatureResult } from '../signatures/result.js';
import { addDec, cmpDec, formatDec, roundDec, truncDec, type Dec } from '../core/formats/okx-decimal.js';
import type { OkxReserveFile, OkxReserveRow, OkxSummaryLine } from '../core/formats/okx-csv.js';
import { okxNetworkFamily, okxStakingKind, type Family } from '../core/formats/okx-networks.js';
import { FORMAT, VERSION, type CoinTotals, type OkxAuditResult, type OkxRowVerdict, type Standing } from '../core/documents/okx-audit.js';

export { FORMAT as OKX_AUDIT_FORMAT, VERSION as OKX_AUDIT_VERSION } from '../core/documents/okx-audit.js';
export type { BalanceCheck, CoinTotals, ContractLink, OkxAuditResult, OkxRowVerdict, Ownership, Standing } from '../core/documents/okx-audit.js';
export type { Family };

/** Networks por does not verify, with the scheme OKX uses there (so the report can name it). */
const OTHER_SCHEMES: [RegExp, string][] = [
  [/^(TON|USDT-TON|TONCOIN-NEW|SOL|USDT-SPL|USDC-SPL|APTOS|APT|APTOS-FA|USDT-APTOS|SUI|USDC-SUI|DOT|ASSET-HUB|ADA|XLM|PI|STELLAR|NEAR|HBAR)$/, 'Ed25519 over "OKX Signed Message:\\n" (address from public key)'],
  [/^(STARKNET|STARKNET-ETH)$/, 'Stark curve signature'],
  [/^(VAULTA|EOS)$/, 'EOS K1 signature'],
  [/^(FIL|CFX|ELF|LUNC|XRP)$/, 'OKX ECDSA with a chain-specific address'],
  [/^(BETH)$/, 'BLS signature'],
  [/^(USDT-ALGO|ALGO)$/, 'Algorand Ed25519'],
];

export function familyOf(network: string): Family {
  return okxNetworkFamily(network) ?? (networkForCoin(network.toUpperCase()) ? 'bitcoin' : 'other');
}

function verdictFrom(row: OkxReserveRow, family: Family, r: SignatureResult): OkxRowVerdict {
  const v: OkxRowVerdict = {
    line: row.line,
    coin: row.coin,
    network: row.network,
    address: row.address,
    family,
    ownership: r.ok ? 'valid' : 'invalid',
    scheme: r.scheme,
    reason: r.reason,
  };
  if (row.type !== undefined) v.type = row.type;
  if (row.amountText !== undefined) v.amount = row.amountText;
  if (row.baseUnits !== undefined) v.baseUnits = row.baseUnits;
  if (row.height !== undefined) v.height = row.height.toString();
  return v;
}

/** A staking row: the address is a 48-byte BLS validator key, which signs nothing here; OKX
 *  proves it through EOA1's signature (EOA2 too for native staking; for Eigenlayer EOA2 is the
 *  EigenPod contract, which cannot sign, so OKX's tool skips it and so does por). */
function stakingRow(row: OkxReserveRow, kind: 'native' | 'eigenlayer'): OkxRowVerdict {
  const scheme = 'okx-eip191-keccak32 (staking, via EOA)';
  if (!/^(0x)?[0-9a-fA-F]{96}$/.test(row.address)) return { ...verdictFrom(row, 'evm', { ok: false, scheme, reason: `a ${row.type} row's address must be a 48-byte validator key (96 hex digits)` }), staking: kind };
  if (row.eoa1 === '' || row.sig1 === '') return { ...verdictFrom(row, 'evm', { ok: false, scheme, reason: `a ${row.type} row is proven only through EOA1 and its signature1; ${row.eoa1 === '' ? 'EOA1' : 'signature1'} is empty` }), staking: kind };
  const pairs: [string, string, number][] = [[row.eoa1, row.sig1, 1]];
  if (kind === 'native' && row.eoa2 !== '') pairs.push([row.eoa2, row.sig2, 2]);
  const results = pairs.map(([eoa, sig, k]) => ({ k, r: sig === '' ? { ok: false, reason: `no signature${k}` } : verifyEvmOwnership(eoa, row.message, sig) }));
  const parts = results.map(({ k, r }) => `eoa${k}: ${r.reason}`);
  if (kind === 'eigenlayer' && row.eoa2 !== '') parts.push(`EOA2 ${row.eoa2} (the EigenPod contract) is not signature-checked, as in OKX's tool`);
  const v = verdictFrom(row, 'evm', { ok: results.every(({ r }) => r.ok), scheme, reason: parts.join('; ') });
  v.staking = kind;
  v.contractLink = { status: 'unchecked', detail: `that validator ${row.address.slice(0, 12)}…'s withdrawal credentials point to ${kind === 'eigenlayer' ? 'the EigenPod of ' : ''}these EOAs is not checked (it needs a beacon-chain node); the staked amount is the file's word` };
  return v;
}

function evmRow(row: OkxReserveRow): OkxRowVerdict {
  const kind = okxStakingKind(row.type);
  if (kind) return stakingRow(row, kind);
  if (/staking/i.test(row.type ?? '') && !/^non[\s-]*staking$/i.test((row.type ?? '').trim())) {
    return { ...verdictFrom(row, 'evm', { ok: false, scheme: `OKX ${row.type}`, reason: `Type "${row.type}": por does not know how OKX proves this kind of stake; not counted as verified` }), ownership: 'unsupported' };
  }
  if (row.eoa1 === '' && row.eoa2 === '') {
    if (row.sig1 === '') return verdictFrom(row, 'evm', { ok: false, scheme: 'okx-eip191-keccak32', reason: 'no signature' });
    return verdictFrom(row, 'evm', verifyEvmOwnership(row.address, row.message, row.sig1));
  }
  // Contract wallet: signature 1 by eoa1, signature 2 by eoa2 (OKX's layout).
  const parts: string[] = [];
  let ok = true;
  let scheme = 'okx-eip191-keccak32';
  for (const [eoa, sig, k] of [[row.eoa1, row.sig1, 1], [row.eoa2, row.sig2, 2]] as const) {
    if (eoa === '') continue;
    if (sig === '') {
      ok = false;
      parts.push(`eoa${k} ${eoa}: no signature${k}`);
      continue;
    }
    const r = verifyEvmOwnership(eoa, row.message, sig);
    scheme = r.scheme;
    ok &&= r.ok;
    parts.push(`eoa${k}: ${r.reason}`);
  }
  const v = verdictFrom(row, 'evm', { ok, scheme: `${scheme} (contract wallet)`, reason: parts.join('; ') });
  v.contractLink = { status: 'unchecked', detail: 'that these EOAs control the contract is not checked offline; give --rpc for this chain to read its owners (Safe getOwners) at the snapshot height' };
  return v;
}

function bitcoinRow(row: OkxReserveRow): OkxRowVerdict {
  const net = networkForCoin(row.network) ?? networkForCoin(row.coin);
  if (!net) return verdictFrom(row, 'bitcoin', { ok: false, scheme: 'unknown', reason: `no Bitcoin-family network for ${row.network}` });
  const script = row.script.replace(/^0x/i, '');
  // A redeem script (multisig) or, in the same column, a lone public key (single-key rows).
  if (script !== '' && !/^(02|03)[0-9a-fA-F]{64}$|^04[0-9a-fA-F]{128}$/.test(script)) {
    return verdictFrom(row, 'bitcoin', verifyMultisigMessage({ address: row.address, redeemScriptHex: script, message: row.message, signatures: [row.sig1, row.sig2], network: net }));
  }
  if (row.sig1 === '') return verdictFrom(row, 'bitcoin', { ok: false, scheme: 'bip137', reason: 'no signature' });
  const r = verifyBitcoinMessage(row.address, row.message, row.sig1, net);
  if (!r.ok && r.scheme === 'bip137' && decodeAddress(row.address, net)?.type === 'p2wsh') {
    return verdictFrom(row, 'bitcoin', { ...r, reason: `${r.reason}; a P2WSH address is a script: give its redeem script to check a multisig` });
  }
  return verdictFrom(row, 'bitcoin', r);
}

/** Checks every row's ownership signature offline; `onProgress` gets the rows done so far. */
export function auditOkxSignatures(file: OkxReserveFile, onProgress?: (done: number, total: number) => void): OkxRowVerdict[] {
  return file.rows.map((row, i) => {
    onProgress?.(i, file.rows.length);
    const family = familyOf(row.network);
    switch (family) {
      case 'evm':
        return evmRow(row);
      case 'okx-ecdsa': {
        const r = verifyOkxEcdsa(row.address, row.message, row.sig1);
        return verdictFrom(row, family, r.ok ? r : (() => {
          const e = verifyEvmOwnership(row.address, row.message, row.sig1);
          return e.ok ? e : r;
        })());
      }
      case 'bitcoin':
        return bitcoinRow(row);
      case 'tron':
        return verdictFrom(row, family, row.sig1 === '' ? { ok: false, scheme: 'tron-keccak32', reason: 'no signature' } : verifyTronMessage(row.address, row.message, row.sig1));
      case 'other': {
        const named = OTHER_SCHEMES.find(([re]) => re.test(row.network.toUpperCase()))?.[1] ?? 'a scheme por does not know';
        const v = verdictFrom(row, family, { ok: false, scheme: named, reason: `${row.network}: por does not verify this scheme; not counted as verified` });
        v.ownership = 'unsupported';
        return v;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------

const ZERO: Dec = { units: 0n, scale: 0 };

/** A row only counts as valid when its contract link, where checked, holds too: a link found not to
 *  hold makes it invalid; a link the node could not read leaves it unread (neither proven nor failed). */
export function effectiveOwnership(r: OkxRowVerdict): Standing {
  if (r.ownership !== 'valid' || !r.contractLink) return r.ownership;
  if (r.contractLink.status === 'not-owners') return 'invalid';
  if (r.contractLink.status === 'unread') return 'unread';
  return r.ownership;
}

/** "line 7 (ETH 0xAb…)": where a row is, as a check's subject and in the headline. */
export function rowSubject(r: OkxRowVerdict): string {
  return `line ${r.line} (${r.network} ${r.address})`;
}

function messageBindsSnapshot(message: string, height?: string): boolean {
  if (height === undefined) return false;
  return new RegExp(`(^|\\D)${height}(\\D|$)`).test(message);
}

interface Tally {
  rows: number;
  amount: Dec;
  valid: Dec;
  invalid: Dec;
  unsupported: Dec;
  unread: Dec;
  unchecked: Dec;
  heights: Set<string>;
}

/** Per coin: the rows' amounts, split by the ownership their proofs reached. */
function tallyCoins(file: OkxReserveFile, rows: OkxRowVerdict[]): Map<string, Tally> {
  const byCoin = new Map<string, Tally>();
  file.rows.forEach((row, i) => {
    const v = rows[i] as OkxRowVerdict;
    const t = byCoin.get(row.coin) ?? { rows: 0, amount: ZERO, valid: ZERO, invalid: ZERO, unsupported: ZERO, unread: ZERO, unchecked: ZERO, heights: new Set<string>() };
    byCoin.set(row.coin, t);
    t.rows++;
    if (row.height !== undefined) t.heights.add(row.height.toString());
    const amt = row.amount ?? ZERO;
    t.amount = addDec(t.amount, amt);
    const own = effectiveOwnership(v);
    t[own] = addDec(t[own], amt);
    if (own === 'valid' && v.contractLink?.status === 'unchecked') t.unchecked = addDec(t.unchecked, amt);
  });
  return byCoin;
}

function coinTotals(byCoin: Map<string, Tally>, hasAmounts: boolean): CoinTotals[] {
  const text = (d: Dec) => (hasAmounts ? formatDec(d) : '');
  return [...byCoin].map(([coin, t]) => ({
    coin,
    rows: t.rows,
    amount: text(t.amount),
    valid: text(t.valid),
    invalid: text(t.invalid),
    unsupported: text(t.unsupported),
    unread: text(t.unread),
    validLinkUnchecked: text(t.unchecked),
  }));
}

/** A file-level check (the subject is the file), its fields in the document's order. */
function fileCheck(file: string, name: string, ok: boolean, detail: string): AuditCheck {
  return { name, status: ok ? 'pass' : 'fail', subject: file, detail };
}

function ownershipCheck(file: string, rows: OkxRowVerdict[]): { counts: OkxAuditResult['counts']; check: AuditCheck } {
  const counts = { rows: rows.length, valid: 0, invalid: 0, unsupported: 0, unread: 0 };
  for (const r of rows) counts[effectiveOwnership(r)]++;
  const bad = rows.filter((r) => effectiveOwnership(r) === 'invalid');
  const unread = counts.unread ? `; ${counts.unread} contract link(s) could not be read (not counted as proven)` : '';
  const detail = bad.length === 0
    ? `${counts.valid} of ${counts.rows} rows proven; ${counts.unsupported} in schemes por does not verify${unread}`
    : `${bad.length} row(s) fail: ${bad.map((r) => `line ${r.line} (${r.network} ${r.address})`).join(', ')}`;
  return { counts, check: fileCheck(file, 'ownership', bad.length === 0, detail) };
}

/** With --rpc: the balances re-read on-chain against the file (absent when none was read). A
 *  balance the node could not give is not here: it is its own `unread` check (rowsUnread). */
function balancesCheck(file: string, rows: OkxRowVerdict[]): AuditCheck | undefined {
  const read = rows.filter((r) => r.balance?.status === 'matches' || r.balance?.status === 'differs');
  if (read.length === 0) return undefined;
  const differs = read.filter((r) => r.balance?.status === 'differs');
  return fileCheck(file, 'balances', differs.length === 0, differs.length === 0
    ? `${read.length} balance(s) re-read at their snapshot height match the file`
    : differs.map((r) => `line ${r.line}: ${r.balance?.detail}`).join('; '));
}

/** Each balance and contract link the node could not give: COULD NOT READ, blocking the verdict. */
function rowsUnread(rows: OkxRowVerdict[]): AuditCheck[] {
  const out: AuditCheck[] = [];
  for (const r of rows) {
    if (r.contractLink?.status === 'unread' && r.ownership === 'valid') out.push({ name: 'contract-link', status: 'unread', subject: rowSubject(r), detail: `owners not read from your node (the row is neither proven nor failed): ${r.contractLink.detail}` });
    if (r.balance?.status === 'unread') out.push({ name: 'balance', status: 'unread', subject: rowSubject(r), detail: `not read from your node (neither confirmed nor contradicted): ${r.balance.detail}` });
  }
  return out;
}

/** An (ALL) line totals the summary's own lines of that asset, cut to fewer decimals. */
function summaryTotalCheck(s: OkxSummaryLine, asset: string, plain: OkxSummaryLine[]): Check {
  const parts = plain.filter((p) => p.coin.toUpperCase() === asset || p.coin.toUpperCase().startsWith(`${asset}-`));
  const sum = parts.reduce((acc, p) => addDec(acc, p.amount), ZERO);
  const ok = cmpDec(truncDec(sum, s.amount.scale), s.amount) === 0;
  return { name: 'summary-total', ok, detail: `line ${s.line}: ${s.coin} ${s.amountText}; its ${parts.length} lines (${parts.map((p) => p.coin).join(', ')}) add up to ${formatDec(sum)}${ok ? `, ${s.amountText} when cut to ${s.amount.scale} decimals` : ''}` };
}

/** A coin's summary line against its rows: the rows' sum, rounded or cut to the summary's decimals. */
function summaryRowsChecks(s: OkxSummaryLine, t: Tally | undefined): Check[] {
  if (!t) {
    const zero = s.amount.units === 0n;
    return [{ name: 'summary-rows', ok: zero, detail: zero ? `line ${s.line}: the summary claims 0 ${s.coin} and no row has that coin` : `line ${s.line}: the summary claims ${s.amountText} ${s.coin}, but no address row has coin ${s.coin}` }];
  }
  const rounded = cmpDec(roundDec(t.amount, s.amount.scale), s.amount) === 0;
  const cut = cmpDec(truncDec(t.amount, s.amount.scale), s.amount) === 0;
  const how = rounded ? `, ${s.amountText} when rounded to ${s.amount.scale} decimals` : cut ? `, ${s.amountText} when cut to ${s.amount.scale} decimals` : '';
  const out: Check[] = [{ name: 'summary-rows', ok: rounded || cut, detail: `line ${s.line}: the summary says ${s.amountText} ${s.coin}; its ${t.rows} row(s) add up to ${formatDec(t.amount)}${how}` }];
  if (s.height !== undefined && t.heights.size > 0) {
    const hs = [...t.heights];
    const ok = hs.length === 1 && hs[0] === s.height.toString();
    out.push({ name: 'summary-height', ok, detail: `line ${s.line}: ${s.coin} summary at height ${s.height}, rows at ${hs.join(', ')}` });
  }
  return out;
}

/** The summary block against the rows; warnings when there is none, or it leaves coins out. */
function summaryChecks(file: OkxReserveFile, byCoin: Map<string, Tally>, warnings: string[]): Check[] {
  const hasAmounts = file.rows.some((r) => r.amount !== undefined);
  if (file.summary.length === 0) {
    warnings.push(hasAmounts
      ? 'no summary block: the per-coin totals above are the rows\' own sums, with nothing published to compare them with'
      : 'this layout carries no amounts and no snapshot heights: it shows (at most) control of addresses, not how much they held, nor when');
    return [];
  }
  const plain = file.summary.filter((s) => !/\(ALL\)$/i.test(s.coin));
  const checks = file.summary.flatMap((s) => {
    const all = /^(.*)\(ALL\)$/i.exec(s.coin);
    return all ? [summaryTotalCheck(s, (all[1] as string).toUpperCase(), plain)] : summaryRowsChecks(s, byCoin.get(s.coin));
  });
  const inSummary = new Set(plain.map((s) => s.coin));
  const extra = [...byCoin.keys()].filter((c) => !inSummary.has(c));
  if (extra.length) warnings.push(`coins with address rows but no summary line: ${extra.join(', ')}`);
  return checks;
}

/** Replay: a message that does not name the snapshot can be reused in any later report. */
function replayWarning(file: OkxReserveFile, rows: OkxRowVerdict[]): string | undefined {
  const unbound = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.ownership === 'unsupported') return;
    const row = file.rows[i] as OkxReserveRow;
    if (!messageBindsSnapshot(row.message, r.height)) unbound.set(row.message, (unbound.get(row.message) ?? 0) + 1);
  });
  if (unbound.size === 0) return undefined;
  return `signed messages do not name a snapshot (${[...unbound].map(([m, n]) => `"${m}" on ${n} row(s)`).join(', ')}): a signature made once can be replayed into any later report, so it shows the key existed, not that it was controlled at this snapshot`;
}

/** What the layout itself cannot show, and rows por could not check. */
function layoutWarnings(file: OkxReserveFile, rows: OkxRowVerdict[], counts: OkxAuditResult['counts']): string[] {
  const out: string[] = [];
  if (file.layout === 'okx-2022-original') {
    out.push('original 2022 layout: amounts are integers in base units, read as whole coins with the decimals OKX\'s validator gives each coin name; rows carry no network (taken from the coin name) and no snapshot height (the summary\'s heights are its own claim, not tied to any row)');
  }
  const linkUnchecked = rows.filter((r) => r.contractLink?.status === 'unchecked' && !r.staking).length;
  if (linkUnchecked) out.push(`${linkUnchecked} contract-wallet row(s): the EOA signatures are checked, the EOAs' control of the contract is not (give --rpc for the chain)`);
  const staking = rows.filter((r) => r.staking).length;
  if (staking) out.push(`${staking} staking row(s): the address is a validator key, which signs nothing; only the EOA signatures are checked, not that the validator's withdrawal credentials point to them, nor the stake itself (neither can be read without a beacon-chain node)`);
  if (counts.unsupported) out.push(`${counts.unsupported} row(s) use schemes por does not verify; they are counted as unsupported, never as verified`);
  const notRead = rows.filter((r) => r.balance?.status === 'not-read' && !r.staking);
  if (notRead.length) out.push(`${notRead.length} row(s)' balances not re-read, by their kind: ${notRead.map((r) => `line ${r.line}: ${r.balance?.detail}`).join('; ')}`);
  return out;
}

/** With every caveat as a `warn`, and an `unread` when no row was in a scheme por verifies: the
 *  list the verdict, the summary, the text and the page are made from. */
export function okxAllChecks(r: Pick<OkxAuditResult, 'file' | 'checks' | 'warnings'>): AuditCheck[] {
  return [...r.checks, ...r.warnings.map((w): AuditCheck => ({ name: 'caveat', status: 'warn', subject: r.file, detail: w }))];
}

/** Nothing could be checked: every row is in a scheme por does not verify. */
function nothingChecked(file: string, counts: OkxAuditResult['counts']): AuditCheck[] {
  if (counts.valid + counts.invalid + counts.unread > 0) return [];
  return [{ name: 'ownership', status: 'unread', subject: file, detail: 'every row uses a scheme por does not verify: nothing could be checked' }];
}

/** `rpc`: whether any --rpc was given (without it, the balances are the file's word: a caveat). */
export function summarizeOkxAudit(fileName: string, file: OkxReserveFile, rows: OkxRowVerdict[], opts: { rpc?: boolean } = {}): OkxAuditResult {
  const warnings: string[] = [];
  if (!opts.rpc) warnings.push('balances NOT re-read (no --rpc): the amounts are the file\'s own claim; give --rpc CHAIN=URL of your own node to re-read them');
  const byCoin = tallyCoins(file, rows);
  const { counts, check } = ownershipCheck(fileName, rows);
  const checks: AuditCheck[] = [check];
  const balances = balancesCheck(fileName, rows);
  if (balances) checks.push(balances);
  checks.push(...summaryChecks(file, byCoin, warnings).map((c) => fileCheck(fileName, c.name, c.ok, c.detail)));
  checks.push(...rowsUnread(rows), ...nothingChecked(fileName, counts));
  const replay = replayWarning(file, rows);
  if (replay) warnings.push(replay);
  warnings.push(...layoutWarnings(file, rows, counts));
  const t = tally(okxAllChecks({ file: fileName, checks, warnings }));
  return {
    format: FORMAT,
    version: VERSION,
    file: fileName,
    layout: file.layout,
    verdict: t.verdict,
    summary: t.summary,
    counts,
    rows,
    coins: coinTotals(byCoin, file.rows.some((r) => r.amount !== undefined)),
    checks,
    warnings,
  };
}

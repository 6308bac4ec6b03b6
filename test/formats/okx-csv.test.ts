import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseOkxReserveCsv } from '../../src/core/formats/okx-csv.js';
import { auditOkxSignatures, summarizeOkxAudit, effectiveOwnership } from '../../src/formats/okx-audit.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const okxDir = path.resolve(repoRoot, 'test/fixtures/okx/upstream');
const fixtures = path.join(repoRoot, 'test/fixtures/okx');
const read = (p: string) => readFileSync(p, 'utf8');
const audit = (text: string, name = 'f.csv') => {
  const file = parseOkxReserveCsv(text, name);
  return { file, res: summarizeOkxAudit(name, file, auditOkxSignatures(file)) };
};
const catchErr = (f: () => unknown): any => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('OKX reserve CSV, real files', () => {
  it('the 2022 file: summary block and 11-column rows, read by header', () => {
    const { file, res } = audit(read(path.join(okxDir, 'okx_por_example.csv')));
    expect(file.layout).toBe('okx-2022');
    expect(file.summary.map((s) => s.coin)).toEqual(['ETH(ALL)', 'USDT(ALL)', 'USDT-TRC20', 'ETH', 'USDT-POLY', 'USDT-AVAXC', 'ETH-ARBITRUM', 'ETH-OPTIMISM', 'USDT-ERC20', 'USDT-ARBITRUM', 'USDT-OPTIMISM', 'BTC']);
    expect(file.rows.map((r) => r.line)).toEqual([16, 17, 18, 19, 20]);
    // OKX's own rules: both single ETH rows and both EOAs of the contract row verify.
    expect(res.rows.map((r) => [r.network, r.ownership])).toEqual([
      ['ETH', 'valid'], ['ETH', 'valid'], ['ETH', 'valid'], ['TON', 'unsupported'], ['APTOS', 'unsupported'],
    ]);
    expect(res.rows[2]!.contractLink?.status).toBe('unchecked');
    // ETH rows: 0.058959708849230328 + 0.148960774325814037 × 2 = 0.356881257500858402
    expect(res.coins.find((c) => c.coin === 'ETH')).toMatchObject({ rows: 3, amount: '0.356881257500858402', valid: '0.356881257500858402', validLinkUnchecked: '0.148960774325814037' });
    expect(res.coins.find((c) => c.coin === 'APTOS')).toMatchObject({ unsupported: '1.5', valid: '0' });
    // The example's summary does not describe its rows: ETH 5.2834 at height 16005122 vs rows at 20914735.
    const failed = res.checks.filter((c) => c.status === 'fail');
    expect(failed.some((c) => c.name === 'summary-rows' && /5\.2834 ETH/.test(c.detail))).toBe(true);
    expect(failed.some((c) => c.name === 'summary-height')).toBe(true);
    // The (ALL) lines: ETH 5.2834 + 0.2214 + 1.3971 = 6.9019 → "6"; USDT 5436.9044 + 132.5138 = 5569.4182 → "5569"
    expect(res.checks.filter((c) => c.name === 'summary-total').every((c) => c.status === 'pass')).toBe(true);
    expect(res.verdict).toBe('fail');
    expect(res.warnings.join('\n')).toMatch(/"I am an OKX address" on 3 row\(s\).*replayed/);
  });

  it('the 2025 file: BTC and DOGE multisig, the ETH, OKC and TRON rows verify; the rest is unsupported', () => {
    const { file, res } = audit(read(path.join(okxDir, 'okx_por_signatures_2025.csv')));
    expect(file.layout).toBe('okx-2025');
    expect(Object.fromEntries(res.rows.map((r) => [r.network, r.ownership]))).toEqual({
      ETH: 'valid', STARKNET: 'unsupported', BTC: 'valid', DOT: 'unsupported', ADA: 'unsupported', DOGE: 'valid', OKC: 'valid', TRON: 'valid', Vaulta: 'unsupported',
    });
    expect(res.rows.find((r) => r.network === 'BTC')!.reason).toMatch(/P2WSH 2-of-3/);
    expect(res.rows.find((r) => r.network === 'DOGE')!.reason).toMatch(/P2SH 2-of-3/);
    expect(res.rows.find((r) => r.network === 'TRON')!.scheme).toBe('tron-tip191');
    expect(res.verdict).toBe('warn');
    expect(res.warnings.join('\n')).toMatch(/no amounts/);
  });
});

describe('OKX reserve CSV, the original 2022 layout (7 columns, base units)', () => {
  const original = () => read(path.join(okxDir, 'okx_por_example_2022_original.csv'));
  /** A second, simpler computation: per coin, the integer column summed as bigint. */
  const baseSums = (text: string) => {
    const sums = new Map<string, bigint>();
    for (const l of text.split('\n').slice(15)) {
      const c = l.split(',');
      if (c.length < 3 || c[0] === '') continue;
      sums.set(c[0]!, (sums.get(c[0]!) ?? 0n) + BigInt(c[2]!));
    }
    return sums;
  };
  it('the real file: amounts read in base units, every summary line holds, every signature verifies', () => {
    const text = original();
    const { file, res } = audit(text);
    expect(file.layout).toBe('okx-2022-original');
    expect(file.rows).toHaveLength(33);
    // By hand from the integer column (coin decimals: BTC 8, ETH* 18, USDT* 6), rounded half-up
    // to the summary's 4 decimals: BTC 449.51400581 → 449.5140; USDT-TRC20 5436.904358 → 5436.9044
    // (cut would give 5436.9043, so the summary is rounded).
    const sums = baseSums(text);
    expect(sums.get('BTC')).toBe(44951400581n);
    expect(sums.get('USDT-TRC20')).toBe(5436904358n);
    expect(sums.get('USDT-OPTIMISM')).toBe(132513768n);
    expect(sums.get('ETH')).toBe(5283448258302172760n);
    expect(sums.get('ETH-ARBITRUM')).toBe(221400000000000000n);
    expect(sums.get('ETH-OPTIMISM')).toBe(1397127149911950208n);
    expect(res.coins.find((c) => c.coin === 'BTC')).toMatchObject({ rows: 9, amount: '449.51400581', valid: '449.51400581' });
    expect(res.coins.find((c) => c.coin === 'ETH')).toMatchObject({ rows: 6, amount: '5.28344825830217276' });
    expect(res.rows.find((r) => r.coin === 'USDT-TRC20')).toMatchObject({ baseUnits: '111000000', amount: '111', family: 'tron' });
    expect(res.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(res.checks.filter((c) => c.name === 'summary-rows')).toHaveLength(10);
    expect(res.counts).toEqual({ rows: 33, valid: 33, invalid: 0, unsupported: 0, unread: 0 });
    expect(res.warnings.join('\n')).toMatch(/base units/);
  });
  it('a tampered amount (one BTC row + 1 BTC) fails its summary line; a swapped signature fails ownership', () => {
    const more = original().replace(',17263933,', ',117263933,');
    const { res } = audit(more);
    expect(res.checks.filter((c) => c.status === 'fail').map((c) => [c.name, c.detail.slice(0, 9)])).toEqual([['summary-rows', 'line 13: ']]);
    const lines = original().split('\n');
    const sig = (l: string) => l.split(',')[4]!;
    lines[15] = lines[15]!.replace(sig(lines[15]!), sig(lines[16]!)); // TRC20 row gets the next row's signature
    const { res: r2 } = audit(lines.join('\n'));
    expect(r2.rows[0]!.ownership).toBe('invalid');
    expect(r2.verdict).toBe('fail');
  });
  it('refused, located: a decimal amount, a coin whose base unit por does not know', () => {
    const lines = original().split('\n');
    const dec = [...lines];
    dec[15] = dec[15]!.replace(',111000000,', ',111.5,');
    expect(catchErr(() => parseOkxReserveCsv(dec.join('\n'), 'o.csv'))).toMatchObject({ code: 'BAD_INPUT', info: { file: 'o.csv', line: 16, column: 47, field: 'amount' } });
    const coin = [...lines];
    coin[15] = coin[15]!.replace('USDT-TRC20,', 'NEWCOIN,');
    expect(catchErr(() => parseOkxReserveCsv(coin.join('\n'), 'o.csv'))).toMatchObject({ info: { line: 16, field: 'coin' }, message: expect.stringMatching(/NEWCOIN.*base unit/) });
  });
});

describe('OKX reserve CSV, the 12-column staking layout (Type)', () => {
  const staking = () => read(path.join(okxDir, 'okx_por_staking_example.csv'));
  it('the real file: staking rows proven through their EOAs, their validator link stated as unchecked', () => {
    const { file, res } = audit(staking());
    expect(file.layout).toBe('okx-2022-typed');
    expect(res.rows.map((r) => [r.type, r.staking, r.ownership])).toEqual([
      ['Non Staking', undefined, 'valid'], ['Native ETH Staking', 'native', 'valid'], ['Eigenlayer Staking', 'eigenlayer', 'valid'],
    ]);
    expect(res.rows[2]!.reason).toMatch(/EigenPod contract\) is not signature-checked/);
    expect(res.rows[1]!.contractLink).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/withdrawal credentials/) });
    // 0.058959708849230328 + 32 + 32, by hand; 64 of it rests on an unchecked validator link.
    expect(res.coins[0]).toMatchObject({ amount: '64.058959708849230328', valid: '64.058959708849230328', validLinkUnchecked: '64' });
    expect(res.verdict).toBe('warn');
    expect(res.warnings.join('\n')).toMatch(/2 staking row\(s\).*beacon-chain/);
  });
  it('tampered: a staking row signed by another key, one without EOA1, or an EVM address as validator key, is invalid', () => {
    const lines = staking().split('\n');
    const swap = [...lines];
    swap[5] = swap[5]!.replace(',0x0cdcdb19a857c2ac24818ca4fdfe38cce071483e,', ',0x16f01cfc16b0b8c3400fb8e5099b0974fcc9fc12,');
    expect(audit(swap.join('\n')).res.rows[1]!.ownership).toBe('invalid');
    const noEoa = [...lines];
    noEoa[5] = noEoa[5]!.replace(',0x0cdcdb19a857c2ac24818ca4fdfe38cce071483e,', ',,');
    expect(audit(noEoa.join('\n')).res.rows[1]).toMatchObject({ ownership: 'invalid', reason: expect.stringMatching(/EOA1 is empty/) });
    const evmAddr = [...lines];
    evmAddr[5] = evmAddr[5]!.replace(/0x(ab)+,/, '0x0cdcdb19a857c2ac24818ca4fdfe38cce071483e,');
    expect(audit(evmAddr.join('\n')).res.rows[1]).toMatchObject({ ownership: 'invalid', reason: expect.stringMatching(/48-byte validator key/) });
    expect(audit(evmAddr.join('\n')).res.verdict).toBe('fail');
  });
  it('an unknown staking Type is unsupported, never valid', () => {
    const text = staking().replace('Native ETH Staking', 'Liquid Staking');
    expect(audit(text).res.rows[1]).toMatchObject({ ownership: 'unsupported' });
  });
});

describe('OKX reserve CSV, generated vectors', () => {
  it('the 12-column layout with Type after coin: each row gets its expected verdict', () => {
    const expected: { line: number; ownership: string }[] = JSON.parse(read(path.join(fixtures, 'typed-12col.expected.json')));
    const { file, res } = audit(read(path.join(fixtures, 'typed-12col.csv')));
    expect(file.layout).toBe('okx-2022-typed');
    expect(file.rows[3]!.type).toBe('contract');
    expect(res.rows.map((r) => ({ line: r.line, ownership: r.ownership }))).toEqual(expected);
    const reason = (line: number) => res.rows.find((r) => r.line === line)!.reason;
    expect(reason(4)).toMatch(/not 0x/); // a signature swapped in from another row
    expect(reason(7)).toMatch(/same key/); // one key twice for a 2-of-3
    expect(reason(8)).toMatch(/does not hash to/);
    expect(reason(12)).toMatch(/65 bytes/); // truncated
    expect(res.rows.find((r) => r.line === 3)!.scheme).toBe('eip191'); // plain EIP-191 named as such
    expect(res.rows.find((r) => r.line === 2)!.scheme).toBe('okx-eip191-keccak32');
    expect(res.warnings.join('\n')).not.toMatch(/do not name a snapshot/); // messages carry the height
    expect(res.verdict).toBe('fail');
    // Per coin, by hand: ETH valid 1.5 + 0.25 + 10 (contract, link unchecked), invalid 2.
    expect(res.coins.find((c) => c.coin === 'ETH')).toMatchObject({ amount: '13.75', valid: '11.75', invalid: '2', validLinkUnchecked: '10' });
    // BTC valid 3.00000001 + 0.5, invalid 1 + 1 + 1
    expect(res.coins.find((c) => c.coin === 'BTC')).toMatchObject({ valid: '3.50000001', invalid: '3', unsupported: '0' });
  });

  it('an all-valid file whose summary agrees passes every check', () => {
    const { res } = audit(read(path.join(fixtures, 'valid-2022.csv')));
    expect(res.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(res.counts).toEqual({ rows: 4, valid: 4, invalid: 0, unsupported: 0, unread: 0 });
  });

  it('a summary that overstates a coin fails, naming its line', () => {
    const text = read(path.join(fixtures, 'valid-2022.csv')).replace('ETH,100,1.75', 'ETH,100,1.76');
    const { res } = audit(text);
    expect(res.checks.filter((c) => c.status === 'fail').map((c) => [c.name, c.detail.slice(0, 8)])).toEqual([['summary-rows', 'line 4: ']]);
  });

  it('a contract link found not to hold turns the row invalid', () => {
    const { res } = audit(read(path.join(fixtures, 'typed-12col.csv')));
    const row = res.rows.find((r) => r.line === 5)!;
    row.contractLink = { status: 'not-owners', detail: 'x' };
    expect(effectiveOwnership(row)).toBe('invalid');
  });

  it('a contract link the node could not read is unread: not valid, not invalid; its amount in coins[].unread', () => {
    const file = parseOkxReserveCsv(read(path.join(fixtures, 'typed-12col.csv')), 'f.csv');
    const rows = auditOkxSignatures(file);
    rows.find((r) => r.line === 5)!.contractLink = { status: 'unread', detail: 'getOwners() at block 100 failed: header not found' };
    const res = summarizeOkxAudit('f.csv', file, rows, { rpc: true });
    expect(effectiveOwnership(rows.find((r) => r.line === 5)!)).toBe('unread');
    // By hand: ETH valid 1.5 + 0.25 (the 10 on line 5 moves from valid to unread), invalid 2.
    expect(res.coins.find((c) => c.coin === 'ETH')).toMatchObject({ amount: '13.75', valid: '1.75', invalid: '2', unread: '10', validLinkUnchecked: '0' });
    expect(res.counts.unread).toBe(1);
    expect(res.checks.filter((c) => c.status === 'unread')).toEqual([
      { name: 'contract-link', status: 'unread', subject: 'line 5 (ETH 0x5afe5afe5afe5afe5afe5afe5afe5afe5afe5afe)', detail: expect.stringMatching(/header not found/) },
    ]);
    expect(res.checks.find((c) => c.name === 'ownership')!.detail).not.toMatch(/line 5/); // not among the failures
    expect(res.verdict).toBe('fail'); // the file's other rows truly fail
  });

  it('a balance the node could not read blocks the verdict (unread), where every other check holds', () => {
    const file = parseOkxReserveCsv(read(path.join(fixtures, 'valid-2022.csv')), 'f.csv');
    const rows = auditOkxSignatures(file);
    rows[0]!.balance = { status: 'matches', onchain: '1.5', detail: 'as in the file' };
    rows[1]!.balance = { status: 'unread', detail: 'eth_getBalance at block 100 failed: missing trie node' };
    const res = summarizeOkxAudit('f.csv', file, rows, { rpc: true });
    expect(res.checks.find((c) => c.name === 'balances')).toMatchObject({ status: 'pass', detail: '1 balance(s) re-read at their snapshot height match the file' });
    expect(res.checks.filter((c) => c.status !== 'pass').map((c) => [c.name, c.status, c.subject])).toEqual([['balance', 'unread', 'line 9 (ETH 0x1Eca5c1721f9108405b90Af7639f3642B0Ddf0a1)']]);
    expect(res.verdict).toBe('unread');
  });
});

describe('OKX reserve CSV, unreadable input names line and column', () => {
  const head = 'coin,Network,Snapshot Height,address,amount,message,signature1,signature2,redeem script/ public key, eoa1, eoa2';
  it('a bad amount', () => {
    const e = catchErr(() => parseOkxReserveCsv(`${head}\nETH,ETH,1,0xabc,1.5e3,m,0x00\n`, 'r.csv'));
    expect(e).toMatchObject({ code: 'BAD_INPUT', info: { file: 'r.csv', line: 2, column: 17, field: 'amount' } });
    expect(e.describe()).toMatch(/^r\.csv:2:17/);
  });
  it('a bad height, too many fields, an open quote, an empty address', () => {
    expect(catchErr(() => parseOkxReserveCsv(`${head}\nETH,ETH,12x,0xabc,1,m,0x00\n`))).toMatchObject({ info: { line: 2, column: 9 } });
    expect(catchErr(() => parseOkxReserveCsv(`${head}\nETH,ETH,1,0xabc,1,m,0x00,,,,,extra\n`))).toMatchObject({ info: { line: 2, column: 30 } });
    expect(catchErr(() => parseOkxReserveCsv(`${head}\nETH,ETH,1,"0xabc,1,m\n`))).toMatchObject({ info: { line: 2, column: 11 } });
    expect(catchErr(() => parseOkxReserveCsv(`${head}\nETH,ETH,1,,1,m,0x00\n`))).toMatchObject({ info: { line: 2, field: 'address' } });
  });
  it('a file without an address table, or with a header lacking a signature column', () => {
    expect(catchErr(() => parseOkxReserveCsv('coin,snapshot height,amount\nETH,1,2\n'))).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/no address table/) });
    expect(catchErr(() => parseOkxReserveCsv('coin,network,address,message\nETH,ETH,0x1,m\n'))).toMatchObject({ message: expect.stringMatching(/signature/) });
  });
  it('an unknown column is refused, naming it (never silently skipped)', () => {
    const e = catchErr(() => parseOkxReserveCsv(`${head},comment\nETH,ETH,1,0xabc,1,m,0x00,,,,,x\n`, 'u.csv'));
    expect(e).toMatchObject({ code: 'BAD_INPUT', info: { file: 'u.csv', line: 1, column: 113, field: 'comment' }, message: expect.stringMatching(/unknown column "comment"/) });
    expect(catchErr(() => parseOkxReserveCsv('coin,snapshot height,amount,note\nETH,1,2,x\n\n' + head + '\n'))).toMatchObject({ info: { line: 1, column: 29 }, message: expect.stringMatching(/"note"/) });
  });
  it('quoted fields and a BOM are read', () => {
    const text = `\ufeff${head}\n"ETH","ETH",100,"0x0fd2dC729356156c80Ac5f960eD9eDc41B44093a","1.5","a ""quoted"", message",0x00\n`;
    const f = parseOkxReserveCsv(text);
    expect(f.rows[0]).toMatchObject({ message: 'a "quoted", message', amountText: '1.5', height: 100n });
  });
});

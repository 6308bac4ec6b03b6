import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Wallet } from 'ethers';
import { assembleReport, canonicalJson } from '../../src/report/assemble.js';
import { parseReport } from '../../src/core/report/parse.js';
import { checkReportSignature, signReport } from '../../src/report/signature.js';
import { coveredLiabilities, percentText, ratioText, solvencyRows, sumReserves } from '../../src/core/report/solvency.js';
import { reportVerdict } from '../../src/report/html.js';
import { isPorError } from '../../src/core/errors/index.js';
import { addresses, liabilities, makeReport, registry, root, SNAPSHOT } from './fixture.js';

describe('assembleReport', () => {
  const r = makeReport();
  const row = (a: string) => r.solvency.find((s) => s.asset === a)!;

  it('sums counted reserves, each address truncated to ledger precision', () => {
    // 1.50000000 + 0.33333333 (0.333333333333333333 truncated to 8 dp); the 10 ETH without proof is not counted.
    expect(row('ETH').reservesUnits).toBe('183333333');
    expect(row('ETH').reserves).toBe('1.83333333');
    // No prices, so no collateral was valued and no debt netted: reserves must cover all 2.0 owed
    expect(row('ETH').netLiabilities).toBe('1.90000000');
    expect(row('ETH').nettedDebt).toBe('0.00000000');
    expect(row('ETH').liabilities).toBe('2.00000000');
    expect(row('ETH').userDebt).toBe('0.10000000');
    expect(row('ETH').badDebt).toBeNull();
    expect(row('ETH').uncollateralisedDebt).toBeNull();
    expect(row('ETH').surplus).toBe('-0.16666667');
    expect(row('ETH').covered).toBe(false);
    // 183333333 / 200000000 = 0.916666665 exactly; gross and netted are the same figure here
    expect(row('ETH').ratio).toBe('0.916666665');
    expect([row('ETH').grossRatio, row('ETH').grossSurplus, row('ETH').grossCovered]).toEqual(['0.916666665', '-0.16666667', false]);
    expect(r.netting).toBeNull();
  });

  it('truncates each address on its own, never pooling fractions into a unit', () => {
    // Two addresses with 0.000000005 ETH each (half a ledger unit): 0 + 0, not 1 unit.
    const half = { asset: 'ETH', units: 5_000_000_000n, decimals: 18 };
    expect(sumReserves([{ symbol: 'ETH', decimals: 8 }], [half, half]).get('ETH')).toBe(0n);
  });

  it('computes ratios at 40 significant digits, rounded down', () => {
    // 1000 / 900 = 1.111…: 40 significant digits = "1." followed by 39 ones
    expect(row('USDT').ratio).toBe('1.' + '1'.repeat(39));
    expect(row('USDT').surplus).toBe('100.000000');
    expect(row('USDT').covered).toBe(true);
    // 2/3 rounds down, never up
    expect(ratioText(2n, 3n)).toBe('0.' + '6'.repeat(40));
    expect(ratioText(5n, 0n)).toBeNull();
    expect(percentText('0.916666665')).toBe('91.66 %');
  });

  it('leaves bad-debt and uncollateralised users\' loans out of what counts as repayable', () => {
    const X = [{ symbol: 'X', decimals: 0 }];
    // owed 10, debt 4 of which 3 is bad debt (a user holding 1 of this asset): 10 − 1 − (4 − 3) = 8
    const [r] = solvencyRows(X, new Map([['X', 8n]]), [{ asset: 'X', gross: 10n, debt: 4n, netting: { badDebtHoldings: 1n, badDebt: 3n, uncollateralised: 0n } }]);
    expect(r).toMatchObject({ liabilities: '8', nettedDebt: '1', netLiabilities: '6', ratio: '1', covered: true, surplus: '0', grossRatio: '0.8', grossCovered: false, grossSurplus: '-2' });
    // the same debt with 2 of it short of collateral: 10 − 1 − (4 − 3 − 2)… cannot go below nothing netted
    const [u] = solvencyRows(X, new Map([['X', 8n]]), [{ asset: 'X', gross: 10n, debt: 4n, netting: { badDebtHoldings: 0n, badDebt: 0n, uncollateralised: 4n } }]);
    expect(u).toMatchObject({ liabilities: '10', nettedDebt: '0', ratio: '0.8', covered: false });
    // debt larger than holdings never makes liabilities negative
    expect(coveredLiabilities({ asset: 'X', gross: 1n, debt: 5n, netting: { badDebtHoldings: 0n, badDebt: 0n, uncollateralised: 0n } })).toBe(0n);
    // not assessed: nothing is netted, what users own is what must be covered
    expect(coveredLiabilities({ asset: 'X', gross: 1n, debt: 5n })).toBe(1n);
  });

  it('marks the exchange token and keeps addresses without proof listed but uncounted', () => {
    expect(row('XT').exchangeToken).toBe(true);
    expect(row('XT').reserves).toBe('60.00');
    expect(row('XT').ratio).toBe('1.2');
    expect(r.addresses.map((a) => a.counted)).toEqual([true, true, false]);
    expect(r.addresses[0]!.balances[0]!.amount).toBe('1.500000000000000000');
  });

  it('names the report and Merkle spec versions and the tool', () => {
    expect(r.spec).toEqual({ report: 2, merkle: 1 });
    expect(r.tool).toEqual({ name: 'por', version: '0.1.0' });
  });

  it('embeds the Merkle root without its format and version', () => {
    expect(r.merkleRoot).not.toHaveProperty('format');
    expect(r.merkleRoot).not.toHaveProperty('version');
    expect(r.merkleRoot.hash).toBe(root.hash);
    expect(r.merkleRoot.sums).toEqual(root.sums);
  });

  it('refuses a root whose sums are not the stated liabilities, or another snapshot', () => {
    const base = { snapshot: SNAPSHOT, registry, liabilities, chains: makeReport().chains, addresses: addresses(), tool: { name: 'por', version: 't' } };
    const bad = { ...root, sums: [{ asset: 'ETH', equity: '2.00000001', debt: '0.10000000', equityUnits: '200000001', debtUnits: '10000000' }, ...root.sums.slice(1)] };
    expect(() => assembleReport({ ...base, root: bad })).toThrow(/differ from the liabilities/);
    expect(() => assembleReport({ ...base, root: { ...root, snapshotId: 'other' } })).toThrow(/snapshot "other"/);
    const dup = [...addresses(), { ...addresses()[0]!, address: '0x00000000000000000000000000000000000000A1' }];
    expect(() => assembleReport({ ...base, root, addresses: dup })).toThrow(/listed twice/);
  });

  it('gives a fail verdict when an asset (not the exchange token) is under 100 %', () => {
    const v = reportVerdict(r);
    expect(v.level).toBe('fail');
    expect(v.title).toContain('ETH');
    expect(v.title).not.toContain('USDT');
  });
});

describe('canonical JSON and parseReport', () => {
  it('sorts keys at every level and round-trips', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
    const text = canonicalJson(makeReport());
    expect(canonicalJson(parseReport(JSON.parse(text)))).toBe(text);
  });

  it('names the field that is wrong', () => {
    const r = JSON.parse(canonicalJson(makeReport()));
    const cases: [string, (x: any) => void][] = [
      ['format', (x) => (x.format = 'por-root')],
      ['version', (x) => (x.version = 3)],
      ['version', (x) => (x.version = 1)],
      ['solvency[0].grossRatio', (x) => (x.solvency[0].grossRatio = 0.9)],
      ['solvency[0].badDebt', (x) => (x.solvency[0].badDebt = { gross: '0', grossUnits: '0', debt: '0', debtUnits: '0' }, x.solvency[0].uncollateralisedDebt = { debt: '0', debtUnits: '0' })],
      ['netting.haircuts[0].tiers[1].ratio', (x) => ((x.netting = { pricesTime: null, prices: [{ asset: 'ETH', usd: '1' }, { asset: 'USDT', usd: '1' }, { asset: 'XT', usd: '1' }], haircuts: [{ asset: 'ETH', tiers: [{ upToUsd: '10', ratio: '0.5' }, { upToUsd: null, ratio: '0.6' }] }], badDebt: { users: 0, usd: '0' }, uncollateralised: { users: 0 } }), x.solvency.forEach((s: any) => ((s.badDebt = { gross: '0', grossUnits: '0', debt: '0', debtUnits: '0' }), (s.uncollateralisedDebt = { debt: '0', debtUnits: '0' }))))],
      ['chains[0].block.number', (x) => (x.chains[0].block.number = 12)],
      ['addresses[1].balances[0].units', (x) => (x.addresses[1].balances[0].units = '1.5')],
      ['addresses[0].balances[0].asset', (x) => (x.addresses[0].balances[0].asset = 'DOGE')],
      ['merkleRoot.sums[0].equityUnits', (x) => (x.merkleRoot.sums[0].equityUnits = '-1')],
      ['solvency[0].ratio', (x) => (x.solvency[0].ratio = '1e5')],
    ];
    for (const [field, mutate] of cases) {
      const x = structuredClone(r);
      mutate(x);
      try {
        parseReport(x, 'r.json');
        expect.unreachable(field);
      } catch (err) {
        expect(isPorError(err, 'BAD_INPUT')).toBe(true);
        expect((err as { info: { field: string } }).info.field).toBe(field);
      }
    }
  });
});

describe('report format version', () => {
  it('refuses a version 1 report with an error naming the version and why (its "liabilities" meant something else)', () => {
    const v1 = { ...JSON.parse(canonicalJson(makeReport())), version: 1 };
    expect(() => parseReport(v1, 'old.json')).toThrow(/report format version 1 is no longer read: its "liabilities" netted every margin user's debt without haircuts/);
  });
});

describe('report signature (EIP-191 over the file bytes)', () => {
  const key = '0x' + '7'.repeat(64);
  const bytes = new TextEncoder().encode(canonicalJson(makeReport()));

  it('is recoverable by an independent EIP-191 implementation', async () => {
    const sig = await signReport(bytes, key, SNAPSHOT.id);
    // EIP-191 by hand: keccak256("\x19Ethereum Signed Message:\n" + len + bytes), then secp256k1 recovery.
    const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${bytes.length}`);
    const digest = keccak_256(new Uint8Array([...prefix, ...bytes]));
    const raw = Buffer.from(sig.signature.slice(2), 'hex');
    const recovered = secp256k1.Signature.fromBytes(new Uint8Array([raw[64]! - 27, ...raw.subarray(0, 64)]), 'recovered').recoverPublicKey(digest);
    const pub = recovered.toBytes(false).subarray(1);
    const addr = '0x' + Buffer.from(keccak_256(pub).subarray(12)).toString('hex');
    expect(addr).toBe(new Wallet(key).address.toLowerCase());
    expect(sig.signer.toLowerCase()).toBe(addr);
  });

  it('passes for the right bytes and signer; names what fails otherwise', async () => {
    const sig = await signReport(bytes, key, SNAPSHOT.id);
    const signer = new Wallet(key).address;
    expect(checkReportSignature(bytes, sig, signer)).toMatchObject({ ok: true, check: 'ok' });
    const changed = bytes.slice();
    changed[100] = changed[100]! ^ 1;
    expect(checkReportSignature(changed, sig, signer)).toMatchObject({ ok: false, check: 'file-hash' });
    // A forger who also updates the hash field is caught by the recovery
    const { sha256 } = await import('ethers');
    expect(checkReportSignature(changed, { ...sig, reportSha256: sha256(changed) }, signer)).toMatchObject({ ok: false, check: 'signature' });
    // Signed by another key than the one the exchange announced
    const other = await signReport(bytes, '0x' + '8'.repeat(64), SNAPSHOT.id);
    expect(checkReportSignature(bytes, other, signer)).toMatchObject({ ok: false, check: 'signer' });
  });

  it('rejects a key that is not a private key', async () => {
    await expect(signReport(bytes, 'hello', 's')).rejects.toThrow(/private key/);
  });
});

describe('tool version', () => {
  it('matches package.json', async () => {
    const { TOOL_VERSION } = await import('../../src/report/publish.js');
    const { readFile } = await import('node:fs/promises');
    expect(TOOL_VERSION).toBe(JSON.parse(await readFile('package.json', 'utf8')).version);
  });
});

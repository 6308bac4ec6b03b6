// Issue 11, items 1, 2, 4 and 5 against `por audit`: a published report (test/audit/published.ts,
// own anvil) edited as a dishonest exchange would, and the audit FAILs it (exit 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { setBalances } from '../../scripts/demo-chain.mjs';
import { ownershipMessage } from '../../src/reserves/index.js';
import { auditReport, type AuditResult } from '../../src/audit/audit.js';
import { canonicalJson } from '../../src/report/assemble.js';
import type { Report } from '../../src/core/report/types.js';
import { deployAcceptAll } from '../helpers/accept-all-1271.js';
import { EXCHANGE_KEY, keyOf, publishOnAnvil, type Publication } from './published.js';
import { signReport, type ReportSignature } from '../../src/report/signature.js';
import type { OtherReport } from '../../src/audit/other.js';

let pub: Publication;
let cheat: string;
const CHEAT_ETH = 40n * 10n ** 18n;

beforeAll(async () => {
  // The exchange also deploys a contract "wallet" that says yes to everything, before the snapshot.
  pub = await publishOnAnvil('ident-2026-11-24', {
    beforeSnapshot: async (url) => {
      cheat = await deployAcceptAll(url);
      await setBalances(url, [cheat], [CHEAT_ETH]);
    },
  });
});
afterAll(() => pub?.stop());

const por = (...args: string[]) => spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });

async function audit(mutate: (r: Report) => void | Promise<void>, o: { rpc?: Record<string, string>; others?: Report[] } = {}): Promise<AuditResult> {
  const r = structuredClone(pub.report);
  await mutate(r);
  const bytes = new TextEncoder().encode(canonicalJson(r));
  return auditReport({ report: r, reportFile: 'edited.json', reportBytes: bytes, signature: null, rpc: o.rpc ?? { ethereum: pub.url }, others: (o.others ?? []).map((x, i) => ({ file: `other${i}.json`, report: x })) });
}
const failed = (r: AuditResult) => [...new Set(r.checks.filter((c) => c.status === 'fail').map((c) => c.name))].sort();

it('the report records each chain by what it is', () => {
  expect(pub.report.chains.map((c) => [c.chain, c.id, c.chainId])).toEqual([['ethereum', 'eip155:31337', '31337']]);
});

describe('1. one chain under two names', () => {
  it('a report listing the chain again as "ethereum-b" with copies of its addresses FAILs, and the copies count once', async () => {
    const r = await audit(
      (x) => {
        x.chains.push({ ...x.chains[0]!, chain: 'ethereum-b' });
        x.addresses.push(...x.addresses.map((a) => ({ ...a, chain: 'ethereum-b' })));
      },
      { rpc: { ethereum: pub.url, 'ethereum-b': pub.url } },
    );
    expect(failed(r)).toEqual(expect.arrayContaining(['duplicate-chain', 'duplicate-address', 'reserve-totals']));
    expect(r.verdict).toBe('fail');
    // Verified reserves are the four wallets once: ETH 1.5 + 2.25 + 0.00000001 + 3 (published.ts).
    expect(r.audited.find((a) => a.asset === 'ETH')!.reserves).toBe('6.75000001');
  });

  it('a chain whose stated id contradicts its chain id FAILs', async () => {
    const r = await audit((x) => {
      x.chains[0]!.id = 'eip155:1';
    });
    expect(failed(r)).toContain('chain-identity');
  });
});

describe('2. --other matches by chain identity, not by name', () => {
  const renamed = (keepId: boolean): Report => {
    const o = structuredClone(pub.report);
    o.exchange = 'Other Exchange';
    o.chains[0]!.chain = 'eth-mainnet';
    if (!keepId) delete o.chains[0]!.id; // a report written before ids: derived from chainId
    // The other exchange lists one of our addresses (lower-cased, as another tool might write it).
    o.addresses = [{ ...o.addresses[1]!, chain: 'eth-mainnet', address: o.addresses[1]!.address.toLowerCase() }];
    return o;
  };

  it.each([true, false])('an address another report claims on "eth-mainnet" is flagged (other report states its id: %s)', async (keepId) => {
    const r = await audit(() => {}, { others: [renamed(keepId)] });
    const hit = r.checks.filter((c) => c.name === 'other-report' && c.status === 'fail');
    expect(hit).toHaveLength(1);
    expect(hit[0]!.subject).toBe(`ethereum ${pub.addresses[1]!}`);
    expect(hit[0]!.detail).toContain('where chain eip155:31337 is called eth-mainnet');
  });

  it('por audit --other: exit 1', async () => {
    const other = join(pub.dir, 'other-report.json');
    await writeFile(other, canonicalJson(renamed(true)));
    const r = por('audit', pub.reportFile, '--rpc', `ethereum=${pub.url}`, '--signer', pub.signer, '--other', other, '--json');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as AuditResult;
    expect(doc.checks.filter((c) => c.name === 'other-report' && c.status === 'fail').map((c) => c.subject)).toEqual([`ethereum ${pub.addresses[1]!}`]);
  });

  it('the same address on another chain is not a match', async () => {
    const o = renamed(true);
    o.chains[0]!.id = 'eip155:1';
    o.chains[0]!.chainId = '1';
    const r = await audit(() => {}, { others: [o] });
    expect(r.checks.filter((c) => c.name === 'other-report').map((c) => c.status)).toEqual(['pass']);
  });
});

describe('2b. --other: the same exchange\'s earlier report is compared, not a double claim', () => {
  /** This exchange's report of an earlier snapshot: the same wallets, a month before, other reserves. */
  const earlier = (): Report => {
    const o = structuredClone(pub.report);
    o.snapshot = { id: 'ident-2026-10-24', time: new Date(Date.parse(pub.report.snapshot.time) - 30 * 86_400_000).toISOString() };
    o.merkleRoot = { ...o.merkleRoot, snapshotId: 'ident-2026-10-24', hash: 'ab'.repeat(32) };
    return o;
  };
  const sign = async (r: Report, key: string) => {
    const bytes = new TextEncoder().encode(canonicalJson(r));
    return { bytes, signature: await signReport(bytes, key, r.snapshot.id) };
  };
  const auditWith = async (self: { bytes: Uint8Array; signature: ReportSignature | null }, other: OtherReport) =>
    auditReport({ report: pub.report, reportFile: 'report.json', reportBytes: self.bytes, signature: self.signature, rpc: { ethereum: pub.url }, others: [other] });
  const unsigned = () => ({ bytes: new TextEncoder().encode(canonicalJson(pub.report)), signature: null });

  it('same exchange name (no signatures): one PASS naming it "same exchange, earlier snapshot", no FAIL', async () => {
    const r = await auditWith(unsigned(), { file: 'prev.json', report: earlier() });
    const other = r.checks.filter((c) => c.name === 'other-report');
    expect(other.map((c) => c.status)).toEqual(['pass']);
    expect(other[0]!.detail).toContain('is the same exchange (both name the exchange');
    expect(other[0]!.detail).toContain('earlier snapshot ident-2026-10-24');
    // Four wallets in both (published.ts lists four).
    expect(other[0]!.detail).toContain('4 addresses in both');
    expect(r.verdict).not.toBe('fail');
  });

  it('same signer, even under another name: the same exchange', async () => {
    const prev = earlier();
    prev.exchange = 'Renamed Exchange Ltd';
    const r = await auditWith(await sign(pub.report, EXCHANGE_KEY), { file: 'prev.json', report: prev, ...(await sign(prev, EXCHANGE_KEY)) });
    const other = r.checks.filter((c) => c.name === 'other-report');
    expect(other.map((c) => c.status)).toEqual(['pass']);
    expect(other[0]!.detail).toContain(`signed by the same key ${new Wallet(EXCHANGE_KEY).address.toLowerCase()}`);
  });

  it('attack: another exchange borrowing this one\'s name but signing with its own key still FAILs every shared address', async () => {
    const copy = earlier();
    const r = await auditWith(await sign(pub.report, EXCHANGE_KEY), { file: 'copy.json', report: copy, ...(await sign(copy, keyOf('another exchange'))) });
    expect(r.checks.filter((c) => c.name === 'other-report' && c.status === 'fail')).toHaveLength(4);
    expect(r.verdict).toBe('fail');
  });

  it('the same exchange with two different reports for one snapshot FAILs (two roots for one snapshot)', async () => {
    const twin = structuredClone(pub.report);
    twin.merkleRoot = { ...twin.merkleRoot, hash: 'cd'.repeat(32) };
    const r = await auditWith(unsigned(), { file: 'twin.json', report: twin });
    const hit = r.checks.filter((c) => c.name === 'other-report');
    expect(hit.map((c) => c.status)).toEqual(['fail']);
    expect(hit[0]!.detail).toContain('published two different reports for one snapshot');
  });

  it('por audit --other PREV.json (same exchange, signed): exit 0, "same exchange, earlier snapshot" in words', async () => {
    const prev = earlier();
    const file = join(pub.dir, 'prev-report.json');
    const { bytes, signature } = await sign(prev, EXCHANGE_KEY);
    await writeFile(file, bytes);
    await writeFile(join(pub.dir, 'prev-report.sig.json'), JSON.stringify(signature));
    const r = por('audit', pub.reportFile, '--rpc', `ethereum=${pub.url}`, '--signer', pub.signer, '--other', file, '--all');
    expect(r.stdout).toMatch(/^PASS {2}other-report {2}.*is the same exchange \(signed by the same key .*\), earlier snapshot ident-2026-10-24/m);
    expect(r.stdout).not.toContain('cannot back two exchanges');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('4. a common-word snapshot id does not let old signatures through', () => {
  it.each(['control', 'reserves', 'address', 'I'])('snapshot "%s" with last snapshot\'s (old-format) signatures FAILs every proof', async (id) => {
    const r = await audit(async (x) => {
      x.snapshot.id = id;
      x.merkleRoot.snapshotId = id;
      for (const [i, a] of x.addresses.entries()) {
        // What por had the exchange sign before, for an earlier snapshot: it contains every one of these words.
        const message = `por proof of reserves\nsnapshot: ident-2026-10-24\ntime: 2026-10-24T00:00:00Z\nchain: ethereum\naddress: ${a.address}\nI control this address.`;
        a.ownership = { scheme: 'eip191', message, signature: await new Wallet(pub.keys[i]!).signMessage(message), valid: true };
      }
    });
    const own = r.checks.filter((c) => c.name === 'ownership-message');
    expect(own.map((c) => c.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(failed(r)).toContain('coverage');
    expect(r.audited.find((a) => a.asset === 'ETH')!.reserves).toBe('0.00000000');
  });

  it('the template signed for the previous snapshot id FAILs too', async () => {
    const r = await audit(async (x) => {
      const a = x.addresses[0]!;
      const message = ownershipMessage({ exchange: x.exchange!, snapshot: { id: 'ident-2026-10-24', time: x.snapshot.time }, chain: 'eip155:31337', address: a.address });
      a.ownership = { scheme: 'eip191', message, signature: await new Wallet(pub.keys[0]!).signMessage(message), valid: true };
    });
    expect(r.checks.filter((c) => c.name === 'ownership-message' && c.status === 'fail').map((c) => c.subject)).toEqual([`ethereum ${pub.addresses[0]!}`]);
  });
});

describe('5. a contract wallet that accepts anything', () => {
  it('counted in the report with a 65-byte zero signature: ownership-accepts-anything FAILs and its ETH is not verified', async () => {
    const r = await audit((x) => {
      const message = ownershipMessage({ exchange: x.exchange!, snapshot: x.snapshot, chain: 'eip155:31337', address: cheat });
      x.addresses.push({ chain: 'ethereum', address: cheat, label: 'custody', counted: true, ownership: { scheme: 'eip1271', message, signature: `0x${'00'.repeat(65)}`, valid: true }, balances: [{ asset: 'ETH', source: 'native', units: CHEAT_ETH.toString(), decimals: 18, amount: '40.000000000000000000' }] });
    });
    const hit = r.checks.find((c) => c.name === 'ownership-accepts-anything')!;
    expect(hit).toMatchObject({ status: 'fail', subject: `ethereum ${cheat}` });
    expect(hit.detail).toMatch(/accepts-anything: .* junk signature/);
    expect(r.verdict).toBe('fail');
    expect(r.audited.find((a) => a.asset === 'ETH')!.reserves).toBe('6.75000001');
  });
});

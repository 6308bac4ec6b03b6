// The audit's headline (src/core/audit/headline.ts): what was checked and holds, checked and fails,
// and not checked, in words, from an audit document built here by hand.
import { describe, expect, it } from 'vitest';
import { auditHeadline } from '../../src/core/audit/headline.js';
import type { AuditCheck, AuditResult } from '../../src/core/documents/audit.js';
import type { ReportSolvencyRow } from '../../src/core/report/types.js';

/** A row with only the fields the headline reads filled in meaningfully. */
function row(asset: string, ratio: string, covered: boolean): ReportSolvencyRow {
  return { asset, ratio, grossRatio: ratio, covered, grossCovered: covered } as unknown as ReportSolvencyRow;
}

function audit(checks: AuditCheck[], audited: ReportSolvencyRow[], o: Partial<AuditResult> = {}): AuditResult {
  const summary = { pass: 0, fail: 0, warn: 0, unread: 0 };
  for (const c of checks) summary[c.status]++;
  const verdict = summary.fail ? 'fail' : summary.unread ? 'unread' : summary.warn ? 'warn' : 'pass';
  return { format: 'por-audit', version: 3, report: { file: 'r.json', snapshotId: 's', snapshotTime: 't', merkleRoot: 'x' }, verdict, summary, checks, audited, unreadAssets: [], chainsRead: ['ethereum'], chainsNotRead: [], ...o };
}
const check = (name: string, status: AuditCheck['status'], subject: string, detail = 'd'): AuditCheck => ({ name, status, subject, detail });

describe('auditHeadline', () => {
  it('a failed coverage is said in words with its percentage, rounded down, never as a check id', () => {
    // USDT: 40,000,000.5 / 48,418,018.419178 = 0.826138735… → 82.61 %
    const r = audit(
      [check('coverage', 'pass', 'BTC'), check('coverage', 'fail', 'USDT'), check('coverage-gross', 'fail', 'USDT'), check('other-report', 'fail', 'ethereum 0xA'), check('other-report', 'fail', 'ethereum 0xB')],
      [row('BTC', '1.0702', true), row('USDT', '0.8261387352472961044483256941570745868743', false)],
    );
    const h = auditHeadline(r);
    expect(h.level).toBe('fail');
    expect(h.title).toBe("AUDIT FAILED: USDT reserves cover 82.61 % of what users are owed; 2 addresses are also claimed by another exchange's report: the same coins cannot back two exchanges");
    expect(h.title).not.toMatch(/other-report|coverage/);
    expect(h.holds).toContain('reserves cover what users are owed in BTC (107.02 %)');
  });

  it('99.999 % coverage that fails prints 99.99 %, not 100.00 %', () => {
    const h = auditHeadline(audit([check('coverage', 'fail', 'ETH')], [row('ETH', '0.99999', false)]));
    expect(h.title).toBe('AUDIT FAILED: ETH reserves cover 99.99 % of what users are owed');
  });

  it('no node: NOT VERIFIED ON-CHAIN, the chain under "not checked"; offline (block-hash a warning): OFFLINE AUDIT', () => {
    const none = audit([check('block-hash', 'unread', 'chain ethereum', 'not checked: no node given'), check('root-sums', 'pass', 'ETH')], [], { chainsRead: [], chainsNotRead: ['ethereum'] });
    const h = auditHeadline(none);
    expect(h.level).toBe('unchecked');
    expect(h.title).toMatch(/^NOT VERIFIED ON-CHAIN: no node was given, so no balance or block was re-read/);
    expect(h.fails).toEqual([]);
    expect(h.notChecked[0]).toMatch(/^balances and blocks on ethereum were not re-read on-chain/);
    const offline = audit([check('block-hash', 'warn', 'chain ethereum', 'not checked (--offline)'), check('root-sums', 'pass', 'ETH')], [], { chainsRead: [], chainsNotRead: ['ethereum'] });
    expect(auditHeadline(offline)).toMatchObject({ level: 'warn', title: "OFFLINE AUDIT: the report's signatures and arithmetic hold; balances on ethereum were NOT re-read on-chain" });
  });

  it('a failure on a chain not re-read still says the balances there were not re-read', () => {
    const r = audit([check('block-hash', 'unread', 'chain bitcoin', 'not checked: no node'), check('report-signature', 'fail', 'report')], [], { chainsRead: ['ethereum'], chainsNotRead: ['bitcoin'] });
    expect(auditHeadline(r).title).toBe("AUDIT FAILED: the report's signature does not check out against these bytes and this signer (balances on bitcoin NOT re-read on-chain)");
  });

  it('all checked and holding: AUDIT PASSED, nothing failed, nothing unchecked', () => {
    const h = auditHeadline(audit([check('coverage', 'pass', 'BTC')], [row('BTC', '1.0702', true)]));
    expect(h).toMatchObject({ level: 'pass', fails: [], notChecked: [] });
    expect(h.title).toBe('AUDIT PASSED: every check holds, with balances re-read from your node');
  });
});

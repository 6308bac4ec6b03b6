// Terminal escape codes in input strings (threats row 24): an exchange puts ESC sequences (screen
// clear, cursor home, colours and a fake "AUDIT PASSED" / "VALID"), BEL, CR, backspace, C1 CSI, DEL
// and bidi overrides into its report's `exchange` name and snapshot id, a signature file, and a
// user id in a proof. Every command that prints them (por audit, report verify-signature, history,
// verify --report, verify, compare) must show them escaped: nothing a terminal acts on reaches
// stdout or stderr raw, in text or --json; --json still reads back to the very same strings.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../src/report/assemble.js';
import { safeJson, safeText } from '../../src/cli/safe-text.js';
import { makeReport } from '../report/fixture.js';
import { publish } from '../verify/published-fixture.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const por = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });

// Clear the screen, home the cursor, paint a green verdict; ring the bell; return and back up over
// the line; reverse the text that follows (U+202E) and isolate some (U+2066/2069); a zero-width
// space; C1 CSI (U+009B) and DEL.
const PAINT = (verdict: string) => `\x1b[2J\x1b[H\x1b[1;32m${verdict}\x1b[0m\x07\r\b\b\u202e${[...verdict].reverse().join('')}\u202c\u2066x\u2069\u200b\u009b2J\u007f`;
// What must never appear raw (tab and line feed are por's own layout).
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const ESCAPED = '\\x1b[2J\\x1b[H\\x1b[1;32m';

function expectSafe(r: { stdout: string; stderr: string }, what: string, printed = true) {
  expect(RAW.exec(r.stdout)?.[0], `${what}: stdout`).toBeUndefined();
  expect(RAW.exec(r.stderr)?.[0], `${what}: stderr`).toBeUndefined();
  // The attacker's text did reach the output, visibly: the escapes are shown, not acted on.
  if (printed) expect(r.stdout + r.stderr, what).toContain(ESCAPED);
}

let dir: string;
const exchange = `Evil Exchange${PAINT('AUDIT PASSED')}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'por-escapes-'));
});

describe('safeText and safeJson', () => {
  it('show every control, format and bidi character visibly; keep tab and line feed (one-line: line feed too)', () => {
    expect(safeText('a\x1b[2Jb\x07c\rd\be\u202ef\u2066g\u2069h\u200bi\u009bj\u007fk\u2028l\tm\nn')).toBe(
      'a\\x1b[2Jb\\x07c\\x0dd\\x08e\\u{202e}f\\u{2066}g\\u{2069}h\\u{200b}i\\x9bj\\x7fk\\u{2028}l\tm\nn',
    );
    expect(safeText('alice\n\nVALID', true)).toBe('alice\\x0a\\x0aVALID');
    expect(safeText('plain ASCII, ü, 日本, 😀 stay')).toBe('plain ASCII, ü, 日本, 😀 stay');
  });

  it('safeJson writes the rest as \\u escapes and reads back to the same value', () => {
    const v = { s: PAINT('VALID'), t: '\u{e0001}tag' };
    const text = safeJson(JSON.stringify(v));
    expect(RAW.test(text)).toBe(false);
    expect(text).toContain('\\u202e');
    expect(JSON.parse(text)).toEqual(v);
  });
});

describe('no command prints an input string raw', () => {
  it('por audit: the exchange name and snapshot id from report.json, text and --json', async () => {
    const report = makeReport({ id: `snap${PAINT('AUDIT PASSED')}` });
    report.exchange = exchange;
    const file = join(dir, 'audit-report.json');
    await writeFile(file, canonicalJson(report));
    const text = por('audit', file);
    expectSafe(text, 'audit');
    expect(text.stdout).toContain('Evil Exchange\\x1b[2J');
    const json = por('audit', file, '--json');
    expectSafe(json, 'audit --json', false);
    expect(JSON.parse(json.stdout).report.exchange).toBe(exchange);
  });

  it('por report verify-signature: the signature file\'s fields, text and --json (exit 2: not a digest)', async () => {
    const report = makeReport();
    report.exchange = exchange;
    const file = join(dir, 'sig-report.json');
    await writeFile(file, canonicalJson(report));
    const sig = { format: 'por-report-signature', version: 1, scheme: 'eip191', signer: '0x7564105E977516C53bE337314c7E53838967bDaC', signature: '0x' + '11'.repeat(65), reportSha256: `0x${PAINT('VALID')}`, snapshotId: PAINT('VALID') };
    await writeFile(join(dir, 'sig-report.sig.json'), JSON.stringify(sig));
    // A reportSha256 that is not a digest is refused by the signature document's reader (exit 2);
    // the error that quotes it must still reach the terminal escaped.
    const text = por('report', 'verify-signature', file, '--signature', join(dir, 'sig-report.sig.json'));
    expect(text.status).toBe(2);
    expectSafe(text, 'verify-signature', false); // the refusal names the field, not the value
    const json = por('report', 'verify-signature', file, '--signature', join(dir, 'sig-report.sig.json'), '--json');
    expectSafe(json, 'verify-signature --json', false);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ format: 'por-error', version: 1 });
    expect(JSON.stringify(doc.error)).toContain('reportSha256');
  });

  it('por history: snapshot ids and exchange names of two reports, text and --json', async () => {
    const files: string[] = [];
    for (const [m, t] of [['oct', '2026-10-01T00:00:00Z'], ['nov', '2026-11-01T00:00:00Z']] as const) {
      const r = makeReport({ id: `${m}${PAINT('AUDIT PASSED')}`, time: t });
      r.exchange = exchange;
      files.push(join(dir, `history-${m}.json`));
      await writeFile(files.at(-1)!, canonicalJson(r));
    }
    const text = por('history', ...files);
    // The fixture's ETH is 1.83333333 against 2.0 owed (91.66 %): history's headline fails it, exit 1.
    expect(text.status).toBe(1);
    expectSafe(text, 'history');
    const json = por('history', ...files, '--json');
    expectSafe(json, 'history --json', false);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(JSON.stringify(`oct${PAINT('AUDIT PASSED')}`).slice(1, -1));
  });

  // A line feed too: in a one-line field it would start a fake verdict line of its own.
  const evil = `alice${PAINT('VALID')}\n\nVALID: user "alice" is included`;
  async function evilProofs() {
    const pub = await publish(
      [{ userId: evil, net: [5n] }, { userId: `bob${PAINT('VALID')}`, net: [7n] }],
      [{ symbol: 'USDT', decimals: 6 }],
      `snap${PAINT('VALID')}`,
      { exchange },
    );
    // A copy of the evil user's proof claiming the same leaf under another id (for compare).
    const forged = { ...pub.proofs[evil]!, user: { ...pub.proofs[evil]!.user, id: `mallory${PAINT('VALID')}` } };
    const docs: Array<[string, unknown]> = [['alice', pub.proofs[evil]], ['bob', pub.proofs[`bob${PAINT('VALID')}`]], ['report', pub.report], ['forged', forged]];
    const files = await Promise.all(
      docs.map(async ([n, doc]) => {
        const f = join(dir, `verify-${n}.json`);
        await writeFile(f, JSON.stringify(doc, null, 2));
        return f;
      }),
    );
    return { alice: files[0]!, bob: files[1]!, report: files[2]!, forged: files[3]! };
  }
  let proofs: Promise<Awaited<ReturnType<typeof evilProofs>>> | undefined;
  const files = () => (proofs ??= evilProofs());

  it('por verify --report: a user id and snapshot id in the proof, the exchange name in the report, text and --json', async () => {
    const { alice, report } = await files();
    const text = por('verify', alice, '--report', report);
    expect(text.status).toBe(0);
    expectSafe(text, 'verify');
    expect(text.stdout.split('\n').filter((l) => l.startsWith('VALID'))).toHaveLength(1);
    expect(text.stdout).toContain('\\x0a\\x0aVALID: user');
    const json = por('verify', alice, '--report', report, '--json');
    expectSafe(json, 'verify --json', false);
    expect(JSON.parse(json.stdout).user.id).toBe(evil);
  });

  it('por compare: user ids in proofs, printed when two claim one leaf (exit 1), text and --json', async () => {
    const { alice, bob, forged } = await files();
    expectSafe(por('compare', alice, bob), 'compare (one tree: no ids printed)', false);
    const c = por('compare', alice, forged);
    expect(c.status).toBe(1);
    expectSafe(c, 'compare with a forged copy');
    expectSafe(por('compare', alice, forged, '--json'), 'compare --json', false);
  });
});

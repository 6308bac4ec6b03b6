// `por ownership-message`: the exact message each reserve address signs (docs/RESERVES.md).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const por = (...args: string[]) => spawnSync(process.execPath, ['bin/por.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
const HOT1 = '0x8bAA389419746bEd4258d533d7bFeD103b09f394';

describe('por ownership-message', () => {
  it('--json: the template with the exchange, snapshot, chain identity and address; the samples hold exactly these', () => {
    const r = por('ownership-message', 'samples/wallets.json', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'por-ownership-messages', version: 1, exchange: 'Demo Exchange', snapshot: { id: 'demo-2026-11-24' } });
    expect(doc.messages).toHaveLength(6);
    // Written out by hand from docs/RESERVES.md.
    expect(doc.messages[0]).toEqual({
      index: 0,
      chain: 'ethereum',
      chainId: 'eip155:31337',
      address: HOT1,
      label: 'hot-1',
      signed: true,
      message: `por ownership proof v1\nexchange: Demo Exchange\nsnapshot: demo-2026-11-24\ntime: 2026-11-24T00:00:00.000Z\nchain: eip155:31337\naddress: ${HOT1}`,
    });
    const btc = doc.messages.find((m: { chain: string }) => m.chain === 'bitcoin');
    expect(btc.chainId).toBe('bip122:000000000019d6689c085ae165831e93');
    expect(btc.message).toContain('\nchain: bip122:000000000019d6689c085ae165831e93\n');
    expect(doc.messages.every((m: { signed: boolean }) => m.signed)).toBe(true);
  });

  it('text, one address (any case), marks a manifest entry that still needs signing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-ownmsg-'));
    const m = JSON.parse(readFileSync('samples/wallets.json', 'utf8'));
    delete m.addresses[0].ownership;
    writeFileSync(join(dir, 'w.json'), JSON.stringify(m));
    const r = por('ownership-message', join(dir, 'w.json'), '--address', HOT1.toLowerCase());
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`── addresses[0] ethereum (eip155:31337) ${HOT1} "hot-1": to be signed\npor ownership proof v1\nexchange: Demo Exchange\nsnapshot: demo-2026-11-24\ntime: 2026-11-24T00:00:00.000Z\nchain: eip155:31337\naddress: ${HOT1}\n`);
  });

  it('an address not in the manifest, or a version 1 manifest, is exit 2 naming the file and field', () => {
    const r = por('ownership-message', 'samples/wallets.json', '--address', '0x000000000000000000000000000000000000dEaD');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('samples/wallets.json, field address: address 0x000000000000000000000000000000000000dEaD is not in the wallet manifest');
    const dir = mkdtempSync(join(tmpdir(), 'por-ownmsg-'));
    writeFileSync(join(dir, 'v1.json'), JSON.stringify({ ...JSON.parse(readFileSync('samples/wallets.json', 'utf8')), version: 1 }));
    const v1 = por('ownership-message', join(dir, 'v1.json'));
    expect(v1.status).toBe(2);
    expect(v1.stderr).toMatch(/field version: version 1 manifests are no longer read/);
  });

  it('--help has runnable examples', () => {
    const r = por('ownership-message', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('por ownership-message samples/wallets.json');
  });
});

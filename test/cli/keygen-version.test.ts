// `por keygen` (files mode 0600, never replacing, the printed address is the key's) and
// `por --version` (the package version and the commit the build came from). Spawns the built CLI.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

const repo = resolve(import.meta.dirname, '../..');

function por(args: string[], cwd = repo) {
  const r = spawnSync(process.execPath, [join(repo, 'bin/por.mjs'), ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Ethereum address of a private key, computed here with noble (not ethers, which por uses). */
function addressOf(privateKeyHex: string): string {
  const pub = secp256k1.getPublicKey(hexToBytes(privateKeyHex.replace(/^0x/, '')), false);
  return `0x${bytesToHex(keccak_256(pub.subarray(1)).subarray(12))}`;
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('por keygen', () => {
  it('writes a signing key and a tree secret, mode 600 in a new 700 folder, and prints the key\'s address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-keygen-'));
    const r = por(['keygen', '--sign-key-file', 'keys/sign.key', '--secret-file', 'keys/tree.secret', '--json'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const key = readFileSync(join(dir, 'keys/sign.key'), 'utf8');
    const secret = readFileSync(join(dir, 'keys/tree.secret'), 'utf8');
    expect(key).toMatch(/^0x[0-9a-f]{64}\n$/);
    expect(secret).toMatch(/^[0-9a-f]{64}\n$/);
    expect(doc).toMatchObject({ format: 'por-keygen', version: 1, secret: { file: 'keys/tree.secret', bytes: 32 } });
    expect(doc.signingKey.address.toLowerCase()).toBe(addressOf(key.trim()));
    expect(r.stdout).not.toContain(key.trim().slice(2)); // the key itself is never printed
    expect(mode(join(dir, 'keys/sign.key'))).toBe(0o600);
    expect(mode(join(dir, 'keys/tree.secret'))).toBe(0o600);
    expect(mode(join(dir, 'keys'))).toBe(0o700);
    expect(readdirSync(join(dir, 'keys')).sort()).toEqual(['sign.key', 'tree.secret']); // no temp file left
  });

  it('the secret is one por build accepts, and two runs never give the same key or secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-keygen-'));
    expect(por(['keygen', '--sign-key-file', 'a.key', '--secret-file', 'a.secret'], dir).code).toBe(0);
    expect(por(['keygen', '--sign-key-file', 'b.key', '--secret-file', 'b.secret'], dir).code).toBe(0);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(read('a.key')).not.toBe(read('b.key'));
    expect(read('a.secret')).not.toBe(read('b.secret'));
    const b = por(['build', join(repo, 'test/fixtures/ingest/small.csv'), '--assets', join(repo, 'test/fixtures/ingest/assets.json'), '--secret-file', 'a.secret', '--snapshot-id', 'k', '--height', '4', '--out', 'tree', '--json'], dir);
    expect(b.code).toBe(0);
    expect(b.stderr).not.toMatch(/can be read by other users/);
  });

  it('never replaces a file: exit 2, the existing file unchanged, and the other file not written either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-keygen-'));
    writeFileSync(join(dir, 'tree.secret'), 'the old secret that past proofs depend on\n');
    const r = por(['keygen', '--sign-key-file', 'sign.key', '--secret-file', 'tree.secret'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tree\.secret: the file already exists/);
    expect(readFileSync(join(dir, 'tree.secret'), 'utf8')).toBe('the old secret that past proofs depend on\n');
    expect(existsSync(join(dir, 'sign.key'))).toBe(false);
  });

  it('nothing asked for, or one file named twice, is bad usage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'por-keygen-'));
    expect(por(['keygen'], dir).code).toBe(2);
    expect(por(['keygen', '--sign-key-file', 'x', '--secret-file', './x'], dir).code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('por --version', () => {
  it('prints package.json\'s version and the commit of this checkout', () => {
    const r = por(['--version']);
    expect(r.code).toBe(0);
    const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
    const m = /^(\S+) \(commit ([0-9a-f]{12})(-dirty)?\)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(version);
    // dist/ was built from this checkout (by `npm test`, at HEAD): the commit is one of its history
    const git = spawnSync('git', ['merge-base', '--is-ancestor', m![2]!, 'HEAD'], { cwd: repo });
    expect(git.status).toBe(0);
  });
});

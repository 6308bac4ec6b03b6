// `por keygen`: the two secrets a first-time exchange needs, made right the first time. The signing
// key (secp256k1, EIP-191) signs report.json; its address is what the exchange publishes as the
// report signer. The tree secret salts every leaf (see `por build`). Both files are created mode
// 0600, complete or absent, and never replace an existing file: a lost or overwritten tree secret
// means proofs of past snapshots can no longer be re-exported, and a replaced signing key silently
// changes who signs.
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Wallet } from 'ethers';
import { defineCommand, EXIT } from '../context.js';
import { porError } from '../../core/errors/index.js';
import { writeFileAtomic } from '../../io/node.js';
import { FORMAT as KEYGEN_FORMAT, VERSION as KEYGEN_VERSION, write as writeKeygen, type KeygenResult } from '../../core/documents/keygen.js';

export { FORMAT as KEYGEN_FORMAT, VERSION as KEYGEN_VERSION, type KeygenResult } from '../../core/documents/keygen.js';

/** Bytes of randomness in a new tree secret (por build needs at least 32). */
const SECRET_BYTES = 32;

/** A new secp256k1 private key (0x + 64 hex digits) and its checksummed Ethereum address. */
export function newSigningKey(): { privateKey: string; address: string } {
  for (;;) {
    const privateKey = `0x${randomBytes(32).toString('hex')}`;
    try {
      return { privateKey, address: new Wallet(privateKey).address };
    } catch {
      // 0 or ≥ the curve order: about 1 in 2^128; draw again.
    }
  }
}

/** A new tree secret as text: SECRET_BYTES random bytes in hex (what `openssl rand -hex 32` prints). */
export function newTreeSecret(): string {
  return randomBytes(SECRET_BYTES).toString('hex');
}

/** Creates `file` holding `text`, mode 0600, only if nothing is there (never replacing a key). */
async function writeNewPrivateFile(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text, { mode: 0o600, dirMode: 0o700, exclusive: true });
  } catch (err) {
    if (((err as { cause?: NodeJS.ErrnoException }).cause)?.code === 'EEXIST') throw alreadyThere(file);
    throw err;
  }
}

function alreadyThere(file: string) {
  return porError('BAD_USAGE', 'the file already exists; por keygen never replaces a key or secret (move it away first if you really mean to)', { file });
}

interface KeygenArgs {
  signKeyFile?: string;
  secretFile?: string;
}

/** Checks the arguments before anything is written: at least one file, two different names, none there yet. */
async function checkTargets(args: KeygenArgs): Promise<void> {
  if (args.signKeyFile === undefined && args.secretFile === undefined) {
    throw porError('BAD_USAGE', 'give --sign-key-file FILE, --secret-file FILE, or both');
  }
  if (args.signKeyFile !== undefined && args.secretFile !== undefined && resolve(args.signKeyFile) === resolve(args.secretFile)) {
    throw porError('BAD_USAGE', '--sign-key-file and --secret-file name the same file', { file: args.signKeyFile });
  }
  for (const file of [args.signKeyFile, args.secretFile]) {
    if (file === undefined) continue;
    const fh = await open(file, 'r').catch(() => undefined);
    if (fh !== undefined) {
      await fh.close();
      throw alreadyThere(file);
    }
  }
}

/** Writes the requested files; if the second cannot be written, the first is removed again. */
export async function keygen(args: KeygenArgs): Promise<KeygenResult> {
  await checkTargets(args);
  const result: KeygenResult = { format: KEYGEN_FORMAT, version: KEYGEN_VERSION };
  if (args.signKeyFile !== undefined) {
    const key = newSigningKey();
    await writeNewPrivateFile(args.signKeyFile, `${key.privateKey}\n`);
    result.signingKey = { file: args.signKeyFile, address: key.address };
  }
  if (args.secretFile !== undefined) {
    try {
      await writeNewPrivateFile(args.secretFile, `${newTreeSecret()}\n`);
    } catch (err) {
      if (args.signKeyFile !== undefined) await rm(args.signKeyFile, { force: true });
      throw err;
    }
    result.secret = { file: args.secretFile, bytes: SECRET_BYTES };
  }
  return result;
}

function describe(r: KeygenResult): string {
  const lines: string[] = [];
  if (r.signingKey) {
    lines.push(`wrote ${r.signingKey.file} (signing key, mode 600)`);
    lines.push(`  signer address: ${r.signingKey.address}`);
    lines.push('  publish this address as your report signer; `por build … --sign-key-file` signs report.json with the key');
  }
  if (r.secret) {
    lines.push(`wrote ${r.secret.file} (tree secret, ${r.secret.bytes} random bytes as hex, mode 600)`);
    lines.push('  keep it private and keep it: `por build --secret-file` salts every leaf with it; without it past proofs cannot be re-exported');
  }
  return lines.join('\n');
}

export const keygenCommand = defineCommand({
  command: 'keygen',
  describe: "Create the exchange's report signing key (prints its address) and its tree secret, mode 600, never overwriting",
  builder: (y) =>
    y
      .option('sign-key-file', { type: 'string', describe: 'Create this file holding a new secp256k1 private key (hex); the signer address is printed' })
      .option('secret-file', { type: 'string', describe: 'Create this file holding a new tree secret (32 random bytes as hex)' })
      .example('$0 keygen --sign-key-file keys/sign.key --secret-file keys/tree.secret', 'Both, in a private folder (created mode 700)')
      .example('$0 keygen --sign-key-file sign.key --json', 'Just a signing key; the address as JSON (format por-keygen)')
      .epilogue(
        'Keep both files out of anything you publish. The key itself is never printed. An existing file is never ' +
          'replaced: keygen refuses and writes nothing.\nExit codes: 0 written; 2 bad usage (a file exists, nothing asked for, cannot write).',
      ),
  run: async (args, ctx) => {
    const result = await keygen({
      ...(args.signKeyFile !== undefined ? { signKeyFile: args.signKeyFile } : {}),
      ...(args.secretFile !== undefined ? { secretFile: args.secretFile } : {}),
    });
    if (ctx.json) ctx.printJson(writeKeygen(result));
    else ctx.print(describe(result));
    return EXIT.OK;
  },
});

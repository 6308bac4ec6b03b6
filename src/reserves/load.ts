// Node-side conveniences for commands that take reserves from the chains (`por reserves`,
// `por solvency --wallets`, `por build --wallets`): parse CHAIN=URL / CHAIN=NUMBER flags, read
// the manifest file, and read the chains.
import { porError } from '../core/errors/index.js';
import { readJsonFile } from '../io/node.js';
import type { AssetRegistry } from '../core/assets/index.js';
import { parseWalletManifest, type WalletManifest } from './manifest.js';
import { readReserves, type BitcoinVerifier, type ReadReservesOptions } from './index.js';
import type { ReservesResult } from '../core/reserves/types.js';
import type { SignatureResult } from '../signatures/result.js';

/** `["ethereum=http://…", …]` → `{ ethereum: "http://…" }`; flag names the option in errors. */
export function parseChainUrls(list: readonly string[] | undefined, flag = '--rpc'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    const field = flag.replace(/^--/, '');
    if (eq <= 0) throw porError('BAD_USAGE', `${flag} takes CHAIN=URL (e.g. ethereum=http://127.0.0.1:8545), got "${item}"`, { field });
    const chain = item.slice(0, eq).trim();
    const url = item.slice(eq + 1).trim();
    // A URL that cannot work is bad usage now, not four retries and a network error later.
    const problem = urlProblem(url);
    if (problem !== undefined) throw porError('BAD_USAGE', `${flag} ${chain}=${url}: ${problem}`, { field, chain });
    if (out[chain] !== undefined) throw porError('BAD_USAGE', `${flag} gives chain ${chain} twice`, { field, chain });
    out[chain] = url;
  }
  return out;
}

/** Why a node URL cannot work (scheme http/https, a host), or undefined when it may. */
export function urlProblem(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return 'the URL must start with http:// or https://';
  if (!/^https?:\/\/[^/\s?#:@]/i.test(url)) return 'the URL names no host (write e.g. http://127.0.0.1:8545)';
  try {
    new URL(url);
  } catch {
    return 'not a URL (write e.g. http://127.0.0.1:8545)';
  }
  return undefined;
}

/** `["ethereum=123"]` → `{ ethereum: 123n }`. */
export function parseChainBlocks(list: readonly string[] | undefined, flag = '--block'): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const item of list ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(item);
    const field = flag.replace(/^--/, '');
    if (!m) {
      const eq = item.indexOf('=');
      if (eq > 0) throw porError('BAD_USAGE', `${flag} ${item}: the block must be a number (${flag} takes CHAIN=NUMBER, e.g. ethereum=21000000)`, { field, chain: item.slice(0, eq) });
      throw porError('BAD_USAGE', `${flag} takes CHAIN=NUMBER (e.g. ethereum=21000000), got "${item}"`, { field });
    }
    if (out[m[1]!] !== undefined) throw porError('BAD_USAGE', `${flag} gives chain ${m[1]} twice`, { field, chain: m[1] });
    out[m[1]!] = BigInt(m[2]!);
  }
  return out;
}

export async function loadWalletManifest(file: string, registry?: AssetRegistry): Promise<WalletManifest> {
  return parseWalletManifest(await readJsonFile(file), file, registry);
}

/** The Bitcoin message verifier from src/signatures (BIP-322 simple, BIP-137), adapted to our network names. */
export async function defaultBitcoinVerifier(): Promise<BitcoinVerifier | undefined> {
  try {
    const mod = (await import('../signatures/bitcoin.js')) as {
      verifyBitcoinMessage?: (a: string, m: string, s: string, n?: 'bitcoin' | 'testnet') => SignatureResult;
    };
    const verify = mod.verifyBitcoinMessage;
    if (!verify) return undefined;
    return (address, message, signature, network) => verify(address, message, signature, network === undefined || network === 'mainnet' ? 'bitcoin' : 'testnet');
  } catch {
    return undefined;
  }
}

export interface ReservesFromFilesOptions extends Omit<ReadReservesOptions, 'wallets' | 'rpc' | 'blocks'> {
  walletsFile: string;
  rpcArgs: readonly string[];
  blockArgs?: readonly string[];
}

/** Reads a manifest file and every chain it names; what `--wallets` + `--rpc` mean everywhere. */
export async function readReservesFromFiles(opts: ReservesFromFilesOptions): Promise<ReservesResult> {
  const wallets = await loadWalletManifest(opts.walletsFile, opts.registry);
  const { walletsFile: _w, rpcArgs, blockArgs, ...rest } = opts;
  return readReserves({
    ...rest,
    wallets,
    rpc: parseChainUrls(rpcArgs),
    blocks: parseChainBlocks(blockArgs),
    verifyBitcoin: opts.verifyBitcoin ?? (await defaultBitcoinVerifier()),
  });
}

// The exchange backend's two calls: build the Merkle sum tree straight from its own database cursor
// (any iterable or async iterable of users), and answer "give me user X's proof" from the store.
// Thin wrappers over src/merkle: the byte rules, the order, the store are the CLI's own.
import { isPorError, porError, withInfo } from '../core/errors/index.js';
import { parseAmount } from '../core/money/index.js';
import type { AssetRegistry } from '../core/assets/index.js';
import type { Reporter } from '../core/progress/index.js';
import { buildTree as buildMerkleTree, ProofStore, type BuildResult } from '../merkle/index.js';
import type { ProofDocument, MerkleRoot } from '../core/merkle/types.js';

/** One user as the exchange's ledger has it, after summing their sub-accounts. */
export interface TreeUser {
  /** The user id exactly as the user will look it up (1 to 1,024 UTF-8 bytes, unique). */
  id: string;
  /**
   * Net balance per asset symbol: decimal text at most at the asset's ledger decimals ("1.5",
   * "-200"), or bigint base units. Negative is what the user owes (margin debt). Assets left out
   * are zero; a symbol outside the registry is refused.
   */
  balances: Readonly<Record<string, string | bigint>>;
}

export interface BuildTreeOptions {
  /** The asset registry: one equity and one debt per asset, in this order, in every leaf. */
  assets: AssetRegistry;
  /** The tree secret (≥ 32 bytes): raw bytes, or the text of the secret file (trailing whitespace ignored, as `por build` reads it). */
  secret: Uint8Array | string;
  snapshotId: string;
  /** The build folder, as `por build --out` writes it: public/root.json (publish it) and private/ (the store: never publish it). */
  outDir: string;
  /** Tree height, default 32: room for 2^height users, and the length of every proof. */
  height?: number;
  /** Hashing threads (default min(2, cores)); the root is the same for any number. */
  threads?: number;
  /** Replace a tree already in outDir. */
  overwrite?: boolean;
  reporter?: Reporter;
}

export interface TreeBuilt {
  /** What report.json embeds as `merkleRoot`. */
  merkleRoot: MerkleRoot;
  rootFile: string;
  storeDir: string;
}

function secretBytes(secret: Uint8Array | string): Uint8Array {
  if (typeof secret !== 'string') return secret;
  return new TextEncoder().encode(secret.replace(/[ \t\r\n]+$/, ''));
}

/** A user's balances as net base units in registry order; located errors name the user and asset. */
function netOf(user: TreeUser, registry: AssetRegistry): bigint[] {
  if (typeof user?.id !== 'string' || typeof user.balances !== 'object' || user.balances === null) {
    throw porError('BAD_INPUT', 'each user must be { id: string, balances: { SYMBOL: amount } }', { field: 'users' });
  }
  const net = registry.assets.map(() => 0n);
  for (const [symbol, value] of Object.entries(user.balances)) {
    const i = registry.index.get(symbol);
    if (i === undefined) throw porError('UNKNOWN_ASSET', `user "${user.id}" has a balance in ${symbol}, which the asset registry does not list`, { field: `balances.${symbol}` });
    if (typeof value === 'bigint') net[i] = value;
    else if (typeof value === 'string') {
      try {
        net[i] = parseAmount(value, registry.assets[i]!.decimals, { allowNegative: true });
      } catch (err) {
        withInfo(err, { field: `balances.${symbol}`, user: user.id });
      }
    } else throw porError('BAD_AMOUNT', `user "${user.id}": ${symbol} must be decimal text or a bigint (never a JS number)`, { field: `balances.${symbol}` });
  }
  return net;
}

/**
 * Builds the tree from `users`, read once, in order (a database cursor is fine). Writes
 * outDir/public/root.json and outDir/private/ exactly as `por build` does (all or nothing); checks
 * that the root sums equal the sums of what was read.
 */
export async function buildTree(users: Iterable<TreeUser> | AsyncIterable<TreeUser>, options: BuildTreeOptions): Promise<TreeBuilt> {
  const { assets: registry } = options;
  const gross = registry.assets.map(() => 0n);
  const debt = registry.assets.map(() => 0n);
  const leaf = (user: TreeUser) => {
    const net = netOf(user, registry);
    net.forEach((v, i) => (v >= 0n ? (gross[i]! += v) : (debt[i]! -= v)));
    return { userId: user.id, net };
  };
  // A plain iterable stays synchronous: no promise per user on the way to the hasher.
  const converted = Symbol.iterator in users
    ? function* () { for (const u of users as Iterable<TreeUser>) yield leaf(u); }
    : async function* () { for await (const u of users) yield leaf(u); };
  const result: BuildResult = await buildMerkleTree({ registry, users: converted }, {
    secret: secretBytes(options.secret),
    snapshotId: options.snapshotId,
    outDir: options.outDir,
    ...(options.height !== undefined ? { height: options.height } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
    ...(options.reporter !== undefined ? { reporter: options.reporter } : {}),
  });
  // Independent of the tree's own arithmetic: the plain sums of what was handed in.
  result.merkleRoot.sums.forEach((s, i) => {
    if (s.equityUnits !== gross[i]!.toString() || s.debtUnits !== debt[i]!.toString()) {
      throw porError('INTERNAL', `root sums for ${s.asset} (equity ${s.equityUnits}, debt ${s.debtUnits}) differ from the users' sums (${gross[i]}, ${debt[i]})`);
    }
  });
  return { merkleRoot: result.merkleRoot, rootFile: result.rootFile, storeDir: result.storeDir };
}

/** An open proof store: one user's proof in a few small reads, without exporting every proof. */
export interface ProofLookup {
  /** The published root this store belongs to. */
  readonly merkleRoot: MerkleRoot;
  readonly userCount: number;
  /** The user's proof document (format por-proof), or undefined when the id is not in the tree. */
  proof(userId: string): ProofDocument | undefined;
  /** The same document as compact JSON text, ready to send (`por proof --user` writes it indented). */
  proofJson(userId: string): string | undefined;
  has(userId: string): boolean;
  close(): void;
}

/** Opens the private store `por build` (or buildTree) wrote: the build folder or its private/ folder. */
export async function openProofStore(dir: string): Promise<ProofLookup> {
  const store = await ProofStore.open(dir);
  // One lookup per call: the store says "not in this tree" as a BAD_INPUT on the user field.
  const text = (id: string): string | undefined => {
    try {
      return store.proofText(id);
    } catch (err) {
      if (isPorError(err, 'BAD_INPUT') && err.info.field === 'user' && store.find(id) === undefined) return undefined;
      throw err;
    }
  };
  return {
    merkleRoot: store.meta.root,
    userCount: store.leafCount,
    proof: (id) => {
      const t = text(id);
      return t === undefined ? undefined : (JSON.parse(t) as ProofDocument);
    },
    proofJson: text,
    has: (id) => store.find(id) !== undefined,
    close: () => store.close(),
  };
}

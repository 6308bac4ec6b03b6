// DIR/shard.json of `por build PART --shard I/N --out DIR`: `por-shard` v1, what one shard task made
// and for which tree; `por combine` reads it through `read` and then checks it belongs to its own
// tree (src/merkle/combine.ts). Private (the folder holds salts). Pure.
import { JsonAt, UINT_TEXT, inOrder, readHeader, type Where } from '../json/read.js';
import { MAX_HEIGHT } from '../merkle/core.js';

export const FORMAT = 'por-shard';
export const VERSION = 1;
export const FIELDS = ['format', 'version', 'shard', 'snapshotId', 'height', 'assets', 'secretCheck', 'userCount', 'totals', 'leavesBytes'] as const;

/** shard.json: what one shard task made, and for which tree (combine checks every field). */
export interface ShardMeta {
  format: typeof FORMAT;
  version: typeof VERSION;
  shard: { index: number; count: number };
  snapshotId: string;
  height: number;
  assets: { symbol: string; decimals: number }[];
  /** HMAC-SHA256(secret, "por-shard secret check" ‖ snapshot id), hex: same secret, same value; reveals nothing of it. */
  secretCheck: string;
  userCount: number;
  /** Per asset, in registry order: Σ equity and Σ debt of this shard's users, base units. */
  totals: { asset: string; equityUnits: string; debtUnits: string }[];
  /** leaves.bin: userCount entries ascending by user hash, each userHash(32) ‖ record(R) ‖ salt(32) ‖ u16 id length ‖ id. */
  leavesBytes: number;
}

export function write(m: ShardMeta): Record<string, unknown> {
  return inOrder(FIELDS, { ...m, format: FORMAT, version: VERSION });
}

function readShardIndex(s: JsonAt): ShardMeta['shard'] {
  s.exact(['index', 'count']);
  const count = s.get('count').int(1, 65536);
  return { index: s.get('index').int(0, count - 1), count };
}

export function read(json: unknown, where: string | Where = {}): ShardMeta {
  const doc = JsonAt.root(json, where);
  readHeader(doc, FORMAT, [VERSION]);
  doc.exact(FIELDS);
  const assets = doc.get('assets').array({ min: 1 }).map((a) => {
    a.exact(['symbol', 'decimals']);
    return { symbol: a.get('symbol').string(), decimals: a.get('decimals').int(0, 255) };
  });
  const totals = doc.get('totals').array({ length: assets.length, what: 'totals (one per asset)' }).map((t, i) => {
    t.exact(['asset', 'equityUnits', 'debtUnits']);
    const asset = t.get('asset').string();
    if (asset !== assets[i]!.symbol) t.get('asset').fail(`must be "${assets[i]!.symbol}" (assets[${i}].symbol)`);
    return { asset, equityUnits: t.get('equityUnits').string(UINT_TEXT, 'base units as integer text'), debtUnits: t.get('debtUnits').string(UINT_TEXT, 'base units as integer text') };
  });
  return {
    format: FORMAT, version: VERSION, shard: readShardIndex(doc.get('shard')), snapshotId: doc.get('snapshotId').string(),
    height: doc.get('height').int(1, MAX_HEIGHT), assets, secretCheck: doc.get('secretCheck').string(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
    userCount: doc.get('userCount').int(), totals, leavesBytes: doc.get('leavesBytes').int(),
  };
}

// A build past one machine (issue 17): por build --shard I/N on parts partitioned by user id, then
// por combine. The combined build must be the one-machine build's bytes (the committed scale vector:
// root.json, a proof, the whole export), and combine must refuse, naming the shard, every shard that
// is not one finished shard of this very tree; re-running that shard is enough.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './helpers.js';
import { buildShardCli, combineCli, expectVector, partitionVector, vectorOptions } from './scale-helpers.js';

let dir: string;
let parts: string[];
const shards: string[] = [];

beforeAll(() => {
  dir = tmp('por-shard-');
  parts = partitionVector(dir, 4);
  for (let i = 0; i < 4; i++) {
    shards.push(join(dir, `shard${i}`));
    const r = buildShardCli(parts[i]!, i, 4, shards[i]!);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});

/** Shard folders 0..3 with shard k replaced by `other`. */
const withShard = (k: number, other: string) => shards.map((s, i) => (i === k ? other : s));

describe('por build --shard + por combine', () => {
  it('4 shards combine to the one-machine build: root.json, a proof and the whole export', () => {
    const out = join(dir, 'tree');
    const r = combineCli([...shards].reverse(), out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectVector(out);
  });

  it('a shard task that died (killed before its folder was switched in) is named; re-running it is enough', () => {
    const died = join(dir, 'died2');
    const k = buildShardCli(parts[2]!, 2, 4, died, vectorOptions(), { POR_TEST_CRASH_AT: 'shard:before-switch' });
    expect(k.signal).toBe('SIGKILL');
    expect(existsSync(join(died, 'shard.json'))).toBe(false);
    const r = combineCli(withShard(2, died), join(dir, 'tree-died'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(died, 'shard.json'));
    expect(r.stderr).toMatch(/not a finished shard.*run its por build --shard again/);
    expect(existsSync(join(dir, 'tree-died'))).toBe(false);
    expect(buildShardCli(parts[2]!, 2, 4, died).status).toBe(0);
    const again = combineCli(withShard(2, died), join(dir, 'tree-died'));
    expect(again.status).toBe(0);
    expect(readFileSync(join(dir, 'tree-died/public/root.json'), 'utf8')).toBe(readFileSync(join(dir, 'tree/public/root.json'), 'utf8'));
  });

  it('a shard of another snapshot id, secret, height or shard count is refused, naming it', () => {
    const otherSecret = join(dir, 'other.key');
    writeFileSync(otherSecret, 'another secret, also at least thirty-two bytes long');
    chmodSync(otherSecret, 0o600);
    const cases: [string, string[], RegExp][] = [
      ['snap', ['--snapshot-id', 'another-day'], /shard 1\/4: built for snapshot "another-day", not "2026-11-30-scale"/],
      ['secret', vectorOptions({ secretFile: otherSecret }), /shard 1\/4: built with another secret/],
      ['height', [...vectorOptions(), '--height', '30'], /shard 1\/4: built for height 30, not 32/],
    ];
    for (const [name, opts, why] of cases) {
      const o = opts[0] === '--snapshot-id' ? vectorOptions({ snapshotId: opts[1] }) : opts;
      const bad = join(dir, `bad-${name}`);
      expect(buildShardCli(parts[1]!, 1, 4, bad, o).status).toBe(0);
      const r = combineCli(withShard(1, bad), join(dir, `tree-${name}`));
      expect(r.status, name).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toContain(join(bad, 'shard.json'));
    }
    const three = join(dir, 'bad-count');
    expect(buildShardCli(parts[1]!, 1, 3, three).status).toBe(0);
    const r = combineCli(withShard(1, three), join(dir, 'tree-count'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard 1\/3: built as one of 3 shards, but 4 shard folders are given/);
  });

  it('a missing shard, a shard given twice, a truncated or reordered leaves file are refused', () => {
    const missing = combineCli(shards.slice(0, 3), join(dir, 'tree-missing'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/built as one of 4 shards, but 3 shard folders are given/);
    const twice = combineCli(withShard(3, shards[0]!), join(dir, 'tree-twice'));
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/shard 0\/4 is given twice/);
    const cut = join(dir, 'cut0');
    cpSync(shards[0]!, cut, { recursive: true });
    truncateSync(join(cut, 'leaves.bin'), 1000);
    const r = combineCli(withShard(0, cut), join(dir, 'tree-cut'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard 0\/4: leaves.bin is 1000 bytes, shard.json says/);
    // Two entries swapped (same size): the merge would misplace leaves; the reader refuses.
    const swapped = join(dir, 'swap0');
    cpSync(shards[0]!, swapped, { recursive: true });
    const bytes = readFileSync(join(swapped, 'leaves.bin'));
    const e0 = 2 * 32 + (32 + 5 * 32) + 2 + bytes.readUInt16BE(32 + 192 + 32);
    const e1 = 2 * 32 + (32 + 5 * 32) + 2 + bytes.readUInt16BE(e0 + 32 + 192 + 32);
    expect(e0).toBe(e1); // ids of one length in the vector: a swap keeps every offset
    writeFileSync(join(swapped, 'leaves.bin'), Buffer.concat([bytes.subarray(e0, 2 * e0), bytes.subarray(0, e0), bytes.subarray(2 * e0)]));
    const s = combineCli(withShard(0, swapped), join(dir, 'tree-swap'));
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/shard 0\/4: leaves.bin is not in user-hash order at user 1/);
    expect(readdirSync(dir).filter((n) => n.startsWith('.tree'))).toEqual([]);
  });

  it('a user whose rows are split over two parts is refused: every row of a user must be in one part', () => {
    // Move one of part 0's users' rows into part 1, keeping the other row in part 0.
    const p0 = readFileSync(parts[0]!, 'utf8').split('\n');
    const id = p0[1]!.slice(0, p0[1]!.indexOf(','));
    const second = p0.findIndex((l, i) => i > 1 && l.startsWith(`${id},`));
    expect(second).toBeGreaterThan(1);
    const moved = p0[second]!;
    writeFileSync(join(dir, 'split0.csv'), p0.filter((_, i) => i !== second).join('\n'));
    writeFileSync(join(dir, 'split1.csv'), readFileSync(parts[1]!, 'utf8') + moved + '\n');
    expect(buildShardCli(join(dir, 'split0.csv'), 0, 4, join(dir, 'split-s0')).status).toBe(0);
    expect(buildShardCli(join(dir, 'split1.csv'), 1, 4, join(dir, 'split-s1')).status).toBe(0);
    const r = combineCli([join(dir, 'split-s0'), join(dir, 'split-s1'), shards[2]!, shards[3]!], join(dir, 'tree-split'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`user id "${id}" is in shard [01]/4 and in shard [01]/4`));
  });
});

// Network faults between por and the node: each gives a clear per-address or per-chain result,
// never a zero balance, while everything else is still reported.
import { afterEach, describe, expect, it } from 'vitest';
import { readReserves, toReserveRows } from '../../src/reserves/index.js';
import { RpcClient } from '../../src/reserves/rpc.js';
import { fixture, goodEntries, manifest, testRegistry } from '../helpers/anvil-fixture.js';
import { deadUrl, startProxy } from '../helpers/anvil-proxy.js';

const f = fixture();
const snapshot = BigInt(f.snapshot);
const registry = testRegistry();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('faults', () => {
  it('node down: a chain error naming the chain; nothing counted; solvency rows refused', async () => {
    const url = await deadUrl();
    const warnings: string[] = [];
    const r = await readReserves({
      wallets: manifest(goodEntries().slice(0, 3), registry),
      registry,
      rpc: { ethereum: url },
      blocks: { ethereum: snapshot },
      retries: 1,
      backoffMs: 10,
      reporter: { progress() {}, done() {}, warn: (m) => warnings.push(m) },
    });
    expect(r.chains[0]!.error).toMatch(/node did not answer after 2 attempts: cannot reach node \(ECONNREFUSED\)/);
    expect(r.addresses.every((a) => !a.counted && a.unread && a.balances.every((b) => b.balance === undefined))).toBe(true);
    // Every address is listed unread in every total: none is complete, none adds anything.
    expect(r.totals.every((t) => !t.complete && t.addresses === 0 && t.unread.length === 3)).toBe(true);
    expect(() => toReserveRows(r, registry)).toThrow(/could not read reserves on chain ethereum/);
    expect(warnings.some((w) => w.includes('retrying (1/1)'))).toBe(true);
  });

  it('node erroring on some calls (pruned state for one address): that address has an error, the others are read', async () => {
    const victim = f.wallets[1]!.address.toLowerCase();
    const proxy = await startProxy(f.url, {
      errorFor: (c) => (c.method === 'eth_getBalance' && String(c.params[0]).toLowerCase() === victim ? 'missing trie node abc (path ) state 0x… is not available' : undefined),
    });
    closers.push(proxy.close);
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 3), registry), registry, rpc: { ethereum: proxy.url }, blocks: { ethereum: snapshot }, retries: 2, backoffMs: 5 });
    expect(r.chains[0]!.error).toBeUndefined();
    const bad = r.addresses[1]!.balances.find((b) => b.asset === 'ETH')!;
    expect(bad.balance).toBeUndefined();
    expect(bad.error).toMatch(/eth_getBalance: missing trie node/);
    // Its tokens and the other addresses are still read.
    expect(r.addresses[1]!.balances.find((b) => b.asset === 'TKA')!.balance).toBe(BigInt(f.wallets[1]!.tka));
    expect(r.addresses[0]!.balances.find((b) => b.asset === 'ETH')!.balance).toBe(BigInt(f.wallets[0]!.eth));
    const eth = r.totals.find((t) => t.asset === 'ETH')!;
    expect(eth.complete).toBe(false);
    expect(() => toReserveRows(r, registry)).toThrow(expect.objectContaining({ info: expect.objectContaining({ address: f.wallets[1]!.address, block: snapshot }) }));
  });

  it('transient HTTP 503s are retried and the figures are exact', async () => {
    const proxy = await startProxy(f.url, { failFirst: 2 });
    closers.push(proxy.close);
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 2), registry), registry, rpc: { ethereum: proxy.url }, blocks: { ethereum: snapshot }, retries: 3, backoffMs: 5 });
    expect(r.chains[0]!.error).toBeUndefined();
    expect(r.addresses[1]!.balances[0]!.balance).toBe(BigInt(f.wallets[1]!.eth));
  });

  it('a slow node hits the per-call timeout and becomes a chain error', async () => {
    const proxy = await startProxy(f.url, { delayMs: 1500 });
    closers.push(proxy.close);
    const r = await readReserves({ wallets: manifest(goodEntries().slice(0, 2), registry), registry, rpc: { ethereum: proxy.url }, blocks: { ethereum: snapshot }, timeoutMs: 200, retries: 1, backoffMs: 5 });
    expect(r.chains[0]!.error).toMatch(/no answer within 200 ms/);
    expect(r.addresses.every((a) => a.balances.every((b) => b.balance === undefined && /could not be read/.test(b.error!)))).toBe(true);
  });

  it('RpcClient keeps results in order across many batches', async () => {
    const client = new RpcClient(f.url, { batchSize: 7, concurrency: 3 });
    const calls = f.wallets.map((w) => ({ method: 'eth_getBalance', params: [w.address, `0x${snapshot.toString(16)}`] }));
    const out = await client.batch(calls);
    expect(out.map((o) => (o.ok ? BigInt(o.result as string) : -1n))).toEqual(f.wallets.map((w) => BigInt(w.eth)));
  });
});

// EVM chains over raw JSON-RPC: pin a block, read native and ERC-20 balances at it, check token
// decimals and ownership signatures (EIP-191 recovery, EIP-1271 for contract wallets) at it.
import { AbiCoder, getAddress, hexlify } from 'ethers';
import { porError } from '../core/errors/index.js';
import { eip191Hash, recoverEip191 } from '../signatures/evm.js';
import type { SignatureResult } from '../signatures/result.js';
import type { RpcCall, RpcClient, RpcOutcome } from './rpc.js';
import type { BlockRef } from '../core/reserves/types.js';

const SEL_BALANCE_OF = '0x70a08231';
const SEL_DECIMALS = '0x313ce567';
const SEL_IS_VALID_SIGNATURE = '0x1626ba7e'; // also the magic value a valid EIP-1271 check returns

const hex = (n: bigint | number) => `0x${n.toString(16)}`;

/**
 * Checks the node serves `chainId`, then fixes the block: the one given, or latest − confirmations
 * (the block number is read explicitly; ethers' cached getBlockNumber could be 250 ms stale).
 */
export async function pinEvmBlock(client: RpcClient, chain: string, chainId: number, opts: { block?: bigint; confirmations?: number }): Promise<BlockRef> {
  const got = BigInt(asHex(await client.call('eth_chainId', []), 'eth_chainId', chain));
  if (got !== BigInt(chainId)) {
    throw porError('NETWORK', `node at ${safeUrl(client.url)} serves chain id ${got}, but the manifest says chain ${chain} has chain id ${chainId}`, { chain });
  }
  let number = opts.block;
  if (number === undefined) {
    const latest = BigInt(asHex(await client.call('eth_blockNumber', []), 'eth_blockNumber', chain));
    const conf = BigInt(opts.confirmations ?? 0);
    if (latest < conf) throw porError('NETWORK', `the chain has only ${latest} blocks; cannot go back ${conf} confirmations`, { chain });
    number = latest - conf;
  }
  const block = (await client.call('eth_getBlockByNumber', [hex(number), false])) as { hash?: string; number?: string; timestamp?: string } | null;
  if (!block || typeof block.hash !== 'string' || typeof block.timestamp !== 'string') {
    throw porError('NETWORK', `node has no block ${number} (beyond its head, or not served)`, { chain, block: number });
  }
  if (block.number !== undefined && BigInt(block.number) !== number) throw porError('NETWORK', `asked for block ${number}, node returned block ${BigInt(block.number)}`, { chain, block: number });
  return { number, hash: block.hash, timestamp: Number(BigInt(block.timestamp)) };
}

/** After reading: the block at that height must still be the one pinned (no reorg in between). */
export async function confirmEvmBlock(client: RpcClient, chain: string, block: BlockRef): Promise<void> {
  const again = (await client.call('eth_getBlockByNumber', [hex(block.number), false])) as { hash?: string } | null;
  if (!again || again.hash !== block.hash) {
    throw porError('NETWORK', `block ${block.number} changed while reading (was ${block.hash}, now ${again?.hash ?? 'missing'}): a reorganisation; read again at a deeper block (--confirmations)`, { chain, block: block.number });
  }
}

export interface EvmBalanceRequest {
  address: string;
  /** Token contract; undefined for the native coin. */
  contract?: string;
}

export type BalanceOutcome = { ok: true; balance: bigint } | { ok: false; error: string };

/** Native balances (eth_getBalance) and ERC-20 balanceOf (eth_call) at `block`, batched. */
export async function readEvmBalances(client: RpcClient, block: BlockRef, reqs: EvmBalanceRequest[], onProgress?: (done: number) => void): Promise<BalanceOutcome[]> {
  const tag = hex(block.number);
  const calls: RpcCall[] = reqs.map((r) =>
    r.contract === undefined
      ? { method: 'eth_getBalance', params: [r.address, tag] }
      : { method: 'eth_call', params: [{ to: r.contract, data: SEL_BALANCE_OF + r.address.slice(2).toLowerCase().padStart(64, '0') }, tag] },
  );
  const out = await client.batch(calls, onProgress);
  return out.map((o, i) => decodeUint(o, reqs[i]!.contract === undefined ? 'eth_getBalance' : `balanceOf on token ${reqs[i]!.contract}`));
}

/** Each token's decimals() at `block`; returns the reason per contract when it does not match. */
export async function checkTokenDecimals(client: RpcClient, block: BlockRef, tokens: { contract: string; decimals: number; asset: string }[]): Promise<Map<string, string>> {
  const tag = hex(block.number);
  const out = await client.batch(tokens.map((t) => ({ method: 'eth_call', params: [{ to: t.contract, data: SEL_DECIMALS }, tag] })));
  const problems = new Map<string, string>();
  out.forEach((o, i) => {
    const t = tokens[i]!;
    const d = decodeUint(o, `decimals() on token ${t.contract}`);
    if (!d.ok) problems.set(t.contract, d.error);
    else if (d.balance !== BigInt(t.decimals)) problems.set(t.contract, `token ${t.asset} at ${t.contract} has ${d.balance} decimals on-chain, but the asset registry says ${t.decimals}`);
  });
  return problems;
}

/** A signature check, plus the contract wallets whose "yes" was shown to mean nothing, and the
 *  checks a node fault left undecided (nodeError): neither proven nor failed. */
export type OwnershipCheck = SignatureResult & { acceptsAnything?: boolean; nodeError?: true };

/**
 * Ownership of each address at `block`: an EIP-191 signature by the address's key, or, for an
 * address holding code (a contract wallet such as a multisig), EIP-1271 isValidSignature called
 * at the pinned block with the EIP-191 hash of the message. A contract that says yes is then
 * probed (probeAcceptsAnything): one that also says yes to a random hash is `acceptsAnything`.
 */
export async function checkEvmOwnership(client: RpcClient, block: BlockRef, items: { address: string; message: string; signature: string }[]): Promise<OwnershipCheck[]> {
  const results: OwnershipCheck[] = new Array(items.length);
  const needCode: number[] = [];
  items.forEach((it, i) => {
    const rec = recoverEip191(it.message, it.signature);
    if ('address' in rec && rec.address === getAddress(it.address)) results[i] = { ok: true, scheme: 'eip191', reason: 'EIP-191 signature recovers to the address' };
    else {
      results[i] = 'error' in rec ? { ok: false, scheme: 'eip191', reason: rec.error } : { ok: false, scheme: 'eip191', reason: `signed by ${rec.address}, not by ${getAddress(it.address)}` };
      needCode.push(i);
    }
  });
  if (needCode.length === 0) return results;
  const tag = hex(block.number);
  const codes = await client.batch(needCode.map((i) => ({ method: 'eth_getCode', params: [items[i]!.address, tag] })));
  const contracts: number[] = [];
  codes.forEach((c, k) => {
    const i = needCode[k]!;
    // The node failed, not the signature: undecided, never "failed" (which would drop the wallet).
    if (!c.ok) results[i] = { ok: false, nodeError: true, scheme: 'eip1271', reason: `cannot read the address's code at block ${block.number}: ${c.error}` };
    else if (typeof c.result === 'string' && c.result !== '0x' && c.result !== '0x0') contracts.push(i);
  });
  if (contracts.length === 0) return results;
  const answers = await client.batch(contracts.map((i) => isValidSignatureCall(items[i]!.address, eip191Hash(items[i]!.message), items[i]!.signature, tag)));
  const accepted: number[] = [];
  answers.forEach((a, k) => {
    const i = contracts[k]!;
    // A revert is the contract's answer; any other error, or an empty answer ("0x": no code ran, as
    // from a node missing the state), is the node's fault and decides nothing.
    if (!a.ok && /revert/i.test(a.error)) results[i] = { ok: false, scheme: 'eip1271', reason: `contract wallet's isValidSignature failed at block ${block.number}: ${a.error}` };
    else if (!a.ok) results[i] = { ok: false, nodeError: true, scheme: 'eip1271', reason: `isValidSignature could not be called at block ${block.number}: ${a.error}` };
    else if (a.result === '0x') results[i] = { ok: false, nodeError: true, scheme: 'eip1271', reason: `isValidSignature answered nothing (0x) at block ${block.number}, though the address holds code` };
    else if (isMagic(a.result)) accepted.push(i);
    else results[i] = { ok: false, scheme: 'eip1271', reason: `contract wallet's isValidSignature rejected the signature at block ${block.number} (returned ${String(a.result).slice(0, 10)})` };
  });
  const probes = await probeAcceptsAnything(client, tag, accepted.map((i) => items[i]!));
  // Only a probe that was refused counts the wallet as proven; accepts-anything or a node fault during
  // the probe (nodeError) is the probe's own result.
  accepted.forEach((i, k) => (results[i] = !probes[k]!.ok ? probes[k]! : { ok: true, scheme: 'eip1271', reason: `contract wallet's isValidSignature accepted the signature at block ${block.number}, and refused a random hash` }));
  return results;
}

/**
 * A contract wallet's "yes" means something only if it can say no. Each wallet that accepted is
 * asked again, at the same block, about a fresh random hash: once with a junk 65-byte signature
 * and once with the very signature it accepted (a contract that checks only the signature bytes,
 * never the hash, would let one signature prove anything). A magic value to either, or a probe
 * that cannot be made, means the proof is not counted.
 */
async function probeAcceptsAnything(client: RpcClient, tag: string, items: { address: string; signature: string }[]): Promise<OwnershipCheck[]> {
  if (items.length === 0) return [];
  const rand = (n: number) => hexlify(crypto.getRandomValues(new Uint8Array(n)));
  const calls = items.flatMap((it) => [isValidSignatureCall(it.address, rand(32), rand(65), tag), isValidSignatureCall(it.address, rand(32), it.signature, tag)]);
  const answers = await client.batch(calls);
  return items.map((_, k) => {
    const [junk, reused] = [answers[2 * k]!, answers[2 * k + 1]!];
    // A revert is a refusal (Safe reverts on a bad signature); any other error, or an empty answer
    // from a contract that just answered, is the node's fault: the probe is undecided (nodeError),
    // neither accepts-anything nor failed.
    const fault = [junk, reused].find((a) => (!a.ok && !/revert/i.test(a.error)) || (a.ok && a.result === '0x'));
    if (fault) {
      const why = fault.ok ? 'the node answered nothing (0x)' : fault.error;
      return { ok: false, nodeError: true, scheme: 'eip1271', reason: `contract wallet could not be probed with a random hash at block ${BigInt(tag)}: ${why}` };
    }
    const yes = (a: RpcOutcome) => a.ok && isMagic(a.result);
    if (!yes(junk) && !yes(reused)) return { ok: true, scheme: 'eip1271', reason: '' };
    const what = yes(junk) ? 'a random hash with a junk signature' : 'a random hash with the same signature';
    return { ok: false, acceptsAnything: true, scheme: 'eip1271', reason: `accepts-anything: the contract wallet's isValidSignature also accepts ${what} at block ${BigInt(tag)}, so its "yes" proves no one controls it` };
  });
}

function isValidSignatureCall(address: string, hash: string, signature: string, tag: string): RpcCall {
  const sigHex = /^0x([0-9a-fA-F]{2})*$/.test(signature) ? signature : '0x';
  const data = SEL_IS_VALID_SIGNATURE + AbiCoder.defaultAbiCoder().encode(['bytes32', 'bytes'], [hash, sigHex]).slice(2);
  return { method: 'eth_call', params: [{ to: address, data }, tag] };
}

const isMagic = (r: unknown) => typeof r === 'string' && r.slice(0, 10).toLowerCase() === SEL_IS_VALID_SIGNATURE;

function decodeUint(o: RpcOutcome, what: string): BalanceOutcome {
  if (!o.ok) return { ok: false, error: `${what}: ${o.error}` };
  const r = o.result;
  // "0x" from eth_call means no contract answered: never read that as a zero balance.
  if (typeof r !== 'string' || !/^0x[0-9a-fA-F]+$/.test(r)) return { ok: false, error: `${what}: unexpected answer ${JSON.stringify(r)?.slice(0, 80)} (no contract at that address at this block?)` };
  if (r.length > 66) return { ok: false, error: `${what}: answer longer than one 256-bit word` };
  return { ok: true, balance: BigInt(r) };
}

function asHex(v: unknown, what: string, chain: string): string {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]+$/.test(v)) throw porError('NETWORK', `${what} answered ${JSON.stringify(v)}, not a hex quantity`, { chain });
  return v;
}

/** A URL for messages without any credentials in it (API keys often ride in paths or queries). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : ''}`;
  } catch {
    return '(invalid url)';
  }
}

// A Safe-style multisig's owners and threshold at a block, read with `eth_call` through the
// project's RPC client (retries, located errors). Used where an exchange proves a contract wallet
// through its owners' signatures (OKX's contract-wallet rows).
import { AbiCoder, getAddress } from 'ethers';
import type { RpcClient } from './rpc.js';
import { isPorError } from '../core/errors/index.js';

const SEL_GET_OWNERS = '0xa0e67e2b'; // getOwners()
const SEL_GET_THRESHOLD = '0xe75235b8'; // getThreshold()

export interface SafeOwners {
  /** Checksummed. */
  owners: string[];
  /** Undefined when the contract has no getThreshold(). */
  threshold?: bigint;
}

/** Throws (the client's PorError, or ethers' decode error) when getOwners() cannot be read. */
export async function readSafeOwners(client: RpcClient, address: string, block: bigint): Promise<SafeOwners> {
  const tag = `0x${block.toString(16)}`;
  const raw = (await client.call('eth_call', [{ to: address, data: SEL_GET_OWNERS }, tag])) as string;
  const [owners] = AbiCoder.defaultAbiCoder().decode(['address[]'], raw) as unknown as [string[]];
  const out: SafeOwners = { owners: owners.map((o) => getAddress(o)) };
  try {
    out.threshold = BigInt((await client.call('eth_call', [{ to: address, data: SEL_GET_THRESHOLD }, tag])) as string);
  } catch (err) {
    // No getThreshold() (a revert): the owners alone are compared. A node fault is not an answer.
    if (isPorError(err, 'NETWORK')) throw err;
  }
  return out;
}

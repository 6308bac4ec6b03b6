// A dishonest "contract wallet": isValidSignature (indeed any call) returns the EIP-1271 magic value
// 0x1626ba7e for every input. Hand-written EVM bytecode, so no compiler is needed:
//   runtime (41 bytes): PUSH32 0x1626ba7e00…00  PUSH1 0  MSTORE  PUSH1 32  PUSH1 0  RETURN
//   init    (11 bytes): PUSH1 41  DUP1  PUSH1 11  PUSH1 0  CODECOPY  PUSH1 0  RETURN
import { send, DEPLOYER } from '../../scripts/demo-chain.mjs';

export const ACCEPT_ALL_RUNTIME = '0x7f1626ba7e' + '00'.repeat(28) + '600052' + '6020' + '6000' + 'f3';
const INIT = '6029' + '80' + '600b' + '6000' + '39' + '6000' + 'f3';

/** Deploys the accept-everything contract from anvil's account 0; returns its address. */
export async function deployAcceptAll(url: string, from = DEPLOYER): Promise<string> {
  const receipt = (await send(url, { from, data: `0x${INIT}${ACCEPT_ALL_RUNTIME.slice(2)}` })) as { contractAddress: string };
  return receipt.contractAddress;
}

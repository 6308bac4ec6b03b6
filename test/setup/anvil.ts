// Vitest global setup: one anvil for the whole run (127.0.0.1, free port), with two ERC-20s
// (6 and 18 decimals), 50 funded wallets whose keys the tests hold, and an EIP-1271 contract
// wallet. It records the snapshot block, then MOVES FUNDS AFTER IT, so a reader that is not pinned
// to the snapshot block gets other figures. Test files only read from this chain (no sending
// account is shared between files running at the same time).
import type { TestProject } from 'vitest/node';
import { computeAddress, Interface, keccak256, toUtf8Bytes } from 'ethers';
import { startAnvil, deploy, mintBatch, setBalances, transferFrom, mine, send, rpc, ARTIFACTS } from '../../scripts/demo-chain.mjs';

export interface FundedWallet {
  key: string;
  address: string;
  /** What the setup sent, base units, at the snapshot block. */
  eth: string;
  tka: string;
  tkb: string;
}

export interface AnvilFixture {
  url: string;
  chainId: number;
  /** The snapshot block (decimal string; provide() carries JSON-safe values). */
  snapshot: string;
  latest: string;
  tka: string; // token with 6 decimals
  tkb: string; // token with 18 decimals
  wallets: FundedWallet[];
  contractWallet: { address: string; ownerKey: string; newOwnerKey: string; eth: string; tka: string };
  /** Changes made after the snapshot, for tests that show "latest" differs. */
  after: { wallet0EthOut: string; wallet1TkaOut: string; wallet2TkbIn: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    anvil: AnvilFixture;
  }
}

export const WALLETS = 50;
const E18 = 10n ** 18n;

/** Funding plan, chosen so every figure is distinct and has non-zero low digits. */
export function plannedFunding(i: number): { eth: bigint; tka: bigint; tkb: bigint } {
  const n = BigInt(i);
  return {
    eth: (n + 1n) * E18 + n * 7n + 1n,
    tka: (n + 1n) * 1_000_000n + 13n * n, // 6 decimals
    tkb: (n % 5n) * E18 + n * 10n ** 15n + 3n, // 18 decimals
  };
}

export const keyOf = (label: string) => keccak256(toUtf8Bytes(`por reserves TEST ONLY key: ${label}`));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Blocks dated at the tests' snapshot time (test/helpers/anvil-fixture.ts SNAPSHOT), as in a real run.
  const snapTime = Date.parse('2026-11-24T00:00:00Z') / 1000;
  const anvil = await startAnvil({ timestamp: snapTime - 600 });
  try {
    const url = anvil.url;
    const tka = await deploy(url, 'TestToken', ['Token A (TEST)', 'TKA', 6]);
    const tkb = await deploy(url, 'TestToken', ['Token B (TEST)', 'TKB', 18]);
    const wallets: FundedWallet[] = [];
    for (let i = 0; i < WALLETS; i++) {
      const key = keyOf(`wallet ${i}`);
      const f = plannedFunding(i);
      wallets.push({ key, address: computeAddress(key), eth: f.eth.toString(), tka: f.tka.toString(), tkb: f.tkb.toString() });
    }
    const ownerKey = keyOf('contract wallet owner');
    const newOwnerKey = keyOf('contract wallet new owner');
    const cw = await deploy(url, 'Wallet1271', [computeAddress(ownerKey)]);
    const cwEth = 5n * E18 + 55n;
    const cwTka = 777_000_001n;

    await setBalances(url, [...wallets.map((w) => w.address), cw], [...wallets.map((w) => BigInt(w.eth)), cwEth]);
    await mintBatch(url, tka, [...wallets.map((w) => w.address), cw], [...wallets.map((w) => BigInt(w.tka)), cwTka]);
    await mintBatch(url, tkb, wallets.map((w) => w.address), wallets.map((w) => BigInt(w.tkb)));
    await rpc(url, 'evm_setNextBlockTimestamp', [snapTime]);
    const snapshot = await mine(url, 1);

    // After the snapshot: outflows, an inflow, and the contract wallet changing its owner (so its
    // EIP-1271 check passes only when called at the snapshot block).
    await mine(url, 3);
    const sink = computeAddress(keyOf('sink'));
    const ethOut = 2n * 10n ** 17n + 9n;
    await transferFrom(url, wallets[0]!.address, sink, { value: ethOut });
    await transferFrom(url, wallets[1]!.address, sink, { contract: tka, amount: BigInt(wallets[1]!.tka) });
    const tkbIn = 42n * E18;
    await mintBatch(url, tkb, [wallets[2]!.address], [tkbIn]);
    const owner = computeAddress(ownerKey);
    await setBalances(url, [owner], [E18]);
    await rpc(url, 'anvil_impersonateAccount', [owner]);
    await send(url, { from: owner, to: cw, data: new Interface(ARTIFACTS.Wallet1271!.abi as never).encodeFunctionData('setOwner', [computeAddress(newOwnerKey)]) });
    await rpc(url, 'anvil_stopImpersonatingAccount', [owner]);
    const latest = await mine(url, 2);

    const fixture: AnvilFixture = {
      url,
      chainId: 31337,
      snapshot: snapshot.toString(),
      latest: latest.toString(),
      tka,
      tkb,
      wallets,
      contractWallet: { address: cw, ownerKey, newOwnerKey, eth: cwEth.toString(), tka: cwTka.toString() },
      after: { wallet0EthOut: ethOut.toString(), wallet1TkaOut: wallets[1]!.tka, wallet2TkbIn: tkbIn.toString() },
    };
    project.provide('anvil', fixture);
  } catch (err) {
    await anvil.stop();
    throw err;
  }
  return async () => {
    await anvil.stop();
  };
}

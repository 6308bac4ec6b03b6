// Types for scripts/demo-chain.mjs (used from TypeScript tests).
export const ARTIFACTS: Record<string, { source: string; abi: unknown[]; bytecode: string }>;
export const DEPLOYER: string;
export const SAMPLE_TOKENS: { symbol: string; name: string; decimals: number; address: string }[];
export function anvilBinary(): string;
export function freePort(): Promise<number>;
export function rpc(url: string, method: string, params?: unknown[]): Promise<any>;
export function rpcBatch(url: string, calls: [string, unknown[]][]): Promise<any[]>;
export function startAnvil(opts?: { chainId?: number; timeoutMs?: number; timestamp?: number }): Promise<{ url: string; port: number; pid: number; stop: () => Promise<void> }>;
export function send(url: string, tx: Record<string, unknown>): Promise<{ contractAddress: string | null; blockNumber: string; status: string }>;
export function deploy(url: string, name: string, args?: unknown[], from?: string, value?: bigint): Promise<string>;
export function mintBatch(url: string, contract: string, to: string[], amounts: bigint[], chunk?: number): Promise<void>;
export function setBalances(url: string, addresses: string[], amounts: bigint[]): Promise<void>;
export function transferFrom(url: string, from: string, to: string, what: { value?: bigint; contract?: string; amount?: bigint }): Promise<void>;
export function mine(url: string, blocks?: number): Promise<bigint>;
export function startEsploraFixture(opts: { tip: number; txs: unknown[]; genesis?: string; timeOf?: (height: number) => number }): Promise<{ url: string; stop: () => Promise<void> }>;
export function demoBitcoinTxs(plan: unknown, snapTime: number): unknown[];
/** rpc/blocks/latest are keyed by chain name: "ethereum", and "bitcoin" (an Esplora fixture server). */
export function demoChain(opts?: { quiet?: boolean }): Promise<{
  rpc: Record<string, string>;
  blocks: Record<string, bigint>;
  latest: Record<string, bigint>;
  stop: () => Promise<void>;
}>;

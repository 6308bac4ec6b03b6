// What every ownership-signature check returns (EIP-191, OKX's EVM variants, Tron, BIP-137,
// BIP-322, multisig; EIP-1271 adds to it in src/reserves/evm.ts). Never thrown: a bad signature is
// a per-address result.

export interface SignatureResult {
  ok: boolean;
  /** Which scheme decided: "eip191", "bip137", "bip322-simple-p2wpkh", "eip1271", … */
  scheme: string;
  /** One plain sentence a reader of the report understands: why it holds or why not. */
  reason: string;
}

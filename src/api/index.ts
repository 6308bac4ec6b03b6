// `import … from 'por'`: the library for Node (an exchange's backend, an auditor's script). Thin
// wrappers and re-exports over the stages, so the library computes exactly what the CLI does;
// docs/API.md documents every name and a test runs its examples.

// Verification (also `por/verify`, which is browser-safe).
export * from './verify.js';

// Version of this build.
export { VERSION, COMMIT } from '../cli/version.js';

// Keys: a report signing key and a tree secret (`por keygen`).
export { keygen, newSigningKey, newTreeSecret, type KeygenResult } from '../cli/commands/keygen.js';

// Assets and the liabilities snapshot.
export { parseAssetRegistry, type AssetRegistry, type Asset, type OnchainAsset } from '../core/assets/index.js';
export { loadAssetRegistry } from '../assets/load.js';
export { readSnapshot, type Snapshot, type ReadOptions, type UserBalances, type AssetLiability, type ExchangeOwned } from '../ingest/index.js';

// The Merkle sum tree: build from any (async) iterable of users; one user's proof from the store.
export { buildTree, openProofStore, type TreeUser, type BuildTreeOptions, type TreeBuilt, type ProofLookup } from './tree.js';
export { readSecretFile } from '../merkle/secret.js';
export type { ProofDocument, RootDocument, MerkleRoot, RootSum } from '../core/merkle/types.js';

// Solvency, asset by asset.
export {
  computeSolvency, assessBadDebt, solvencyDocument, formatRatio, parseReserveBalances, parsePrices, parseHaircutsDocument,
  type HaircutTable, type Solvency, type SolvencyInput, type AssetSolvency, type BadDebt, type Prices, type ReserveRow,
} from '../solvency/index.js';
export { readReserveBalances, readPrices, readHaircuts } from '../solvency/load.js';

// Reserves read from the chains at pinned blocks, with ownership proofs checked.
export {
  readReserves, toReserveRows, parseWalletManifest, ownershipMessage, reservesDocument,
  type ReadReservesOptions, type ReservesResult, type WalletManifest, type WalletEntry, type BitcoinVerifier,
} from '../reserves/index.js';
export { loadWalletManifest, defaultBitcoinVerifier } from '../reserves/load.js';

// The report: assemble, sign, check a signature, write report.json / report.sig.json / report.html.
export { assembleReport, canonicalJson, type AssembleInput, type AddressInput } from '../report/assemble.js';
export { chainsFromReserves, addressesFromReserves } from '../report/from-reserves.js';
export { signReport, checkReportSignature, parseSignature, type ReportSignature, type SignatureCheck } from '../report/signature.js';
export { publishReport, type PublishOptions } from '../report/publish.js';
export { parseReport } from '../core/report/parse.js';
export type { Report } from '../core/report/types.js';

// A journalist's audit.
export { auditReport, type AuditOptions, type AuditResult } from '../audit/audit.js';
export type { AuditCheck } from '../core/checks/index.js';
export { auditReportFile, type AuditFileOptions } from './audit.js';

// Every por document as one module: { FORMAT, VERSION, FIELDS, read, write } (src/core/json/read.ts
// DocumentModule). docs/FORMATS.md has a section for each, whose "Fields:" line a test holds to
// FIELDS. Pure; re-exports only.
import type { SomeDocumentModule } from '../json/read.js';
import * as assets from './assets.js';
import * as audit from './audit.js';
import * as build from './build.js';
import * as compare from './compare.js';
import * as error from './error.js';
import * as haircuts from './haircuts.js';
import * as history from './history.js';
import * as keygen from './keygen.js';
import * as liabilities from './liabilities.js';
import * as okxAudit from './okx-audit.js';
import * as ownershipMessages from './ownership-messages.js';
import * as proof from './proof.js';
import * as proofExport from './proof-export.js';
import * as proofExportRun from './proof-export-run.js';
import * as proofWritten from './proof-written.js';
import * as render from './render.js';
import * as report from './report.js';
import * as reserves from './reserves.js';
import * as root from './root.js';
import * as shard from './shard.js';
import * as signature from './signature.js';
import * as signatureCheck from './signature-check.js';
import * as solvency from './solvency.js';
import * as storeMeta from './store-meta.js';
import * as verdict from './verdict.js';
import * as verifyPage from './verify-page.js';
import * as watchEvent from './watch-event.js';
import * as wallets from './wallets.js';

export {
  assets, audit, build, compare, error, haircuts, history, keygen, liabilities, okxAudit, ownershipMessages, proof, proofExport, proofExportRun,
  proofWritten, render, report, reserves, root, shard, signature, signatureCheck, solvency, storeMeta, verdict, verifyPage, wallets, watchEvent,
};

/** Every document module, for the FORMATS.md test and anyone listing what por reads and writes. */
export const DOCUMENTS: readonly SomeDocumentModule[] = [
  assets, root, proof, storeMeta, signature, signatureCheck, render, build, verdict, error, report, wallets, haircuts, reserves, audit, proofExport,
  history, watchEvent, verifyPage, solvency, shard, proofWritten, proofExportRun, ownershipMessages, okxAudit, liabilities, keygen, compare,
];

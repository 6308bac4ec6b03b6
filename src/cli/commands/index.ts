// Every command por offers, in the order --help lists them. Each lives in its own file.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { liabilitiesCommand } from './liabilities.js';
import { solvencyCommand } from './solvency.js';
import { reservesCommand } from './reserves.js';
import { ownershipMessageCommand } from './ownership-message.js';
import { buildCommand } from './build.js';
import { combineCommand } from './combine.js';
import { proofCommand } from './proof.js';
import { verifyCommand } from './verify.js';
import { compareCommand } from './compare.js';
import { reportCommand } from './report.js';
import { auditCommand } from './audit.js';
import { historyCommand } from './history.js';
import { watchCommand } from './watch.js';
import { verifyPageCommand } from './verify-page.js';
import { keygenCommand } from './keygen.js';

export const commands = [
  liabilitiesCommand,
  solvencyCommand,
  reservesCommand,
  ownershipMessageCommand,
  buildCommand,
  combineCommand,
  proofCommand,
  verifyCommand,
  compareCommand,
  reportCommand,
  auditCommand,
  historyCommand,
  watchCommand,
  verifyPageCommand,
  keygenCommand,
] as unknown as CommandModule<GlobalArgs, never>[];

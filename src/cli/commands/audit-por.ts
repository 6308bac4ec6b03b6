import type { ArgumentsCamelCase } from 'yargs';
import { porError } from '../../errors/index.js';
import type { Context, ExitCode } from '../context.js';

export interface AuditArgs {
  file: string;
  rpc: string[];
  other: string[];
  html?: string;
  json: boolean;
}

// Placeholder until the publish-and-audit issue lands.
export async function runPorAudit(_args: ArgumentsCamelCase<AuditArgs>, _ctx: Context): Promise<ExitCode> {
  throw porError('BAD_USAGE', 'auditing por reports is not implemented yet');
}

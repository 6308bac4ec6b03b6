import type { ArgumentsCamelCase } from 'yargs';
import { porError } from '../../errors/index.js';
import type { Context, ExitCode } from '../context.js';
import type { AuditArgs } from './audit-por.js';

// Placeholder until the OKX issue lands.
export async function runOkxAudit(_args: ArgumentsCamelCase<AuditArgs>, _ctx: Context): Promise<ExitCode> {
  throw porError('BAD_USAGE', 'auditing OKX reserve files is not implemented yet');
}

import { defineCommand, EXIT } from '../context.js';
import { porError } from '../../errors/index.js';

// Placeholder until its issue lands; kept so --help lists the whole tool.
export const reportCommand = defineCommand({
  command: 'report',
  describe: '(not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw porError('BAD_USAGE', 'report is not implemented yet');
    return EXIT.OK;
  },
});

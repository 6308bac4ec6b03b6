import { defineCommand, EXIT } from '../context.js';
import { porError } from '../../errors/index.js';

export const liabilitiesCommand = defineCommand({
  command: 'liabilities',
  describe: '(not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw porError('BAD_USAGE', 'liabilities is not implemented yet');
    return EXIT.OK;
  },
});

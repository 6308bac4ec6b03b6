import { defineCommand, EXIT } from '../context.js';
import { porError } from '../../errors/index.js';

export const solvencyCommand = defineCommand({
  command: 'solvency',
  describe: '(not yet implemented)',
  builder: (y) => y,
  run: async () => {
    throw porError('BAD_USAGE', 'solvency is not implemented yet');
    return EXIT.OK;
  },
});

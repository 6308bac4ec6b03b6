// `npm run demo`: the main job end to end on the bundled samples.
import { spawnSync } from 'node:child_process';

const por = (args) => {
  process.stdout.write(`\n$ por ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['bin/por.mjs', ...args], { stdio: 'inherit' });
  return r.status ?? 2;
};

por(['--help']);

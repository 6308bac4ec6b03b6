// `node bin/por.mjs ARGS` spawned asynchronously, for tests whose fixtures (the Esplora server of
// test/helpers/esplora-server.ts, the demo chain) answer from this process's event loop: a
// spawnSync would block them.
import { spawn } from 'node:child_process';

export function porAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/por.mjs', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

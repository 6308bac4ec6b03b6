// A small HTTP proxy in front of anvil that misbehaves on request: answers some calls with an
// RPC error, fails whole requests with HTTP errors, or answers slowly. For fault tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Call {
  id: number;
  method: string;
  params: unknown[];
}

export interface ProxyBehaviour {
  /** Answer this call with a JSON-RPC error instead of forwarding it. */
  errorFor?: (call: Call) => string | undefined;
  /** Fail this many whole HTTP requests with 503 before behaving. */
  failFirst?: number;
  /** Delay every answer (ms). */
  delayMs?: number;
}

export async function startProxy(target: string, behaviour: ProxyBehaviour): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  let failures = behaviour.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      if (res.destroyed) return;
      if (failures > 0) {
        failures--;
        res.writeHead(503).end('service unavailable');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call | Call[];
      const calls = Array.isArray(body) ? body : [body];
      const injected = new Map<number, string>();
      const forward: Call[] = [];
      for (const c of calls) {
        const err = behaviour.errorFor?.(c);
        if (err !== undefined) injected.set(c.id, err);
        else forward.push(c);
      }
      let answers: { id: number }[] = [];
      if (forward.length) {
        const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forward) });
        answers = (await r.json()) as { id: number }[];
      }
      const all = [...answers, ...[...injected].map(([id, message]) => ({ jsonrpc: '2.0', id, error: { code: -32000, message } }))];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(body) ? all : all[0]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A URL where nothing listens (a port just released). */
export async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

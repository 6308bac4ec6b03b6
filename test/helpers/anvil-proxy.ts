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

/**
 * How a fault proxy answers one request instead of forwarding it faithfully:
 * status — this HTTP status (500, 429…); reset — the connection is destroyed before any answer;
 * truncate — the real answer's headers (full Content-Length) and half its body, then the connection
 * drops; text — 200 with this body (an HTML error page: not JSON); hang — no answer, ever;
 * rewrite — the real answer, changed by `fn` (wrong network, a dropped transaction, a per-call error).
 */
export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'reset' }
  | { kind: 'truncate' }
  | { kind: 'text'; body: string }
  | { kind: 'hang' }
  | { kind: 'rewrite'; fn: (answer: string, request: { path: string; body: string }) => string };

export interface FaultRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * An HTTP proxy in front of any node (anvil's JSON-RPC or an Esplora server) that applies the fault
 * `pick` returns for each request (undefined: forward it unchanged). Hung requests are released by
 * close(). `hits` counts requests that got a fault.
 */
export async function startFaultProxy(target: string, pick: (req: FaultRequest) => Fault | undefined): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
      const fault = pick(request);
      if (fault) hits++;
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'reset') return void req.socket.destroy();
      if (fault?.kind === 'status') return void res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(fault.body ?? `error ${fault.status}`);
      if (fault?.kind === 'text') return void res.writeHead(200, { 'content-type': 'text/html' }).end(fault.body);
      let answer: { status: number; type: string; text: string };
      try {
        const r = await fetch(target + request.path, { method: request.method, ...(request.method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: request.body } : {}) });
        answer = { status: r.status, type: r.headers.get('content-type') ?? 'text/plain', text: await r.text() };
      } catch {
        return void req.socket.destroy();
      }
      const text = fault?.kind === 'rewrite' ? fault.fn(answer.text, request) : answer.text;
      if (fault?.kind === 'truncate') {
        const bytes = Buffer.from(text);
        res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.status, { 'content-type': answer.type }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type RpcAnswer = { id: number; result?: unknown; error?: { code: number; message: string } };
type RpcRequest = { id: number; method: string; params: unknown[] };

/** A JSON-RPC answer (single or batch) with `change` applied to each call's answer. */
export function rewriteRpc(answer: string, requestBody: string, change: (call: RpcRequest, a: RpcAnswer) => RpcAnswer): string {
  const req = JSON.parse(requestBody) as RpcRequest | RpcRequest[];
  const ans = JSON.parse(answer) as RpcAnswer | RpcAnswer[];
  const calls = new Map((Array.isArray(req) ? req : [req]).map((c) => [c.id, c]));
  const fix = (a: RpcAnswer) => (calls.has(a.id) ? change(calls.get(a.id)!, a) : a);
  return JSON.stringify(Array.isArray(ans) ? ans.map(fix) : fix(ans));
}

/** Whether a JSON-RPC request body (single or batch) has a call with this method. */
export function hasRpcMethod(body: string, method: string, test: (params: unknown[]) => boolean = () => true): boolean {
  try {
    const req = JSON.parse(body) as RpcRequest | RpcRequest[];
    return (Array.isArray(req) ? req : [req]).some((c) => c.method === method && test(c.params));
  } catch {
    return false;
  }
}

/**
 * A scripted local API server for watcher tests: the n-th request is answered by the n-th step of
 * the script (later requests hang open), and every request is recorded with its time, so tests
 * can check which LIST or WATCH the watcher made and when.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  at: number;
}

export type Step = (res: ServerResponse, req: IncomingMessage) => void;

export interface WatchServer {
  readonly url: string;
  readonly seen: Seen[];
  /** How many client sockets have closed so far. */
  readonly closedSockets: () => number;
  close(): Promise<void>;
}

export async function watchServer(script: Step[]): Promise<WatchServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const index = seen.length;
    seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, at: Date.now() });
    const step = script[index];
    if (step === undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      return; // hang open until the client goes away
    }
    step(res, req);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      closed++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    closedSockets: () => closed,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A LIST answer. */
export function listAnswer(rv: string, ...items: unknown[]): Step {
  return (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items }));
  };
}

/** A streaming WATCH answer: writes `lines` (objects are serialised), then ends unless `keepOpen`. */
export function watchAnswer(lines: (unknown | string)[], opts: { keepOpen?: boolean; destroy?: boolean } = {}): Step {
  return (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const l of lines) res.write(typeof l === 'string' ? l : `${JSON.stringify(l)}\n`);
    if (opts.destroy) setTimeout(() => res.socket?.destroy(), 20);
    else if (!opts.keepOpen) res.end();
  };
}

/** An error answer with a Status body. */
export function statusAnswer(code: number, reason: string, headers: Record<string, string> = {}, details?: unknown): Step {
  return (res) => {
    res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: `${reason} (scripted)`, ...(details ? { details } : {}) }));
  };
}

export const cm = (name: string, rv: string): { apiVersion: string; kind: string; metadata: { name: string; namespace: string; resourceVersion: string } } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

/** Resolves once `check()` holds, polling every 10 ms; rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

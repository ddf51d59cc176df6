/**
 * A throw-away local HTTP server for client unit tests: each test scripts how it answers, and the
 * server records what it received (method, URL, headers, body) and when sockets close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => void;

export interface ScriptedServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Resolves when `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  /** Resolves when a client socket has closed. */
  nextSocketClose(): Promise<void>;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(handler?: Handler): Promise<ScriptedServer> {
  let current: Handler = handler ?? ((_req, res) => res.end());
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: { n: number; resolve: () => void }[] = [];
  let closeWaiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = requests.length;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      for (const w of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      current(req, res, body, index);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      const ws = closeWaiters;
      closeWaiters = [];
      for (const w of ws) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests: (n) =>
      requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    nextSocketClose: () => new Promise<void>((resolve) => closeWaiters.push(resolve)),
    handle: (h) => {
      current = h;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends a JSON body with a status. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A Kubernetes failure Status. */
export function status(code: number, reason: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...extra };
}

/**
 * A scheduler whose clock stands still and whose timers fire on the next microtask; it records the
 * delays it was asked for, so tests can check waits without sleeping.
 */
export function recordingScheduler(now = 0): { scheduler: SchedulerLike; delays: number[] } {
  const delays: number[] = [];
  const scheduler: SchedulerLike = {
    now: () => now,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      delays.push(delay);
      const subscription = new Subscription();
      queueMicrotask(() => {
        if (!subscription.closed) work.call(subscription as unknown as SchedulerAction<T>, state);
      });
      return subscription;
    },
  };
  return { scheduler, delays };
}

/**
 * The watcher and a store against a hostile server (issue 11, "keep it hard"): a small stateful API
 * server whose objects change while it answers random requests with garbage, truncated lines, huge
 * lines, stalls, empty watches, ERROR events, resets and objects without a name. Once the hostility
 * is spent, the store must equal the server's objects; on the way, nothing may crash, every failure
 * must be a typed WatcherError whose cause is an rxkube error, and retries must stay bounded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { ConfigMap } from '../../lib/core/builtins.js';
import { isKubeError } from '../../lib/core/errors.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import { watcherWithErrors } from '../../lib/runtime/watcher.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';

type Hostility = 'garbage' | 'truncated' | 'hugeLine' | 'stall' | 'empty' | 'error410' | 'error500' | 'reset' | 'nameless' | 'status503';
const HOSTILITIES: Hostility[] = ['garbage', 'truncated', 'hugeLine', 'stall', 'empty', 'error410', 'error500', 'reset', 'nameless', 'status503'];

interface Obj {
  name: string;
  rv: number;
  v: string;
}

/** A tiny API server for one kind: LIST, and WATCH from a resourceVersion, with `hostile` answers used up first. */
class HostileServer {
  readonly objects = new Map<string, Obj>();
  readonly events: Array<{ type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Obj }> = [];
  rv = 1;
  requests = 0;
  private readonly watchers = new Set<{ from: number; res: ServerResponse }>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  constructor(private readonly hostile: Hostility[]) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.answer(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  write(name: string, deleted = false): void {
    const rv = ++this.rv;
    const old = this.objects.get(name);
    if (deleted) {
      if (old === undefined) return;
      this.objects.delete(name);
      this.publish({ type: 'DELETED', obj: { ...old, rv } });
      return;
    }
    const obj = { name, rv, v: String(rv) };
    this.objects.set(name, obj);
    this.publish({ type: old === undefined ? 'ADDED' : 'MODIFIED', obj });
  }

  private publish(e: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Obj }): void {
    this.events.push(e);
    for (const w of this.watchers) w.res.write(line(e));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const watch = url.searchParams.get('watch') === 'true';
    const hostility = this.hostile.shift();
    if (hostility !== undefined && this.hostileAnswer(hostility, res)) return;
    if (!watch) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: [...this.objects.values()].map(toCm) }));
      return;
    }
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    for (const e of this.events) if (e.obj.rv > from) res.write(line(e));
    const w = { from, res };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  /** Answers with `h`; returns false when the request is to be answered normally after all. */
  private hostileAnswer(h: Hostility, res: ServerResponse): boolean {
    const chunked = (): void => void res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    switch (h) {
      case 'garbage':
        chunked();
        res.end(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x0a, 0x5b, 0x0a]));
        return true;
      case 'truncated':
        chunked();
        res.write('{"type":"ADDED","object":{"metadata":{"na');
        setTimeout(() => res.socket?.destroy(), 5);
        return true;
      case 'hugeLine':
        chunked();
        res.write(`{"type":"ADDED","object":{"pad":"${'x'.repeat(200 * 1024)}`);
        return true; // the client gives up past its 64 KiB limit
      case 'stall':
        chunked();
        res.flushHeaders();
        return true; // silent until the watcher's idle timeout
      case 'empty':
        chunked();
        res.end();
        return true;
      case 'error410':
        chunked();
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } })}\n`);
        return true;
      case 'error500':
        chunked();
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } })}\n`);
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'nameless':
        chunked();
        res.end(`${JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', resourceVersion: '1' } } })}\n`);
        return true;
      case 'status503':
        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '0' });
        res.end(JSON.stringify({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'later' }));
        return true;
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function toCm(o: Obj) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, namespace: 'ns', resourceVersion: String(o.rv) }, data: { v: o.v } };
}
function line(e: { type: string; obj: Obj }): string {
  return `${JSON.stringify({ type: e.type, object: toCm(e.obj) })}\n`;
}

describe('watcher against a hostile server (property)', () => {
  it('converges to the server state after any sequence of hostile answers, with typed errors and bounded retries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...HOSTILITIES), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.boolean()), { minLength: 1, maxLength: 12 }),
        async (hostile, writes) => {
          const server = new HostileServer([...hostile]);
          await server.start();
          let sub: Subscription | undefined;
          try {
            server.write('seed');
            const api = Api.namespaced(new Client({ server: server.url }, { retry: false, maxLineBytes: 64 * 1024, timeouts: { requestMs: 1500 } }), ConfigMap, 'ns');
            const { reader, writer } = store<ConfigMap>();
            const errors: WatcherError[] = [];
            const items = watcherWithErrors(api, { initialListStrategy: 'listWatch', backoff: { initialMs: 10, maxMs: 80 }, timeoutSeconds: 1, idleMarginSeconds: 0.2 });
            sub = reflector(writer, items).subscribe((item) => {
              if (item.type === 'error') errors.push(item.error);
            });
            for (const [name, del] of writes) {
              server.write(name, del);
              await new Promise((r) => setTimeout(r, 5));
            }
            const expected = (): string => JSON.stringify([...server.objects.values()].map((o) => [o.name, String(o.rv)]).sort());
            const actual = (): string => JSON.stringify(reader.list().map((o) => [o.metadata?.name, o.metadata?.resourceVersion]).sort());
            const deadline = Date.now() + 15_000;
            while (actual() !== expected() || !reader.isReady()) {
              if (Date.now() > deadline) throw new Error(`no convergence: store ${actual()} vs server ${expected()} after ${hostile.join(',')}`);
              await new Promise((r) => setTimeout(r, 10));
            }
            // Nothing was stored under an empty key, every failure was typed, and the retries were bounded.
            expect(reader.list().every((o) => (o.metadata?.name ?? '') !== '')).toBe(true);
            for (const e of errors) {
              expect(e.name).toBe('WatcherError');
              if (e.cause !== undefined) expect(isKubeError(e.cause)).toBe(true);
            }
            expect(server.requests).toBeLessThan(4 * hostile.length + 10);
          } finally {
            sub?.unsubscribe();
            await server.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});

/**
 * An in-memory collection of objects with the API server's LIST and WATCH behaviour that a
 * sharded controller depends on: resourceVersions, a watch from a version (history replayed,
 * then live events), and `shardSelector` filtering when `serverSide` is on (KEP-5866: a LIST
 * it filtered carries `metadata.shardInfo`; with it off the selector is ignored). Answers are
 * delivered on the given scheduler after `latencyMs`, so it runs in virtual time.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import type { ObjectList } from '../../../lib/core/object.js';
import type { ListParams, WatchParams } from '../../../lib/core/params.js';
import type { WatchEvent } from '../../../lib/core/response.js';
import { ShardSelector } from '../../../lib/core/shard-selector.js';
import type { WatchSource } from '../../../lib/runtime/watcher.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  };
  data?: Record<string, string>;
}

interface Watch {
  selector: ShardSelector | undefined;
  emit: (e: WatchEvent<Obj>) => void;
}

export class ObjectServer {
  readonly objects = new Map<string, Obj>();
  private rv = 0;
  private readonly history: { rv: number; event: WatchEvent<Obj> }[] = [];
  private readonly watches = new Set<Watch>();
  /** Object events sent to each client (by client id), LIST items included. */
  readonly sent = new Map<string, number>();

  constructor(
    private readonly clock: SchedulerLike,
    public serverSide: boolean,
    private readonly latencyMs = 5,
  ) {}

  put(name: string, uid: string, value: string, owner?: Obj): Obj {
    const existing = this.objects.get(name);
    const ownerReferences = owner ? [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] : undefined;
    const obj: Obj = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'ns', uid: existing?.metadata.uid ?? uid, resourceVersion: String(++this.rv), ...(ownerReferences ? { ownerReferences } : {}) },
      data: { v: value },
    };
    this.objects.set(name, obj);
    this.publish({ type: existing ? 'MODIFIED' : 'ADDED', object: structuredClone(obj) });
    return obj;
  }

  remove(name: string): void {
    const existing = this.objects.get(name);
    if (!existing) return;
    this.objects.delete(name);
    const gone = { ...structuredClone(existing), metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } };
    this.publish({ type: 'DELETED', object: gone });
  }

  private publish(event: WatchEvent<Obj>): void {
    this.history.push({ rv: this.rv, event });
    for (const w of this.watches) w.emit(event);
  }

  private selectorOf(params: { shardSelector?: string | undefined }): ShardSelector | undefined {
    if (!this.serverSide || params.shardSelector === undefined || params.shardSelector === '') return undefined;
    return ShardSelector.parse(params.shardSelector);
  }

  private count(client: string, n: number): void {
    this.sent.set(client, (this.sent.get(client) ?? 0) + n);
  }

  /** A client's view: LIST and WATCH, counting what it receives. */
  client(id: string): WatchSource<Obj> {
    return {
      list$: (params: ListParams) =>
        new Observable<ObjectList<Obj>>((subscriber) => {
          const selector = this.selectorOf(params);
          const t = this.clock.schedule(() => {
            let items = [...this.objects.values()].filter((o) => selector === undefined || selector.matches(o));
            if (params.limit !== undefined) items = items.slice(0, params.limit);
            this.count(id, items.length);
            subscriber.next({
              apiVersion: 'v1',
              kind: 'ConfigMapList',
              metadata: { resourceVersion: String(this.rv), ...(selector ? { shardInfo: { selector: selector.print() } } : {}) },
              items: structuredClone(items),
            } as ObjectList<Obj>);
            subscriber.complete();
          }, this.latencyMs);
          return () => t.unsubscribe();
        }),
      watch: (params: WatchParams) =>
        new Observable<WatchEvent<Obj>>((subscriber) => {
          const selector = this.selectorOf(params);
          const from = Number(params.resourceVersion ?? this.rv);
          const pass = (e: WatchEvent<Obj>): boolean => e.type === 'BOOKMARK' || selector === undefined || selector.matches(e.object as Obj);
          const timers = new Set<{ unsubscribe(): void }>();
          const w: Watch = {
            selector,
            emit: (e) => {
              if (!pass(e)) return;
              const t = this.clock.schedule(() => {
                timers.delete(t);
                this.count(id, 1);
                subscriber.next(e);
              }, this.latencyMs);
              timers.add(t);
            },
          };
          if (params.sendInitialEvents === true) {
            // A streaming list, as the API server serves it: the current objects as ADDED, then the bookmark.
            for (const o of this.objects.values()) w.emit({ type: 'ADDED', object: structuredClone(o) });
            w.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rv), annotations: { 'k8s.io/initial-events-end': 'true' } } } } as WatchEvent<Obj>);
          } else for (const h of this.history) if (h.rv > from) w.emit(h.event);
          this.watches.add(w);
          return () => {
            this.watches.delete(w);
            for (const t of timers) t.unsubscribe();
          };
        }),
    };
  }
}

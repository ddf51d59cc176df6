import fc from 'fast-check';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller } from '../../lib/runtime/controller.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { KubeObject } from '../../lib/core/resource.js';

const NAMES = ['a', 'b', 'c', 'd'];

describe('Controller (property)', () => {
  it('never reconciles an object concurrently, and every last change is followed by a reconcile that saw it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 15 }), object: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(0, 3, 10),
        (changes, durations, concurrency, debounce) => {
          const ts = new TestScheduler(() => undefined);
          const running = new Set<string>();
          const violations: string[] = [];
          const starts: Array<{ name: string; version: number; at: number }> = [];
          const lastChange = new Map<string, { version: number; at: number }>();
          let call = 0;

          ts.run(() => {
            const { reader, writer } = store<KubeObject>();
            const events$ = new Observable<WatcherEvent<KubeObject>>((sub) => {
              sub.next({ type: 'init' });
              sub.next({ type: 'initDone' });
              let at = 0;
              changes.forEach((change, i) => {
                at += change.gap;
                const name = NAMES[change.object] ?? 'a';
                const version = i + 1;
                ts.schedule(() => {
                  lastChange.set(name, { version, at: ts.now() });
                  sub.next({ type: 'apply', object: { metadata: { name, namespace: 'ns', resourceVersion: String(version) } } });
                }, at);
              });
            });
            const reconcile = (o: KubeObject): Observable<Action> =>
              new Observable<Action>((sub) => {
                const name = o.metadata?.name ?? '';
                if (running.has(name)) violations.push(`${name} started at ${ts.now()} while running`);
                running.add(name);
                starts.push({ name, version: Number(o.metadata?.resourceVersion), at: ts.now() });
                const ms = durations[call++ % durations.length] ?? 0;
                const timer = ts.schedule(() => {
                  running.delete(name);
                  sub.next(Action.awaitChange());
                  sub.complete();
                }, ms);
                return () => timer.unsubscribe();
              });
            Controller.fromReflector(reader, reflector(writer, events$), { scheduler: ts, concurrency, debounce })
              .run(reconcile, ErrorPolicy.backoff(), {})
              .subscribe();
          });

          expect(violations).toEqual([]);
          for (const [name, last] of lastChange) {
            const saw = starts.some((s) => s.name === name && s.version === last.version && s.at >= last.at);
            expect({ name, last, saw }).toEqual({ name, last, saw: true });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

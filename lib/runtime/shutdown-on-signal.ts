/**
 * `shutdownOnSignal()`: an Observable of process signals (SIGTERM, SIGINT) for graceful controller
 * shutdown. Imports nothing from Node: it uses `globalThis.process` when there is one, and never
 * emits elsewhere (browsers, workers).
 *
 * @module
 */
import { Observable } from 'rxjs';

interface SignalTarget {
  on(event: string, listener: () => void): unknown;
  off?(event: string, listener: () => void): unknown;
  removeListener?(event: string, listener: () => void): unknown;
}

/**
 * Emits the name of each signal received while subscribed. Subscribing installs the listeners,
 * which replace Node's default "exit at once" for those signals; unsubscribing removes them. The
 * first signal should start a graceful shutdown (`controller.shutdownOn(shutdownOnSignal())`);
 * a second one is emitted too, so an application can exit at once on it, as client-go does.
 *
 * ## Example
 * ```ts
 * const signals$ = shutdownOnSignal().pipe(share());
 * controller.shutdownOn(signals$).run(reconcile, ErrorPolicy.backoff(), ctx)
 *   .subscribe({ complete: () => process.exit(0) });
 * signals$.pipe(skip(1)).subscribe(() => process.exit(1));
 * ```
 *
 * @param signals Signal names to listen for. @default ['SIGTERM', 'SIGINT']
 */
export function shutdownOnSignal(signals: readonly string[] = ['SIGTERM', 'SIGINT']): Observable<string> {
  return new Observable<string>((subscriber) => {
    const target = (globalThis as { process?: Partial<SignalTarget> }).process;
    if (target === undefined || typeof target.on !== 'function') return undefined;
    const proc = target as SignalTarget;
    const listeners = signals.map((signal) => {
      const listener = (): void => subscriber.next(signal);
      proc.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) {
        if (typeof proc.off === 'function') proc.off(signal, listener);
        else proc.removeListener?.(signal, listener);
      }
    };
  });
}

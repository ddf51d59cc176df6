/**
 * An output stream of a pod stream (stdout, stderr, a forwarded port's bytes): a hot Observable of
 * byte chunks that holds what arrives before its first subscriber and hands it to that subscriber
 * first, so nothing the process printed between the upgrade and `subscribe` is lost. The owner
 * bounds what is held with back-pressure: it watches {@link ByteStream.heldBytes} after each `push`
 * and is told through `onRelease` when a subscriber took the held chunks (see `execSession`).
 *
 * @module
 */
import { Observable, Subject } from 'rxjs';

/**
 * The writing side of an output stream; `observable` is what users see.
 *
 * ## Example
 * ```ts
 * const out = new ByteStream();
 * out.push(Uint8Array.of(104, 105));
 * out.observable.subscribe((chunk) => console.log(chunk)); // gets [104, 105]
 * out.end();
 * ```
 */
export class ByteStream {
  readonly #subject = new Subject<Uint8Array>();
  readonly #onRelease: (() => void) | undefined;
  #held: Uint8Array[] | undefined = [];
  #heldBytes = 0;
  #end: { error?: unknown } | undefined;

  /** `onRelease`: called once, when the first subscriber has taken what was held (heldBytes is 0 from then on). */
  constructor(options: { onRelease?: () => void } = {}) {
    this.#onRelease = options.onRelease;
  }

  /** Bytes held for the first subscriber, not yet delivered. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Whether the stream has ended (completed or failed). */
  get ended(): boolean {
    return this.#end !== undefined;
  }

  /** Every subscriber sees what arrives from then on; the first one also what came before. */
  readonly observable: Observable<Uint8Array> = new Observable<Uint8Array>((subscriber) => {
    const held = this.#held;
    this.#held = undefined;
    this.#heldBytes = 0;
    if (held !== undefined) this.#onRelease?.();
    for (const chunk of held ?? []) {
      if (subscriber.closed) return;
      subscriber.next(chunk);
    }
    const end = this.#end;
    if (end !== undefined) {
      if ('error' in end) subscriber.error(end.error);
      else subscriber.complete();
      return;
    }
    return this.#subject.subscribe(subscriber);
  });

  push(chunk: Uint8Array): void {
    if (this.#end !== undefined || chunk.length === 0) return;
    if (this.#held !== undefined) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
    } else this.#subject.next(chunk);
  }

  end(): void {
    if (this.#end !== undefined) return;
    this.#end = {};
    this.#subject.complete();
  }

  fail(error: unknown): void {
    if (this.#end !== undefined) return;
    this.#end = { error };
    this.#subject.error(error);
  }
}

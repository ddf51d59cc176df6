/**
 * Several Node streams over one pod stream (stdout and stderr of one exec, the ports of one
 * port-forward) share its single pause switch: the socket is paused while any of them is full and
 * read again once none is.
 *
 * @module
 */

/** What can be paused: an `ExecSession` or a `PortForward`. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * The holders of one {@link Pausable}: `hold(key, true)` by a full stream, `hold(key, false)` once it
 * drained; the target is paused while at least one key holds it.
 *
 * ## Example
 * ```ts
 * const group = pauseGroupOf(session);
 * group.hold('stdout', true); // session.pause()
 * group.hold('stdout', false); // session.resume()
 * ```
 */
export class PauseGroup {
  readonly #target: Pausable;
  readonly #holders = new Set<string>();

  constructor(target: Pausable) {
    this.#target = target;
  }

  hold(key: string, held: boolean): void {
    const before = this.#holders.size;
    if (held) this.#holders.add(key);
    else this.#holders.delete(key);
    const after = this.#holders.size;
    if (before === 0 && after > 0) this.#target.pause();
    else if (before > 0 && after === 0) this.#target.resume();
  }
}

const groups = new WeakMap<Pausable, PauseGroup>();

/**
 * The one {@link PauseGroup} of `target`, so streams made by separate calls still agree.
 *
 * ## Example
 * ```ts
 * pauseGroupOf(forward).hold('port 80', true);
 * ```
 */
export function pauseGroupOf(target: Pausable): PauseGroup {
  let group = groups.get(target);
  if (group === undefined) {
    group = new PauseGroup(target);
    groups.set(target, group);
  }
  return group;
}

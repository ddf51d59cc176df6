// Virtual time that lets Promises settle: a VirtualTimeScheduler advanced one due action at a time,
// draining the microtask queue between actions, so Promise reconciles (which TestScheduler.run
// cannot wait for) run in virtual time too.
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** Lets every queued microtask (and those they queue, a few levels deep) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A virtual clock in ms. */
export class VirtualClock {
  readonly scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);

  now(): number {
    return this.scheduler.now();
  }

  /** A Promise that resolves with `value` after `ms` of virtual time. */
  after<T>(ms: number, value: T): Promise<T> {
    return new Promise((resolve) => this.scheduler.schedule(() => resolve(value), ms));
  }

  /** Runs every action due up to `time`, in order, letting Promises settle between them; then sets the clock to `time`. */
  async advanceTo(time: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.scheduler.actions[0];
      if (next === undefined || next.delay > time) break;
      this.scheduler.maxFrames = next.delay;
      this.scheduler.flush();
      await settle();
    }
    this.scheduler.maxFrames = Infinity;
    if (this.scheduler.frame < time) this.scheduler.frame = time;
    await settle();
  }

  /** Advances by `ms`. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.now() + ms);
  }
}

import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { appliedObjects } from '../../../lib/runtime/utils/applied-objects.js';
import { defaultBackoff } from '../../../lib/runtime/utils/default-backoff.js';
import { eventModify } from '../../../lib/runtime/utils/event-modify.js';
import { touchedObjects } from '../../../lib/runtime/utils/touched-objects.js';
import type { WatcherEvent } from '../../../lib/runtime/watcher-event.js';

const events: WatcherEvent<string>[] = [
  { type: 'init' },
  { type: 'initApply', object: 'a' },
  { type: 'initDone' },
  { type: 'apply', object: 'b' },
  { type: 'delete', object: 'a' },
];

describe('appliedObjects', () => {
  it('emits the objects of initApply and apply events only', async () => {
    expect(await lastValueFrom(from(events).pipe(appliedObjects(), toArray()))).toEqual(['a', 'b']);
  });
});

describe('touchedObjects', () => {
  it('emits the objects of initApply, apply and delete events', async () => {
    expect(await lastValueFrom(from(events).pipe(touchedObjects(), toArray()))).toEqual(['a', 'b', 'a']);
  });
});

describe('eventModify', () => {
  it('maps the objects and keeps the event types', async () => {
    const out = await lastValueFrom(from(events).pipe(eventModify((s: string) => s.toUpperCase()), toArray()));
    expect(out).toEqual([
      { type: 'init' },
      { type: 'initApply', object: 'A' },
      { type: 'initDone' },
      { type: 'apply', object: 'B' },
      { type: 'delete', object: 'A' },
    ]);
  });
});

describe('defaultBackoff', () => {
  it('re-subscribes after 800 ms, 1.6 s, 3.2 s', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a#');
      const delays: number[] = [];
      const out = source.pipe(defaultBackoff({ scheduler: ts, random: () => 0.5, onError: (_e, ms) => delays.push(ms) }));
      // subscribed at 0, 801, 2402, 5603
      expectObservable(out, '^ 6000ms !').toBe('a 800ms a 1600ms a 3200ms a');
      expectSubscriptions(source.subscriptions).toBe(['^!', '801ms ^!', '2402ms ^!', '5603ms ^!']);
      ts.schedule(() => expect(delays).toEqual([800, 1600, 3200, 6400]), 5700);
    });
  });
});

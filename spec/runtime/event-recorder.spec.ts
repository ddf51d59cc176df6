import { VirtualTimeScheduler } from 'rxjs';
import { EventRecorder, EventRecorderError, type EventApi, type KubeEvent } from '../../lib/runtime/event-recorder.js';
import type { Patch } from '../../lib/core/patch.js';
import { AbortedError, ApiError } from '../../lib/client/errors.js';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { Event as EventType } from '../../lib/core/builtins.js';
import { startServer } from '../client/support/scripted-server.js';

/** An events API that records what it is sent; `patchFails` makes PATCH fail with that code. */
function recordingEvents() {
  const created: KubeEvent[] = [];
  const patched: Array<{ name: string; patch: Patch }> = [];
  const state = { patchFails: 0 };
  const api = (namespace: string): EventApi => ({
    create: async (event) => {
      created.push({ ...event, metadata: { ...event.metadata, namespace } });
      return event;
    },
    patch: async (name, patch) => {
      if (state.patchFails) {
        const path = `/apis/events.k8s.io/v1/namespaces/${namespace}/events/${name}`;
        throw new ApiError({ verb: 'patch', method: 'PATCH', path }, state.patchFails, { code: state.patchFails });
      }
      patched.push({ name, patch });
      return {} as KubeEvent;
    },
  });
  return { api, created, patched, state };
}

const regarding = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: 'ns', uid: 'u1' };
const created = { type: 'Normal' as const, reason: 'Created', action: 'Reconcile', note: 'made w-config' };

describe('EventRecorder', () => {
  let clock: VirtualTimeScheduler;
  const advance = (ms: number) => {
    clock.frame += ms;
  };
  beforeEach(() => {
    clock = new VirtualTimeScheduler();
    clock.frame = Date.UTC(2026, 0, 1);
  });
  const recorderOf = (api: (ns: string) => EventApi, extra = {}) =>
    new EventRecorder(api, { reportingController: 'example.com/widgets', reportingInstance: 'pod-1', scheduler: clock, ...extra });

  it('creates an events.k8s.io/v1 Event with the reporting fields and a microsecond eventTime', async () => {
    const events = recordingEvents();
    const result = await recorderOf(events.api).publish({ ...created, secondary: { kind: 'ConfigMap', name: 'w-config' } }, regarding);
    expect(result.type).toBe('created');
    expect(events.created).toEqual([
      {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: expect.stringMatching(/^w\.[0-9a-f]+$/), namespace: 'ns' },
        eventTime: '2026-01-01T00:00:00.000000Z',
        reportingController: 'example.com/widgets',
        reportingInstance: 'pod-1',
        regarding,
        related: { kind: 'ConfigMap', name: 'w-config' },
        type: 'Normal',
        reason: 'Created',
        action: 'Reconcile',
        note: 'made w-config',
      },
    ]);
  });

  it('turns repeats within 6 minutes into a series updated by PATCH', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    const first = await recorder.publish(created, regarding);
    advance(60_000);
    const second = await recorder.publish(created, regarding);
    advance(60_000);
    const third = await recorder.publish(created, regarding);
    expect(events.created).toHaveLength(1);
    expect(first.type === 'created' && second.type === 'series' && second.name === first.name).toBe(true);
    expect(third).toEqual({ type: 'series', name: (first as { name: string }).name, count: 3 });
    expect(events.patched[1]).toEqual({
      name: (first as { name: string }).name,
      patch: { type: 'merge', body: { series: { count: 3, lastObservedTime: '2026-01-01T00:02:00.000000Z' } } },
    });
  });

  it('starts a new Event after the 6-minute window, or for a different reason, action, type or secondary', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    await recorder.publish(created, regarding);
    await recorder.publish({ ...created, reason: 'Updated' }, regarding);
    await recorder.publish({ ...created, action: 'Delete' }, regarding);
    await recorder.publish({ ...created, type: 'Warning' }, regarding);
    await recorder.publish({ ...created, secondary: { kind: 'ConfigMap', name: 'w-config' } }, regarding);
    await recorder.publish(created, { ...regarding, uid: 'u2' }); // the object was re-created
    advance(6 * 60_000 + 1);
    await recorder.publish(created, regarding);
    expect(events.created).toHaveLength(7);
    expect(events.patched).toHaveLength(0);
  });

  it('joins repeats whose note differs into one series (the key is not the note)', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    const first = await recorder.publish({ ...created, note: 'attempt 1: connection refused' }, regarding);
    advance(1_000);
    const second = await recorder.publish({ ...created, note: 'attempt 2: timeout' }, regarding);
    expect(events.created).toHaveLength(1);
    expect(second).toEqual({ type: 'series', name: (first as { name: string }).name, count: 2 });
  });

  it('creates a new Event when the series Event is gone (404)', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    await recorder.publish(created, regarding);
    events.state.patchFails = 404;
    expect((await recorder.publish(created, regarding)).type).toBe('created');
    expect(events.created).toHaveLength(2);
  });

  it('reports other failures with the reason and object', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    await recorder.publish(created, regarding);
    events.state.patchFails = 500;
    const err = await recorder.publish(created, regarding).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventRecorderError);
    expect((err as Error).message).toMatch(/Created.*example\.com\/v1\/Widget\/ns\/w/);
  });

  it('rate-limits each object: a burst of 25, then one per 300 s', async () => {
    const events = recordingEvents();
    const recorder = recorderOf(events.api);
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await recorder.publish({ ...created, reason: `R${i}` }, regarding));
    expect(results.filter((r) => r.type === 'dropped')).toHaveLength(5);
    // another object is not affected
    expect((await recorder.publish(created, { ...regarding, name: 'other' })).type).toBe('created');
    advance(300_000);
    expect((await recorder.publish({ ...created, reason: 'Later' }, regarding)).type).toBe('created');
    expect((await recorder.publish({ ...created, reason: 'Later2' }, regarding)).type).toBe('dropped');
  });

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const events = recordingEvents();
    await recorderOf(events.api).publish(created, { apiVersion: 'v1', kind: 'Node', name: 'n1' });
    expect(events.created[0]?.metadata?.namespace).toBe('default');
  });

  it('requires reportingController and reportingInstance', () => {
    expect(() => new EventRecorder(recordingEvents().api, { reportingController: '', reportingInstance: 'x' })).toThrow(EventRecorderError);
  });

  it('passes the signal to the events API: an aborted publish tears its request down', async () => {
    const server = await startServer(() => undefined); // never answers
    try {
      const client = new Client({ server: server.url }, { retry: false });
      const recorder = new EventRecorder((ns) => Api.namespaced(client, EventType, ns), { reportingController: 'example.com/widgets', reportingInstance: 'pod-1' });
      const controller = new AbortController();
      const pending = recorder.publish(created, regarding, { signal: controller.signal });
      pending.catch(() => undefined);
      await server.waitForRequests(1);
      const closed = server.nextSocketClose();
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventRecorderError);
      expect((error as EventRecorderError).cause).toBeInstanceOf(AbortedError);
      await closed;
    } finally {
      await server.close();
    }
  });
});

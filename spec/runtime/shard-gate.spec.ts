/**
 * ShardGate: no start outside the active buckets, running work counted until it has really ended,
 * and a deactivated bucket reported drained only then.
 */
import { Subject, firstValueFrom, toArray } from 'rxjs';
import { BucketSet } from '../../lib/runtime/bucket-set.js';
import { ShardGate } from '../../lib/runtime/shard-gate.js';

describe('ShardGate', () => {
  it('admits work only in active buckets', () => {
    const gate = new ShardGate(8);
    expect(gate.enter(1)).toBeUndefined();
    gate.setActive(BucketSet.of(8, [1]));
    expect(gate.enter(2)).toBeUndefined();
    const leave = gate.enter(1);
    expect(leave).toBeDefined();
    expect(gate.running(1)).toBe(1);
    leave!();
    leave!(); // a second call does nothing
    expect(gate.running(1)).toBe(0);
  });

  it('stops admitting at once on deactivation, and reports the bucket drained when its last work ends', () => {
    const gate = new ShardGate(8);
    const drained: string[] = [];
    gate.drained$.subscribe((b) => drained.push(b.toString()));
    gate.setActive(BucketSet.of(8, [1, 2, 3]));
    const a = gate.enter(1)!;
    const b = gate.enter(1)!;
    gate.setActive(BucketSet.of(8, [3]));
    expect(drained).toEqual(['{2}']); // idle at once
    expect(gate.enter(1)).toBeUndefined();
    expect(gate.draining.toString()).toBe('{1}');
    a();
    expect(drained).toEqual(['{2}']);
    b();
    expect(drained).toEqual(['{2}', '{1}']);
    expect(gate.draining.isEmpty).toBe(true);
  });

  it('counts a Promise until it settles and an Observable until it ends', async () => {
    const gate = new ShardGate(4);
    gate.setActive(BucketSet.all(4));
    let resolve!: () => void;
    const p = gate.run(0, () => new Promise<void>((r) => (resolve = r)));
    expect(gate.running(0)).toBe(1);
    resolve();
    await p;
    expect(gate.running(0)).toBe(0);

    const s = new Subject<number>();
    const o = gate.run(1, () => s.asObservable())!;
    expect(gate.running(1)).toBe(1); // counted from the call, not the subscription
    const sub = o.subscribe();
    sub.unsubscribe();
    expect(gate.running(1)).toBe(0);

    expect(gate.run(2, () => 5)).toBe(5);
    expect(gate.running(2)).toBe(0);
    expect(() => gate.run(3, () => { throw new Error('boom'); })).toThrow('boom');
    expect(gate.running(3)).toBe(0);
    gate.setActive(BucketSet.empty(4));
    let called = false;
    expect(gate.run(0, () => (called = true))).toBeUndefined();
    expect(called).toBe(false);
  });

  it('whenIdle waits for every given bucket', async () => {
    const gate = new ShardGate(4);
    gate.setActive(BucketSet.all(4));
    const l0 = gate.enter(0)!;
    const l1 = gate.enter(1)!;
    const done = firstValueFrom(gate.whenIdle(gate.busy).pipe(toArray()));
    let settled = false;
    void done.then(() => (settled = true));
    l0();
    await Promise.resolve();
    expect(settled).toBe(false);
    l1();
    await expect(done).resolves.toEqual([undefined]);
    await expect(firstValueFrom(gate.whenIdle(BucketSet.of(4, [2])))).resolves.toBeUndefined();
  });
});

// ShardGuard: starts only in active buckets, counted in the gate until the work ends; refused
// items come back when their bucket does; a fenced replica cancels what runs.
import { Subject } from 'rxjs';
import { BucketSet } from '../../lib/runtime/bucket-set.js';
import { ShardGate } from '../../lib/runtime/shard-gate.js';
import { ShardGuard } from '../../lib/runtime/shard-guard.js';
import { shardBucketOf } from '../../lib/runtime/sharded-reflector.js';
import { WorkCancellation } from '../../lib/runtime/work-queue.js';

const object = { metadata: { name: 'a', namespace: 'ns', uid: '1c0e4b38-3d7f-4a25-9f43-2b7f0e6d8a11' } };
const ref = { name: 'a', namespace: 'ns' };
const item = { ref, reason: 'x', key: 'ns/a', queuedAt: 0, dueAt: 0 };
const bucket = shardBucketOf(object, 8);

describe('ShardGuard', () => {
  it('should refuse an object outside the active buckets and give it back when its bucket becomes active', () => {
    const gate = new ShardGate(8);
    const guard = new ShardGuard(gate, () => object);
    let ran = 0;
    const work = guard.wrap(() => new Subject<never>().asObservable());
    work(item, new WorkCancellation()).subscribe({ complete: () => ran++ });
    expect(ran).toBe(1); // ended at once, nothing ran
    expect(guard.refusals).toBe(1);
    expect(guard.activated(BucketSet.of(8, [(bucket + 1) % 8]))).toEqual([]);
    expect(guard.activated(BucketSet.of(8, [bucket]))).toEqual([ref]);
    expect(guard.activated(BucketSet.of(8, [bucket]))).toEqual([]); // given back once
  });

  it('should hold the bucket in the gate until the work ends, and cancel it when fenced', () => {
    const gate = new ShardGate(8);
    gate.setActive(BucketSet.of(8, [bucket]));
    const guard = new ShardGuard(gate, () => object);
    const end = new Subject<never>();
    const cancellation = new WorkCancellation();
    const sub = guard.wrap(() => end.asObservable())(item, cancellation).subscribe();
    expect(gate.running(bucket)).toBe(1);
    gate.setActive(BucketSet.empty(8));
    expect(gate.draining.has(bucket)).toBe(true);
    guard.cancelRunning((r) => `stop ${r.name}`);
    expect(cancellation.reason).toBe('stop a');
    end.complete();
    expect(gate.running(bucket)).toBe(0);
    expect(guard.runningCount).toBe(0);
    sub.unsubscribe();
  });

  it('should let an item whose object is unknown through without a slot (the work skips it)', () => {
    const gate = new ShardGate(8);
    const guard = new ShardGuard(gate, () => undefined);
    let called = 0;
    guard.wrap(() => {
      called++;
      return new Subject<never>();
    })(item, new WorkCancellation());
    expect(called).toBe(1);
    expect(gate.busy.isEmpty).toBe(true);
  });
});

import { from, lastValueFrom, toArray } from 'rxjs';
import { Predicates } from '../../../lib/runtime/predicates.js';
import { predicateFilter } from '../../../lib/runtime/utils/predicate-filter.js';
import type { WatcherEvent } from '../../../lib/runtime/watcher-event.js';

interface D {
  metadata: { name: string; namespace: string; generation?: number; labels?: Record<string, string>; resourceVersion?: string };
}
const d = (name: string, generation: number, labels: Record<string, string> = {}, rv = '1'): D => ({ metadata: { name, namespace: 'ns', generation, labels, resourceVersion: rv } });
const label = (e: WatcherEvent<D>): string =>
  e.type === 'init' || e.type === 'initDone' ? e.type : `${e.type}:${e.object.metadata.name}@${e.object.metadata.generation}`;

async function run(events: WatcherEvent<D>[], p = Predicates.generation): Promise<string[]> {
  return (await lastValueFrom(from(events).pipe(predicateFilter<D>(p), toArray()))).map(label);
}

describe('predicateFilter', () => {
  it('drops applies whose generation did not change', async () => {
    expect(
      await run([
        { type: 'apply', object: d('a', 1) },
        { type: 'apply', object: d('a', 1, {}, '2') }, // status update: same generation
        { type: 'apply', object: d('a', 2) },
        { type: 'apply', object: d('b', 1) },
      ]),
    ).toEqual(['apply:a@1', 'apply:a@2', 'apply:b@1']);
  });

  it('forgets an object on delete, so a re-created one passes again', async () => {
    expect(
      await run([
        { type: 'apply', object: d('a', 1) },
        { type: 'delete', object: d('a', 1) },
        { type: 'apply', object: d('a', 1) },
      ]),
    ).toEqual(['apply:a@1', 'delete:a@1', 'apply:a@1']);
  });

  it('compares a relisting with what was seen, and forgets what the listing no longer has', async () => {
    expect(
      await run([
        { type: 'init' },
        { type: 'initApply', object: d('a', 1) },
        { type: 'initApply', object: d('b', 1) },
        { type: 'initDone' },
        { type: 'init' },
        { type: 'initApply', object: d('a', 1) }, // unchanged: dropped
        { type: 'initDone' }, // b is gone from memory now
        { type: 'apply', object: d('b', 1) }, // so b passes as new
      ]),
    ).toEqual(['init', 'initApply:a@1', 'initApply:b@1', 'initDone', 'init', 'initDone', 'apply:b@1']);
  });

  it('combines predicates: generation or labels', async () => {
    expect(
      await run(
        [
          { type: 'apply', object: d('a', 1, { x: '1' }) },
          { type: 'apply', object: d('a', 1, { x: '2' }) },
          { type: 'apply', object: d('a', 1, { x: '2' }, '9') },
        ],
        Predicates.or(Predicates.generation, Predicates.labels),
      ),
    ).toEqual(['apply:a@1', 'apply:a@1']);
  });
});

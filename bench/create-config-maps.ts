// Fills a namespace with ConfigMaps of about 1 KiB each (eight 100-character values), 32 creations in flight:
// the data set the sync and sharding benchmarks measure against.
import type { Api } from 'rxkube/client';
import type { ConfigMap } from 'rxkube/core';
import { forEachIndex } from './for-each-index.js';

/**
 * Creates `count` ConfigMaps named `cm-0` … `cm-<count-1>` through `api`, with `labels(i)` as their labels.
 *
 * ## Example
 * ```ts
 * await createConfigMaps(Api.namespaced(cluster.client, ConfigMap, ns), 10_000, (i) => ({ n: String(i % 10) }));
 * ```
 */
export async function createConfigMaps(
  api: Api<ConfigMap, 'Namespaced'>,
  count: number,
  labels?: (i: number) => Record<string, string>,
): Promise<void> {
  const data: Record<string, string> = {};
  for (let k = 0; k < 8; k++) data[`key-${k}`] = 'v'.repeat(100);
  await forEachIndex(count, (i) =>
    api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, ...(labels ? { labels: labels(i) } : {}) }, data }),
  );
}

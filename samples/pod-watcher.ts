// A live table of pods in the terminal, redrawn in place from a reflector's store.
//
//   npm run sample -- samples/pod-watcher.ts [namespace] [labelSelector]
//
// The watcher lists, then watches from the list's resourceVersion, resumes after every interruption
// (bookmarks keep the resume point fresh) and relists only on 410 Gone. The store holds the latest state;
// the table is redrawn at most 10 times a second, however fast the pods change.
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { Pod } from 'rxkube/core';
import { dropManagedFields, reflector, shutdownOnSignal, store, watcher } from 'rxkube/runtime';
import type { Pod as PodObject } from 'rxkube/core';
import { auditTime, takeUntil } from 'rxjs';

const [namespace, labelSelector] = process.argv.slice(2);

function age(timestamp: string | undefined): string {
  if (!timestamp) return '?';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function ready(pod: PodObject): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers.length ?? statuses.length;
  return `${statuses.filter((c) => c.ready).length}/${total}`;
}

function table(pods: readonly PodObject[], note: string): string {
  const rows = [...pods]
    .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`))
    .map((p) => [p.metadata?.namespace ?? '', p.metadata?.name ?? '', ready(p), p.status?.phase ?? 'Unknown', age(p.metadata?.creationTimestamp)]);
  const header = ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('   ');
  return [line(header), ...rows.map(line), '', note].join('\n');
}

async function main(): Promise<void> {
  const client = new Client(await Config.infer());
  const pods = namespace ? Api.namespaced(client, Pod, namespace) : Api.all(client, Pod);

  const { reader, writer } = store<PodObject>({ transform: dropManagedFields });
  let lastError = '';
  const events$ = watcher(pods, {
    ...(labelSelector ? { labelSelector } : {}),
    onError: (e) => {
      lastError = `last interruption: ${e.reason} — ${e.message}`;
    },
  });

  const stop$ = shutdownOnSignal();
  const where = namespace ? `namespace ${namespace}` : 'all namespaces';
  reflector(writer, events$).pipe(takeUntil(stop$)).subscribe();
  reader.state$.pipe(auditTime(100), takeUntil(stop$)).subscribe({
    next: (list) => {
      const note = `${list.length} pods in ${where}${labelSelector ? ` matching ${labelSelector}` : ''} — Ctrl+C to quit. ${lastError}`;
      // Clear the screen and move home, then draw: the table updates in place.
      process.stdout.write(`\x1b[H\x1b[2J${table(list, note)}\n`);
    },
    complete: () => process.stdout.write('\nstopped.\n'),
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

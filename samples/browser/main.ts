// A browser page that shows a live list of pods. It talks to the API server through a same-origin proxy
// (`kubectl proxy --www=<this folder's bundle> --www-prefix=/ui/`), so no credential ever reaches the page.
// Bundle it with `node samples/browser/build.mjs`; see samples/README.md.
import { Api, Client, configFromUrl } from 'rxkube/client';
import { Pod } from 'rxkube/core';
import { dropManagedFields, reflector, store, watcher } from 'rxkube/runtime';
import type { Pod as PodObject } from 'rxkube/core';

const client = new Client(configFromUrl(window.location.origin));
const pods = Api.all(client, Pod);

// The store keeps the latest state of every pod; the reflector feeds it from the watcher.
const { reader, writer } = store<PodObject>({ transform: dropManagedFields });
const status = document.getElementById('status')!;
const body = document.getElementById('pods')!;

// One watch: list, then watch from the list's resourceVersion, resuming after every interruption.
const events$ = watcher(pods, {
  onError: (e) => {
    status.textContent = `watch interrupted (${e.reason}); retrying…`;
  },
});
reflector(writer, events$).subscribe();

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function render(list: readonly PodObject[]): void {
  const sorted = [...list].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`),
  );
  const rows = sorted.map((pod) => {
    const tr = document.createElement('tr');
    tr.dataset.pod = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const phase = pod.status?.phase ?? 'Unknown';
    tr.append(
      cell(pod.metadata?.namespace ?? ''),
      cell(pod.metadata?.name ?? ''),
      cell(phase, `phase-${phase}`),
      cell(pod.metadata?.creationTimestamp ?? ''),
    );
    return tr;
  });
  body.replaceChildren(...rows);
  status.textContent = `watching ${list.length} pod${list.length === 1 ? '' : 's'} — updated ${new Date().toLocaleTimeString()}`;
}

reader.state$.subscribe(render);

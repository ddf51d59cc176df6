// A browser page that shows a live list of pods; select one for its live log and a terminal into it. It talks to
// the API server through a same-origin proxy (`kubectl proxy --www=<this folder's bundle> --www-prefix=/ui/`), so no
// credential ever reaches the page; the terminal's exec is a WebSocket through the same proxy, which refuses exec
// unless started with `--reject-paths` that allow it (see samples/README.md for why that is a privilege).
// Bundle it with `node samples/browser/build.mjs`.
import { Api, Client, configFromUrl } from 'rxkube/client';
import { Pod } from 'rxkube/core';
import { dropManagedFields, reflector, store, watcher } from 'rxkube/runtime';
import type { Pod as PodObject } from 'rxkube/core';
import { podLog } from './pod-log.js';
import { podTerminal } from './pod-terminal.js';

// Without a config, the Client's WebSockets are the browser's own (nativeWebSocketConnector).
const client = new Client(configFromUrl(window.location.origin));
const pods = Api.all(client, Pod);
// The terminal's command: `?shell=bash` picks another one.
const shell = new URLSearchParams(window.location.search).get('shell') ?? 'sh';

// The store keeps the latest state of every pod; the reflector feeds it from the watcher.
const { reader, writer } = store<PodObject>({ transform: dropManagedFields });
const status = document.getElementById('status')!;
const body = document.getElementById('pods')!;
let selected: string | undefined;
let closeSelected: (() => void) | undefined;

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
    if (tr.dataset.pod === selected) tr.className = 'selected';
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

// Selecting a pod (a click on its row) follows its log and opens a terminal into it; the previous ones are closed.
function select(key: string): void {
  const [namespace = '', name = ''] = key.split('/');
  closeSelected?.();
  selected = key;
  for (const row of body.querySelectorAll('tr')) row.classList.toggle('selected', row.dataset.pod === key);
  document.getElementById('pod')!.hidden = false;
  document.getElementById('pod-name')!.textContent = key;
  const inNamespace = Api.namespaced(client, Pod, namespace);
  const log = podLog(inNamespace, name, document.getElementById('log')!);
  const closeTerminal = podTerminal(inNamespace, name, document.getElementById('terminal')!, [shell]);
  closeSelected = () => {
    log.unsubscribe();
    closeTerminal();
  };
}

body.addEventListener('click', (event) => {
  const key = (event.target as Element).closest('tr')?.dataset.pod;
  if (key !== undefined && key !== selected) select(key);
});

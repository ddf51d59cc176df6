// A pod's live log for the browser sample: `pods.logStream` (a followed log request read as lines while it
// streams), appended to an element that keeps the latest lines and scrolls with them.
import type { Subscription } from 'rxjs';
import type { Api } from 'rxkube/client';
import type { Pod } from 'rxkube/core';

/** The most lines kept on the page; older ones are dropped from the top. */
const MAX_LINES = 1000;

/** Follows the log of pod `name` into `element`, starting with its last `tailLines` lines. Unsubscribe to stop. */
export function podLog(pods: Api<Pod, 'Namespaced'>, name: string, element: HTMLElement, tailLines = 100): Subscription {
  element.replaceChildren();
  const append = (text: string, className?: string): void => {
    const line = document.createElement('div');
    line.textContent = text;
    if (className) line.className = className;
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
    element.append(line);
    while (element.childElementCount > MAX_LINES) element.firstElementChild?.remove();
    if (atBottom) element.scrollTop = element.scrollHeight;
  };
  return pods.logStream(name, { tailLines }).subscribe({
    next: (line) => append(line),
    // A pod whose container has not started yet answers 400 (BadRequest) with the reason.
    error: (error: unknown) => append(`[log: ${error instanceof Error ? error.message : String(error)}]`, 'note'),
    complete: () => append('[the container stopped]', 'note'),
  });
}

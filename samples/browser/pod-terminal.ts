// A terminal into a pod for the browser sample: xterm.js on one side, `pods.exec` with a TTY on the other.
// Keystrokes go to the process's stdin, its output (stdout and stderr, merged by the TTY) to the terminal, and the
// terminal's size (fitted to its element) to the TTY, at the start and whenever the element changes size.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { Api, ExecSession } from 'rxkube/client';
import type { Pod } from 'rxkube/core';

/** Where the terminal is, for the page (and its test): `element.dataset.state`; its size is `dataset.size` (`80x24`). */
export type TerminalState = 'connecting' | 'open' | 'exited' | 'failed';

/**
 * Opens `command` with a TTY in pod `name` and shows it in a terminal inside `element`. Returns the teardown:
 * closes the session (or cancels the connection) and disposes the terminal.
 */
export function podTerminal(pods: Api<Pod, 'Namespaced'>, name: string, element: HTMLElement, command: readonly string[]): () => void {
  const terminal = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, monospace', scrollback: 2000 });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(element);
  const showSize = (): void => {
    element.dataset.size = `${terminal.cols}x${terminal.rows}`;
  };
  fit.fit();
  showSize();
  const setState = (state: TerminalState): void => {
    element.dataset.state = state;
  };
  setState('connecting');
  terminal.write(`\x1b[2m${command.join(' ')} in ${pods.namespace ?? ''}/${name}…\x1b[0m\r\n`);

  const cancel = new AbortController();
  const disposables: Array<{ dispose(): void }> = [terminal.onResize(showSize)];
  let session: ExecSession | undefined;
  const resizes = new ResizeObserver(() => fit.fit());
  resizes.observe(element);

  pods
    .exec(name, command, { stdin: true, tty: true, signal: cancel.signal })
    .then((opened) => {
      session = opened;
      // The size now, not when connecting started (`terminalSize`): the element may have changed size meanwhile.
      opened.resize({ width: terminal.cols, height: terminal.rows });
      setState('open');
      opened.stdout.subscribe((bytes) => terminal.write(bytes));
      disposables.push(
        terminal.onData((text) => opened.stdin.write(text)),
        // Some key and mouse reports arrive as binary strings (one char a byte).
        terminal.onBinary((text) => opened.stdin.write(Uint8Array.from(text, (c) => c.charCodeAt(0)))),
        terminal.onResize(({ cols, rows }) => opened.resize({ width: cols, height: rows })),
      );
      terminal.focus();
      return opened.exit;
    })
    .then(
      ({ exitCode }) => {
        terminal.write(`\r\n\x1b[2m[exited with code ${exitCode}]\x1b[0m\r\n`);
        setState('exited');
      },
      (error: unknown) => {
        if (cancel.signal.aborted) return;
        // A refused upgrade in a browser is PodStreamError connectionLost: browsers do not say why.
        terminal.write(`\r\n\x1b[31m${error instanceof Error ? error.message : String(error)}\x1b[0m\r\n`);
        setState('failed');
      },
    );

  return () => {
    cancel.abort();
    session?.close();
    resizes.disconnect();
    for (const d of disposables) d.dispose();
    terminal.dispose();
    delete element.dataset.state;
    delete element.dataset.size;
  };
}

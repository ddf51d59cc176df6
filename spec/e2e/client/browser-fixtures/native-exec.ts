// Bundled into a blank page by spec/e2e/client/native-web-socket.spec.ts: rxkube's client in Chromium talking to
// kube-apiserver directly, as a page with a token would (no kubectl proxy). The Client's config has no connector, so
// pod streams use the browser's WebSocket (nativeWebSocketConnector), the token riding as a subprotocol.
import { Api, Client, configFromUrl, isApiError } from 'rxkube/client';
import type { ClientConfig } from 'rxkube/client';
import { Pod, isPodStreamError } from 'rxkube/core';

/** What the page hands back to the test: plain data only. */
export type ExecOutcome =
  | { ok: { protocol: string; stdout: string; stderr: string; exitCode: number } }
  | { error: { name: string; reason?: string; message: string } };

/** The request the test sends into the page. */
export interface ExecCall {
  server: string;
  token: string;
  namespace: string;
  pod: string;
  command: string[];
  /** Written to stdin (not ended: kwok never passes stdin's end on to the process). */
  stdin?: string;
  tty?: { width: number; height: number };
  impersonate?: string;
}

async function exec(call: ExecCall): Promise<ExecOutcome> {
  const config: ClientConfig = configFromUrl(call.server, { token: call.token, namespace: call.namespace });
  if (call.impersonate !== undefined) config.impersonate = { user: call.impersonate };
  const pods = Api.namespaced(new Client(config), Pod, call.namespace);
  try {
    const session = await pods.exec(call.pod, call.command, {
      stdin: call.stdin !== undefined,
      ...(call.tty === undefined ? {} : { tty: true, terminalSize: call.tty }),
    });
    const decoder = new TextDecoder();
    let stdout = '';
    let stderr = '';
    session.stdout.subscribe((b) => (stdout += decoder.decode(b, { stream: true })));
    session.stderr.subscribe((b) => (stderr += new TextDecoder().decode(b)));
    if (call.stdin !== undefined) session.stdin.write(call.stdin);
    const { exitCode } = await session.exit;
    return { ok: { protocol: session.protocol, stdout, stderr, exitCode } };
  } catch (error) {
    if (isPodStreamError(error)) return { error: { name: error.name, reason: error.reason, message: error.message } };
    if (isApiError(error)) return { error: { name: error.name, reason: error.reason, message: error.message } };
    return { error: { name: (error as Error).name, message: String((error as Error).message) } };
  }
}

(window as unknown as { rxkubeExec: typeof exec }).rxkubeExec = exec;

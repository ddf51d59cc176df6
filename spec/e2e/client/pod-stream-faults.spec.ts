// Pod streams meeting bad input and faults on the real API server and kwok (issue 13, "Bad input and faults"):
// an unknown container, a command that does not exist, a pod that is not running, a session closed mid-stream,
// and the connection dropped mid-stream by an API server restart. Each is a typed error or a clean end, never a
// hung Promise; kubectl against the same pod is the second opinion.
import { execFile } from 'node:child_process';
import { firstValueFrom, filter } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { ApiError } from '../../../lib/client/errors.js';
import { Pod } from '../../../lib/core/builtins.js';
import { PodStreamError } from '../../../lib/core/pod-stream-error.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';

const pod = (name: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0, ...extra },
});

/** Settles within `ms` or says it hung. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);

describe('pod stream faults (e2e)', () => {
  let cluster: TestCluster;
  let ns: string;
  let pods: Api<Pod, 'Namespaced'>;
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, '-n', ns, ...args], { encoding: 'utf8', timeout: 10_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
      );
    });

  beforeAll(async () => {
    cluster = await startTestCluster({ mode: 'private', nodes: 1, log: () => {} });
    ns = await cluster.namespace('faults');
    pods = Api.namespaced(cluster.client, Pod, ns);
    await pods.create(pod('shell'));
    // Never scheduled: no node matches, so it stays Pending without a host.
    await pods.create(pod('pending', { nodeSelector: { 'rxkube.dev/none': 'x' } }));
    await awaitCondition(pods, 'shell', isPodRunning(), { timeout: 60_000 });
  }, 600_000);
  afterAll(() => cluster?.stop(), 120_000);

  it('refuses an unknown container with the server’s 400, naming it (kubectl fails too)', async () => {
    const error = await pods.exec('shell', ['true'], { container: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(400);
    expect((error as ApiError).message).toMatch(/container nope is not valid/);
    const viaKubectl = await kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl.stderr).toMatch(/container nope is not valid/);
  });

  it('refuses a pod that is not running (no host yet) with the server’s 400 (kubectl fails too)', async () => {
    const error = await pods.exec('pending', ['true']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(400);
    expect((error as ApiError).message).toMatch(/does not have a host assigned/);
    expect((await kubectl(['exec', 'pending', '--', 'true'])).code).not.toBe(0);
  });

  it('reports a command that does not exist as a typed error, not a hang', async () => {
    const outcome = await within(
      pods.execText('shell', ['/no/such/command']).then(
        (r) => ({ resolved: r }),
        (e: unknown) => ({ rejected: e }),
      ),
      15_000,
    );
    expect(outcome).not.toBe('hung');
    const rejected = (outcome as { rejected?: unknown }).rejected;
    expect(rejected).toBeInstanceOf(PodStreamError);
    expect((rejected as PodStreamError).reason).toBe('execFailed');
    expect((rejected as PodStreamError).message).toMatch(/no such file|not found|executable/i);
    expect((await kubectl(['exec', 'shell', '--', '/no/such/command'])).code).not.toBe(0);
  });

  it('ends cleanly when the session is closed mid-stream: exit rejects with connectionLost, output completes', async () => {
    const session = await pods.exec('shell', ['sh', '-c', 'while :; do echo tick; sleep 0.05; done']);
    let completed = false;
    let errored: unknown;
    session.stdout.subscribe({ complete: () => (completed = true), error: (e: unknown) => (errored = e) });
    await firstValueFrom(session.stdout.pipe(filter((b) => b.length > 0)));
    session.close();
    const exit = await within(session.exit.then(
      (v) => ({ value: v }),
      (e: unknown) => ({ error: e }),
    ), 5_000);
    expect(exit).not.toBe('hung');
    expect((exit as { error?: unknown }).error).toBeInstanceOf(PodStreamError);
    expect(((exit as { error: PodStreamError }).error).reason).toBe('connectionLost');
    expect(completed || errored !== undefined).toBe(true);
  });

  it('fails a running session with connectionLost when the API server restarts mid-stream, and a new one works after', async () => {
    const session = await pods.exec('shell', ['sh', '-c', 'while :; do echo tick; sleep 0.05; done']);
    let outputError: unknown;
    session.stdout.subscribe({ error: (e: unknown) => (outputError = e) });
    await firstValueFrom(session.stdout.pipe(filter((b) => b.length > 0)));
    const exit = session.exit.then(
      (v) => ({ value: v }),
      (e: unknown) => ({ error: e }),
    );
    await cluster.restartApiServer();
    const settled = await within(exit, 10_000);
    expect(settled).not.toBe('hung');
    expect((settled as { error?: unknown }).error).toBeInstanceOf(PodStreamError);
    expect(((settled as { error: PodStreamError }).error).reason).toBe('connectionLost');
    expect(outputError).toBeInstanceOf(PodStreamError);
    await expect(pods.execText('shell', ['echo', 'again'])).resolves.toEqual({ stdout: 'again\n', stderr: '', exitCode: 0 });
  }, 120_000);
});

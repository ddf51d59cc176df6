// samples/exec.ts and samples/port-forward.ts, run as a user runs them, against a kwok pod of the test cluster:
// exec passes piped stdin, prints stdout/stderr apart and exits with the command's code (kwok reports a failing
// command as an error: exit 1 with the message); port-forward serves several local connections and stops on SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { Api } from '../../../lib/client/api.js';
import { Pod } from '../../../lib/core/builtins.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';
import { eventually } from '../support/cluster';

const root = join(__dirname, '../../..');

describe('pod stream samples', () => {
  let cluster: TestCluster;
  let ns: string;

  function startSample(file: string, args: string[], input?: string) {
    const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts/run-sample.mjs'), join(root, file), ...args], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    if (input !== undefined) child.stdin?.end(input);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stdout: () => out, stderr: () => err, exit };
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
    ns = await cluster.namespace('stream-samples');
    const pods = Api.namespaced(cluster.client, Pod, ns);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0 } });
    await awaitCondition(pods, 'shell', isPodRunning(), { timeout: 60_000 });
  });
  afterAll(() => cluster?.stop());

  it('exec.ts: stdout and stderr apart, piped stdin read by the command, exit 0; a failing command exits 1', async () => {
    const ok = startSample('samples/exec.ts', ['shell', '--namespace', ns, '--', 'sh', '-c', 'read line; echo "got $line"; echo oops >&2'], 'hello\n');
    await expect(ok.exit).resolves.toBe(0);
    expect(ok.stdout()).toBe('got hello\n');
    expect(ok.stderr()).toBe('oops\n');
    const failing = startSample('samples/exec.ts', ['shell', '--namespace', ns, '--', 'sh', '-c', 'exit 3']);
    await expect(failing.exit).resolves.toBe(1);
    expect(failing.stderr()).toMatch(/exec: the command failed: .*exit status 3/);
    const missing = startSample('samples/exec.ts', ['missing', '--namespace', ns, '--', 'true']);
    await expect(missing.exit).resolves.toBe(1);
    expect(missing.stderr()).toMatch(/exec: .*pods "missing" not found/);
  });

  it('port-forward.ts: several local connections to the pod’s port, then stops on SIGINT', async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    echo.listen(cluster.podForwardPort, '127.0.0.1');
    await once(echo, 'listening');
    const sample = startSample('samples/port-forward.ts', ['shell', '0:9000', '--namespace', ns]);
    try {
      const port = Number(await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 9000/.exec(sample.stdout())?.[1], { timeoutMs: 30_000 }));
      const roundTrip = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
          let got = '';
          socket.on('data', (d: Buffer) => {
            got += d.toString();
            if (got.length >= text.length) {
              socket.end();
              resolve(got);
            }
          });
          socket.on('error', reject);
        });
      const texts = ['one', 'two', 'three', 'four', 'five'].map((t) => t.repeat(1000));
      expect(await Promise.all(texts.map(roundTrip))).toEqual(texts);
    } finally {
      sample.child.kill('SIGINT');
      echo.close();
    }
    await expect(sample.exit).resolves.toBe(0);
    expect(sample.stdout()).toContain('stopped.');
  });
});

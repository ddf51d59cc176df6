// execStreams against the real kube-apiserver and a kwok pod (kwok runs the command on this machine): 5 MB through
// stdin into `head -c` and back out unchanged, and a 10 MiB burst of output to a slow reader with memory bounded by
// back-pressure (the Readable pauses the WebSocket; the bytes wait in the API server, kwok and the pipe).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Api } from '../../../lib/client/api.js';
import { Pod } from '../../../lib/core/builtins.js';
import { execStreams } from '../../../lib/node/index.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Node streams over exec (e2e)', () => {
  let cluster: TestCluster;
  let pods: Api<Pod, 'Namespaced'>;

  beforeAll(async () => {
    cluster = await startTestCluster();
    const ns = await cluster.namespace('node-streams');
    pods = Api.namespaced(cluster.client, Pod, ns);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pipe' }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0 } });
    await awaitCondition(pods, 'pipe', isPodRunning(), { timeout: 60_000 });
  });
  afterAll(() => cluster?.stop());

  it('pipes 5 MB through stdin into head -c and back out unchanged', async () => {
    const size = 5_000_000;
    const input = Buffer.alloc(size);
    for (let i = 0; i < size; i++) input[i] = (i * 7919) % 251;
    const session = await pods.exec('pipe', ['head', '-c', String(size)], { stdin: true });
    const { stdout, stderr, stdin } = execStreams(session);
    stderr.resume();
    const hash = createHash('sha256');
    await Promise.all([pipeline(Readable.from([input]), stdin), pipeline(stdout, hash)]);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
    await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
  });

  it('keeps memory bounded for a 10 MiB burst to a slow reader, and delivers every byte', async () => {
    const session = await pods.exec('pipe', ['head', '-c', String(10 * MIB), '/dev/zero'], { stderr: false });
    const { stdout } = execStreams(session);
    let peak = 0;
    let received = 0;
    const started = Date.now();
    // A reader that takes 64 KiB every 5 ms (at most ~13 MB/s), slower than the pod writes.
    for (;;) {
      peak = Math.max(peak, stdout.readableLength);
      const chunk = stdout.read(64 * 1024) as Buffer | null;
      if (chunk !== null) received += chunk.length;
      else if (stdout.readableEnded || stdout.readableLength > 0) {
        if (stdout.readableEnded) break;
        const rest = stdout.read() as Buffer | null; // less than 64 KiB left at the end
        if (rest !== null) received += rest.length;
      } else await Promise.race([new Promise((r) => stdout.once('readable', r)), new Promise((r) => stdout.once('end', r))]);
      await sleep(5);
    }
    expect(received).toBe(10 * MIB);
    await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    // What arrived and was not read yet waits in the Readable: without back-pressure it would climb towards 10 MiB.
    expect(peak).toBeLessThan(MIB);
    expect(Date.now() - started).toBeGreaterThan(700); // the reader's pace, not the pod's, set the duration
  });
});


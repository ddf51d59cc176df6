// copyToPod / copyFromPod against the real kube-apiserver and a kwok pod, compared with kubectl cp against the same pod.
// kwok runs exec commands on this machine, so the pod's file system is this machine's: a copy into the pod lands in a
// local temporary directory the test can read. kwok v0.8.0 never passes stdin's EOF on to the command: kubectl cp into
// the pod hangs there (its archive ends mid-record, and GNU tar waits for the rest of the record), while copyToPod pads
// its archive to a whole record and ends.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from '../../../lib/client/api.js';
import { isNotFound } from '../../../lib/client/errors.js';
import { Pod } from '../../../lib/core/builtins.js';
import { CopyError, copyFromPod, copyToPod } from '../../../lib/node/index.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';
import { fileTree } from '../../node/support/file-tree.js';


describe('copy to and from a pod (e2e)', () => {
  let cluster: TestCluster;
  let ns: string;
  let pods: Api<Pod, 'Namespaced'>;
  let work: string;
  let source: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    ns = await cluster.namespace('copy');
    pods = Api.namespaced(cluster.client, Pod, ns);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'files' }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0 } });
    await awaitCondition(pods, 'files', isPodRunning(), { timeout: 60_000 });
    work = mkdtempSync(join(tmpdir(), 'rxkube-e2e-copy-'));
    source = join(work, 'source');
    mkdirSync(join(source, 'nested', 'deeper'), { recursive: true });
    mkdirSync(join(source, 'empty-dir'));
    writeFileSync(join(source, 'hello.txt'), 'hello\n');
    writeFileSync(join(source, 'empty'), '');
    writeFileSync(join(source, 'nested', 'binary.bin'), randomBytes(1_000_000));
    writeFileSync(join(source, 'nested', 'deeper', 'all-bytes'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  });
  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await cluster?.stop();
  });

  /** kubectl cp with a deadline: its exit code, or 'still running' when it had to be killed. */
  const kubectlCp = (from: string, to: string, deadlineMs: number) =>
    new Promise<{ outcome: number | 'still running'; stderr: string }>((resolve) => {
      const child = spawn(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, '-n', ns, 'cp', from, to]);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill();
        resolve({ outcome: 'still running', stderr });
      }, deadlineMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ outcome: code ?? -1, stderr });
      });
    });

  it('copies a directory into the pod with identical bytes (nested, binary, empty file and directory); kubectl cp hangs on kwok', async () => {
    mkdirSync(join(work, 'pod'));
    const started = Date.now();
    const result = await copyToPod(pods, 'files', source, join(work, 'pod', 'by-rxkube'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fileTree(join(work, 'pod', 'by-rxkube'))).toEqual(fileTree(source));
    expect(result).toEqual({ entries: 8, bytes: 6 + 1_000_000 + 256 });

    const viaKubectl = await kubectlCp(source, `files:${join(work, 'pod', 'by-kubectl')}`, 8000);
    expect(viaKubectl.outcome).toBe('still running');
  });

  it('copies a directory out of the pod with identical bytes, the same as kubectl cp', async () => {
    const result = await copyFromPod(pods, 'files', source, join(work, 'out-rxkube'));
    expect(fileTree(join(work, 'out-rxkube'))).toEqual(fileTree(source));
    expect(result.bytes).toBe(6 + 1_000_000 + 256);
    const viaKubectl = await kubectlCp(`files:${source}`, join(work, 'out-kubectl'), 30_000);
    expect(viaKubectl.outcome).toBe(0);
    expect(fileTree(join(work, 'out-kubectl'))).toEqual(fileTree(join(work, 'out-rxkube')));
  });

  it('copies a single file both ways', async () => {
    const original = readFileSync(join(source, 'nested', 'binary.bin'));
    await copyToPod(pods, 'files', join(source, 'nested', 'binary.bin'), join(work, 'single.bin'));
    expect(readFileSync(join(work, 'single.bin')).equals(original)).toBe(true);
    await copyFromPod(pods, 'files', join(work, 'single.bin'), join(work, 'single-back.bin'));
    expect(readFileSync(join(work, 'single-back.bin')).equals(original)).toBe(true);
  });

  it('refuses an unknown pod with an ApiError NotFound', async () => {
    const error = await copyFromPod(pods, 'missing', source, join(work, 'never')).catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it('says CopyError notFound, with tar’s message, for a path that does not exist in the pod (kubectl cp on kwok exits 0 silently)', async () => {
    const missing = join(work, 'no-such-path');
    const error = await copyFromPod(pods, 'files', missing, join(work, 'never')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    expect(error).toMatchObject({ reason: 'notFound', context: { pod: 'files', namespace: ns, path: missing } });
    expect((error as CopyError).message).toMatch(/No such file or directory/);
    expect(existsSync(join(work, 'never'))).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('rxkube-cp'))).toEqual([]);
    const viaKubectl = await kubectlCp(`files:${missing}`, join(work, 'never-kubectl'), 30_000);
    // kubectl 1.36 against kwok: no error, no message, nothing copied.
    expect(viaKubectl).toEqual({ outcome: 0, stderr: '' });
    expect(existsSync(join(work, 'never-kubectl'))).toBe(false);
  });
});


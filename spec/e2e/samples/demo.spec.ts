// `npm run demo` end to end, in its scripted mode: against the test cluster (KUBECONFIG), the demo installs the
// CRD, runs the ConfigMap-generator controller, makes its changes, checks every step converged, and stops
// gracefully. The checks are the demo's own awaits; here we assert it finished cleanly and said what it did.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { kubeconfigPath, kubectl } from '../support/cluster';

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, '../../../scripts/demo.mjs'), '--once'],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath() }, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run demo', () => {
  afterAll(async () => {
    await kubectl(['delete', 'namespace', 'rxkube-demo', '--wait=false', '--ignore-not-found']);
  });

  it('runs the ConfigMap-generator controller through every step and stops gracefully', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // The wait for the garbage collector is explained as it starts and, when it lasts, shown every 5 s.
    const gcWait = stdout.slice(stdout.indexOf('the garbage collector deletes it'), stdout.indexOf('ConfigMap hello-gen deleted'));
    const seconds = [...gcWait.matchAll(/still waiting for the garbage collector to delete hello-gen \((\d+) s\)/g)].map((m) => Number(m[1]));
    expect({ seconds, everyFiveSeconds: seconds.every((s, i) => Math.abs(s - 5 * (i + 1)) <= 2) }).toEqual({ seconds, everyFiveSeconds: true });
    for (const line of [
      'is Established',
      'ConfigMap hello-gen = {"content":"hello, world"}',
      'ConfigMap greetings-gen = {"content":"hi from rxkube","content-1":"hi from rxkube"}',
      'ConfigMap hello-gen = {"content":"hello again"}',
      'ConfigMap greetings-gen deleted',
      'cleanup   rxkube-demo/hello',
      'the garbage collector deletes it once it has noticed the new ConfigMapGenerator kind',
      'ConfigMap hello-gen deleted',
      'all steps converged; stopping',
      'stopped gracefully',
    ]) {
      expect(stdout).toContain(line);
    }
  }, 200_000);
});

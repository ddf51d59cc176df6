// Leader election across processes: operator instances (leader-fixtures/leader-process.ts) in their own Node
// processes campaign for one Lease and, while leading, reconcile ConfigMaps over and over, logging every
// reconcile's start and end with the wall clock. The test kills the leader with SIGKILL and freezes one with
// SIGSTOP, and shows from the logs that a standby starts reconciling only after the old leader stopped, that
// the frozen one does not start a reconcile when it is resumed (its Lease has expired meanwhile), and that
// SIGTERM drains, releases the Lease and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap, Lease } from '../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { eventually, kubeconfigPath, useNamespace } from '../support/cluster.js';
import { LEADER_TIMING } from './leader-fixtures/timing.js';

const ROOT = join(__dirname, '..', '..', '..');
const OUT = join(ROOT, '.cache', 'e2e-leader');
const BUNDLE = join(OUT, 'leader-process.cjs');

interface Line {
  event: 'started' | 'leading' | 'standby' | 'start' | 'end' | 'exit';
  identity: string;
  name: string;
  at: number;
}

describe('leader election across processes (e2e)', () => {
  const ns = useNamespace('leaderproc');
  let client: Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await build({
      entryPoints: [join(__dirname, 'leader-fixtures', 'leader-process.ts')],
      outfile: BUNDLE,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
    const cms = Api.namespaced(client, ConfigMap, ns);
    for (const name of ['one', 'two']) await cms.create({ metadata: { name, labels: { 'e2e-leader': 'yes' } }, data: {} });
  }, 90_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** Starts an instance; its log goes to its own file. */
  function instance(identity: string, leaseName: string) {
    const logFile = join(OUT, `${ns}-${identity}.log`);
    writeFileSync(logFile, '');
    const child = spawn(process.execPath, ['--enable-source-maps', BUNDLE], {
      env: { ...process.env, KUBECONFIG_PATH: kubeconfigPath(), NAMESPACE: ns, IDENTITY: identity, LEASE_NAME: leaseName, LOG_FILE: logFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    const lines = (): Line[] =>
      (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [event, id, name, at] = l.split(' ');
          return { event: event as Line['event'], identity: id ?? '', name: name ?? '', at: Number(at) };
        });
    const last = (event: Line['event']): Line | undefined => lines().filter((l) => l.event === event).at(-1);
    const leading = (): boolean => last('leading') !== undefined && (last('standby')?.at ?? 0) <= (last('leading')?.at ?? 0) && lines().at(-1)?.event !== 'exit';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { identity, child, lines, last, leading, exited };
  }
  type Instance = ReturnType<typeof instance>;

  const holder = async (leaseName: string) => (await Api.namespaced(client, Lease, ns).getOpt(leaseName))?.spec?.holderIdentity;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const starts = (i: Instance) => i.lines().filter((l) => l.event === 'start');
  /** Waits until `i` leads and has reconciled both ConfigMaps at least twice. */
  async function leadingAndBusy(i: Instance): Promise<void> {
    await eventually(() => i.leading() || undefined, { timeoutMs: 20_000, intervalMs: 50 });
    await eventually(() => starts(i).length >= 4 || undefined, { timeoutMs: 20_000, intervalMs: 50 });
  }
  /** Freezes `i` between two reconciles (its last line an `end`, nothing running), retrying if a start slips in. */
  async function freezeIdle(i: Instance): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = i.lines().at(-1);
      if (before?.event === 'end') {
        i.child.kill('SIGSTOP');
        await sleep(100);
        if (i.lines().at(-1)?.event === 'end') return Date.now();
        i.child.kill('SIGCONT');
      }
      await sleep(20);
    }
    throw new Error(`could not freeze ${i.identity} between two reconciles`);
  }

  it('lets a standby reconcile only after a leader killed with SIGKILL has stopped, once the Lease expired', async () => {
    const a = instance('a', 'kill');
    await leadingAndBusy(a);
    const b = instance('b', 'kill');
    await eventually(() => b.last('started') || undefined, { timeoutMs: 20_000 });
    await sleep(2 * LEADER_TIMING.retryPeriodMs);
    expect(b.leading()).toBe(false);
    expect(starts(b)).toHaveLength(0);

    a.child.kill('SIGKILL');
    const killed = Date.now();
    await a.exited;
    await leadingAndBusy(b);
    const lastOfA = Math.max(...a.lines().map((l) => l.at));
    const firstOfB = starts(b)[0]!.at;
    // a did nothing after it was killed; b started only after a's last line, and only once the Lease had
    // expired (b saw a's last renewal at most a retry before the kill).
    expect(lastOfA).toBeLessThanOrEqual(killed);
    expect(firstOfB).toBeGreaterThan(killed);
    expect(b.last('leading')!.at - killed).toBeGreaterThanOrEqual(LEADER_TIMING.leaseDurationMs - 2 * LEADER_TIMING.retryPeriodMs);
    expect(await holder('kill')).toBe('b');
    b.child.kill('SIGKILL');
    await b.exited;
  }, 90_000);

  it('does not let a leader frozen with SIGSTOP reconcile when it resumes after a standby took over', async () => {
    const a = instance('fa', 'freeze');
    await leadingAndBusy(a);
    const b = instance('fb', 'freeze');
    await eventually(() => b.last('started') || undefined, { timeoutMs: 20_000 });
    await sleep(2 * LEADER_TIMING.retryPeriodMs);
    expect(b.leading()).toBe(false);

    const frozen = await freezeIdle(a);
    const lastOfA = Math.max(...a.lines().map((l) => l.at));
    await leadingAndBusy(b);
    const firstOfB = starts(b)[0]!.at;
    expect(firstOfB).toBeGreaterThan(lastOfA);
    expect(b.last('leading')!.at - frozen).toBeGreaterThanOrEqual(LEADER_TIMING.leaseDurationMs - 2 * LEADER_TIMING.retryPeriodMs);

    const resumed = Date.now();
    a.child.kill('SIGCONT');
    // a's timers are all overdue when it resumes; its Lease expired long ago: it must step down without
    // starting another reconcile (and b keeps the Lease, so a does not lead again).
    await eventually(() => ((a.last('standby')?.at ?? 0) >= resumed ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    await sleep(3 * LEADER_TIMING.retryPeriodMs);
    const afterResume = a.lines().filter((l) => l.at >= resumed);
    expect(afterResume.filter((l) => l.event === 'start')).toEqual([]);
    expect(afterResume.filter((l) => l.event === 'leading')).toEqual([]);
    expect(await holder('freeze')).toBe('fb');
    for (const i of [a, b]) i.child.kill('SIGKILL');
    await Promise.all([a.exited, b.exited]);
  }, 90_000);

  it('drains, releases the Lease and exits on SIGTERM, so a standby takes over at its next retry', async () => {
    const a = instance('ta', 'term');
    await leadingAndBusy(a);
    const b = instance('tb', 'term');
    await eventually(() => b.last('started') || undefined, { timeoutMs: 20_000 });
    await sleep(2 * LEADER_TIMING.retryPeriodMs);

    const termed = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const exit = a.last('exit')!;
    expect(exit).toBeDefined();
    const lastReconcileOfA = Math.max(...a.lines().filter((l) => l.event === 'start' || l.event === 'end').map((l) => l.at));
    // the last reconcile ended before the exit line, which comes after the Lease was released
    expect(lastReconcileOfA).toBeLessThanOrEqual(exit.at);
    await leadingAndBusy(b);
    expect(starts(b)[0]!.at).toBeGreaterThanOrEqual(exit.at);
    // released, not expired: b leads within a few retries, well before a lease duration
    expect(b.last('leading')!.at - termed).toBeLessThan(LEADER_TIMING.leaseDurationMs);
    b.child.kill('SIGKILL');
    await b.exited;
  }, 90_000);
});

#!/usr/bin/env node
// `npm test`: Jest with both projects (unit, then e2e against a real kube-apiserver). Before starting Jest it checks
// that the e2e tests can get a cluster: RXKUBE_TEST_KUBECONFIG names one, or the local control plane is built, or
// Go can build it. When none holds it prints ONE line saying what to do (install Go, point RXKUBE_TEST_KUBECONFIG at
// a cluster, or run `npm run test:unit`) and exits 1, instead of a stack trace from Jest's e2e global setup.
// Arguments are passed to Jest as is (`npm test -- spec/core`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { goProblem, staleBinaries } from './control-plane/build.mjs';

const args = process.argv.slice(2);

/** False when `--selectProjects` names projects and e2e is not among them (`npm test -- --selectProjects unit`). */
function selectsE2e(argv) {
  const at = argv.indexOf('--selectProjects');
  if (at < 0) return true;
  const names = [];
  for (const arg of argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names.includes('e2e');
}

/** Why the e2e tests would have no cluster, or undefined when they will have one. */
function clusterProblem() {
  if (process.env.RXKUBE_TEST_KUBECONFIG) return undefined;
  if (!selectsE2e(args)) return undefined;
  if (staleBinaries().length === 0) return undefined;
  return goProblem();
}

const problem = clusterProblem();
if (problem !== undefined) {
  process.stderr.write(
    `npm test: the e2e tests need a Kubernetes API server and none is available — ${problem}. ` +
      'Install Go 1.26+ (https://go.dev/doc/install) to build the local control plane, ' +
      'set RXKUBE_TEST_KUBECONFIG=<kubeconfig> to use an existing cluster, or run the unit tests alone: npm run test:unit\n',
  );
  process.exit(1);
}

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const child = spawn(process.execPath, [jest, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));

// `npm run demo`: the main job of rxkube, end to end. With KUBECONFIG set it uses that cluster; otherwise it
// builds (first time only, with progress) and starts the local control plane from scripts/control-plane, then runs
// samples/demo.ts: install the sample CRD, run the ConfigMap-generator controller, create and change a few objects
// and show what happens, live. Ctrl+C stops it gracefully. `--once` ends after the scripted steps (for tests).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, up } from './control-plane/plane.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const env = { ...process.env };

if (!env.KUBECONFIG) {
  console.log('No KUBECONFIG set: using the local control plane (etcd + kube-apiserver + kube-controller-manager, built from Go modules).');
  const log = (line) => console.log(`  [control plane] ${line}`);
  try {
    await build({ log });
    const plane = await up({ log });
    env.KUBECONFIG = plane.kubeconfig;
    console.log(`  [control plane] ${plane.server} — kubeconfig ${plane.kubeconfig}; it keeps running after the demo (npm run cluster:down stops it)\n`);
  } catch (e) {
    console.error(`demo: the local control plane could not start: ${e.message}`);
    if (e.details) console.error(e.details);
    process.exit(1);
  }
} else {
  console.log(`Using KUBECONFIG=${env.KUBECONFIG}\n`);
}

const child = spawn(process.execPath, [join(root, 'scripts/run-sample.mjs'), join(root, 'samples/demo.ts'), ...args], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));

#!/usr/bin/env node
// Command line of the local control plane (npm run cluster:build|cluster:up|cluster:down|cluster:restart-apiserver).
//
//   node scripts/control-plane/cli.mjs build
//   node scripts/control-plane/cli.mjs up [--lease <pid>] [--nodes <n>]   last stdout line: the kubeconfig path
//                                    (--nodes: fake kwok nodes, default RXKUBE_CP_NODES or 2)
//   node scripts/control-plane/cli.mjs up --json ...        last stdout line: what up() returned, as JSON
//   node scripts/control-plane/cli.mjs down
//   node scripts/control-plane/cli.mjs restart-apiserver
//   node scripts/control-plane/cli.mjs release <pid>
//   node scripts/control-plane/cli.mjs paths                 prints paths as JSON
//
// Progress goes to stderr, results to stdout. On failure: exit code 1, a one-line reason on stderr prefixed with
// `cluster:<command> failed:`, then the last log lines of the failing component.
import { ControlPlaneError, build, down, paths, release, restartApiServer, up } from './plane.mjs';

const log = (line) => process.stderr.write(`[control-plane] ${line}\n`);
const [command, ...rest] = process.argv.slice(2);

const option = (name, what) => {
  const i = rest.indexOf(name);
  if (i < 0) return undefined;
  const value = Number(rest[i + 1]);
  if (!Number.isInteger(value)) throw new ControlPlaneError(`${name} needs ${what}, got ${rest[i + 1] ?? 'nothing'}`);
  return value;
};

async function main() {
  switch (command) {
    case 'build': {
      const res = await build({ log });
      process.stdout.write(`${res.binDir}\n`);
      return;
    }
    case 'up': {
      const res = await up({ log, leaseHolder: option('--lease', 'a pid'), nodes: option('--nodes', 'a number of nodes') });
      log(`kubectl: ${res.kubectl}`);
      log(`try: ${res.kubectl} --kubeconfig ${res.kubeconfig} get nodes,namespaces`);
      log(`pods: logs read ${res.podLogs}; exec runs locally in ${res.execDir}; port-forward reaches 127.0.0.1:${res.podForwardPort}`);
      process.stdout.write(rest.includes('--json') ? `${JSON.stringify(res)}\n` : `${res.kubeconfig}\n`);
      return;
    }
    case 'down': {
      const res = await down({ log });
      log(res.stopped.length ? `stopped ${res.stopped.join(', ')}` : 'nothing was running');
      return;
    }
    case 'restart-apiserver': {
      await restartApiServer({ log });
      return;
    }
    case 'release': {
      const pid = Number(rest[0]);
      if (!Number.isInteger(pid)) throw new ControlPlaneError('release needs the pid of the lease holder');
      await release(pid, { log });
      return;
    }
    case 'paths':
      process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
      return;
    default:
      throw new ControlPlaneError(`unknown command "${command ?? ''}"; use build, up, down, restart-apiserver, release or paths`);
  }
}

main().catch((err) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cluster:${command ?? ''} failed: ${message.split('\n')[0]}\n`);
  if (err instanceof ControlPlaneError && err.details) {
    process.stderr.write(`${err.details.split('\n').map((l) => `  | ${l}`).join('\n')}\n`);
  } else if (!(err instanceof ControlPlaneError) && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = 1;
});

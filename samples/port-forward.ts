// Forwards a local port to a pod's port, like `kubectl port-forward`: every local connection gets its own
// port-forward WebSocket; a failed connection is reported and reset while the listener stays up; Ctrl+C stops.
//
//   npm run sample -- samples/port-forward.ts <pod> <[local:]remote> [--namespace ns]
import { Api, Client } from 'rxkube/client';
import { Config, portForwardServer } from 'rxkube/config';
import { Pod } from 'rxkube/core';

async function main(): Promise<void> {
  const [pod, mapping] = process.argv.slice(2);
  const nsFlag = process.argv.indexOf('--namespace');
  if (pod === undefined || mapping === undefined) {
    console.error('usage: port-forward.ts <pod> <[local:]remote> [--namespace ns]');
    process.exit(2);
  }
  const [local, remote] = mapping.includes(':') ? mapping.split(':') : ['0', mapping];
  const config = await Config.infer();
  const namespace = nsFlag > 0 ? (process.argv[nsFlag + 1] ?? 'default') : (config.namespace ?? 'default');
  const pods = Api.namespaced(new Client(config), Pod, namespace);
  await pods.get(pod); // a missing pod fails here, not at the first connection
  const server = await portForwardServer(pods, pod, Number(remote), {
    localPort: Number(local || 0),
    onError: (error) => console.error(`connection failed: ${error.message}`),
  });
  console.log(`Forwarding from ${server.address}:${server.port} -> ${remote}`);
  const stop = (): void => {
    void server.close().then(() => {
      console.log('stopped.');
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`port-forward: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

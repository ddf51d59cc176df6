// The fake nodes of the local plane: kwok's configuration file and the Node objects it manages.
//
// kwok (sigs.k8s.io/kwok) plays a kubelet for every Node annotated `kwok.x-k8s.io/node: fake`: its stages make the
// node Ready and heartbeat, make scheduled pods Running and Ready (podIP, hostIP, conditions, containerStatuses),
// complete Job pods and remove deleted pods. Its HTTPS server is the kubelet endpoint of every node (address
// 127.0.0.1, port `ports.kwok`), which kube-apiserver reaches for exec, logs, attach and port-forward:
//
// - exec runs the command on this machine, as this user, in `<run>/kwok/exec` (env RXKUBE_KWOK_POD_EXEC=1),
// - logs and attach read `<run>/kwok/pods.log` (CRI lines `<RFC3339Nano> stdout F <text>`) unless a namespaced
//   `Logs` object (kwok.x-k8s.io/v1alpha1, named like the pod) names another file,
// - port-forward reaches 127.0.0.1:`ports.podForward` unless a namespaced `PortForward` object names a target.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The annotation that hands a Node to kwok. */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

/**
 * Names of the fake nodes of a plane with `count` nodes.
 *
 * ## Example
 * ```js
 * nodeNames(2); // ['rxkube-node-0', 'rxkube-node-1']
 * ```
 * @param {number} count
 */
export function nodeNames(count) {
  return Array.from({ length: count }, (_, i) => `rxkube-node-${i}`);
}

/**
 * The Node object of one fake node; kwok fills in its status (conditions, addresses, daemonEndpoints, capacity).
 *
 * ## Example
 * ```js
 * nodeManifest('rxkube-node-0').metadata.annotations; // { 'kwok.x-k8s.io/node': 'fake' }
 * ```
 * @param {string} name
 */
export function nodeManifest(name) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.rxkube.dev/fake': 'kwok',
      },
    },
    spec: {},
  };
}

/**
 * @typedef {object} KwokFiles
 * @property {string} config the KwokConfiguration + Cluster* resources file
 * @property {string} podLogs the default log file of every pod (CRI format)
 * @property {string} execDir working directory of `kubectl exec`
 */

/**
 * Writes kwok's configuration into `<dir>` and creates the default log file and exec folder.
 *
 * ## Example
 * ```js
 * const files = writeKwokConfig('/run/kwok', { port: 41000, podForwardPort: 41001, cert, key });
 * ```
 * @param {string} dir
 * @param {{ port: number, podForwardPort: number, cert: string, key: string }} options
 * @returns {KwokFiles}
 */
export function writeKwokConfig(dir, { port, podForwardPort, cert, key }) {
  const execDir = join(dir, 'exec');
  mkdirSync(execDir, { recursive: true });
  const podLogs = join(dir, 'pods.log');
  writeFileSync(podLogs, '', { flag: 'a' });
  const config = join(dir, 'kwok.yaml');
  // A KwokConfiguration given by file gets no defaults, so every parallelism is set.
  const docs = [
    {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokConfiguration',
      options: {
        cidr: '10.244.0.1/16',
        nodeIP: '127.0.0.1',
        nodePort: port,
        serverAddress: `127.0.0.1:${port}`,
        tlsCertFile: cert,
        tlsPrivateKeyFile: key,
        manageNodesWithAnnotationSelector: `${kwokNodeAnnotation}=fake`,
        enableDebuggingHandlers: true,
        enableCRDs: ['Logs', 'PortForward'],
        podPlayStageParallelism: 4,
        nodePlayStageParallelism: 4,
        nodeLeaseParallelism: 4,
        nodeLeaseDurationSeconds: 40,
        podsOnNodeSyncParallelism: 1,
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'rxkube-local-exec' },
      spec: { execs: [{ local: { workDir: execDir, envs: [{ name: 'RXKUBE_KWOK_POD_EXEC', value: '1' }] } }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'rxkube-pod-logs' },
      spec: { logs: [{ logsFile: podLogs, follow: true }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterAttach',
      metadata: { name: 'rxkube-pod-attach' },
      spec: { attaches: [{ logsFile: podLogs }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterPortForward',
      metadata: { name: 'rxkube-pod-port-forward' },
      spec: { forwards: [{ target: { address: '127.0.0.1', port: podForwardPort } }] },
    },
  ];
  // JSON is YAML: one document per object.
  writeFileSync(config, docs.map((d) => `---\n${JSON.stringify(d, null, 2)}\n`).join(''));
  return { config, podLogs, execDir };
}

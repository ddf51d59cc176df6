/**
 * `rxkube/testing` (Node only): a real Kubernetes control plane for your own tests — envtest for TypeScript, with
 * pods that run. `startTestCluster()` starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
 * fake nodes on loopback (built from source into `~/.cache/rxkube` on first use), and gives you a kubeconfig, a
 * ready `Client`, `kubectl`, fresh namespaces, API server restarts and `stop()`. Pods are scheduled, become Running
 * and Ready, Jobs complete; exec runs locally, logs come from a file you append to.
 *
 * For Jest, point `globalSetup`/`globalTeardown` at `rxkube/testing/jest-global-setup` and
 * `rxkube/testing/jest-global-teardown` so all test files share one plane.
 *
 * @module
 */
export * from './cri-log-line.js';
export * from './test-cluster.js';
export * from './test-cluster-error.js';
export { TEST_CLUSTER_ENV, type PlaneInfo } from './global-setup.js';

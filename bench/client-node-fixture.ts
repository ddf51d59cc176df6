// @kubernetes/client-node set up the same way by every benchmark that measures it against a local server.

export type ClientNode = typeof import('@kubernetes/client-node');

/** A KubeConfig for a local benchmark server: one cluster at `url`, no credentials. */
export function benchKubeConfig(k8s: ClientNode, url: string): InstanceType<ClientNode['KubeConfig']> {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

/**
 * Runs client-node's informer on the pods at `path` (`makeInformer` over `CoreV1Api.listNamespacedPod` in
 * `default`) until it has delivered `events` adds and updates, then stops it. An informer error before then
 * fails the run.
 */
export async function informerEvents(k8s: ClientNode, url: string, path: string, events: number): Promise<void> {
  const kc = benchKubeConfig(k8s, url);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, path, () => core.listNamespacedPod({ namespace: 'default' }));
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    const count = (): void => {
      if (++n === events) resolve();
    };
    informer.on('add', count);
    informer.on('update', count);
    informer.on('error', (e: unknown) => {
      if (n < events) reject(e instanceof Error ? e : new Error(String(e)));
    });
    informer.start().catch(reject);
  });
  await informer.stop();
}

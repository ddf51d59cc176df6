// A realistic Pod for the watch and store benchmarks: ~6.5 KB of JSON with managedFields from three
// managers, labels, annotations, an owner, two containers with env, probes and mounts, and a full
// status — the shape a Deployment's pod has on a real cluster.

/**
 * The i-th Pod: resourceVersion from `i`; name and uid from `identity` (default `i`), so a stream can
 * update the same pods again and again with new resourceVersions.
 */
export function realisticPod(i: number, identity = i): Record<string, unknown> {
  const name = `web-7d9c6b5f4-${identity.toString(36).padStart(5, '0')}`;
  const time = '2026-11-25T04:00:00Z';
  const env = Array.from({ length: 3 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${i % 97}` }));
  const container = (c: string, image: string) => ({
    name: c,
    image,
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    env,
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/web', readOnly: true },
      { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  });
  const fieldsFor = (c: string) => ({
    [`k:{"name":"${c}"}`]: {
      '.': {},
      'f:env': Object.fromEntries(env.map((e) => [`k:{"name":"${e.name}"}`, { '.': {}, 'f:name': {}, 'f:value': {} }])),
      'f:image': {},
      'f:imagePullPolicy': {},
      'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {}, 'f:scheme': {} } },
      'f:name': {},
      'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
      'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
    },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: 'web-7d9c6b5f4-',
      namespace: 'default',
      uid: `8f1c${identity.toString(16).padStart(8, '0')}-2b7e-4c1a-9d3f-5e6a7b8c9d0e`,
      resourceVersion: String(100000 + i),
      creationTimestamp: time,
      labels: { app: 'web', 'pod-template-hash': '7d9c6b5f4', tier: 'frontend', 'app.kubernetes.io/version': '1.4.2' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': time, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9c6b5f4', uid: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:tier': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"}': {} } },
            'f:spec': { 'f:containers': { ...fieldsFor('web'), ...fieldsFor('sidecar') }, 'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:volumes': {} },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time,
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': { 'k:{"type":"ContainersReady"}': { '.': {}, 'f:status': {}, 'f:type': {} }, 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } },
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': { '.': {}, 'k:{"ip":"10.244.1.17"}': { '.': {}, 'f:ip': {} } },
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      containers: [container('web', 'registry.example.com/web:1.4.2'), container('sidecar', 'registry.example.com/proxy:2.0.1')],
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        { name: 'kube-api-access-x7k2p', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: `worker-${i % 8}`,
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: time })),
      hostIP: '172.18.0.3',
      podIP: '10.244.1.17',
      podIPs: [{ ip: '10.244.1.17' }],
      startTime: time,
      containerStatuses: ['web', 'sidecar'].map((c) => ({
        name: c,
        state: { running: { startedAt: time } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: `registry.example.com/${c}:1.4.2`,
        imageID: `registry.example.com/${c}@sha256:4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0`,
        containerID: `containerd://${'ab12'.repeat(16)}`,
        started: true,
      })),
      qosClass: 'Burstable',
    },
  };
}

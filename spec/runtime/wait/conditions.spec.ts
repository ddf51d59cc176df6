import {
  Conditions,
  isCreated,
  isCrdEstablished,
  isDeleted,
  isDeploymentCompleted,
  isIngressProvisioned,
  isJobCompleted,
  isPodRunning,
  isServiceLoadBalancerProvisioned,
} from '../../../lib/runtime/wait/conditions.js';

describe('conditions', () => {
  it('isDeleted holds when the object is absent or has another uid', () => {
    const c = isDeleted('u1');
    expect(c(undefined)).toBe(true);
    expect(c({ metadata: { uid: 'u2' } })).toBe(true);
    expect(c({ metadata: { uid: 'u1' } })).toBe(false);
  });

  it('isCreated holds when the object exists', () => {
    expect(isCreated()(undefined)).toBe(false);
    expect(isCreated()({})).toBe(true);
  });

  it('isCrdEstablished reads the Established condition', () => {
    const c = isCrdEstablished();
    expect(c(undefined)).toBe(false);
    const crd = (status: string) => ({ spec: {} as never, status: { conditions: [{ type: 'Established', status, lastTransitionTime: '', message: '', reason: '' }] } });
    expect(c(crd('True'))).toBe(true);
    expect(c(crd('False'))).toBe(false);
  });

  it('isPodRunning and isJobCompleted read phase and conditions', () => {
    expect(isPodRunning()({ status: { phase: 'Running' } })).toBe(true);
    expect(isPodRunning()({ status: { phase: 'Pending' } })).toBe(false);
    expect(isJobCompleted()({ spec: {} as never, status: { conditions: [{ type: 'Complete', status: 'True' }] } })).toBe(true);
    expect(isJobCompleted()({ spec: {} as never, status: { conditions: [{ type: 'Failed', status: 'True' }] } })).toBe(false);
  });

  it('isDeploymentCompleted follows kubectl rollout status', () => {
    const c = isDeploymentCompleted();
    const d = (generation: number, observed: number, replicas: number, updated: number, available: number, total = updated) => ({
      metadata: { generation },
      spec: { replicas, selector: {}, template: {} },
      status: { observedGeneration: observed, updatedReplicas: updated, availableReplicas: available, replicas: total },
    });
    expect(c(d(2, 2, 3, 3, 3))).toBe(true);
    expect(c(d(2, 1, 3, 3, 3))).toBe(false); // not observed yet
    expect(c(d(2, 2, 3, 2, 2))).toBe(false); // not all updated
    expect(c(d(2, 2, 3, 3, 3, 4))).toBe(false); // old replicas still around
    expect(c(d(2, 2, 3, 3, 2))).toBe(false); // not all available
  });

  it('isServiceLoadBalancerProvisioned and isIngressProvisioned need an ingress address', () => {
    expect(isServiceLoadBalancerProvisioned()({ spec: { type: 'ClusterIP' } })).toBe(true);
    expect(isServiceLoadBalancerProvisioned()({ spec: { type: 'LoadBalancer' }, status: {} })).toBe(false);
    expect(isServiceLoadBalancerProvisioned()({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } })).toBe(true);
    expect(isIngressProvisioned()({ status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } } })).toBe(true);
    expect(isIngressProvisioned()({ status: {} })).toBe(false);
  });

  it('combines with and, or, not, and names the result', () => {
    const gone = isDeleted('u1');
    const exists = isCreated<{ metadata?: { uid?: string } }>();
    expect(Conditions.and(exists, Conditions.not(gone))({ metadata: { uid: 'u1' } })).toBe(true);
    expect(Conditions.and(exists, Conditions.not(gone))({ metadata: { uid: 'u2' } })).toBe(false);
    expect(Conditions.or(exists, gone)(undefined)).toBe(true);
    expect(Conditions.or(exists, Conditions.not(gone))(undefined)).toBe(false);
    expect(Conditions.not(gone).name).toBe('not(isDeleted(u1))');
  });
});

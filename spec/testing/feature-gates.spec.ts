// startTestCluster({ featureGates }): the gates become one --feature-gates flag; bad names are refused.
import { featureGateArgs, isTestClusterError, startTestCluster } from '../../lib/testing/index.js';

describe('featureGateArgs', () => {
  it('should make one --feature-gates flag of the gates, in order', () => {
    expect(featureGateArgs({ ShardedListAndWatch: true, WatchList: false })).toEqual(['--feature-gates=ShardedListAndWatch=true,WatchList=false']);
  });

  it('should make no flag of no gates', () => {
    expect(featureGateArgs(undefined)).toEqual([]);
    expect(featureGateArgs({})).toEqual([]);
  });

  it('should refuse a name that is not a feature gate name', () => {
    expect(() => featureGateArgs({ 'Sharded=true,--evil': true })).toThrow(/not a feature gate name/);
  });

  it('should refuse feature gates on the shared cluster (they need a private one)', async () => {
    const e = await startTestCluster({ mode: 'shared', featureGates: { ShardedListAndWatch: true } }).catch((err: unknown) => err);
    expect(isTestClusterError(e) && e.reason).toBe('startFailed');
    expect((e as Error).message).toMatch(/private cluster/);
  });
});

// The structural checks against the API server's own: every schema checkStructural rejects is
// rejected by the server (server-side dry run of a CRD) at a path that starts with the one we
// report, and every odd-but-legal schema in the table is accepted by both.
import { checkStructural, type JsonSchema } from '../../../lib/derive/index.js';
import { accepted, rejected } from '../../derive/fixtures/structural-cases.js';
import { KubectlError, kubectl } from '../support/cluster.js';

function crd(root: JsonSchema): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'probes.derive.rxkube.test' },
    spec: {
      group: 'derive.rxkube.test',
      names: { kind: 'Probe', listKind: 'ProbeList', plural: 'probes', singular: 'probe' },
      scope: 'Cluster',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root } }],
    },
  });
}

/** The server's complaint about a CRD with this root schema, or undefined when it would accept it. */
async function serverComplaint(root: JsonSchema): Promise<string | undefined> {
  try {
    await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: crd(root) });
    return undefined;
  } catch (e) {
    if (e instanceof KubectlError) return e.stderr;
    throw e;
  }
}

describe('checkStructural against the API server (e2e)', () => {
  it.each(rejected)('agrees with the server that %s is rejected', async (_, root, path) => {
    expect(checkStructural(root).map((v) => v.path)).toEqual([path]);
    const complaint = await serverComplaint(root);
    expect(complaint).toContain(`spec.validation.${path}`);
  });

  it.each(accepted)('agrees with the server that %s is accepted', async (_, root) => {
    expect(checkStructural(root)).toEqual([]);
    expect(await serverComplaint(root)).toBeUndefined();
  });
});

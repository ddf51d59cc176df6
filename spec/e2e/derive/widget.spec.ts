// A custom resource defined with rxkube/derive against the real kube-apiserver: the generated CRD
// is accepted and established, the server judges objects the way validate() does (same field
// paths), CEL rules, printer columns, selectable fields and the status and scale subresources
// behave as declared, and the definition works as a typed ResourceType with Api.
import { Patch } from '../../../lib/core/patch.js';
import type { ObjectOf } from '../../../lib/core/resource.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ApiError } from '../../../lib/client/errors.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { mergeCrdVersions, toYaml } from '../../../lib/derive/index.js';
import { Widget, WidgetV1alpha1 } from '../../derive/fixtures/widget.js';
import { kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';

type W = ObjectOf<typeof Widget>;

/** A second `widgets` resource, in a group that sorts before derive.rxkube.test. */
const RIVAL_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.a-rival.rxkube.test' },
  spec: {
    group: 'a-rival.rxkube.test',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

function widget(name: string, spec: W['spec']): W {
  return { apiVersion: 'derive.rxkube.test/v1', kind: 'Widget', metadata: { name }, spec };
}

/** Resolves with the ApiError the promise rejects with (fails the test when it does not reject). */
async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the server to reject the request');
}

/** The field paths of the server's causes that come from the schema (not CEL or its "not checked" note). */
function schemaCauseFields(error: ApiError): string[] {
  const causes = error.status.details?.causes ?? [];
  return causes.map((c) => c.field ?? '').filter((field) => field !== '' && !field.startsWith('.') && field !== '<nil>');
}

describe('defineCustomResource (e2e)', () => {
  const ns = useNamespace('derive');
  let widgets: Api<W, 'Namespaced'>;

  beforeAll(async () => {
    // Other suites define `widgets` in other groups on the same server (webhook.spec: conversion.rxkube.dev), and
    // kubectl resolves a bare `widgets` to whichever group it prefers: this suite names its group every time. A
    // rival defined here, in a group kubectl prefers, keeps that true.
    await kubectl(['apply', '-f', '-'], { input: toYaml(RIVAL_CRD) });
    await kubectl(['apply', '-f', '-'], { input: toYaml(mergeCrdVersions(Widget, WidgetV1alpha1)) });
    await kubectl(['wait', '--for=condition=Established', 'crd/widgets.derive.rxkube.test', `crd/${RIVAL_CRD.metadata.name}`, '--timeout=60s']);
    widgets = Api.namespaced(new Client(configFromKubeconfig({ path: kubeconfigPath() })), Widget, ns);
  });

  it('stores the generated CRD as given, with both versions', async () => {
    const stored = JSON.parse(await kubectl(['get', 'crd', 'widgets.derive.rxkube.test', '-o', 'json'])) as {
      spec: { versions: { name: string; served: boolean; storage: boolean; deprecated?: boolean; schema: unknown }[] };
      status: { storedVersions: string[] };
    };
    expect(stored.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false])).toEqual([
      ['v1', true, true, false],
      ['v1alpha1', true, false, true],
    ]);
    expect(stored.spec.versions[0]!.schema).toEqual(Widget.crd().spec.versions[0]!.schema);
    expect(stored.status.storedVersions).toContain('v1');
  });

  it('accepts a valid object through Api and fills in the schema defaults', async () => {
    const object = widget('valid', { size: 'small', replicas: 2, port: 'http', ports: [{ name: 'http', port: 80 }] });
    expect(Widget.validate(object).valid).toBe(true);
    const created = await widgets.create(object);
    expect(created.spec).toEqual({ ...object.spec, color: 'blue' });
    expect(Widget.validate(created).valid).toBe(true);
  });

  it('rejects a schema violation at the same field paths that validate() reports', async () => {
    const bad = {
      ...widget('invalid', { size: 'small', replicas: 1 }),
      spec: { size: 'medium', replicas: '3', ports: [{ port: 0 }], labels: { 'app/name': 3 } },
    } as unknown as W;
    const local = Widget.validate(bad);
    expect(local.valid).toBe(false);
    const pointers = local.valid ? [] : local.issues.map((i) => i.pointer);
    expect(pointers).toContain('/spec/replicas');

    const error = await rejection(widgets.create(bad));
    expect(error.code).toBe(422);
    const serverFields = schemaCauseFields(error);
    expect(serverFields).toContain('spec.replicas');
    expect(new Set(serverFields)).toEqual(new Set(local.valid ? [] : local.issues.map((i) => i.field)));
    // The pointer and the server's path name the same field.
    expect(pointers.map((p) => p.slice(1).split('/').join('.'))).toContain('spec.replicas');
  });

  // Each spec breaks the schema in one or more ways; validate() must name exactly the fields the server names.
  it.each<[string, Record<string, unknown>]>([
    ['an enum value', { size: 'medium', replicas: 1 }],
    ['a type and a minimum', { size: 'small', replicas: -1, ports: [{ name: 'a', port: 'x' }] }],
    ['a maximum and a maxLength', { size: 'large', replicas: 11, color: 'c'.repeat(21) }],
    ['int-or-string given a float and a boolean', { size: 'small', replicas: 1, port: 1.5 }],
    ['int-or-string given a boolean', { size: 'small', replicas: 1, port: true }],
    ['missing required fields', { ports: [{ port: 80 }] }],
    ['a map value of the wrong type', { size: 'small', replicas: 1, labels: { 'app/name': 3, ok: 'x' } }],
    ['maxItems', { size: 'small', replicas: 1, ports: Array.from({ length: 9 }, (_, i) => ({ name: `p${i}` })) }],
    ['duplicate keys of a map list', { size: 'small', replicas: 1, ports: [{ name: 'http' }, { name: 'x' }, { name: 'http', port: 2 }] }],
    ['duplicate values of a set', { size: 'small', replicas: 1, tags: ['a', 'b', 'a'] }],
    ['an embedded resource without apiVersion and kind', { size: 'small', replicas: 1, template: { metadata: { name: 'x' } } }],
    ['null in a required field (dropped, so missing)', { size: null, replicas: 1 }],
    ['null in a list of strings', { size: 'small', replicas: 1, tags: [null] }],
  ])('rejects %s at the fields validate() reports', async (_, spec) => {
    const object = { ...widget('probe', { size: 'small', replicas: 1 }), spec } as unknown as W;
    const local = Widget.validate(object);
    expect(local.valid).toBe(false);
    const error = await rejection(widgets.create(object, { dryRun: true }));
    expect(new Set(schemaCauseFields(error))).toEqual(new Set(local.valid ? [] : local.issues.map((i) => i.field)));
  });

  it('accepts what validate() accepts: null where nullable, nulls elsewhere dropped, unknown fields pruned', async () => {
    const object = {
      ...widget('lenient', { size: 'small', replicas: 1 }),
      spec: {
        size: 'small',
        replicas: 1,
        port: 8080,
        extra: null,
        color: null,
        labels: { a: null },
        ports: [{ name: 'a', port: null }],
        unknownField: true,
        template: { apiVersion: 'v1', kind: 'Pod' },
      },
    } as unknown as W;
    const local = Widget.validate(object);
    expect(local.valid).toBe(true);
    const created = await widgets.create(object, { dryRun: true });
    expect(created.spec).not.toHaveProperty('unknownField');
    expect(created.spec.extra).toBeNull();
    // Nulls in non-nullable fields are dropped by both (then the server applies the default).
    expect(created.spec.color).toBe('blue');
    expect(created.spec.labels).toEqual({});
    expect(created.spec.ports).toEqual([{ name: 'a' }]);
    expect(local.valid && local.value.spec).toMatchObject({ labels: {}, ports: [{ name: 'a' }] });
    expect(local.valid && local.value.spec).not.toHaveProperty('color');
  });

  it('rejects an object a CEL rule refuses, with the rule message at its fieldPath', async () => {
    const tooMany = widget('too-many', { size: 'small', replicas: 7 });
    expect(Widget.validate(tooMany).valid).toBe(true); // CEL is the server's job
    const error = await rejection(widgets.create(tooMany));
    expect(error.status.details?.causes).toEqual([
      expect.objectContaining({ field: 'spec.replicas', message: expect.stringContaining('small widgets have at most 5 replicas') }),
    ]);
  });

  it('evaluates a transition rule with messageExpression and a rule on the whole object', async () => {
    await widgets.create(widget('fixed-size', { size: 'small', replicas: 1 }));
    const change = await rejection(widgets.patch('fixed-size', Patch.merge({ spec: { size: 'large' } })));
    expect(change.status.message).toContain('size is immutable, was small');

    const longName = 'w'.repeat(41);
    const named = await rejection(widgets.create(widget(longName, { size: 'small', replicas: 1 })));
    expect(named.status.message).toContain('widget names are at most 40 characters');
  });

  it('runs a rule with optionalOldSelf on create (no old value) and lets updates through', async () => {
    const black = await rejection(widgets.create(widget('black', { size: 'small', replicas: 1, color: 'black' })));
    expect(black.status.details?.causes).toEqual([expect.objectContaining({ field: 'spec.color', message: expect.stringContaining('new widgets cannot be black') })]);
    await widgets.create(widget('repainted', { size: 'small', replicas: 1 }));
    const repainted = await widgets.patch('repainted', Patch.merge({ spec: { color: 'black' } }));
    expect(repainted.spec.color).toBe('black');
  });

  it('shows the printer columns in kubectl get', async () => {
    await widgets.create(widget('printed', { size: 'large', replicas: 4, color: 'red' }));
    const table = await kubectl(['get', 'widgets.derive.rxkube.test', 'printed', '-n', ns]);
    const [header, row] = table.trim().split('\n').map((line) => line.trim().split(/\s+/));
    expect(header).toEqual(['NAME', 'SIZE', 'REPLICAS', 'READY']);
    expect(row).toEqual(['printed', 'large', '4']);
    const wide = await kubectl(['get', 'wdg', 'printed', '-n', ns, '-o', 'wide']);
    expect(wide.split('\n')[0]!.trim().split(/\s+/)).toEqual(['NAME', 'SIZE', 'REPLICAS', 'READY', 'COLOR']);
    expect(wide).toContain('red');
  });

  it('writes status only through the status subresource', async () => {
    await widgets.create(widget('with-status', { size: 'large', replicas: 2 }));
    const ignored = await widgets.patch('with-status', Patch.merge({ status: { phase: 'Ready' } }));
    expect(ignored.status).toBeUndefined();
    const updated = await widgets.patchStatus('with-status', Patch.merge({ status: { replicas: 2, phase: 'Ready', selector: 'app=with-status' } }));
    expect(updated.status).toEqual({ replicas: 2, phase: 'Ready', selector: 'app=with-status' });
    expect(Widget.validate(updated).valid).toBe(true);
    const badStatus = await rejection(widgets.patchStatus('with-status', Patch.merge({ status: { phase: 'Gone' } })));
    expect(schemaCauseFields(badStatus)).toEqual(['status.phase']);
  });

  it('scales through the scale subresource with kubectl scale', async () => {
    await widgets.create(widget('scaled', { size: 'large', replicas: 1 }));
    await widgets.patchStatus('scaled', Patch.merge({ status: { replicas: 1, selector: 'app=scaled' } }));
    await kubectl(['scale', '--replicas=3', 'widgets.derive.rxkube.test/scaled', '-n', ns]);
    expect((await widgets.get('scaled')).spec.replicas).toBe(3);
    const scale = JSON.parse(await kubectl(['get', 'widgets.derive.rxkube.test', 'scaled', '-n', ns, '--subresource=scale', '-o', 'json'])) as {
      kind: string;
      spec: { replicas: number };
      status: { replicas: number; selector?: string };
    };
    expect(scale.kind).toBe('Scale');
    expect(scale.spec).toEqual({ replicas: 3 });
    expect(scale.status).toEqual({ replicas: 1, selector: 'app=scaled' });
    // The scale subresource goes through the schema too: 11 is above the maximum of spec.replicas.
    await expect(kubectl(['scale', '--replicas=11', 'widgets.derive.rxkube.test/scaled', '-n', ns])).rejects.toThrow(/spec\.replicas/);
  });

  it('filters on a selectable field', async () => {
    await widgets.create(widget('sel-small', { size: 'small', replicas: 1 }));
    await widgets.create(widget('sel-large', { size: 'large', replicas: 1 }));
    const names = (await widgets.list({ fieldSelector: 'spec.size=small' })).items.map((w) => w.metadata.name);
    expect(names).toContain('sel-small');
    expect(names).not.toContain('sel-large');
    const viaKubectl = await kubectl(['get', 'widgets.derive.rxkube.test', '-n', ns, '--field-selector', 'spec.size=large', '-o', 'name']);
    expect(viaKubectl.trim().split('\n')).toContain('widget.derive.rxkube.test/sel-large');
    expect(viaKubectl).not.toContain('sel-small');
  });

  it('serves the deprecated version next to the storage version', async () => {
    await widgets.create(widget('both-versions', { size: 'small', replicas: 1 }));
    const old = await kubectl(['get', 'widgets.v1alpha1.derive.rxkube.test', 'both-versions', '-n', ns, '-o', 'json']);
    expect(JSON.parse(old)).toMatchObject({ apiVersion: 'derive.rxkube.test/v1alpha1', kind: 'Widget', metadata: { name: 'both-versions' } });
  });
});

import { collectCrds, customResourcesIn, defineCustomResource, mergeCrdVersions } from '../../lib/derive/index.js';
import { Widget, WidgetV1alpha1 } from './fixtures/widget.js';

const Gadget = defineCustomResource({
  group: 'derive.rxkube.test',
  version: 'v1',
  kind: 'Gadget',
  scope: 'Cluster',
  spec: { type: 'object', properties: { on: { type: 'boolean' } } },
});

describe('collectCrds', () => {
  it('merges the versions of one CRD and keeps CRDs in the order first seen', () => {
    const crds = collectCrds({ WidgetV1alpha1, Gadget, Widget, GROUP: 'derive.rxkube.test' });
    expect(crds).toEqual([mergeCrdVersions(WidgetV1alpha1, Widget), Gadget.crd()]);
  });

  it('counts a definition exported twice once, and looks inside a CommonJS default export', () => {
    const cjs = { default: { Widget, Gadget }, Widget };
    expect(customResourcesIn(cjs)).toEqual([Widget, Gadget, Widget]);
    expect(collectCrds(cjs)).toEqual([Widget.crd(), Gadget.crd()]);
  });

  it('collects across several modules', () => {
    expect(collectCrds({ Widget }, { WidgetV1alpha1 }).map((c) => c.spec.versions.map((v) => v.name))).toEqual([['v1', 'v1alpha1']]);
  });

  it('finds nothing in values that are not definitions', () => {
    expect(collectCrds({ a: 1, b: null, c: { group: 'x' } }, undefined, 'text')).toEqual([]);
  });
});

/** Conversion: typed Widget v1 ↔ v2 (samples/webhook/widget.ts), multi-step paths, and refusals of bad results. */
import fc from 'fast-check';
import { Conversion, ConversionError, isConversionError } from '../../lib/admission/conversion';
import { parseConversionReview } from '../../lib/admission/conversion-review';
import { withConversionWebhook } from '../../lib/admission/crd-conversion';
import { AdmissionConfigError } from '../../lib/admission/admission-config-error';
import { DecodeError } from '../../lib/core/error-boundary';
import { defineCustomResource } from '../../lib/derive';
import { TAGS_ANNOTATION, WidgetV1, WidgetV2, widgetConversion, widgetCrd, type WidgetV2 as WidgetV2Object } from '../../samples/webhook/widget';

const meta = { name: 'w', namespace: 'ns', uid: 'u-1', resourceVersion: '7', labels: { a: 'b' } };

const v2 = fc.record(
  {
    dimensions: fc.record({ size: fc.nat() }),
    color: fc.string(),
    tags: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
  },
  { requiredKeys: ['dimensions'] },
).map((spec): WidgetV2Object => ({ apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: { ...meta }, spec }));

function conversionError(f: () => unknown): ConversionError {
  try {
    f();
  } catch (e) {
    if (isConversionError(e)) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('Conversion (Widget v1 ↔ v2)', () => {
  it('round-trips any v2 widget through v1 without loss', () => {
    fc.assert(
      fc.property(v2, (widget) => {
        const stored = widgetConversion.convert(widget, WidgetV1.apiVersion);
        expect(stored.apiVersion).toBe('conversion.rxkube.dev/v1');
        expect(widgetConversion.convert(stored, WidgetV2.apiVersion)).toEqual(widget);
      }),
    );
  });

  it('keeps v2 tags in an annotation while stored as v1', () => {
    const widget: WidgetV2Object = { apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: { ...meta }, spec: { dimensions: { size: 3 }, tags: ['x'] } };
    const stored = widgetConversion.convert(widget, 'conversion.rxkube.dev/v1');
    expect(stored).toEqual({ apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: { ...meta, annotations: { [TAGS_ANNOTATION]: '["x"]' } }, spec: { size: 3 } });
  });

  it('does not let a converter change its input', () => {
    const widget: WidgetV2Object = { apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: { ...meta }, spec: { dimensions: { size: 3 } } };
    const copy = structuredClone(widget);
    const mutating = Conversion.between(WidgetV1, WidgetV2).using({
      forward: (o) => ({ ...o, apiVersion: 'conversion.rxkube.dev/v2', spec: { dimensions: { size: o.spec.size } } }),
      backward: (o) => {
        o.spec.dimensions.size = 99;
        return { ...o, apiVersion: 'conversion.rxkube.dev/v1', spec: { size: o.spec.dimensions.size } };
      },
    });
    mutating.convert(widget, 'conversion.rxkube.dev/v1');
    expect(widget).toEqual(copy);
  });

  it('refuses a converter that returns the wrong apiVersion, before the API server sees it', () => {
    const wrong = Conversion.between(WidgetV1, WidgetV2).using({
      forward: (o) => ({ ...o, spec: { dimensions: { size: o.spec.size } } }) as never,
      backward: (o) => ({ ...o, apiVersion: 'conversion.rxkube.dev/v1', spec: { size: o.spec.dimensions.size } }),
    });
    const stored = { apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: meta, spec: { size: 1 } };
    const e = conversionError(() => wrong.convert(stored, 'conversion.rxkube.dev/v2'));
    expect(e.reason).toBe('wrongApiVersion');
    expect(e.message).toBe('converting Widget ns/w from conversion.rxkube.dev/v1 to conversion.rxkube.dev/v2 returned apiVersion "conversion.rxkube.dev/v1", expected "conversion.rxkube.dev/v2"');
    const review = wrong.review({ uid: 'r1', desiredAPIVersion: 'conversion.rxkube.dev/v2', objects: [stored] });
    expect(review).toEqual({ uid: 'r1', convertedObjects: [], result: { status: 'Failure', message: e.message } });
  });

  it('refuses changed names, kinds, non-objects and converters that throw', () => {
    const stored = { apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: meta, spec: { size: 1 } };
    const make = (forward: (o: never) => unknown) => Conversion.between(WidgetV1, WidgetV2).using({ forward: forward as never, backward: (o) => o as never });
    const to = 'conversion.rxkube.dev/v2';
    expect(conversionError(() => make((o: typeof stored) => ({ ...o, apiVersion: to, metadata: { ...o.metadata, name: 'other' } })).convert(stored, to)).reason).toBe('metadataChanged');
    expect(conversionError(() => make((o: typeof stored) => ({ ...o, apiVersion: to, kind: 'Gadget' })).convert(stored, to)).reason).toBe('wrongKind');
    expect(conversionError(() => make(() => null).convert(stored, to)).reason).toBe('invalidObject');
    expect(conversionError(() => make((o: typeof stored) => ({ ...o, apiVersion: to, metadata: { ...o.metadata, labels: { a: 1 } } })).convert(stored, to)).reason).toBe('invalidObject');
    const thrown = conversionError(() => make(() => { throw new Error('boom'); }).convert(stored, to));
    expect([thrown.reason, thrown.message]).toEqual(['converterFailed', `converting Widget ns/w from conversion.rxkube.dev/v1 to ${to} failed: boom`]);
  });

  it('finds a path through intermediate versions and refuses unknown ones', () => {
    const common = { group: 'conversion.rxkube.dev', kind: 'Widget', scope: 'Namespaced', spec: { type: 'object', properties: { n: { type: 'integer' } } } } as const;
    const V3 = defineCustomResource({ ...common, version: 'v3', storage: false });
    const chain = widgetConversion.and(WidgetV2, V3).using({
      forward: (o) => ({ apiVersion: 'conversion.rxkube.dev/v3', kind: 'Widget', metadata: o.metadata, spec: { n: o.spec.dimensions.size } }),
      backward: (o) => ({ apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: o.metadata, spec: { dimensions: { size: o.spec.n ?? 0 } } }),
    });
    expect(chain.apiVersions).toEqual(['conversion.rxkube.dev/v1', 'conversion.rxkube.dev/v2', 'conversion.rxkube.dev/v3']);
    // and() makes a new conversion; the one it was called on keeps its two versions (it once shared its table).
    expect(widgetConversion.apiVersions).toEqual(['conversion.rxkube.dev/v1', 'conversion.rxkube.dev/v2']);
    const stored = { apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: meta, spec: { size: 5 } };
    expect(chain.convert(stored, 'conversion.rxkube.dev/v3')).toEqual({ apiVersion: 'conversion.rxkube.dev/v3', kind: 'Widget', metadata: meta, spec: { n: 5 } });
    expect(conversionError(() => chain.convert(stored, 'conversion.rxkube.dev/v9')).reason).toBe('unknownVersion');
    expect(conversionError(() => chain.convert({ ...stored, apiVersion: 'x/v1' }, 'conversion.rxkube.dev/v3')).reason).toBe('unknownVersion');
    expect(() => Conversion.between(WidgetV1, defineCustomResource({ ...common, kind: 'Gadget', version: 'v2' }))).toThrow(ConversionError);
  });
});

describe('parseConversionReview', () => {
  const body = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion: 'conversion.rxkube.dev/v2', objects: [{ apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget' }] } };
  it('reads a review and names a bad field', () => {
    expect(parseConversionReview(body).objects).toHaveLength(1);
    const bad = { ...body, request: { ...body.request, objects: [{ apiVersion: 'v1', kind: 'Widget' }, 'x'] } };
    expect(() => parseConversionReview(bad)).toThrow(DecodeError);
    expect(() => parseConversionReview(bad)).toThrow(/request\.objects\[1\] must be an object/);
    expect(() => parseConversionReview({ ...body, apiVersion: 'apiextensions.k8s.io/v1beta1' })).toThrow(/apiVersion must be apiextensions\.k8s\.io\/v1/);
  });
});

describe('withConversionWebhook', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  it('sets spec.conversion to the webhook with the CA bundle base64 encoded', () => {
    const crd = withConversionWebhook(widgetCrd(), { url: 'https://127.0.0.1:9443/convert', ca }, widgetConversion);
    expect((crd.spec as { conversion?: unknown }).conversion).toEqual({
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:9443/convert', caBundle: Buffer.from(ca).toString('base64') } },
    });
    expect(crd.spec.versions.map((v) => [v.name, v.storage])).toEqual([['v1', true], ['v2', false]]);
  });

  it('refuses a single-version CRD, a conversion of another kind or one missing a version', () => {
    const one = { ...widgetCrd(), spec: { ...widgetCrd().spec, versions: widgetCrd().spec.versions.slice(0, 1) } };
    expect(() => withConversionWebhook(one, { url: 'https://h/c' })).toThrow(/spec\.versions: a conversion webhook needs at least two versions/);
    const v1only = { ...widgetCrd(), spec: { ...widgetCrd().spec, versions: [...widgetCrd().spec.versions, { ...widgetCrd().spec.versions[1]!, name: 'v3', storage: false }] } };
    expect(() => withConversionWebhook(v1only, { url: 'https://h/c' }, widgetConversion)).toThrow(/does not know version\(s\) v3/);
    expect(() => withConversionWebhook(widgetCrd(), { url: 'http://h/c' })).toThrow(AdmissionConfigError);
  });
});

/** Type tests of rxkube/admission: conversions are typed by the descriptors, requests by the webhook's kind. */
import { expectTypeOf } from 'expect-type';
import { Admission, Conversion, parseAdmissionReview, type AdmissionRequest } from '../../lib/admission';
import { ConfigMap } from '../../lib/core/builtins';
import { WidgetV1, WidgetV2, widgetConversion, type WidgetV1 as WidgetV1Object, type WidgetV2 as WidgetV2Object } from '../../samples/webhook/widget';

const request = parseAdmissionReview({}, ConfigMap);
expectTypeOf(request).toEqualTypeOf<AdmissionRequest<ConfigMap>>();
expectTypeOf(request.object).toEqualTypeOf<ConfigMap | undefined>();
expectTypeOf(request.dryRun).toEqualTypeOf<boolean>();

// A desired object of another kind is refused.
// @ts-expect-error a Deployment is not a ConfigMap
Admission.mutate(request, { apiVersion: 'apps/v1', kind: 'Deployment' });

expectTypeOf(widgetConversion.convert({}, 'conversion.rxkube.dev/v2')).toEqualTypeOf<WidgetV1Object | WidgetV2Object>();

Conversion.between(WidgetV1, WidgetV2).using({
  // @ts-expect-error forward must return a v2 object: the apiVersion literal is checked
  forward: (v1) => ({ ...v1, apiVersion: 'conversion.rxkube.dev/v1', spec: { dimensions: { size: v1.spec.size } } }),
  backward: (v2) => ({ ...v2, apiVersion: 'conversion.rxkube.dev/v1', spec: { size: v2.spec.dimensions.size } }),
});

Conversion.between(WidgetV1, WidgetV2).using({
  forward: (v1) => ({ ...v1, apiVersion: 'conversion.rxkube.dev/v2', spec: { dimensions: { size: v1.spec.size } } }),
  // @ts-expect-error backward takes a v2 object: spec.size is not there
  backward: (v2) => ({ ...v2, apiVersion: 'conversion.rxkube.dev/v1', spec: { size: v2.spec.size } }),
});

/** parseAdmissionReview and the Admission response builders. */
import fc from 'fast-check';
import { applyPatch, type Operation } from 'fast-json-patch';
import { Admission } from '../../lib/admission/admission-response';
import { parseAdmissionReview } from '../../lib/admission/admission-review';
import { base64Decode, base64Encode } from '../../lib/admission/base64';
import { ConfigMap, Deployment } from '../../lib/core/builtins';
import { DecodeError } from '../../lib/core/error-boundary';
import type { ResourceType } from '../../lib/core/resource';
import { configMapReview } from './support/reviews';

function decodeError(body: unknown, type?: ResourceType): DecodeError {
  try {
    parseAdmissionReview(body, type);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('parseAdmissionReview accepted the body');
}

describe('parseAdmissionReview', () => {
  it('types the request by the descriptor and exposes dryRun and userInfo', () => {
    const request = parseAdmissionReview(configMapReview(), ConfigMap);
    expect(request.object?.data).toEqual({ a: '1' });
    expect(request.oldObject).toBeUndefined();
    expect(request.dryRun).toBe(true);
    expect(request.userInfo.username).toBe('admin');
    expect(request.operation).toBe('CREATE');
    expect(request.kind).toEqual({ group: '', version: 'v1', kind: 'ConfigMap' });
  });

  it('defaults dryRun to false when the server leaves it out', () => {
    expect(parseAdmissionReview(configMapReview({ dryRun: undefined })).dryRun).toBe(false);
  });

  it('names the field that is wrong, without echoing the body', () => {
    const secret = 's3cr3t-token-value';
    const cases: [unknown, string][] = [
      ['not an object', 'body'],
      [{ ...configMapReview(), apiVersion: 'admission.k8s.io/v1beta1' }, 'apiVersion'],
      [{ ...configMapReview(), kind: 'ConversionReview' }, 'kind'],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'request'],
      [configMapReview({ uid: 7 }), 'request.uid'],
      [configMapReview({ uid: '' }), 'request.uid'],
      [configMapReview({ operation: 'PATCH' }), 'request.operation'],
      [configMapReview({ kind: undefined }), 'request.kind'],
      [configMapReview({ resource: { group: '', version: 'v1' } }), 'request.resource.resource'],
      [configMapReview({ userInfo: [secret] }), 'request.userInfo'],
      [configMapReview({ object: secret }), 'request.object'],
      [configMapReview({ dryRun: 'yes' }), 'request.dryRun'],
      [configMapReview({ namespace: 3 }), 'request.namespace'],
    ];
    for (const [body, field] of cases) {
      const e = decodeError(body);
      expect([field, e.field]).toEqual([field, field]);
      expect(e.message).not.toContain(secret);
    }
  });

  it('refuses a review of another kind than the webhook handles', () => {
    expect(decodeError(configMapReview(), Deployment).message).toMatch(/request\.kind is ConfigMap, but this webhook handles apps\/Deployment/);
  });

  it('never throws anything but DecodeError on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ apiVersion: fc.constant('admission.k8s.io/v1'), kind: fc.constant('AdmissionReview'), request: fc.jsonValue() })), (body) => {
        try {
          parseAdmissionReview(body);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe('Admission', () => {
  const request = parseAdmissionReview(configMapReview(), ConfigMap);

  it('allows with warnings and audit annotations', () => {
    expect(Admission.review(Admission.allow(request, { warnings: ['w1'], auditAnnotations: { k: 'v' } }))).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: request.uid, allowed: true, warnings: ['w1'], auditAnnotations: { k: 'v' } },
    });
  });

  it('denies with a Status, a code and the field at fault', () => {
    expect(Admission.deny(request, 'no passwords', { field: 'data.password' })).toEqual({
      uid: request.uid,
      allowed: false,
      status: { status: 'Failure', code: 403, reason: 'Forbidden', message: 'no passwords', details: { causes: [{ reason: 'FieldValueInvalid', field: 'data.password', message: 'no passwords' }] } },
    });
    expect(Admission.deny(request, 'bad', { code: 422 }).status).toEqual({ status: 'Failure', code: 422, reason: 'Invalid', message: 'bad' });
  });

  it('mutates by the desired object: a base64 JSON patch that makes it', () => {
    const desired = { ...request.object!, metadata: { ...request.object!.metadata, labels: { 'rxkube.dev/checked': 'yes' } } };
    const response = Admission.mutate(request, desired);
    expect(response.patchType).toBe('JSONPatch');
    const ops = JSON.parse(base64Decode(response.patch!)) as Operation[];
    expect(ops).toEqual([{ op: 'add', path: '/metadata/labels', value: { 'rxkube.dev/checked': 'yes' } }]);
    expect(applyPatch(structuredClone(request.object), ops).newDocument).toEqual(desired);
  });

  it('allows without a patch when the desired object is the same', () => {
    expect(Admission.mutate(request, structuredClone(request.object!))).toEqual({ uid: request.uid, allowed: true });
  });
});

describe('base64', () => {
  it('round-trips any text, as Buffer encodes it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(base64Encode(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
        expect(base64Decode(base64Encode(text))).toBe(text);
      }),
    );
  });

  it('encodes large texts (past the chunk size)', () => {
    const text = 'ü'.repeat(100_000);
    expect(base64Encode(text)).toBe(Buffer.from(text).toString('base64'));
  });

  it('refuses text that is not base64 or not UTF-8', () => {
    expect(() => base64Decode('***')).toThrow(TypeError);
    expect(() => base64Decode(Buffer.from([0xff, 0xfe]).toString('base64'))).toThrow(TypeError);
  });
});

/**
 * AdmissionReview v1 (`admission.k8s.io/v1`): what the API server sends to a validating or mutating
 * webhook and what it expects back, typed by the resource descriptor (`object` and `oldObject` are `K`),
 * and a decoder that turns an untrusted request body into a typed request or a {@link DecodeError} naming
 * the field that was wrong.
 *
 * @module
 */
import { DecodeError } from '../core/error-boundary.js';
import type { GroupVersionKind, GroupVersionResource } from '../core/gvk.js';
import type { KubeObject, ResourceType } from '../core/resource.js';
import type { Status } from '../core/response.js';

/** The apiVersion of every AdmissionReview rxkube reads and writes. */
export const ADMISSION_REVIEW_API_VERSION = 'admission.k8s.io/v1';

/** The operation an admission request is about. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/**
 * Who sent the request to the API server (authentication.k8s.io/v1 UserInfo).
 *
 * ## Example
 * ```ts
 * const admin = request.userInfo.groups?.includes('system:masters') ?? false;
 * ```
 */
export interface AdmissionUserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The request part of an AdmissionReview. `object` is the new object (absent on DELETE), `oldObject`
 * the current one (UPDATE and DELETE); both are `K`, the object type of the webhook's descriptor.
 *
 * ## Example
 * ```ts
 * function check(request: AdmissionRequest<ConfigMap>): AdmissionResponse {
 *   if (request.dryRun) console.log('dry run, no side effects');
 *   return request.object?.data?.forbidden === undefined ? Admission.allow(request) : Admission.deny(request, 'no');
 * }
 * ```
 */
export interface AdmissionRequest<K extends KubeObject = KubeObject> {
  /** Copied into the response; identifies this call. */
  readonly uid: string;
  /** The kind of the object as the webhook is asked about it (after matchPolicy conversion). */
  readonly kind: GroupVersionKind;
  /** The resource of the object as the webhook is asked about it. */
  readonly resource: GroupVersionResource;
  readonly subResource?: string;
  /** The kind as the original request named it (differs when the server converted it for the webhook). */
  readonly requestKind?: GroupVersionKind;
  readonly requestResource?: GroupVersionResource;
  readonly requestSubResource?: string;
  /** Object name; may be empty on CREATE with `generateName`. */
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: AdmissionOperation;
  /** Who made the request. */
  readonly userInfo: AdmissionUserInfo;
  /** The new object (CREATE, UPDATE, CONNECT); absent on DELETE. */
  readonly object?: K;
  /** The existing object (UPDATE, DELETE). */
  readonly oldObject?: K;
  /** True when the request will not be persisted (`dryRun=All`): a webhook with side effects must skip them. */
  readonly dryRun: boolean;
  /** CreateOptions, UpdateOptions, DeleteOptions or PatchOptions of the original request. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * The answer to one admission request. Build it with the `Admission` helpers rather than by hand.
 *
 * ## Example
 * ```ts
 * const response: AdmissionResponse = { uid: request.uid, allowed: false, status: { code: 403, message: 'no' } };
 * ```
 */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  /** Why a request was denied: `message` is what kubectl prints, `code` the HTTP status the client sees. */
  readonly status?: Status;
  /** Base64 of a JSON patch (RFC 6902) to apply to `request.object`. */
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
  /** Written to the audit log under `<webhook name>/<key>`. */
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  /** Shown to the client (kubectl prints them as `Warning: ...`). */
  readonly warnings?: readonly string[];
}

/**
 * An AdmissionReview as it travels: a request from the API server, a response back.
 *
 * ## Example
 * ```ts
 * const review: AdmissionReview<Pod> = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
 * ```
 */
export interface AdmissionReview<K extends KubeObject = KubeObject> {
  readonly apiVersion: typeof ADMISSION_REVIEW_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly request?: AdmissionRequest<K>;
  readonly response?: AdmissionResponse;
}

const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(field: string, message: string): never {
  throw new DecodeError(`AdmissionReview: ${field} ${message}`, { field, object: { kind: 'AdmissionReview' } });
}

function str(o: Json, key: string, field: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) fail(field, 'is missing');
    return undefined;
  }
  if (typeof v !== 'string') fail(field, `must be a string, not ${typeof v}`);
  return v;
}

function coordinates(o: Json, key: string, last: 'kind' | 'resource', required: boolean): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) fail(`request.${key}`, 'is missing');
    return undefined;
  }
  if (!isRecord(v)) fail(`request.${key}`, 'must be an object');
  return {
    group: str(v, 'group', `request.${key}.group`, false) ?? '',
    version: str(v, 'version', `request.${key}.version`, true),
    [last]: str(v, last, `request.${key}.${last}`, true),
  };
}

function objectField(o: Json, key: 'object' | 'oldObject'): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail(`request.${key}`, 'must be an object');
  return v;
}

/**
 * Decodes an AdmissionReview request body (already parsed from JSON). Checks the envelope and the fields
 * every webhook relies on (uid, kind, resource, operation, userInfo, the objects' shape) and, when a
 * descriptor is given, that the kind is the descriptor's. Throws a {@link DecodeError} whose `field` names
 * what was wrong; never echoes the body.
 *
 * ## Example
 * ```ts
 * const request = parseAdmissionReview(JSON.parse(body), ConfigMap); // AdmissionRequest<ConfigMap>
 * ```
 */
export function parseAdmissionReview<K extends KubeObject = KubeObject>(body: unknown, type?: ResourceType<K>): AdmissionRequest<K> {
  if (!isRecord(body)) fail('body', 'must be a JSON object');
  if (body.apiVersion !== ADMISSION_REVIEW_API_VERSION) {
    fail('apiVersion', `must be ${ADMISSION_REVIEW_API_VERSION}, not ${JSON.stringify(body.apiVersion)?.slice(0, 60)}`);
  }
  if (body.kind !== 'AdmissionReview') fail('kind', `must be AdmissionReview, not ${JSON.stringify(body.kind)?.slice(0, 60)}`);
  const r = body.request;
  if (!isRecord(r)) fail('request', r === undefined ? 'is missing' : 'must be an object');
  const uid = str(r, 'uid', 'request.uid', true) as string;
  if (uid === '') fail('request.uid', 'is empty');
  const operation = str(r, 'operation', 'request.operation', true) as string;
  if (!OPERATIONS.has(operation)) fail('request.operation', `must be one of CREATE, UPDATE, DELETE, CONNECT, not ${JSON.stringify(operation.slice(0, 40))}`);
  const kind = coordinates(r, 'kind', 'kind', true) as unknown as GroupVersionKind;
  const resource = coordinates(r, 'resource', 'resource', true) as unknown as GroupVersionResource;
  if (type !== undefined && (kind.group !== type.group || kind.kind !== type.kind)) {
    fail('request.kind', `is ${kind.group === '' ? '' : `${kind.group}/`}${kind.kind}, but this webhook handles ${type.group === '' ? '' : `${type.group}/`}${type.kind}`);
  }
  const userInfo = r.userInfo ?? {};
  if (!isRecord(userInfo)) fail('request.userInfo', 'must be an object');
  if (r.dryRun !== undefined && r.dryRun !== null && typeof r.dryRun !== 'boolean') fail('request.dryRun', 'must be a boolean');
  const options = r.options;
  if (options !== undefined && options !== null && !isRecord(options)) fail('request.options', 'must be an object');
  const out: Record<string, unknown> = {
    uid,
    kind,
    resource,
    operation,
    userInfo,
    dryRun: r.dryRun === true,
  };
  const optional = {
    subResource: str(r, 'subResource', 'request.subResource', false),
    requestSubResource: str(r, 'requestSubResource', 'request.requestSubResource', false),
    name: str(r, 'name', 'request.name', false),
    namespace: str(r, 'namespace', 'request.namespace', false),
    requestKind: coordinates(r, 'requestKind', 'kind', false),
    requestResource: coordinates(r, 'requestResource', 'resource', false),
    object: objectField(r, 'object'),
    oldObject: objectField(r, 'oldObject'),
    options: options ?? undefined,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out as unknown as AdmissionRequest<K>;
}

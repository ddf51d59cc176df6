/**
 * The apiextensions.k8s.io/v1 CustomResourceDefinition manifest, and the merge of several
 * versions of one kind into a single CRD (the API server takes one CRD per group and plural).
 *
 * @module
 */
import type { Scope } from '../core/resource.js';
import { CrdMergeError } from './errors.js';
import type { JsonSchema } from './schema.js';

/** A column `kubectl get` shows for the kind (`additionalPrinterColumns`). */
export interface PrinterColumn {
  /** Column header. */
  readonly name: string;
  readonly type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  /** Simple JSONPath into the object, e.g. `.spec.replicas`. */
  readonly jsonPath: string;
  readonly description?: string;
  /** `int32`, `int64`, `float`, `double`, `byte`, `date`, `date-time`, `password`. */
  readonly format?: string;
  /** 0 shows in the standard view; greater values only with `-o wide`. */
  readonly priority?: number;
}

/** The scale subresource: where replicas live, so `kubectl scale` and autoscalers work. */
export interface ScaleSubresource {
  /** JSONPath under `.spec` of the desired replicas, e.g. `.spec.replicas`. */
  readonly specReplicasPath: string;
  /** JSONPath under `.status` of the observed replicas, e.g. `.status.replicas`. */
  readonly statusReplicasPath: string;
  /** JSONPath under `.spec` or `.status` of a serialized label selector string (for HPA). */
  readonly labelSelectorPath?: string;
}

/** One entry of `spec.versions` in a CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: JsonSchema };
  subresources?: { status?: Record<string, never>; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

/** `spec.names` of a CRD. */
export interface CrdNames {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
}

/**
 * An apiextensions.k8s.io/v1 CustomResourceDefinition, ready for `kubectl apply` or a create.
 *
 * ## Example
 * ```ts
 * const crd: CustomResourceDefinition = Widget.crd();
 * crd.metadata.name; // 'widgets.derive.rxkube.test'
 * ```
 */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: CrdNames;
    scope: Scope;
    versions: CrdVersion[];
  };
}

/** What a definition must provide to become (part of) a CRD; `CustomResource` has all of it. */
export interface CrdVersionSource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly scope: Scope;
  readonly names: Readonly<CrdNames>;
  readonly storage: boolean;
  /** A fresh `spec.versions` entry for this version. */
  crdVersion(): CrdVersion;
}

/**
 * Merges several versions of one kind into one CRD. They must agree on group, kind, scope and
 * names, name distinct versions, and exactly one must be the storage version; otherwise a
 * {@link CrdMergeError} says which rule failed. Versions keep the order given.
 *
 * ## Example
 * ```ts
 * const WidgetV1alpha1 = defineCustomResource({ ...common, version: 'v1alpha1', storage: false, deprecated: true, spec: oldSpec });
 * const WidgetV1 = defineCustomResource({ ...common, version: 'v1', spec });
 * const crd = mergeCrdVersions(WidgetV1alpha1, WidgetV1); // spec.versions: [v1alpha1, v1]
 * ```
 */
export function mergeCrdVersions(...sources: readonly CrdVersionSource[]): CustomResourceDefinition {
  const [first, ...rest] = sources;
  if (first === undefined) throw new CrdMergeError('noVersions', 'mergeCrdVersions needs at least one definition');
  const name = `${first.names.plural}.${first.group}`;
  const seen = new Set<string>([first.version]);
  for (const other of rest) {
    const context = { crd: name, version: other.version };
    if (other.group !== first.group) {
      throw new CrdMergeError('groupMismatch', `CRD ${name}: version ${other.version} has group ${other.group}, not ${first.group}`, { context });
    }
    if (other.kind !== first.kind) {
      throw new CrdMergeError('kindMismatch', `CRD ${name}: version ${other.version} has kind ${other.kind}, not ${first.kind}`, { context });
    }
    if (other.scope !== first.scope) {
      throw new CrdMergeError('scopeMismatch', `CRD ${name}: version ${other.version} is ${other.scope}, not ${first.scope}`, { context });
    }
    if (JSON.stringify(canonicalNames(other.names)) !== JSON.stringify(canonicalNames(first.names))) {
      throw new CrdMergeError('namesMismatch', `CRD ${name}: version ${other.version} has different names (plural, singular, short names, categories or listKind)`, { context });
    }
    if (seen.has(other.version)) {
      throw new CrdMergeError('duplicateVersion', `CRD ${name}: version ${other.version} is given twice`, { context });
    }
    seen.add(other.version);
  }
  const storage = sources.filter((s) => s.storage).map((s) => s.version);
  const versions = sources.map((s) => s.version);
  if (storage.length === 0) {
    throw new CrdMergeError('noStorageVersion', `CRD ${name}: no version is marked storage (one of ${versions.join(', ')} must be)`, { context: { crd: name, versions } });
  }
  if (storage.length > 1) {
    throw new CrdMergeError('multipleStorageVersions', `CRD ${name}: ${storage.join(', ')} are all marked storage; exactly one must be`, { context: { crd: name, versions: storage } });
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: first.group,
      names: copyNames(first.names),
      scope: first.scope,
      versions: sources.map((s) => s.crdVersion()),
    },
  };
}

function copyNames(names: Readonly<CrdNames>): CrdNames {
  const out: CrdNames = { kind: names.kind, listKind: names.listKind, plural: names.plural, singular: names.singular };
  if (names.shortNames !== undefined && names.shortNames.length > 0) out.shortNames = [...names.shortNames];
  if (names.categories !== undefined && names.categories.length > 0) out.categories = [...names.categories];
  return out;
}

function canonicalNames(names: Readonly<CrdNames>): unknown[] {
  return [names.kind, names.listKind, names.plural, names.singular, [...(names.shortNames ?? [])].sort(), [...(names.categories ?? [])].sort()];
}

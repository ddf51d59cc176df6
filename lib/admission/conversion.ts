/**
 * Typed conversion between the versions of one custom resource (`Widget` v1 ↔ v2), as a CRD's conversion
 * webhook needs it. Each pair of versions gets two functions typed by the descriptors; a request for a
 * version two steps away goes through the versions between. Every converted object is checked before it
 * leaves (apiVersion, kind, name, namespace and uid as the API server requires), so a wrong conversion is
 * refused here with a clear error rather than by the API server.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';
import type { KubeObject, ResourceType } from '../core/resource.js';
import { CONVERSION_REVIEW_API_VERSION, type ConversionRequest, type ConversionResponse, type ConversionReview } from './conversion-review.js';

/** Why a conversion failed. */
export type ConversionErrorReason =
  | 'unknownVersion'
  | 'noPath'
  | 'wrongApiVersion'
  | 'wrongKind'
  | 'metadataChanged'
  | 'invalidObject'
  | 'converterFailed'
  | 'invalidDefinition';

/**
 * A conversion could not be done or produced an object the API server would refuse. `context` has
 * the object (`kind`, `namespace`, `name`) and the versions involved.
 *
 * ## Example
 * ```ts
 * try { conversion.convert(obj, 'example.com/v3'); } catch (e) { if (isConversionError(e)) console.log(e.reason); }
 * ```
 */
export class ConversionError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ConversionError';
  override readonly name: string = 'ConversionError';
  constructor(
    readonly reason: ConversionErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link ConversionError}.
 *
 * ## Example
 * ```ts
 * if (isConversionError(e) && e.reason === 'wrongApiVersion') console.error(e.message);
 * ```
 */
export function isConversionError(e: unknown): e is ConversionError {
  return e instanceof ConversionError;
}

/**
 * The two functions between versions `A` and `B`. Each gets its own copy of the object and returns the
 * object in the other version, with apiVersion set to the other version's.
 *
 * ## Example
 * ```ts
 * const fns: ConversionFunctions<WidgetV1, WidgetV2> = {
 *   forward: (w) => ({ ...w, apiVersion: 'example.com/v2', spec: { size: { value: w.spec.size } } }),
 *   backward: (w) => ({ ...w, apiVersion: 'example.com/v1', spec: { size: w.spec.size.value } }),
 * };
 * ```
 */
export interface ConversionFunctions<A extends KubeObject, B extends KubeObject> {
  forward(object: A): B;
  backward(object: B): A;
}

/**
 * The second step of {@link Conversion.between} and `conversion.and(...)`: the functions between the two versions.
 *
 * ## Example
 * ```ts
 * const conversion = Conversion.between(WidgetV1, WidgetV2).using({ forward: v1ToV2, backward: v2ToV1 });
 * ```
 */
export interface ConversionPair<A extends KubeObject, B extends KubeObject, V extends KubeObject> {
  using(fns: ConversionFunctions<A, B>): Conversion<V | A | B>;
}

interface Edge {
  readonly to: string;
  readonly fn: (object: KubeObject) => KubeObject;
}

const describe = (o: KubeObject): string => `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '(no name)'}`;

/**
 * The conversions of one kind between its versions; `V` is the union of the version types. Build it with
 * {@link Conversion.between}, add more pairs with `.and(...)`.
 *
 * ## Example
 * ```ts
 * const conversion = Conversion.between(WidgetV1, WidgetV2).using({ forward: v1ToV2, backward: v2ToV1 });
 * const v2 = conversion.convert(storedV1, 'example.com/v2'); // WidgetV1 | WidgetV2
 * ```
 */
export class Conversion<V extends KubeObject = KubeObject> {
  private constructor(
    /** The group of the kind. */
    readonly group: string,
    /** The kind. */
    readonly kind: string,
    private readonly edges: ReadonlyMap<string, readonly Edge[]>,
  ) {}

  /**
   * Starts the conversion between two versions of one kind; give the two functions with `.using(...)`.
   * (Two steps so the functions are typed by the descriptors before TypeScript reads them, which keeps the
   * literal apiVersion a function returns checked against the version's.)
   */
  static between<A extends KubeObject, B extends KubeObject>(a: ResourceType<A>, b: ResourceType<B>): ConversionPair<A, B, never> {
    if (a.group !== b.group || a.kind !== b.kind) {
      throw new ConversionError('invalidDefinition', `a conversion joins versions of one kind: ${a.apiVersion} ${a.kind} and ${b.apiVersion} ${b.kind} differ`);
    }
    return { using: (fns) => new Conversion<A | B>(a.group, a.kind, new Map()).add(a, b, fns) };
  }

  /** This conversion plus the functions between two more versions (one of them already known), given with `.using(...)`. */
  and<A extends KubeObject, B extends KubeObject>(a: ResourceType<A>, b: ResourceType<B>): ConversionPair<A, B, V> {
    if (a.group !== this.group || a.kind !== this.kind || b.group !== this.group || b.kind !== this.kind) {
      throw new ConversionError('invalidDefinition', `this conversion is for ${this.kind} of ${this.group}, not ${a.kind} ${a.apiVersion} / ${b.kind} ${b.apiVersion}`);
    }
    return { using: (fns) => new Conversion<V | A | B>(this.group, this.kind, new Map(this.edges)).add(a, b, fns) };
  }

  /** The apiVersions this conversion knows. */
  get apiVersions(): readonly string[] {
    return [...this.edges.keys()].sort();
  }

  private add(a: ResourceType, b: ResourceType, fns: { forward(o: never): unknown; backward(o: never): unknown }): this {
    if (a.apiVersion === b.apiVersion) throw new ConversionError('invalidDefinition', `a conversion from ${a.apiVersion} to itself is not needed`);
    const edges = this.edges as Map<string, Edge[]>;
    const put = (from: string, edge: Edge) => {
      const list = (edges.get(from) ?? []).filter((e) => e.to !== edge.to);
      edges.set(from, [...list, edge]);
    };
    put(a.apiVersion, { to: b.apiVersion, fn: fns.forward as unknown as (o: KubeObject) => KubeObject });
    put(b.apiVersion, { to: a.apiVersion, fn: fns.backward as unknown as (o: KubeObject) => KubeObject });
    return this;
  }

  /** The apiVersions an object passes through from `from` to `to` (both included), or undefined. */
  private path(from: string, to: string): Edge[] | undefined {
    const previous = new Map<string, { from: string; edge: Edge }>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const at = queue.shift() as string;
      if (at === to) break;
      for (const edge of this.edges.get(at) ?? []) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        previous.set(edge.to, { from: at, edge });
        queue.push(edge.to);
      }
    }
    if (!seen.has(to)) return undefined;
    const steps: Edge[] = [];
    for (let at = to; at !== from; ) {
      const step = previous.get(at) as { from: string; edge: Edge };
      steps.unshift(step.edge);
      at = step.from;
    }
    return steps;
  }

  /**
   * Converts one object to `desiredAPIVersion`, checking each step's result. Throws {@link ConversionError}.
   */
  convert(object: KubeObject, desiredAPIVersion: string): V {
    const context = { kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name, from: object.apiVersion, to: desiredAPIVersion };
    if (typeof object.apiVersion !== 'string' || !this.edges.has(object.apiVersion)) {
      throw new ConversionError('unknownVersion', `cannot convert ${describe(object)} from ${object.apiVersion}: this conversion knows ${this.apiVersions.join(', ')}`, { context });
    }
    if (object.kind !== this.kind) {
      throw new ConversionError('wrongKind', `cannot convert ${describe(object)}: this conversion is for ${this.kind}`, { context });
    }
    if (object.apiVersion === desiredAPIVersion) return object as V;
    const steps = this.path(object.apiVersion, desiredAPIVersion);
    if (steps === undefined) {
      throw new ConversionError(this.edges.has(desiredAPIVersion) ? 'noPath' : 'unknownVersion', `cannot convert ${describe(object)} from ${object.apiVersion} to ${desiredAPIVersion}: this conversion knows ${this.apiVersions.join(', ')}`, { context });
    }
    let current: KubeObject = object;
    for (const step of steps) {
      const input: KubeObject = structuredClone(current);
      let output: unknown;
      try {
        output = step.fn(input);
      } catch (cause) {
        throw new ConversionError('converterFailed', `converting ${describe(current)} from ${current.apiVersion} to ${step.to} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, context });
      }
      check(current, output, step.to, context);
      current = output as KubeObject;
    }
    return current as V;
  }

  /** Answers a whole ConversionReview request: every object converted, or a Failure naming the first that failed. */
  review(request: ConversionRequest): ConversionResponse {
    try {
      const convertedObjects = request.objects.map((o) => this.convert(o, request.desiredAPIVersion));
      return { uid: request.uid, convertedObjects, result: { status: 'Success' } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { uid: request.uid, convertedObjects: [], result: { status: 'Failure', message } };
    }
  }
}

function check(input: KubeObject, output: unknown, to: string, context: Record<string, unknown>): void {
  const what = `converting ${describe(input)} from ${input.apiVersion} to ${to}`;
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    throw new ConversionError('invalidObject', `${what} returned ${output === null ? 'null' : Array.isArray(output) ? 'an array' : typeof output}, not an object`, { context });
  }
  const o = output as KubeObject;
  if (o.apiVersion !== to) {
    throw new ConversionError('wrongApiVersion', `${what} returned apiVersion ${JSON.stringify(o.apiVersion)}, expected ${JSON.stringify(to)}`, { context });
  }
  if (o.kind !== input.kind) {
    throw new ConversionError('wrongKind', `${what} returned kind ${JSON.stringify(o.kind)}, expected ${JSON.stringify(input.kind)}`, { context });
  }
  for (const field of ['name', 'namespace', 'uid'] as const) {
    if (o.metadata?.[field] !== input.metadata?.[field]) {
      throw new ConversionError('metadataChanged', `${what} changed metadata.${field} (only labels and annotations may change)`, { context: { ...context, field: `metadata.${field}` } });
    }
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = o.metadata?.[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new ConversionError('invalidObject', `${what} returned metadata.${field} whose values are not all strings`, { context: { ...context, field: `metadata.${field}` } });
    }
  }
}

/**
 * Wraps a conversion response in the ConversionReview envelope the API server expects.
 *
 * ## Example
 * ```ts
 * const body = conversionReviewResponse(conversion.review(parseConversionReview(json)));
 * ```
 */
export function conversionReviewResponse(response: ConversionResponse): ConversionReview {
  return { apiVersion: CONVERSION_REVIEW_API_VERSION, kind: 'ConversionReview', response };
}

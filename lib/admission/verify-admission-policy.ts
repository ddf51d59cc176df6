/**
 * Proof that an admission policy's CEL compiles, from the API server itself: a dry-run server-side apply
 * (nothing is stored) makes the server validate the policy, which compiles every expression; a failure
 * becomes an {@link AdmissionConfigError} naming the expression's field. After a ValidatingAdmissionPolicy
 * is created, the server also type-checks its expressions against the schemas of the kinds it matches
 * and reports warnings in `status.typeChecking`: {@link typeCheckWarnings$} waits for that report.
 *
 * @module
 */
import { asyncScheduler, defer, filter, firstValueFrom, map, Observable, switchMap, take, timeout, timer, type SchedulerLike } from 'rxjs';
import type { ExpressionWarning } from '../core/api/admissionregistration/v1.js';
import { Api } from '../client/api.js';
import type { Client } from '../client/client.js';
import { isApiError } from '../client/errors.js';
import { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../core/builtins.js';
import type { KubeObject, ResourceType } from '../core/resource.js';
import { AdmissionConfigError } from './admission-config-error.js';

/** The objects {@link verifyAdmissionPolicy} accepts (what `validatingAdmissionPolicy()` and `mutatingAdmissionPolicy()` make). */
export type AdmissionPolicyObject = KubeObject & { kind?: string; metadata?: { name?: string } };

const TYPES: Readonly<Record<string, ResourceType<KubeObject, 'Cluster'>>> = {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  MutatingAdmissionPolicy,
  MutatingAdmissionPolicyBinding,
} as Readonly<Record<string, ResourceType<KubeObject, 'Cluster'>>>;

/** The field manager of the dry runs. */
export const VERIFY_FIELD_MANAGER = 'rxkube-verify';

/**
 * Asks the API server to validate (and so compile) policies and bindings without storing them. Resolves
 * when the server accepts every object; rejects with an {@link AdmissionConfigError} (`reason`
 * `notCompiled`, `field` such as `spec.validations[0].expression`, the server's message) when it refuses
 * one. Other failures (no permission, server down) reject with the client's error.
 *
 * ## Example
 * ```ts
 * const { policy, binding } = validatingAdmissionPolicy(init);
 * await verifyAdmissionPolicy(client, policy, binding);
 * await Api.cluster(client, ValidatingAdmissionPolicy).create(policy);
 * ```
 */
export function verifyAdmissionPolicy(client: Client, ...objects: AdmissionPolicyObject[]): Promise<void> {
  return firstValueFrom(verifyAdmissionPolicy$(client, ...objects));
}

/**
 * Cold twin of {@link verifyAdmissionPolicy}: emits once (`undefined`) and completes.
 *
 * ## Example
 * ```ts
 * verifyAdmissionPolicy$(client, policy).pipe(switchMap(() => api.create$(policy))).subscribe();
 * ```
 */
export function verifyAdmissionPolicy$(client: Client, ...objects: AdmissionPolicyObject[]): Observable<void> {
  return defer(async () => {
    for (const object of objects) {
      const type = TYPES[object.kind ?? ''];
      const name = object.metadata?.name;
      if (type === undefined) throw new AdmissionConfigError('invalidField', name ?? '(unnamed)', 'kind', `${JSON.stringify(object.kind)} is not an admission policy or binding`);
      if (name === undefined || name === '') throw new AdmissionConfigError('invalidField', '(unnamed)', 'metadata.name', 'is missing');
      try {
        await Api.cluster(client, type).apply(name, object, { fieldManager: VERIFY_FIELD_MANAGER, dryRun: true, force: true });
      } catch (error) {
        if (isApiError(error) && error.code === 422) {
          const causes = error.status.details?.causes ?? [];
          const first = causes[0];
          throw new AdmissionConfigError('notCompiled', name, first?.field ?? 'spec', `the API server refused the ${object.kind}: ${error.status.message ?? error.message}`, {
            cause: error,
            details: { causes: causes.map((c) => ({ field: c.field, message: c.message })) },
          });
        }
        throw error;
      }
    }
  });
}

/**
 * Options of {@link typeCheckWarnings$}.
 *
 * ## Example
 * ```ts
 * await typeCheckWarnings(client, 'small-configmaps', { timeoutMs: 30_000 });
 * ```
 */
export interface TypeCheckOptions {
  /** Give up after this long (a `TimeoutError`). @default 30000 */
  timeoutMs?: number;
  /** How often to read the policy. @default 250 */
  intervalMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * Waits until the API server has type-checked the current generation of a stored ValidatingAdmissionPolicy
 * (`status.observedGeneration` reaches `metadata.generation`) and emits its warnings: `[]` when every
 * expression type-checks against the matched kinds, else one entry per expression (`fieldRef`
 * `spec.validations[0].expression`, `warning` text), such as a field the kind does not have.
 *
 * ## Example
 * ```ts
 * typeCheckWarnings$(client, 'small-configmaps').subscribe((w) => w.forEach((x) => console.warn(x.fieldRef, x.warning)));
 * ```
 */
export function typeCheckWarnings$(client: Client, name: string, options: TypeCheckOptions = {}): Observable<ExpressionWarning[]> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const api = Api.cluster(client, ValidatingAdmissionPolicy);
  return timer(0, options.intervalMs ?? 250, scheduler).pipe(
    switchMap(() => api.get$(name)),
    filter((p) => p.status?.observedGeneration !== undefined && p.status.observedGeneration >= (p.metadata?.generation ?? 1) && p.status.typeChecking !== undefined),
    map((p) => p.status?.typeChecking?.expressionWarnings ?? []),
    take(1),
    timeout({ first: options.timeoutMs ?? 30_000, scheduler }),
  );
}

/**
 * Promise twin of {@link typeCheckWarnings$}.
 *
 * ## Example
 * ```ts
 * const warnings = await typeCheckWarnings(client, 'small-configmaps');
 * if (warnings.length > 0) throw new Error(warnings.map((w) => `${w.fieldRef}: ${w.warning}`).join('\n'));
 * ```
 */
export function typeCheckWarnings(client: Client, name: string, options: TypeCheckOptions = {}): Promise<ExpressionWarning[]> {
  return firstValueFrom(typeCheckWarnings$(client, name, options));
}

// An in-memory Lease server for leader-election tests.
import { defer, of, throwError, type Observable } from 'rxjs';
import { ApiError } from '../../../lib/client/errors.js';
import type { Lease, LeaseApi } from '../../../lib/runtime/leader-election.js';

/**
 * An in-memory Lease store with the API server's optimistic concurrency: create fails with 409
 * if the Lease exists, replace fails with 409 unless the resourceVersion matches.
 */
export class SingleLeaseServer {
  lease: Lease | undefined;
  private rv = 0;
  down = false;

  api(): LeaseApi {
    const path = '/apis/coordination.k8s.io/v1/namespaces/ns/leases/l';
    const fail = (verb: 'get' | 'create' | 'replace', code: number): Observable<never> =>
      throwError(() => new ApiError({ verb, method: verb === 'get' ? 'GET' : verb === 'create' ? 'POST' : 'PUT', path }, code, { code }));
    return {
      get$: () => defer(() => (this.down ? fail('get', 503) : this.lease ? of(structuredClone(this.lease)) : fail('get', 404))),
      create$: (lease) =>
        defer(() => {
          if (this.down) return fail('create', 503);
          if (this.lease) return fail('create', 409);
          this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
          return of(structuredClone(this.lease));
        }),
      replace$: (_name, lease) =>
        defer(() => {
          if (this.down) return fail('replace', 503);
          if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) return fail('replace', 409);
          this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
          return of(structuredClone(this.lease));
        }),
    };
  }
}


/**
 * `Entry<K>`: a read-modify-write of one object (kube-rs's `Api::entry`). It remembers how to build
 * the object when missing (`orInsert`) and the changes to make (`andModify`), so that `commit`
 * can replay them on a fresh copy after a 409 Conflict, a bounded number of times.
 *
 * @module
 */
import type { GetParams, PostParams } from '../core/params.js';
import type { KubeObject } from '../core/resource.js';
import type { RequestOptions } from './client.js';
import { isAlreadyExists, isConflict } from './errors.js';

/**
 * Parameters of {@link Entry.commit}: those of CREATE/REPLACE plus the attempt bound.
 *
 * ## Example
 * ```ts
 * await entry.commit({ fieldManager: 'my-operator', maxAttempts: 10 });
 * ```
 */
export interface EntryCommitParams extends PostParams {
  /**
   * Attempts in all (the first plus retries after 409 Conflict or AlreadyExists).
   * @default 5
   */
  maxAttempts?: number;
}

/**
 * What an {@link Entry} needs from an `Api<K>` (so tests can pass a fake).
 *
 * ## Example
 * ```ts
 * const entry = new Entry<ConfigMap>(Api.namespaced(client, ConfigMapType, 'ns'), 'settings', undefined);
 * ```
 */
export interface EntryApi<K> {
  getOpt(name: string, params?: GetParams, options?: RequestOptions): Promise<K | undefined>;
  create(object: K, params?: PostParams, options?: RequestOptions): Promise<K>;
  replace(name: string, object: K, params?: PostParams, options?: RequestOptions): Promise<K>;
}

/**
 * A change to an object: mutate it in place, or return a replacement.
 *
 * ## Example
 * ```ts
 * const bump: Mutation<ConfigMap> = (cm) => { cm.data = { ...cm.data, n: String(Number(cm.data?.n ?? 0) + 1) }; };
 * ```
 */
export type Mutation<K> = (object: K) => K | void;

/**
 * One object, read for a read-modify-write. Get one with `api.entry(name)`.
 *
 * ## Example
 * ```ts
 * const entry = await api.entry('settings');
 * const saved = await entry
 *   .orInsert(() => ({ metadata: { name: 'settings' }, data: {} }))
 *   .andModify((cm) => { cm.data = { ...cm.data, mode: 'fast' }; })
 *   .commit({ fieldManager: 'my-operator' });
 * ```
 */
export class Entry<K extends KubeObject> {
  private insert: (() => K) | undefined;
  private mutations: Mutation<K>[] = [];

  constructor(
    private readonly api: EntryApi<K>,
    /** The object's name. */
    readonly name: string,
    private current: K | undefined,
  ) {}

  /** The object as last read from (or written to) the server; undefined when it does not exist. */
  get object(): K | undefined {
    return this.current;
  }

  /** Whether the object exists on the server (as last seen). */
  get exists(): boolean {
    return this.current !== undefined;
  }

  /**
   * How to build the object if it does not exist; `metadata.name` is set to the entry's name.
   * Ignored when it exists.
   */
  orInsert(make: () => K): this {
    this.insert = make;
    return this;
  }

  /** A change to apply before writing, to the existing object or to the one `orInsert` builds. */
  andModify(mutation: Mutation<K>): this {
    this.mutations.push(mutation);
    return this;
  }

  /** The object to write, built afresh from the current copy; undefined when there is nothing to write. */
  private desired(): K | undefined {
    let object: K;
    if (this.current !== undefined) {
      object = structuredClone(this.current);
    } else if (this.insert !== undefined) {
      const made = this.insert();
      object = { ...made, metadata: { ...made.metadata, name: this.name } };
    } else {
      return undefined;
    }
    for (const mutate of this.mutations) {
      const replaced = mutate(object);
      if (replaced !== undefined) object = replaced;
    }
    return object;
  }

  /**
   * Writes the object: CREATE when it did not exist, else REPLACE (guarded by its resourceVersion).
   * On 409 Conflict or AlreadyExists it reads the object again and replays `orInsert`/`andModify`,
   * up to `maxAttempts` attempts; then the last error is thrown. Resolves with the saved object, or
   * undefined when the object does not exist and no `orInsert` was given.
   */
  async commit(params: EntryCommitParams = {}, options: RequestOptions = {}): Promise<K | undefined> {
    const { maxAttempts = 5, ...post } = params;
    for (let attempt = 1; ; attempt++) {
      const object = this.desired();
      if (object === undefined) return undefined;
      try {
        const saved = this.current === undefined ? await this.api.create(object, post, options) : await this.api.replace(this.name, object, post, options);
        this.current = saved;
        this.insert = undefined;
        this.mutations = [];
        return saved;
      } catch (error) {
        if (attempt >= maxAttempts || !(isConflict(error) || isAlreadyExists(error))) throw error;
        this.current = await this.api.getOpt(this.name, {}, options);
      }
    }
  }
}

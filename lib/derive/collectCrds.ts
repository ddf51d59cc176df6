/**
 * Finds the custom resource definitions a module exports and turns them into CRDs: versions of
 * the same CRD (same plural and group) are merged into one. Used by the `rxkube crd` command.
 *
 * @module
 */
import { type CustomResourceDefinition, mergeCrdVersions } from './crd.js';
import { type CustomResource, isCustomResource } from './defineCustomResource.js';

/**
 * Collects every {@link CustomResource} among the exports of the given module namespaces (an
 * `import()` result; for a CommonJS module, the values of its `default` export are searched
 * too), merges the versions of each CRD and returns the CRDs in the order they were first seen.
 * The same definition exported under two names counts once.
 *
 * ## Example
 * ```ts
 * const crds = collectCrds(await import('./crds.js'));
 * process.stdout.write(toYaml(...crds));
 * ```
 */
export function collectCrds(...namespaces: readonly unknown[]): CustomResourceDefinition[] {
  const byName = new Map<string, CustomResource[]>();
  const seen = new Set<CustomResource>();
  for (const namespace of namespaces) {
    for (const definition of customResourcesIn(namespace)) {
      if (seen.has(definition)) continue;
      seen.add(definition);
      const name = `${definition.names.plural}.${definition.group}`;
      byName.set(name, [...(byName.get(name) ?? []), definition]);
    }
  }
  return [...byName.values()].map((versions) => mergeCrdVersions(...versions));
}

/**
 * The {@link CustomResource} values among a module namespace's exports (and, for a CommonJS
 * module, among the values of its `default` export).
 *
 * ## Example
 * ```ts
 * customResourcesIn({ Widget, version: '1.0' }); // [Widget]
 * ```
 */
export function customResourcesIn(namespace: unknown): CustomResource[] {
  if (typeof namespace !== 'object' || namespace === null) return [];
  const found: CustomResource[] = [];
  for (const [key, value] of Object.entries(namespace)) {
    if (isCustomResource(value)) found.push(value);
    else if (key === 'default' && typeof value === 'object' && value !== null) {
      found.push(...Object.values(value).filter(isCustomResource));
    }
  }
  return found;
}

/**
 * YAML rendering of manifests for `kubectl apply -f -`, through js-yaml.
 *
 * @module
 */
import { dump } from 'js-yaml';

/**
 * Renders objects as a multi-document YAML stream, documents separated by `---`. Shared
 * sub-objects are written out in full (no anchors), and long strings are never folded, so the
 * output is what `kubectl` expects.
 *
 * ## Example
 * ```ts
 * process.stdout.write(toYaml(WidgetCrd, GadgetCrd));
 * // apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n...\n---\napiVersion: ...
 * ```
 */
export function toYaml(...objects: readonly unknown[]): string {
  return objects.map((o) => dump(o, { noRefs: true, lineWidth: -1 })).join('---\n');
}

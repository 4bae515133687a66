/**
 * Which related objects a customize rule selects, per Metacontroller's documented selection modes.
 * @module
 */
import type { HookVersion, KubernetesObject, RelatedResourceRule } from "../../../crds/metacontroller.js";
import { isEmptySelector, matchesSelector } from "./selector.js";
import type { ClusterStore, StoredObject } from "./store.js";

/**
 * Whether `rule` selects `object` for `parent`.
 * - `namespaceSelector` (+ optional `labelSelector`): namespaced objects in namespaces whose labels match;
 * - `namespace` and/or `names`: by name, in `namespace` (default: a namespaced parent's own);
 * - otherwise `labelSelector` (omitted or `{}` selects everything), across all namespaces, except that a
 *   v1 customize hook of a namespaced parent only sees the parent's namespace.
 * @throws Error for combinations Metacontroller refuses (a v1 hook of a namespaced parent asking for
 *   another namespace or a namespaceSelector, a namespaceSelector on a cluster-scoped resource).
 */
export function ruleSelects(
  store: ClusterStore,
  parent: KubernetesObject,
  rule: RelatedResourceRule,
  object: StoredObject,
  customizeVersion: HookVersion,
): boolean {
  const target = store.resources.byResource(rule.apiVersion, rule.resource);
  if (object.apiVersion !== rule.apiVersion || object.kind !== target.kind) return false;
  const parentNamespace = store.resources.byKind(parent.apiVersion, parent.kind).namespaced
    ? parent.metadata.namespace
    : undefined;
  const v1Scoped = customizeVersion === "v1" && parentNamespace !== undefined;
  if (v1Scoped && rule.namespace && rule.namespace !== parentNamespace) {
    throw new Error(
      `requested related object namespace ${rule.namespace} differs from parent object namespace ${parentNamespace}`,
    );
  }
  if (rule.namespaceSelector) {
    if (v1Scoped)
      throw new Error("namespaceSelector is not supported by v1 customize hooks of namespaced parents");
    if (!target.namespaced)
      throw new Error(`namespaceSelector needs a namespaced resource, ${rule.resource} is not`);
    const namespace = store.get({
      apiVersion: "v1",
      kind: "Namespace",
      name: object.metadata.namespace ?? "",
    });
    return (
      namespace !== undefined &&
      matchesSelector(rule.namespaceSelector, namespace.metadata.labels) &&
      matchesSelector(rule.labelSelector, object.metadata.labels)
    );
  }
  if (rule.namespace || (rule.names ?? []).length > 0) {
    const namespace = rule.namespace ?? parentNamespace;
    if (target.namespaced && namespace !== undefined && object.metadata.namespace !== namespace) return false;
    if (rule.labelSelector && !isEmptySelector(rule.labelSelector) && !rule.names?.length) {
      return matchesSelector(rule.labelSelector, object.metadata.labels);
    }
    return !rule.names?.length || rule.names.includes(object.metadata.name);
  }
  if (v1Scoped && target.namespaced && object.metadata.namespace !== parentNamespace) return false;
  return matchesSelector(rule.labelSelector, object.metadata.labels);
}

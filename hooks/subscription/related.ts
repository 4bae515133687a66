/**
 * Reading the related objects the customize hook asked for: the source's credentials Secret, the
 * `parametersFrom` ConfigMaps and Secrets, and the catalog. A Secret's values are decoded only for
 * git credentials, which go straight to the fetcher; for parameters only its key names are read.
 * @module
 */

import { API_VERSION } from "../../crds/common.js";
import type { CompositeHookRequest, KubernetesObject } from "../../crds/metacontroller.js";
import { PROFILE_CATALOG_SOURCE_KIND, type ProfileCatalogSource } from "../../crds/profile-catalog-source.js";
import type { ProfileSubscriptionSpec } from "../../crds/profile-subscription.js";
import type { ReferenceKey } from "../../synth/children.js";
import type { ParameterSources } from "../../synth/values.js";

/** The part of a sync request the readers here need. */
export type RelatedRequest = Pick<CompositeHookRequest, "related">;

/** The related object of `kind` named `namespace/name`, whatever the hook version keyed it by. */
function relatedObject(
  request: RelatedRequest,
  kind: string,
  apiVersion: string,
  namespace: string,
  name: string,
): KubernetesObject | undefined {
  const group = request.related[`${kind}.${apiVersion}`] ?? {};
  return Object.values(group).find(
    (object) => object.metadata.name === name && (object.metadata.namespace ?? namespace) === namespace,
  );
}

/**
 * The decoded data of a related Secret (`data` is base64, `stringData` is never served but is read
 * too, for hand-built requests), or undefined when the Secret is not there.
 */
export function secretData(
  request: RelatedRequest,
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const secret = relatedObject(request, "Secret", "v1", namespace, name) as
    | (KubernetesObject & { data?: Record<string, string>; stringData?: Record<string, string> })
    | undefined;
  if (secret === undefined) return undefined;
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    decoded[key] = Buffer.from(value, "base64").toString("utf8");
  }
  return { ...decoded, ...(secret.stringData ?? {}) };
}

/**
 * What `spec.parametersFrom` names, as the expansion takes it: each ConfigMap's data, and each
 * Secret's key names only. An object that is not there is left out, so the expansion can tell a
 * missing one from an empty one.
 */
export function parameterSources(
  request: RelatedRequest,
  spec: Pick<ProfileSubscriptionSpec, "parametersFrom">,
  namespace: string,
): ParameterSources {
  const configMaps: Record<string, Record<string, string>> = {};
  const secrets: Record<string, string[]> = {};
  for (const entry of spec.parametersFrom ?? []) {
    if (entry.kind === "ConfigMap") {
      const object = relatedObject(request, "ConfigMap", "v1", namespace, entry.name) as
        | (KubernetesObject & { data?: Record<string, string> })
        | undefined;
      if (object !== undefined) configMaps[entry.name] = { ...(object.data ?? {}) };
    } else {
      const object = relatedObject(request, "Secret", "v1", namespace, entry.name) as
        | (KubernetesObject & { data?: Record<string, string>; stringData?: Record<string, string> })
        | undefined;
      if (object !== undefined) {
        secrets[entry.name] = [
          ...new Set([...Object.keys(object.data ?? {}), ...Object.keys(object.stringData ?? {})]),
        ].sort();
      }
    }
  }
  return { configMaps, secrets };
}

/** The related ProfileCatalogSource `namespace/name`, or undefined when it does not exist. */
export function relatedCatalog(
  request: RelatedRequest,
  namespace: string,
  name: string,
): ProfileCatalogSource | undefined {
  return relatedObject(request, PROFILE_CATALOG_SOURCE_KIND, API_VERSION, namespace, name) as
    | ProfileCatalogSource
    | undefined;
}

/**
 * The `resourceVersion` of every related ConfigMap and Secret in `namespace`, by `Kind/name`: what
 * `buildChildren` fingerprints for the objects its children read by reference.
 */
export function referenceRevisions(request: RelatedRequest, namespace: string): Record<ReferenceKey, string> {
  const revisions: Record<ReferenceKey, string> = {};
  for (const kind of ["ConfigMap", "Secret"] as const) {
    for (const object of Object.values(request.related[`${kind}.v1`] ?? {})) {
      const { name, resourceVersion } = object.metadata;
      if (name === undefined || resourceVersion === undefined) continue;
      if ((object.metadata.namespace ?? namespace) === namespace)
        revisions[`${kind}/${name}`] = resourceVersion;
    }
  }
  return revisions;
}

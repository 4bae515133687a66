/**
 * The subscription's customize hook: which related objects Metacontroller hands the sync hook, and
 * watches on its behalf. Any change to one of them re-syncs the subscription, which is how editing a
 * values ConfigMap, rotating a git credential or publishing a catalog version reaches the children.
 * @module
 */

import { API_VERSION } from "../../crds/common.js";
import type {
  CustomizeHookRequest,
  CustomizeHookResponse,
  RelatedResourceRule,
} from "../../crds/metacontroller.js";
import { PROFILE_CATALOG_SOURCE_KIND } from "../../crds/profile-catalog-source.js";
import {
  type ProfileSubscriptionSpec,
  ProfileSubscriptionSpecSchema,
} from "../../crds/profile-subscription.js";

/** Where a subscription's related objects live, by kind: the rule's resource, and the names asked for. */
export interface RelatedNames {
  readonly secrets: readonly string[];
  readonly configMaps: readonly string[];
  /** The ProfileCatalogSource of a catalog subscription, in its namespace. */
  readonly catalog?: { readonly namespace: string; readonly name: string };
}

/**
 * The objects a subscription reads, by name: the `secretRef` of the source or of the catalog entry
 * (always in the subscription's namespace), every `parametersFrom` and
 * `valuesFrom` object (of all artifacts), and the catalog of a catalog subscription (its namespace
 * defaults to the subscription's). Names are sorted and unique, so the answer is stable.
 */
function relatedNames(spec: ProfileSubscriptionSpec, namespace: string): RelatedNames {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const add = (kind: "ConfigMap" | "Secret", name: string) =>
    (kind === "Secret" ? secrets : configMaps).add(name);
  if (spec.source?.secretRef) secrets.add(spec.source.secretRef.name);
  if (spec.catalog?.secretRef) secrets.add(spec.catalog.secretRef.name);
  for (const entry of spec.parametersFrom ?? []) add(entry.kind, entry.name);
  for (const override of Object.values(spec.artifacts ?? {})) {
    for (const entry of override.valuesFrom ?? []) add(entry.kind, entry.name);
  }
  return {
    secrets: [...secrets].sort(),
    configMaps: [...configMaps].sort(),
    ...(spec.catalog && {
      catalog: { namespace: spec.catalog.namespace ?? namespace, name: spec.catalog.catalog },
    }),
  };
}

/**
 * Answers Metacontroller's customize request for a ProfileSubscription with one rule per kind, each
 * selecting by name in the namespace the objects live in. A spec that does not parse asks for
 * nothing: the sync hook reports it, and a fixed spec is a new generation, which is asked again.
 * @example
 * const { relatedResources } = await customizeSubscription({ controller, parent });
 */
export async function customizeSubscription(request: CustomizeHookRequest): Promise<CustomizeHookResponse> {
  const parsed = ProfileSubscriptionSpecSchema.safeParse((request.parent as { spec?: unknown }).spec);
  const namespace = request.parent.metadata.namespace ?? "default";
  if (!parsed.success) return { relatedResources: [] };
  const names = relatedNames(parsed.data, namespace);
  const rules: RelatedResourceRule[] = [];
  if (names.secrets.length > 0)
    rules.push({ apiVersion: "v1", resource: "secrets", namespace, names: [...names.secrets] });
  if (names.configMaps.length > 0)
    rules.push({ apiVersion: "v1", resource: "configmaps", namespace, names: [...names.configMaps] });
  if (names.catalog) {
    rules.push({
      apiVersion: API_VERSION,
      resource: CATALOG_RESOURCE,
      namespace: names.catalog.namespace,
      names: [names.catalog.name],
    });
  }
  return { relatedResources: rules };
}

/** The plural resource of {@link PROFILE_CATALOG_SOURCE_KIND}, as customize rules name it. */
const CATALOG_RESOURCE = `${PROFILE_CATALOG_SOURCE_KIND.toLowerCase()}s`;

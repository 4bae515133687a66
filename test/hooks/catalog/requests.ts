/**
 * The hook requests Metacontroller sends for a ProfileCatalogSource, for the catalog hook tests and
 * the catalog bench.
 * @module
 */
import { API_VERSION } from "../../../crds/common.js";
import type { CompositeHookRequest } from "../../../crds/metacontroller.js";
import { PROFILE_CATALOG_SOURCE_KIND } from "../../../crds/profile-catalog-source.js";

/** What differs between one catalog request and the next. */
export interface CatalogRequestArgs {
  readonly spec: Record<string, unknown>;
  /** The status the parent arrives with; none for a new catalog. */
  readonly status?: unknown;
  readonly name?: string;
  readonly namespace?: string;
  readonly generation?: number;
  readonly related?: CompositeHookRequest["related"];
}

/** A sync request for the catalog `namespace/name` (default `platform/company`), with no children. */
export function catalogRequest({
  spec,
  status,
  name = "company",
  namespace = "platform",
  generation = 1,
  related = {},
}: CatalogRequestArgs): CompositeHookRequest {
  return {
    controller: {
      metadata: { name: "catalogs" },
      spec: { parentResource: { apiVersion: "v1", resource: "x" } },
    },
    parent: {
      apiVersion: API_VERSION,
      kind: PROFILE_CATALOG_SOURCE_KIND,
      metadata: { name, namespace, generation },
      spec,
      ...(status !== undefined && { status }),
    },
    children: {},
    related,
    finalizing: false,
  };
}

/**
 * What API discovery tells Metacontroller: the kind and scope behind each `apiVersion` + `resource`.
 * @module
 */

/** One served resource. */
export interface ResourceInfo {
  readonly apiVersion: string;
  /** Lowercase plural, as in `childResources[].resource`. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** The resources pctl's controllers touch: core, Flux (served versions only) and pctl's own kinds. */
export const DEFAULT_RESOURCES: readonly ResourceInfo[] = [
  { apiVersion: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true },
  { apiVersion: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  { apiVersion: "v1", resource: "namespaces", kind: "Namespace", namespaced: false },
  { apiVersion: "v1", resource: "pods", kind: "Pod", namespaced: true },
  { apiVersion: "v1", resource: "services", kind: "Service", namespaced: true },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    resource: "gitrepositories",
    kind: "GitRepository",
    namespaced: true,
  },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    resource: "helmrepositories",
    kind: "HelmRepository",
    namespaced: true,
  },
  {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    resource: "ocirepositories",
    kind: "OCIRepository",
    namespaced: true,
  },
  { apiVersion: "source.toolkit.fluxcd.io/v1", resource: "helmcharts", kind: "HelmChart", namespaced: true },
  { apiVersion: "source.toolkit.fluxcd.io/v1", resource: "buckets", kind: "Bucket", namespaced: true },
  {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    resource: "helmreleases",
    kind: "HelmRelease",
    namespaced: true,
  },
  {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    resource: "kustomizations",
    kind: "Kustomization",
    namespaced: true,
  },
  {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    resource: "profilesubscriptions",
    kind: "ProfileSubscription",
    namespaced: true,
  },
  {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    resource: "profilecatalogsources",
    kind: "ProfileCatalogSource",
    namespaced: true,
  },
];

/** A lookup of served resources; unknown ones are an error, as a discovery miss is for Metacontroller. */
export class ResourceRegistry {
  readonly #byResource = new Map<string, ResourceInfo>();
  readonly #byKind = new Map<string, ResourceInfo>();

  /** The {@link DEFAULT_RESOURCES} plus `extra` (a test's own parent kind, for example). */
  constructor(extra: readonly ResourceInfo[] = []) {
    for (const info of [...DEFAULT_RESOURCES, ...extra]) {
      this.#byResource.set(`${info.apiVersion}|${info.resource}`, info);
      this.#byKind.set(`${info.apiVersion}|${info.kind}`, info);
    }
  }

  /** The resource behind `apiVersion` + plural `resource`. */
  byResource(apiVersion: string, resource: string): ResourceInfo {
    const info = this.#byResource.get(`${apiVersion}|${resource}`);
    if (!info) throw new Error(`discovery: can't find resource ${resource} in apiVersion ${apiVersion}`);
    return info;
  }

  /** The resource serving `kind` in `apiVersion`. */
  byKind(apiVersion: string, kind: string): ResourceInfo {
    const info = this.#byKind.get(`${apiVersion}|${kind}`);
    if (!info) throw new Error(`discovery: can't find kind ${kind} in apiVersion ${apiVersion}`);
    return info;
  }
}

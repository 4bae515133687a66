import { ApiObject, App, Chart, Size, Yaml } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { customResourceDefinitions } from "../../crds/generate.js";
import { CompositeController } from "./composite-controller.js";
import { HookServer } from "./hook-server.js";
import { hookTokenKustomization } from "./hook-token.js";
import { UserRoles } from "./rbac.js";
import {
  METACONTROLLER_NAMESPACE,
  NAMESPACE,
  PART_OF,
  PROFILES_GROUP,
  SERVICE_ACCOUNT,
  SERVICE_PORT,
} from "./settings.js";

/** Name of the subscription-hooks Deployment and Service. */
export const SUBSCRIPTION_HOOKS = "pctl-subscription-hooks";
/** Name of the catalog Deployment and Service (catalog hooks plus catalog API). */
export const CATALOG = "pctl-catalog";

/** Name of the CompositeController for ProfileSubscriptions (the parent's `<resource>.<group>`). */
export const SUBSCRIPTION_CONTROLLER = `profilesubscriptions.${PROFILES_GROUP}`;
/** Name of the CompositeController for ProfileCatalogSources. */
export const CATALOG_CONTROLLER = `profilecatalogsources.${PROFILES_GROUP}`;

/** Every Flux kind (plus ConfigMap) the subscription sync hook may return as a child. */
export const SUBSCRIPTION_CHILDREN = [
  { apiVersion: "source.toolkit.fluxcd.io/v1", resource: "gitrepositories" },
  { apiVersion: "source.toolkit.fluxcd.io/v1", resource: "helmrepositories" },
  { apiVersion: "source.toolkit.fluxcd.io/v1", resource: "ocirepositories" },
  { apiVersion: "helm.toolkit.fluxcd.io/v2", resource: "helmreleases" },
  { apiVersion: "kustomize.toolkit.fluxcd.io/v1", resource: "kustomizations" },
  { apiVersion: "v1", resource: "configmaps" },
] as const;

/** The Namespace everything namespaced lives in. */
export class NamespaceChart extends Chart {
  constructor(app: App) {
    super(app, "namespace");
    new kplus.Namespace(this, "Namespace", { metadata: { name: NAMESPACE, labels: { ...PART_OF } } });
  }
}

/** The ProfileSubscription and ProfileCatalogSource CRDs, generated from the zod schemas in `crds/`. */
export class CrdsChart extends Chart {
  constructor(app: App) {
    super(app, "crds");
    for (const crd of customResourceDefinitions()) {
      const { apiVersion, kind, metadata, ...rest } = crd as CrdObject;
      new ApiObject(this, metadata.name, { apiVersion, kind, metadata, ...rest });
    }
  }
}

/** The envelope every generated CRD has; the rest is passed through untouched. */
interface CrdObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [field: string]: unknown;
}

/** The two CompositeControllers that hand ProfileSubscriptions and ProfileCatalogSources to the hooks. */
export class ControllersChart extends Chart {
  constructor(app: App) {
    super(app, "controllers");
    new CompositeController(this, "Subscriptions", {
      name: SUBSCRIPTION_CONTROLLER,
      parent: { apiVersion: `${PROFILES_GROUP}/v1alpha1`, resource: "profilesubscriptions" },
      children: SUBSCRIPTION_CHILDREN,
      service: { name: SUBSCRIPTION_HOOKS, namespace: NAMESPACE, port: SERVICE_PORT },
      hookPathPrefix: "/hooks/subscription",
    });
    new CompositeController(this, "Catalogs", {
      name: CATALOG_CONTROLLER,
      parent: { apiVersion: `${PROFILES_GROUP}/v1alpha1`, resource: "profilecatalogsources" },
      service: { name: CATALOG, namespace: NAMESPACE, port: SERVICE_PORT },
      hookPathPrefix: "/hooks/catalog",
    });
  }
}

/** ClusterRoles that grant users access to subscriptions and catalogs through the built-in roles. */
export class RbacChart extends Chart {
  constructor(app: App) {
    super(app, "rbac");
    new UserRoles(this, "UserRoles");
  }
}

/** The hook server, once per role, with the ServiceAccount both roles share. */
export class HooksChart extends Chart {
  constructor(app: App) {
    super(app, "hooks", { namespace: NAMESPACE });
    const serviceAccount = new kplus.ServiceAccount(this, "ServiceAccount", {
      metadata: { name: SERVICE_ACCOUNT, labels: { ...PART_OF } },
      automountToken: false,
    });
    new HookServer(this, "Subscription", {
      role: "subscription",
      name: SUBSCRIPTION_HOOKS,
      serviceAccount,
      replicas: 2,
      allowFrom: kplus.Namespaces.select(this, "Metacontroller", { names: [METACONTROLLER_NAMESPACE] }),
    });
    // One replica: the catalog index lives in memory, and two replicas would answer API queries
    // from two independently built indexes.
    new HookServer(this, "Catalog", {
      role: "catalog",
      name: CATALOG,
      serviceAccount,
      replicas: 1,
      // The catalog API is for the CLI and dashboards anywhere in the cluster; Metacontroller is
      // one of those clients.
      allowFrom: kplus.Pods.all(this, "AllPods", { namespaces: kplus.Namespaces.all(this, "AllNamespaces") }),
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
      },
    });
  }
}

/** One file of `deploy/`: its path relative to `deploy/` and its full text. */
export interface DeployFile {
  readonly path: string;
  readonly content: string;
}

const HEADER =
  "# Generated by `npm run synth` from synth/deploy/. Do not edit; change the code and re-run.\n";

/**
 * Synthesizes the whole `deploy/` folder in memory: one YAML file per chart, the
 * `kustomization.yaml` that lists them, and the `hook-token/` component that turns on hook auth. Pure and deterministic, so tests can compare it with the
 * committed folder.
 */
export function synthDeploy(): DeployFile[] {
  const app = new App();
  const charts: Array<[string, Chart]> = [
    ["namespace.yaml", new NamespaceChart(app)],
    ["crds.yaml", new CrdsChart(app)],
    ["controllers.yaml", new ControllersChart(app)],
    ["hooks.yaml", new HooksChart(app)],
    ["rbac.yaml", new RbacChart(app)],
  ];
  const files = charts.map(([path, chart]) => ({
    path,
    content: HEADER + Yaml.stringify(...chart.toJson()),
  }));
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: files.map((file) => file.path),
  };
  return [
    ...files,
    { path: "kustomization.yaml", content: HEADER + Yaml.stringify(kustomization) },
    {
      path: "hook-token/kustomization.yaml",
      content: HEADER + Yaml.stringify(hookTokenKustomization([SUBSCRIPTION_CONTROLLER, CATALOG_CONTROLLER])),
    },
  ];
}

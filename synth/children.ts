/**
 * Builds a plan's Flux children with the constructs of this folder and renders them, through one
 * cdk8s Chart, to plain JSON: sorted, with explicit names, no namespace and no nulls, so the same plan
 * always gives the same bytes and Metacontroller never sees a spurious change.
 * @module
 */

import { App, Chart } from "cdk8s";
import { GitRepositoryChild } from "./git-repository.js";
import { type HelmReleaseChart, HelmReleaseChild } from "./helm-release.js";
import { HelmRepositoryChild } from "./helm-repository.js";
import { KustomizationChild } from "./kustomization.js";
import { labelValue, shortHash } from "./names.js";
import { OciRepositoryChild } from "./oci-repository.js";
import { type ExpansionPlan, type PlannedArtifact, type PlannedChart, releaseKey } from "./plan.js";
import { sortKeys } from "./values.js";
import { ValuesConfigMap } from "./values-config-map.js";
import { chartValues } from "./values-from.js";

/** Label on every child: who manages it. */
const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Label on every child: the subscription it belongs to. */
const SUBSCRIPTION_LABEL = "profiles.pctl.dev/subscription";
/** Label on an artifact's children: its path, with `/` as `.` (label values hold no `/`). */
const ARTIFACT_LABEL = "profiles.pctl.dev/artifact";
/** Annotation on an artifact's children: its path as written, such as `cache/redis`. */
export const ARTIFACT_PATH_ANNOTATION = "profiles.pctl.dev/artifact-path";
/**
 * Annotation on a HelmRelease or Kustomization: the children of the other Flux kind it depends on,
 * comma-separated `Kind/name`. Flux's `dependsOn` cannot name them, and the finalize hook, which has
 * no plan, reads them to uninstall in reverse dependency order.
 */
export const DEPENDS_ON_ANNOTATION = "profiles.pctl.dev/depends-on";
/** Flux's "reconcile now" annotation: any new value triggers one reconciliation. */
export const REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

/** The order children are listed in: sources first, then what reads them. */
const CHILD_KIND_ORDER = [
  "GitRepository",
  "HelmRepository",
  "OCIRepository",
  "ConfigMap",
  "HelmRelease",
  "Kustomization",
] as const;

/** A rendered child: a Kubernetes object as plain JSON. */
export interface ChildObject {
  readonly apiVersion: string;
  readonly kind: (typeof CHILD_KIND_ORDER)[number];
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** A ConfigMap or Secret a child reads by reference, as `ConfigMap/<name>` or `Secret/<name>`. */
export type ReferenceKey = `${"ConfigMap" | "Secret"}/${string}`;

/** Options of {@link buildChildren}. */
export interface BuildChildrenOptions {
  /**
   * The paths of the artifacts to build, such as `gateChildren(...).emit`. Sources no built artifact
   * reads are left out too.
   * @default - every artifact of the plan
   */
  readonly artifacts?: readonly string[];
  /**
   * The `resourceVersion` of the ConfigMaps and Secrets in the subscription's namespace, by
   * {@link ReferenceKey}; one not listed counts as absent. With them, each HelmRelease or
   * Kustomization that reads any by reference (`valuesFrom`, Secret parameters, `substituteFrom`)
   * carries {@link REQUESTED_AT_ANNOTATION} set to a hash of their versions, so Flux reconciles it
   * as soon as one changes rather than at its next interval: Flux watches only objects labelled for
   * it, and these are the user's. Versions only, never content, so no value can be guessed from it.
   * @default - no such annotation, as `pctl render` wants: it has no cluster to ask
   */
  readonly referenceRevisions?: Readonly<Record<ReferenceKey, string>>;
}

/** What {@link buildChildren} returns. */
export interface BuiltChildren {
  /** The children, sorted by {@link CHILD_KIND_ORDER}, then by name. */
  readonly children: ChildObject[];
}

/**
 * Builds the Flux children of a plan.
 *
 * @example
 * const plan = expandSubscription(input);
 * const gate = gateChildren(plan, observed);
 * const { children } = buildChildren(plan, { artifacts: gate.emit });
 */
export function buildChildren(plan: ExpansionPlan, options: BuildChildrenOptions = {}): BuiltChildren {
  const chart = new Chart(new App(), "children");
  const wanted = options.artifacts === undefined ? undefined : new Set(options.artifacts);
  const artifacts = plan.artifacts.filter((artifact) => wanted === undefined || wanted.has(artifact.path));
  const byPath = new Map(plan.artifacts.map((artifact) => [artifact.path, artifact]));
  const common = {
    [MANAGED_BY_LABEL]: "pctl",
    [SUBSCRIPTION_LABEL]: labelValue(plan.subscription),
  };
  const ofArtifact = (artifact: PlannedArtifact) => ({
    labels: { ...common, [ARTIFACT_LABEL]: labelValue(artifact.path) },
    annotations: { [ARTIFACT_PATH_ANNOTATION]: artifact.path },
  });
  const ofRelease = (artifact: PlannedArtifact) => {
    const { labels, annotations } = ofArtifact(artifact);
    const gatedBy = artifact.gatedBy.map((path) => releaseKey(byPath.get(path)!));
    const references = referencesOf(artifact);
    const revisions = options.referenceRevisions;
    return {
      labels,
      annotations: {
        ...annotations,
        ...(gatedBy.length > 0 && { [DEPENDS_ON_ANNOTATION]: gatedBy.join(",") }),
        ...(revisions !== undefined &&
          references.length > 0 && {
            [REQUESTED_AT_ANNOTATION]: `pctl-${shortHash(references.map((key) => `${key}@${revisions[key] ?? "absent"}`).join(","))}`,
          }),
      },
    };
  };

  const gitUsed = new Set(artifacts.flatMap(gitRepositoryOf));
  for (const repository of plan.gitRepositories.filter((r) => gitUsed.has(r.name))) {
    new GitRepositoryChild(chart, `GitRepository-${repository.name}`, {
      name: repository.name,
      labels: common,
      url: repository.url,
      commit: repository.commit,
      ...(repository.branch !== undefined && { branch: repository.branch }),
      ...(repository.tag !== undefined && { tag: repository.tag }),
      ...(repository.secretName !== undefined && { secretName: repository.secretName }),
      directories: repository.directories,
      interval: plan.interval,
    });
  }
  const helmUsed = new Set(
    artifacts.flatMap((a) =>
      a.kind !== "kustomize" && a.source.kind === "helm-repository" ? [a.source.helmRepository] : [],
    ),
  );
  for (const repository of plan.helmRepositories.filter((r) => helmUsed.has(r.name))) {
    new HelmRepositoryChild(chart, `HelmRepository-${repository.name}`, {
      name: repository.name,
      labels: common,
      url: repository.url,
      interval: plan.interval,
    });
  }

  for (const artifact of artifacts) {
    // Flux orders only within a kind; the other kind's dependencies are gated by pctl instead.
    const dependsOn = artifact.dependsOn
      .filter((path) => !artifact.gatedBy.includes(path))
      .map((path) => byPath.get(path)!.name);
    const shared = {
      ...ofRelease(artifact),
      interval: plan.interval,
      suspend: plan.suspend,
      dependsOn,
      ...(plan.targetNamespace !== undefined && { targetNamespace: plan.targetNamespace }),
    };
    if (artifact.kind === "kustomize") {
      new KustomizationChild(chart, `Kustomization-${artifact.name}`, {
        ...shared,
        name: artifact.name,
        gitRepository: artifact.source.gitRepository,
        path: artifact.source.path,
        patches: artifact.patches,
        substitute: artifact.substitute,
        substituteFrom: artifact.substituteFrom,
      });
      continue;
    }
    if (artifact.source.kind === "oci") {
      new OciRepositoryChild(chart, `OCIRepository-${artifact.name}`, {
        ...ofArtifact(artifact),
        name: artifact.name,
        url: artifact.source.url,
        ...(artifact.source.version !== undefined && { version: artifact.source.version }),
        interval: plan.interval,
      });
    }
    const { valuesFrom, values } = chartValues(artifact);
    for (const { reference, generated } of valuesFrom) {
      if (generated === undefined) continue;
      new ValuesConfigMap(chart, `ConfigMap-${reference.name}`, {
        ...ofArtifact(artifact),
        name: reference.name,
        values: generated,
      });
    }
    new HelmReleaseChild(chart, `HelmRelease-${artifact.name}`, {
      ...shared,
      name: artifact.name,
      chart: chartOf(artifact),
      valuesFrom: valuesFrom.map(({ reference }) => reference),
      ...(values !== undefined && { values }),
    });
  }

  // cdk8s sorts keys as well, but not when CDK8S_DISABLE_SORT is set: the bytes must not depend on
  // the environment. The top-level fields keep cdk8s's order, apiVersion, kind and metadata first.
  const canonical = (child: ChildObject) =>
    Object.fromEntries(
      Object.entries(child).map(([field, value]) => [field, sortKeys(value)]),
    ) as ChildObject;
  const children = (chart.toJson() as ChildObject[])
    .map(canonical)
    .sort(
      (a, b) =>
        CHILD_KIND_ORDER.indexOf(a.kind) - CHILD_KIND_ORDER.indexOf(b.kind) ||
        (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
    );
  return { children };
}

/** The ConfigMaps and Secrets an artifact's HelmRelease or Kustomization reads by reference, sorted. */
function referencesOf(artifact: PlannedArtifact): ReferenceKey[] {
  const references: ReferenceKey[] =
    artifact.kind === "kustomize"
      ? artifact.substituteFrom.map(({ name }) => `Secret/${name}` as const)
      : chartValues(artifact)
          .valuesFrom.filter(({ generated }) => generated === undefined)
          .map(({ reference }) => `${reference.kind}/${reference.name}` as const);
  return [...new Set(references)].sort();
}

function gitRepositoryOf(artifact: PlannedArtifact): string[] {
  if (artifact.kind === "kustomize") return [artifact.source.gitRepository];
  return artifact.source.kind === "git" ? [artifact.source.gitRepository] : [];
}

function chartOf(artifact: PlannedChart): HelmReleaseChart {
  const { source } = artifact;
  switch (source.kind) {
    case "git":
      return { kind: "GitRepository", name: source.gitRepository, path: source.path };
    case "helm-repository":
      return {
        kind: "HelmRepository",
        name: source.helmRepository,
        chart: source.chart,
        ...(source.version !== undefined && { version: source.version }),
      };
    case "oci":
      return { kind: "OCIRepository", name: artifact.name };
  }
}

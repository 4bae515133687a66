/**
 * The expansion plan: every leaf artifact of a subscription's profile tree, flattened across nesting
 * levels, with what it installs, from where, with which values, after which other artifacts. It is
 * plain data, so the sync hook can log it and `pctl render` can print it, and it is everything
 * `buildChildren` needs to write the Flux children.
 * @module
 */

import type { ValuesFrom } from "../crds/profile-subscription.js";
import type { SecretKeyRef, Values } from "./values.js";

/** What a leaf artifact installs, and so which Flux objects it becomes. */
export type PlannedArtifactKind = "helm-local" | "helm-repository" | "helm-oci" | "kustomize";

/** The Flux kind that installs a leaf: HelmRelease for charts, Kustomization for kustomize. */
export type ReleaseKind = "HelmRelease" | "Kustomization";

/** Which Flux kind installs an artifact of this kind. */
export function releaseKind(kind: PlannedArtifactKind): ReleaseKind {
  return kind === "kustomize" ? "Kustomization" : "HelmRelease";
}

/**
 * `Kind/name` of the HelmRelease or Kustomization that installs an artifact: how the gate finds it
 * among the observed children, and how {@link PlannedArtifactBase.gatedBy} dependencies are named
 * to the finalize hook.
 */
export function releaseKey(artifact: { readonly kind: PlannedArtifactKind; readonly name: string }): string {
  return `${releaseKind(artifact.kind)}/${artifact.name}`;
}

/** A git repository at one commit, shared by every artifact that reads from it. */
export interface PlannedGitRepository {
  /** The GitRepository's name: after the first profile that reads from it (`<sub>`, `<sub>-cache`). */
  readonly name: string;
  readonly url: string;
  readonly commit: string;
  /** The branch the commit was resolved from, for branch sources. */
  readonly branch?: string;
  /** The tag the commit was resolved from, for tag, semver and catalog sources. */
  readonly tag?: string;
  /** The Secret with the repository's credentials, when it is private. */
  readonly secretName?: string;
  /** The profile directories its artifacts read, sorted; `""` means the whole repository. */
  readonly directories: readonly string[];
}

/** A Helm repository, shared by every chart served from its URL. */
export interface PlannedHelmRepository {
  /** The HelmRepository's name: after the first artifact that uses it. */
  readonly name: string;
  readonly url: string;
}

/** Where a chart comes from. */
export type PlannedChartSource =
  | {
      readonly kind: "git";
      /** The {@link PlannedGitRepository} holding the chart. */
      readonly gitRepository: string;
      readonly url: string;
      readonly commit: string;
      /** The chart directory, relative to the repository root. */
      readonly path: string;
    }
  | {
      readonly kind: "helm-repository";
      /** The {@link PlannedHelmRepository} serving the chart. */
      readonly helmRepository: string;
      readonly url: string;
      readonly chart: string;
      /** A version or semver range; the latest when absent. */
      readonly version?: string;
    }
  | {
      readonly kind: "oci";
      /** The chart's `oci://` URL. */
      readonly url: string;
      /** A version or semver range; the `latest` tag when absent. */
      readonly version?: string;
    };

/** A Secret parameter set in chart values by reference, as one `valuesFrom` entry. */
export interface PlannedSecretValue {
  readonly secret: SecretKeyRef;
  /** The parameter's name in the profile that uses it. */
  readonly parameter: string;
  /** The values path, in `helm --set` syntax. */
  readonly targetPath: string;
  /** Set for string parameters, so `, [ ] { } =` in the value are not parsed (`--set-literal`). */
  readonly literal: boolean;
}

/** What every leaf artifact has, whatever it installs. */
export interface PlannedArtifactBase {
  /** The chain of artifact names from the root profile, such as `server` or `cache/redis`. */
  readonly path: string;
  /** The name of its HelmRelease or Kustomization. */
  readonly name: string;
  /** The name of the profile that declares it. */
  readonly profile: string;
  /** Every leaf artifact path it must wait for, sorted. */
  readonly dependsOn: readonly string[];
  /**
   * The dependencies of the other Flux kind, which Flux's `dependsOn` cannot express; pctl holds the
   * artifact back until they are Ready (see `gateChildren`).
   */
  readonly gatedBy: readonly string[];
}

/** A chart artifact: a HelmRelease, its chart source and its values. */
export interface PlannedChart extends PlannedArtifactBase {
  readonly kind: "helm-local" | "helm-repository" | "helm-oci";
  readonly source: PlannedChartSource;
  /** The profile's values with its parameters substituted; Secret leaves are left out. */
  readonly defaults: Values;
  /** `spec.artifacts.<path>` of the subscription. */
  readonly override: {
    readonly values?: Values;
    readonly valuesFrom: readonly ValuesFrom[];
  };
  /** `defaults` with the override's values merged on top: what pctl knows of the final values. */
  readonly values: Values;
  readonly secretValues: readonly PlannedSecretValue[];
}

/** A Flux Kustomization patch, as the profile writes it. */
export interface PlannedPatch {
  readonly patch: string;
  readonly target?: {
    readonly group?: string;
    readonly version?: string;
    readonly kind?: string;
    readonly name?: string;
    readonly namespace?: string;
    readonly annotationSelector?: string;
    readonly labelSelector?: string;
  };
}

/** A kustomize artifact: a Kustomization over a git repository. */
export interface PlannedKustomization extends PlannedArtifactBase {
  readonly kind: "kustomize";
  readonly source: {
    readonly gitRepository: string;
    readonly url: string;
    readonly commit: string;
    /** The directory, relative to the repository root. */
    readonly path: string;
  };
  readonly patches: readonly PlannedPatch[];
  /** The plain parameters, as the strings Flux's `postBuild.substitute` takes. */
  readonly substitute: Readonly<Record<string, string>>;
  /** The Secrets holding Secret parameters, in `spec.parametersFrom` order. */
  readonly substituteFrom: readonly { readonly name: string; readonly optional: boolean }[];
}

/** One leaf artifact of the profile tree. */
export type PlannedArtifact = PlannedChart | PlannedKustomization;

/** Everything a subscription expands to. */
export interface ExpansionPlan {
  /** The subscription's name. */
  readonly subscription: string;
  /** `spec.interval`, passed to every child. */
  readonly interval: string;
  readonly suspend: boolean;
  /** `spec.targetNamespace`, when set. */
  readonly targetNamespace?: string;
  readonly gitRepositories: readonly PlannedGitRepository[];
  readonly helmRepositories: readonly PlannedHelmRepository[];
  /** Leaf artifacts, depth first in profile order. */
  readonly artifacts: readonly PlannedArtifact[];
}

/**
 * The HelmRelease child: one chart artifact, installed by Flux's helm-controller.
 * @module
 */

import { Construct } from "constructs";
import { InvalidInputError } from "../crds/errors.js";
import { checkName, type FluxChildProps, fluxChild } from "./child.js";
import {
  HelmRelease,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecChartSpecReconcileStrategy,
  HelmReleaseSpecChartSpecSourceRefKind,
  type HelmReleaseSpecValuesFrom,
  HelmReleaseSpecValuesFromKind,
} from "./imports/helm.toolkit.fluxcd.io.js";
import { MAX_RELEASE_NAME_LENGTH, releaseName } from "./names.js";
import type { Values } from "./values.js";

/** Where a HelmRelease finds its chart. */
export type HelmReleaseChart =
  | {
      /** A chart directory in a GitRepository. */
      readonly kind: "GitRepository";
      /** The GitRepository's name. */
      readonly name: string;
      /** The chart directory, relative to the repository root. */
      readonly path: string;
    }
  | {
      /** A chart in a HelmRepository's index. */
      readonly kind: "HelmRepository";
      /** The HelmRepository's name. */
      readonly name: string;
      /** The chart's name in the index. */
      readonly chart: string;
      /** A version or semver range; the latest when absent. */
      readonly version?: string;
    }
  | {
      /** A chart in an OCIRepository, used through `chartRef`. */
      readonly kind: "OCIRepository";
      /** The OCIRepository's name. */
      readonly name: string;
    };

/** A ConfigMap or Secret key that holds values, as Flux's `valuesFrom` entry. */
export interface HelmValuesReference {
  readonly kind: "ConfigMap" | "Secret";
  readonly name: string;
  /** @default "values.yaml" (Flux's) */
  readonly valuesKey?: string;
  /** Sets this one `--set` path to the key's whole content. @default - the key holds a values document */
  readonly targetPath?: string;
  /** @default false */
  readonly optional?: boolean;
  /** `--set-literal`: the content is never parsed. @default false */
  readonly literal?: boolean;
}

/**
 * Props of {@link HelmReleaseChild}.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export interface HelmReleaseChildProps extends FluxChildProps {
  readonly chart: HelmReleaseChart;
  /**
   * The Helm release name. Always set, because Flux's default prefixes `targetNamespace-`, and a
   * change of release name uninstalls the release.
   * @default - the child's name, cut to Helm's 53 characters with a hash
   */
  readonly releaseName?: string;
  /**
   * The namespace the chart's objects go to; created on install when it does not exist.
   * @default - the HelmRelease's namespace
   */
  readonly targetNamespace?: string;
  /**
   * How many times a failed install or upgrade is retried after remediation (uninstall or rollback).
   * @default 3
   */
  readonly retries?: number;
  /**
   * `valuesFrom`, merged in order, before `values`; an entry with a `targetPath` overrides everything.
   * @default - none
   */
  readonly valuesFrom?: readonly HelmValuesReference[];
  /**
   * Inline values, merged over `valuesFrom`.
   * @default - none
   */
  readonly values?: Values;
  /**
   * Names of HelmReleases in the same namespace that must be Ready first.
   * @default - none
   */
  readonly dependsOn?: readonly string[];
}

/** A `helm.toolkit.fluxcd.io/v2` HelmRelease with an explicit release name and retried remediation. */
export class HelmReleaseChild extends Construct {
  /** The Flux object. */
  readonly apiObject: HelmRelease;

  constructor(scope: Construct, id: string, props: HelmReleaseChildProps) {
    super(scope, id);
    const { metadata, interval, suspend } = fluxChild("HelmRelease", props);
    const release = props.releaseName ?? releaseName(props.name);
    const retries = props.retries ?? 3;
    checkName("HelmRelease release", release, MAX_RELEASE_NAME_LENGTH);
    if (!Number.isInteger(retries) || retries < -1) {
      throw new InvalidInputError(
        `HelmRelease '${props.name}': retries '${retries}' must be a whole number, or -1 for no limit`,
      );
    }
    if (props.targetNamespace !== undefined) checkName("HelmRelease targetNamespace", props.targetNamespace);
    const values = props.values ?? {};
    const valuesFrom = (props.valuesFrom ?? []).map(toValuesFrom);
    const dependsOn = props.dependsOn ?? [];
    this.apiObject = new HelmRelease(this, "Resource", {
      metadata,
      spec: {
        interval,
        releaseName: release,
        ...chartFields(props.chart, interval),
        ...(props.targetNamespace !== undefined && { targetNamespace: props.targetNamespace }),
        install: {
          ...(props.targetNamespace !== undefined && { createNamespace: true }),
          remediation: { retries },
        },
        upgrade: { remediation: { retries } },
        suspend,
        ...(valuesFrom.length > 0 && { valuesFrom }),
        ...(Object.keys(values).length > 0 && { values }),
        ...(dependsOn.length > 0 && { dependsOn: dependsOn.map((name) => ({ name })) }),
      },
    });
  }
}

function chartFields(chart: HelmReleaseChart, interval: string) {
  switch (chart.kind) {
    case "GitRepository":
      return {
        chart: {
          spec: {
            chart: chart.path,
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.GIT_REPOSITORY, name: chart.name },
            // A chart from git is otherwise rebuilt only when Chart.yaml's version changes.
            reconcileStrategy: HelmReleaseSpecChartSpecReconcileStrategy.REVISION,
            interval,
          },
        },
      };
    case "HelmRepository":
      return {
        chart: {
          spec: {
            chart: chart.chart,
            ...(chart.version !== undefined && { version: chart.version }),
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: chart.name },
            interval,
          },
        },
      };
    case "OCIRepository":
      return { chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: chart.name } };
  }
}

function toValuesFrom(reference: HelmValuesReference): HelmReleaseSpecValuesFrom {
  return {
    kind:
      reference.kind === "Secret"
        ? HelmReleaseSpecValuesFromKind.SECRET
        : HelmReleaseSpecValuesFromKind.CONFIG_MAP,
    name: reference.name,
    ...(reference.valuesKey !== undefined && { valuesKey: reference.valuesKey }),
    ...(reference.targetPath !== undefined && { targetPath: reference.targetPath }),
    ...(reference.optional === true && { optional: true }),
    ...(reference.literal === true && { literal: true }),
  };
}

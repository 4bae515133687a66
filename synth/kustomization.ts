/**
 * The Kustomization child: one kustomize artifact (raw YAML or a kustomization directory) applied by
 * Flux's kustomize-controller from a GitRepository.
 * @module
 */

import { Construct } from "constructs";
import { InvalidInputError } from "../crds/errors.js";
import { checkDuration, checkName, type FluxChildProps, fluxChild } from "./child.js";
import {
  Kustomization,
  KustomizationSpecPostBuildSubstituteFromKind,
  KustomizationSpecSourceRefKind,
} from "./imports/kustomize.toolkit.fluxcd.io.js";
import type { PlannedPatch } from "./plan.js";

/**
 * Props of {@link KustomizationChild}.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export interface KustomizationChildProps extends FluxChildProps {
  /** The GitRepository to read from. */
  readonly gitRepository: string;
  /** The directory to build, relative to the repository root and `./`-prefixed. */
  readonly path: string;
  /**
   * Deletes the objects that leave the build (and all of them when the Kustomization is deleted).
   * Flux requires the field to be present.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Waits for every applied object to be healthy, so the Kustomization's Ready means the objects are.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * How long apply and health checks may take.
   * @default "5m"
   */
  readonly timeout?: string;
  /**
   * The namespace of every namespaced object of the build; it must exist or be part of the build.
   * @default - the namespaces the YAML names
   */
  readonly targetNamespace?: string;
  /**
   * Strategic-merge or JSON 6902 patches applied to the build.
   * @default - none
   */
  readonly patches?: readonly PlannedPatch[];
  /**
   * Variables for `${var}` in the build. Flux takes strings only, and these win over `substituteFrom`.
   * @default - none
   */
  readonly substitute?: Readonly<Record<string, string>>;
  /**
   * Secrets whose keys are variables for `${var}`, by reference.
   * @default - none
   */
  readonly substituteFrom?: readonly { readonly name: string; readonly optional?: boolean }[];
  /**
   * Names of Kustomizations in the same namespace that must be Ready first.
   * @default - none
   */
  readonly dependsOn?: readonly string[];
}

/** A `kustomize.toolkit.fluxcd.io/v1` Kustomization that prunes and waits for health. */
export class KustomizationChild extends Construct {
  /** The Flux object. */
  readonly apiObject: Kustomization;

  constructor(scope: Construct, id: string, props: KustomizationChildProps) {
    super(scope, id);
    const { metadata, interval, suspend } = fluxChild("Kustomization", props);
    const timeout = props.timeout ?? "5m";
    const prune = props.prune ?? true;
    const wait = props.wait ?? true;
    const substitute = props.substitute ?? {};
    const substituteFrom = props.substituteFrom ?? [];
    const patches = props.patches ?? [];
    const dependsOn = props.dependsOn ?? [];
    checkDuration("Kustomization", props.name, "timeout", timeout);
    if (!props.path.startsWith("./")) {
      throw new InvalidInputError(
        `Kustomization '${props.name}': path '${props.path}' must be relative to the repository root and start with ./`,
      );
    }
    const badVariable = Object.keys(substitute).find((key) => !/^[_a-zA-Z][_a-zA-Z0-9]*$/.test(key));
    if (badVariable !== undefined) {
      throw new InvalidInputError(
        `Kustomization '${props.name}': substitute variable '${badVariable}' must start with a letter or '_' and hold only letters, digits and '_'`,
      );
    }
    if (props.targetNamespace !== undefined)
      checkName("Kustomization targetNamespace", props.targetNamespace);
    const postBuild = {
      ...(Object.keys(substitute).length > 0 && { substitute: { ...substitute } }),
      ...(substituteFrom.length > 0 && {
        substituteFrom: substituteFrom.map((source) => ({
          kind: KustomizationSpecPostBuildSubstituteFromKind.SECRET,
          name: source.name,
          ...(source.optional === true && { optional: true }),
        })),
      }),
    };
    this.apiObject = new Kustomization(this, "Resource", {
      metadata,
      spec: {
        interval,
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.gitRepository },
        path: props.path,
        prune,
        wait,
        timeout,
        ...(props.targetNamespace !== undefined && { targetNamespace: props.targetNamespace }),
        ...(patches.length > 0 && {
          patches: patches.map((patch) => ({
            patch: patch.patch,
            ...(patch.target !== undefined && { target: { ...patch.target } }),
          })),
        }),
        ...(Object.keys(postBuild).length > 0 && { postBuild }),
        ...(dependsOn.length > 0 && { dependsOn: dependsOn.map((name) => ({ name })) }),
        suspend,
      },
    });
  }
}

/**
 * Ordering across Flux kinds. Flux's `dependsOn` links a HelmRelease only to HelmReleases and a
 * Kustomization only to Kustomizations, so for a chart that needs a kustomize artifact (or the other
 * way round) pctl holds the dependent child back until its dependencies are Ready.
 * @module
 */

import { type ExpansionPlan, releaseKey } from "./plan.js";

/** An observed child, as Metacontroller reports it; only the fields readiness needs. */
export interface ObservedChild {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly generation?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
  };
}

/** An artifact held back, and why. */
export interface WaitingArtifact {
  readonly path: string;
  /** The artifact paths it waits for. */
  readonly waitingFor: readonly string[];
  /** `waiting for <dep> (<Kind> <name>) to be Ready`, for the subscription's status. */
  readonly message: string;
}

/** Which artifacts to emit now. */
export interface GateResult {
  /** Artifact paths to build, in plan order: pass them to `buildChildren`. */
  readonly emit: readonly string[];
  readonly waiting: readonly WaitingArtifact[];
}

/**
 * Decides, for each artifact, whether its children are emitted now. An artifact is emitted when
 * every dependency it is gated by is Ready among the observed children, by the rule Flux's own
 * `dependsOn` uses (Ready=True and `status.observedGeneration` equal to `metadata.generation`), or
 * when its own HelmRelease or Kustomization already exists: withdrawing it would uninstall it.
 */
export function gateChildren(plan: ExpansionPlan, observed: Iterable<ObservedChild>): GateResult {
  const seen = new Map<string, ObservedChild>();
  for (const child of observed) {
    if (child.kind !== undefined && child.metadata?.name !== undefined) {
      seen.set(`${child.kind}/${child.metadata.name}`, child);
    }
  }
  const byPath = new Map(plan.artifacts.map((artifact) => [artifact.path, artifact]));
  const keyOf = (path: string): string => releaseKey(byPath.get(path)!);

  const emit: string[] = [];
  const waiting: WaitingArtifact[] = [];
  for (const artifact of plan.artifacts) {
    const pending = artifact.gatedBy.filter((path) => !isReady(seen.get(keyOf(path))));
    if (pending.length === 0 || seen.has(keyOf(artifact.path))) {
      emit.push(artifact.path);
      continue;
    }
    const list = pending.map((path) => `${path} (${keyOf(path).replace("/", " ")})`).join(", ");
    waiting.push({ path: artifact.path, waitingFor: pending, message: `waiting for ${list} to be Ready` });
  }
  return { emit, waiting };
}

/**
 * Flux's `dependsOn` rule (flux.md §4): Ready=True, and `status.observedGeneration` equal to
 * `metadata.generation`. The one readiness rule of pctl: the gate holds dependents back by it, and
 * the subscription's status calls a child ready by it, so the two never disagree.
 */
export function isReady(child: ObservedChild | undefined): boolean {
  if (child === undefined) return false;
  const generation = child.metadata?.generation;
  const ready = child.status?.conditions?.find((condition) => condition.type === "Ready");
  return (
    ready?.status === "True" && generation !== undefined && child.status?.observedGeneration === generation
  );
}

/**
 * What the subscription hooks read from the observed children: every child as one sorted list, each
 * child turned back into the object we last asked for (so a failed sync can return it unchanged),
 * and each Flux child's health by Flux's own readiness rules (shared/reference/flux.md §3-4).
 * @module
 */
import type { CompositeHookRequest, DesiredObject, KubernetesObject } from "../../crds/metacontroller.js";
import { isReady } from "../../synth/gate.js";

/** Where Metacontroller's dynamic-apply keeps the object a hook last returned. */
export const LAST_APPLIED_ANNOTATION = "metacontroller.k8s.io/last-applied-configuration";

/** The label Metacontroller adds to every child when the controller has `generateSelector: true`. */
const CONTROLLER_UID_LABEL = "controller-uid";

/** The Flux kinds that install something; everything else a subscription owns is a source for them. */
export const RELEASE_KINDS: readonly string[] = ["HelmRelease", "Kustomization"];

// Fields the API server or Metacontroller write; a hook never returns them.
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "managedFields",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "ownerReferences",
  "selfLink",
  "finalizers",
] as const;

/** Every observed child, of every kind, sorted by kind, namespace and name. */
export function observedChildren(request: Pick<CompositeHookRequest, "children">): KubernetesObject[] {
  const all = Object.values(request.children).flatMap((group) => Object.values(group));
  return all.sort((a, b) => compare(childKey(a), childKey(b)));
}

/** `Kind/namespace/name`: identifies a child across syncs. */
export function childKey(object: Pick<KubernetesObject, "kind" | "metadata">): string {
  return `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
}

/**
 * The child as pctl last applied it: the object Metacontroller recorded as last applied when there
 * is one (that is what we returned), otherwise {@link asObserved}. Returning it undoes hand edits
 * of the fields pctl sets, as every sync does.
 */
export function desiredFromObserved(child: KubernetesObject): DesiredObject {
  const recorded = child.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (recorded !== undefined) {
    try {
      const parsed = JSON.parse(recorded) as DesiredObject;
      if (parsed?.kind === child.kind && parsed.metadata?.name === child.metadata.name) return parsed;
    } catch {
      // A mangled annotation is no reason to lose the child: fall through to the observed object.
    }
  }
  return asObserved(child);
}

/**
 * The child exactly as it is now, hand edits included, without status and the fields the API
 * server and Metacontroller own: returning it changes nothing at all.
 */
export function asObserved(child: KubernetesObject): DesiredObject {
  const { status: _status, ...rest } = structuredClone(child) as KubernetesObject & { status?: unknown };
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const field of SERVER_METADATA) delete metadata[field];
  const labels = { ...(rest.metadata.labels ?? {}) };
  delete labels[CONTROLLER_UID_LABEL];
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  else delete metadata.labels;
  const annotations = { ...(rest.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata } as DesiredObject;
}

/** How a Flux child is doing, by the first rule of flux.md §4 that matches. */
export type ChildState = "ready" | "progressing" | "failed" | "stalled" | "suspended";

/** A child's health and the message a user should read about it. */
export interface ChildHealth {
  readonly state: ChildState;
  /** Flux's own message (Ready's, or Stalled's), or why the child is not judged yet. */
  readonly message: string;
}

interface FluxCondition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

const NOT_OBSERVED: ChildHealth = { state: "progressing", message: "waiting for Flux to reconcile it" };

/**
 * Classifies a Flux child as flux.md §4 does: an OCI HelmRepository is static (ready); a suspended
 * one is judged by nobody; Stalled=True is terminal; a Ready condition older than the generation
 * means not observed yet; Reconciling or Ready=Unknown is progressing; Ready=False failed; and
 * Ready=True is ready only by {@link isReady}, the rule the gate holds dependents back by.
 */
export function childHealth(child: KubernetesObject): ChildHealth {
  const spec = ((child as { spec?: unknown }).spec ?? {}) as { suspend?: boolean; type?: string };
  const status = ((child as { status?: unknown }).status ?? {}) as {
    observedGeneration?: number;
    conditions?: FluxCondition[];
  };
  if (child.kind === "HelmRepository" && spec.type === "oci") return { state: "ready", message: "" };
  if (!child.kind.match(/^(GitRepository|HelmRepository|OCIRepository|HelmRelease|Kustomization)$/)) {
    return { state: "ready", message: "" };
  }
  if (spec.suspend === true) return { state: "suspended", message: "suspended in Flux" };
  const conditions = status.conditions ?? [];
  const find = (type: string) => conditions.find((condition) => condition.type === type);
  const stalled = find("Stalled");
  if (stalled?.status === "True")
    return { state: "stalled", message: stalled.message ?? stalled.reason ?? "" };
  const ready = find("Ready");
  const generation = child.metadata.generation ?? 0;
  const observed = ready?.observedGeneration || status.observedGeneration || 0;
  if (ready === undefined || observed < generation) return NOT_OBSERVED;
  if (find("Reconciling")?.status === "True" || ready.status === "Unknown") {
    return { state: "progressing", message: ready.message ?? "reconciling" };
  }
  if (ready.status === "False") return { state: "failed", message: ready.message ?? ready.reason ?? "" };
  return isReady(child) ? { state: "ready", message: "" } : NOT_OBSERVED;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

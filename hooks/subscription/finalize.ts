/**
 * The subscription's finalize hook: uninstalls the profile in reverse dependency order, one layer
 * per call. Deleting a HelmRelease uninstalls its release and deleting a Kustomization prunes what
 * it applied, so a dependent must go before what it depends on, and the sources (git, Helm and OCI
 * repositories, values ConfigMaps) must outlive every HelmRelease and Kustomization reading them.
 *
 * Everything is read from the observed children, never from the source: a subscription must stay
 * deletable while its repository is unreachable.
 * @module
 */
import { ConditionTypes, Finalizing, finalizingMessage } from "../../crds/conditions.js";
import type { CompositeHookRequest, DesiredObject, KubernetesObject } from "../../crds/metacontroller.js";
import type { ProfileSubscriptionStatus } from "../../crds/profile-subscription.js";
import { DEPENDS_ON_ANNOTATION } from "../../synth/children.js";
import type { SyncAnswer } from "../routes/metacontroller.js";
import { childKey, desiredFromObserved, observedChildren, RELEASE_KINDS } from "./observed.js";
import { stampConditions } from "./status.js";

/** What the finalize hook needs besides the request. */
export interface FinalizeDeps {
  readonly now: () => Date;
}

/** How often to look again while children remain, in case a deletion event is missed. */
const FINALIZE_RESYNC_SECONDS = 10;

/**
 * Answers a finalize request: keeps every child that something still present depends on and drops
 * the rest, and says `finalized` only once no child is observed.
 * @example const answer = await finalizeSubscription(request, { now: () => new Date() });
 */
export async function finalizeSubscription(
  request: CompositeHookRequest,
  deps: FinalizeDeps,
): Promise<SyncAnswer> {
  const observed = observedChildren(request);
  const kept = childrenToKeep(observed);
  const parent = request.parent as { metadata: { generation?: number }; status?: ProfileSubscriptionStatus };
  const generation = parent.metadata.generation ?? 0;
  const previous = parent.status ?? {};
  if (observed.length === 0) {
    return { status: { ...previous, observedGeneration: generation }, children: [], finalized: true };
  }
  const message = finalizingMessage(observed.length);
  const conditions = stampConditions(
    [
      { type: ConditionTypes.Ready, status: "False", reason: Finalizing, message },
      { type: ConditionTypes.Reconciling, status: "True", reason: Finalizing, message },
    ],
    previous.conditions ?? [],
    generation,
    deps.now(),
  );
  return {
    status: { ...previous, observedGeneration: generation, conditions },
    children: kept,
    finalized: false,
    resyncAfterSeconds: FINALIZE_RESYNC_SECONDS,
  };
}

/**
 * The children to keep for now, as last applied: a HelmRelease or Kustomization that another one
 * still present depends on (through Flux's `dependsOn` or {@link DEPENDS_ON_ANNOTATION}), and every
 * other child while any HelmRelease or Kustomization is present. A child being deleted still counts
 * as present: its uninstall may need what it depends on.
 */
export function childrenToKeep(observed: readonly KubernetesObject[]): DesiredObject[] {
  const releases = observed.filter((child) => RELEASE_KINDS.includes(child.kind));
  const needed = new Set<string>();
  for (const release of releases) {
    for (const dependency of dependenciesOf(release)) needed.add(dependency);
  }
  return observed
    .filter((child) =>
      RELEASE_KINDS.includes(child.kind) ? needed.has(childKey(child)) : releases.length > 0,
    )
    .map(desiredFromObserved);
}

/** The keys ({@link childKey}) of the children a release depends on. */
function dependenciesOf(release: KubernetesObject): string[] {
  const namespace = release.metadata.namespace ?? "";
  const spec = ((release as { spec?: unknown }).spec ?? {}) as {
    dependsOn?: { name?: string; namespace?: string }[];
  };
  const sameKind = (spec.dependsOn ?? []).map(
    (dependency) => `${release.kind}/${dependency.namespace ?? namespace}/${dependency.name ?? ""}`,
  );
  const annotated = (release.metadata.annotations?.[DEPENDS_ON_ANNOTATION] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.includes("/"))
    .map((entry) => {
      const [kind, name] = entry.split("/") as [string, string];
      return `${kind}/${namespace}/${name}`;
    });
  return [...sameKind, ...annotated];
}

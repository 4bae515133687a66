/**
 * Two annotations the hook adds to the children `buildChildren` renders, because they depend on
 * what only the hook knows (the related objects) or must survive until the finalize hook, which
 * has no plan:
 * - {@link DEPENDS_ON_ANNOTATION}: the dependencies of the other Flux kind, for uninstall order;
 * - `reconcile.fluxcd.io/requestedAt`: a fingerprint of the ConfigMaps and Secrets a HelmRelease
 *   or Kustomization reads by reference, so Flux reconciles it as soon as one of them changes
 *   rather than at its next interval (Flux does not watch objects it does not own unless they are
 *   labelled, and these are the user's).
 * @module
 */
import type { DesiredObject } from "../../crds/metacontroller.js";
import { shortHash } from "../../synth/names.js";
import { type ExpansionPlan, releaseKind } from "../../synth/plan.js";
import { DEPENDS_ON_ANNOTATION } from "./finalize.js";
import { type RelatedRequest, revisionOf } from "./related.js";

/** Flux's "reconcile now" annotation; any new value triggers one reconciliation. */
export const REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

/**
 * The children with the two annotations added where they apply. Children are not changed in place.
 * @param namespace the subscription's namespace, where the referenced objects live.
 */
export function annotateChildren(
  children: readonly DesiredObject[],
  plan: ExpansionPlan,
  request: RelatedRequest,
  namespace: string,
): DesiredObject[] {
  const byPath = new Map(plan.artifacts.map((artifact) => [artifact.path, artifact]));
  const extra = new Map<string, Record<string, string>>();
  for (const artifact of plan.artifacts) {
    const annotations: Record<string, string> = {};
    if (artifact.gatedBy.length > 0) {
      annotations[DEPENDS_ON_ANNOTATION] = artifact.gatedBy
        .map((path) => {
          const dependency = byPath.get(path)!;
          return `${releaseKind(dependency.kind)}/${dependency.name}`;
        })
        .join(",");
    }
    const references =
      artifact.kind === "kustomize"
        ? artifact.substituteFrom.map(({ name }) => ({ kind: "Secret", name }))
        : [
            ...artifact.override.valuesFrom.map(({ kind, name }) => ({ kind, name })),
            ...artifact.secretValues.map(({ secret }) => ({ kind: "Secret", name: secret.name })),
          ];
    if (references.length > 0) {
      annotations[REQUESTED_AT_ANNOTATION] = `pctl-${shortHash(revisionOf(request, references, namespace))}`;
    }
    if (Object.keys(annotations).length > 0) {
      extra.set(`${releaseKind(artifact.kind)}/${artifact.name}`, annotations);
    }
  }
  return children.map((child) => {
    const annotations = extra.get(`${child.kind}/${child.metadata.name}`);
    if (annotations === undefined) return child;
    return {
      ...child,
      metadata: { ...child.metadata, annotations: { ...(child.metadata.annotations ?? {}), ...annotations } },
    };
  });
}

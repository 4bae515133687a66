import { describe, expect, it } from "vitest";
import { ConditionTypes, Finalizing, finalizingMessage } from "../../../crds/conditions.js";
import type { CompositeHookRequest, KubernetesObject } from "../../../crds/metacontroller.js";
import { childrenToKeep, finalizeSubscription } from "../../../hooks/subscription/finalize.js";
import { DEPENDS_ON_ANNOTATION } from "../../../synth/children.js";

const NOW = new Date("2026-03-01T12:00:00Z");

function child(
  kind: string,
  name: string,
  spec: Record<string, unknown> = {},
  annotations?: Record<string, string>,
) {
  const apiVersion =
    {
      HelmRelease: "helm.toolkit.fluxcd.io/v2",
      Kustomization: "kustomize.toolkit.fluxcd.io/v1",
      ConfigMap: "v1",
    }[kind] ?? "source.toolkit.fluxcd.io/v1";
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: "team-a",
      uid: `uid-${name}`,
      generation: 1,
      ...(annotations && { annotations }),
    },
    spec,
    status: { observedGeneration: 1 },
  } as KubernetesObject;
}

function request(children: KubernetesObject[]): CompositeHookRequest {
  const map: CompositeHookRequest["children"] = {};
  for (const c of children) {
    const group = `${c.kind}.${c.apiVersion}`;
    map[group] = { ...(map[group] ?? {}), [`${c.metadata.namespace}/${c.metadata.name}`]: c };
  }
  return {
    controller: {
      metadata: { name: "cc" },
      spec: { parentResource: { apiVersion: "x/v1", resource: "xs" } },
    },
    parent: {
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: {
        name: "web",
        namespace: "team-a",
        generation: 4,
        deletionTimestamp: "2026-03-01T11:59:00Z",
      },
    },
    children: map,
    related: {},
    finalizing: true,
  };
}

const names = (objects: { kind: string; metadata: { name?: string } }[]) =>
  objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe("childrenToKeep", () => {
  const git = child("GitRepository", "web");
  const values = child("ConfigMap", "web-values");
  const server = child("HelmRelease", "web-server");
  const db = child("HelmRelease", "web-db");
  const app = child("HelmRelease", "web-app", { dependsOn: [{ name: "web-db" }] });
  const config = child(
    "Kustomization",
    "web-config",
    {},
    { [DEPENDS_ON_ANNOTATION]: "HelmRelease/web-server" },
  );

  const cases = [
    {
      name: "drops dependents first and keeps what they depend on plus every source",
      observed: [git, values, server, db, app, config],
      keep: ["ConfigMap/web-values", "GitRepository/web", "HelmRelease/web-db", "HelmRelease/web-server"],
    },
    {
      name: "drops the dependencies once their dependents are gone",
      observed: [git, values, server, db],
      keep: ["ConfigMap/web-values", "GitRepository/web"],
    },
    {
      name: "drops the sources once no HelmRelease or Kustomization remains",
      observed: [git, values],
      keep: [],
    },
    {
      name: "keeps the dependency of a dependent that is still being deleted",
      observed: [
        git,
        db,
        { ...app, metadata: { ...app.metadata, deletionTimestamp: "2026-03-01T11:59:30Z" } },
      ],
      keep: ["GitRepository/web", "HelmRelease/web-db"],
    },
  ];
  for (const { name, observed, keep } of cases) {
    it(name, () => {
      expect(names(childrenToKeep(observed))).toEqual(keep);
    });
  }

  it("returns kept children as last applied, without server fields or status", () => {
    const [kept] = childrenToKeep([git, server]);
    expect(kept).toEqual({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "web", namespace: "team-a" },
      spec: {},
    });
  });
});

describe("finalizeSubscription", () => {
  it("is not finalized while children remain and says how many are left", async () => {
    const answer = await finalizeSubscription(
      request([child("GitRepository", "web"), child("HelmRelease", "web-server")]),
      {
        now: () => NOW,
      },
    );
    expect(answer.finalized).toBe(false);
    expect(names(answer.children)).toEqual(["GitRepository/web"]);
    expect(answer.status?.conditions).toEqual([
      {
        type: ConditionTypes.Ready,
        status: "False",
        reason: Finalizing,
        message: finalizingMessage(2),
        observedGeneration: 4,
        lastTransitionTime: "2026-03-01T12:00:00Z",
      },
      {
        type: ConditionTypes.Reconciling,
        status: "True",
        reason: Finalizing,
        message: finalizingMessage(2),
        observedGeneration: 4,
        lastTransitionTime: "2026-03-01T12:00:00Z",
      },
    ]);
  });

  it("is finalized once no child is observed", async () => {
    const answer = await finalizeSubscription(request([]), { now: () => NOW });
    expect(answer).toMatchObject({ children: [], finalized: true });
  });
});

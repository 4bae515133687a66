import { beforeEach, describe, expect, it } from "vitest";
import { type Condition, FluxSimulator, isReady } from "./flux-simulator.js";
import { ClusterStore, type ObjectRef } from "./metacontroller/index.js";

let store: ClusterStore;
let flux: FluxSimulator;

beforeEach(() => {
  store = new ClusterStore();
  flux = new FluxSimulator(store);
});

const gitRepo = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  namespace: "team-a",
  name: "web",
};
const release = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name, namespace: "team-a" },
  spec: {
    interval: "10m",
    chart: { spec: { chart: "./chart", sourceRef: { kind: "GitRepository", name: "web" } } },
    ...spec,
  },
});
const ref = (name: string): ObjectRef => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  namespace: "team-a",
  name,
});
const ready = (r: ObjectRef) =>
  (store.mustGet(r).status as { conditions: Condition[] }).conditions.find((c) => c.type === "Ready");

describe("FluxSimulator", () => {
  beforeEach(() => {
    store.create({
      ...gitRepo,
      metadata: { name: "web", namespace: "team-a" },
      spec: { url: "https://git.example.com/r", ref: { branch: "main" } },
    });
  });

  it("marks sources and releases Ready with observedGeneration = generation (kstatus Current)", () => {
    store.create(release("server"));
    flux.reconcile();
    expect(ready(gitRepo)).toMatchObject({ status: "True", reason: "Succeeded", observedGeneration: 1 });
    expect(ready(ref("server"))).toMatchObject({
      status: "True",
      reason: "InstallSucceeded",
      observedGeneration: 1,
    });
    expect(isReady(store.get(ref("server")))).toBe(true);
    expect(flux.reconcile()).toEqual([]);
  });

  it("a failed object reports Ready=False with its message and keeps its old observedGeneration", () => {
    store.create(release("server"));
    flux.reconcile();
    const current = store.mustGet(ref("server"));
    store.update({ ...current, spec: { ...(current.spec as object), values: { a: 1 } } });
    flux.fail(ref("server"), "upgrade failed: timed out", "UpgradeFailed").reconcile();
    const status = store.mustGet(ref("server")).status as { observedGeneration: number };
    expect(ready(ref("server"))).toMatchObject({
      status: "False",
      reason: "UpgradeFailed",
      message: "upgrade failed: timed out",
      observedGeneration: 2,
    });
    expect(status.observedGeneration).toBe(1);
    flux.heal(ref("server")).reconcile();
    expect(ready(ref("server"))).toMatchObject({ status: "True", reason: "UpgradeSucceeded" });
  });

  it("a progressing object reports Ready=Unknown and Reconciling=True", () => {
    store.create(release("server"));
    flux.keepProgressing(ref("server")).reconcile();
    const conditions = (store.mustGet(ref("server")).status as { conditions: Condition[] }).conditions;
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Ready", "Unknown", "Progressing"],
      ["Reconciling", "True", "Progressing"],
    ]);
  });

  it("a release waits with DependencyNotReady until its dependsOn is Ready, then follows", () => {
    store.create(release("server"));
    store.create(release("config", { dependsOn: [{ name: "server" }] }));
    flux.fail(ref("server"), "install failed").reconcile();
    expect(ready(ref("config"))).toMatchObject({
      status: "False",
      reason: "DependencyNotReady",
      message: "dependency 'team-a/server' is not ready",
    });
    flux.heal(ref("server")).reconcile();
    expect(ready(ref("config"))).toMatchObject({ status: "True" });
  });

  it("a release whose source is not ready reports SourceNotReady", () => {
    store.create(release("server"));
    flux.fail(gitRepo, "authentication required").reconcile();
    expect(ready(gitRepo)).toMatchObject({ status: "False", reason: "GitOperationFailed" });
    expect(ready(ref("server"))).toMatchObject({ status: "False", reason: "SourceNotReady" });
  });

  it("a suspended object is not reconciled", () => {
    store.create(release("server", { suspend: true }));
    flux.reconcile();
    expect(store.mustGet(ref("server")).status).toBeUndefined();
  });

  it("a Kustomization gets ReconciliationSucceeded and waits on its dependsOn", () => {
    const ks = (name: string, dependsOn?: { name: string }[]) => ({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name, namespace: "team-a" },
      spec: {
        interval: "10m",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "web" },
        ...(dependsOn ? { dependsOn } : {}),
      },
    });
    store.create(ks("infra"));
    store.create(ks("app", [{ name: "infra" }]));
    const infra = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      namespace: "team-a",
      name: "infra",
    };
    flux.keepProgressing(infra).reconcile();
    expect(ready({ ...infra, name: "app" })).toMatchObject({ reason: "DependencyNotReady" });
    flux.heal(infra).reconcile();
    expect(ready({ ...infra, name: "app" })).toMatchObject({
      status: "True",
      reason: "ReconciliationSucceeded",
    });
  });
});

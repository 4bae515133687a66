import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION } from "../../crds/common.js";
import {
  ArtifactFailed,
  artifactFailedMessage,
  ConditionTypes,
  InvalidProfile,
  Progressing,
  progressingMessage,
  SourceUnavailable,
  Succeeded,
  Suspended,
} from "../../crds/conditions.js";
import type { TestRepository } from "../support/git-repo.js";
import { chartFiles, manifestFiles, profileYaml } from "./support/profiles.js";
import {
  childRef,
  NAMESPACE,
  type SubscriptionEnv,
  startSubscriptionEnv,
} from "./support/subscription-env.js";

let env: SubscriptionEnv;

beforeAll(async () => {
  env = await startSubscriptionEnv();
});

afterAll(async () => {
  await env?.close();
});

/** A chart `server`, raw YAML `config` depending on it, and a chart `app` depending on `config`. */
function chainedProfile(): Record<string, string> {
  return {
    "profile.yaml": profileYaml("web", [
      { name: "server", chart: { path: "chart" } },
      { name: "config", kustomize: { path: "manifests" }, dependsOn: [{ name: "server" }] },
      { name: "app", chart: { path: "chart" }, dependsOn: [{ name: "config" }] },
    ]),
    ...chartFiles("chart", "web"),
    ...manifestFiles("manifests", "web"),
  };
}

async function repository(name: string, files: Record<string, string>): Promise<TestRepository> {
  const repo = await env.git.createRepository(name);
  await repo.commit(files);
  return repo;
}

const conditions = (name: string) =>
  (env.subscription(name).status?.conditions ?? []).map(({ type, status, reason }) => ({
    type,
    status,
    reason,
  }));

const ready = (name: string) => conditions(name).find((c) => c.type === ConditionTypes.Ready);

/** Every child's spec, by `Kind/name`: what must stay untouched while the source is broken. */
function specs(name: string): Record<string, unknown> {
  return Object.fromEntries(
    env.childKeys(name).map((key) => {
      const [kind, child] = key.split("/") as [string, string];
      return [key, env.child(kind, child)!.spec];
    }),
  );
}

describe("dependsOn across Flux kinds", () => {
  it("holds a dependent of the other kind back until its dependency is ready, then creates it", async () => {
    await repository("gated", chainedProfile());
    env.flux.keepProgressing(childRef("HelmRelease", "gated-server"));
    env.subscribe("gated", { source: { url: env.git.urlOf("gated"), branch: "main" } });
    await env.settle();
    expect(env.childKeys("gated")).toEqual(["GitRepository/gated", "HelmRelease/gated-server"]);
    expect(env.subscription("gated").status?.conditions?.[0]).toMatchObject({
      reason: Progressing,
      message: `${progressingMessage(0, 3)}; in progress: server (reconciliation in progress), config (waiting for server), app (waiting for config)`,
    });
    const held = env.subscription("gated").status?.artifacts;
    expect(held).toEqual([
      { name: "server", kind: "HelmRelease", ready: false, message: "reconciliation in progress" },
      { name: "config", kind: "Kustomization", ready: false, message: "waiting for server" },
      { name: "app", kind: "HelmRelease", ready: false, message: "waiting for config" },
    ]);

    env.flux.heal(childRef("HelmRelease", "gated-server"));
    env.flux.keepProgressing(childRef("Kustomization", "gated-config"));
    await env.settle();
    expect(env.childKeys("gated")).toContain("Kustomization/gated-config");
    expect(env.childKeys("gated")).not.toContain("HelmRelease/gated-app");
    expect(ready("gated")?.reason).not.toBe(Succeeded);

    env.flux.heal(childRef("Kustomization", "gated-config"));
    await env.settle();
    expect(env.childKeys("gated")).toEqual([
      "GitRepository/gated",
      "HelmRelease/gated-app",
      "HelmRelease/gated-server",
      "Kustomization/gated-config",
    ]);
    expect(ready("gated")).toEqual({ type: ConditionTypes.Ready, status: "True", reason: Succeeded });
  });
});

describe("children are kept as the subscription says", () => {
  it("restores a HelmRelease edited by hand on the next sync", async () => {
    await repository("edited", chainedProfile());
    env.subscribe("edited", { source: { url: env.git.urlOf("edited"), branch: "main" } });
    await env.settle();
    const release = env.child("HelmRelease", "edited-server")!;
    const wanted = release.spec;
    env.store.update({
      ...release,
      spec: { ...(release.spec as object), interval: "99h", releaseName: "hijacked" },
    });
    await env.settle();
    expect(env.child("HelmRelease", "edited-server")!.spec).toEqual(wanted);
  });

  it("un-suspends a HelmRelease suspended by hand on the next sync", async () => {
    await repository("unsuspended", chainedProfile());
    env.subscribe("unsuspended", { source: { url: env.git.urlOf("unsuspended"), branch: "main" } });
    await env.settle();
    const release = env.child("HelmRelease", "unsuspended-server")!;
    env.store.update({ ...release, spec: { ...(release.spec as object), suspend: true } });
    await env.settle();
    expect(env.child("HelmRelease", "unsuspended-server")!.spec).toEqual(release.spec);
    expect(env.child("HelmRelease", "unsuspended-server")!.spec).toMatchObject({ suspend: false });
    expect(ready("unsuspended")).toEqual({ type: ConditionTypes.Ready, status: "True", reason: Succeeded });
  });

  it("changes and undoes nothing while the subscription is suspended, and catches up on resume", async () => {
    const repo = await repository("paused", chainedProfile());
    const source = { url: env.git.urlOf("paused"), branch: "main" };
    env.subscribe("paused", { source });
    await env.settle();
    const firstCommit = env.subscription("paused").status?.resolved?.commit;
    env.updateSpec("paused", { source, suspend: true });
    await env.settle();
    expect(ready("paused")).toEqual({ type: ConditionTypes.Ready, status: "False", reason: Suspended });

    const release = env.child("HelmRelease", "paused-server")!;
    env.store.update({ ...release, spec: { ...(release.spec as object), suspend: true } });
    await repo.commit({
      "manifests/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra }\n",
    });
    await env.advance(3600);
    await env.settle();
    expect(env.child("HelmRelease", "paused-server")!.spec).toMatchObject({ suspend: true });
    expect(env.subscription("paused").status?.resolved?.commit).toBe(firstCommit);

    env.updateSpec("paused", { source, suspend: false });
    await env.settle();
    expect(env.child("HelmRelease", "paused-server")!.spec).toMatchObject({ suspend: false });
    expect(env.subscription("paused").status?.resolved?.commit).not.toBe(firstCommit);
    expect(ready("paused")).toEqual({ type: ConditionTypes.Ready, status: "True", reason: Succeeded });
  });

  it("re-creates a HelmRelease deleted by hand on the next sync", async () => {
    await repository("deleted", chainedProfile());
    env.subscribe("deleted", { source: { url: env.git.urlOf("deleted"), branch: "main" } });
    await env.settle();
    const before = env.child("HelmRelease", "deleted-server")!;
    env.store.delete(childRef("HelmRelease", "deleted-server"));
    await env.settle();
    const after = env.child("HelmRelease", "deleted-server")!;
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.spec).toEqual(before.spec);
    expect(ready("deleted")?.status).toBe("True");
  });

  it("turns Ready=False naming the failing child and quoting Flux's message", async () => {
    await repository("failing", chainedProfile());
    env.subscribe("failing", { source: { url: env.git.urlOf("failing"), branch: "main" } });
    await env.settle();
    env.flux.fail(
      childRef("HelmRelease", "failing-app"),
      "Helm upgrade failed: timed out waiting for the condition",
    );
    await env.settle();
    const status = env.subscription("failing").status!;
    expect(status.conditions?.[0]).toMatchObject({
      type: ConditionTypes.Ready,
      status: "False",
      reason: ArtifactFailed,
      message: artifactFailedMessage(
        "app",
        "HelmRelease",
        "Helm upgrade failed: timed out waiting for the condition",
      ),
    });
    expect(status.artifacts?.find((a) => a.name === "app")).toEqual({
      name: "app",
      kind: "HelmRelease",
      ready: false,
      message: "Helm upgrade failed: timed out waiting for the condition",
    });
  });
});

describe("nothing is lost when the source fails", () => {
  it("keeps every child while the git server is down, and recovers when it is back", async () => {
    await repository("outage", chainedProfile());
    env.subscribe("outage", { source: { url: env.git.urlOf("outage"), branch: "main" } });
    await env.settle();
    const before = specs("outage");
    await env.git.stop();
    try {
      await env.advance(601);
      expect(specs("outage")).toEqual(before);
      expect(conditions("outage")).toEqual([
        { type: ConditionTypes.Ready, status: "False", reason: SourceUnavailable },
        { type: ConditionTypes.Reconciling, status: "True", reason: SourceUnavailable },
      ]);
      expect(env.subscription("outage").status?.resolved?.ref).toBe("main");
      expect(env.harness.pendingResync(env.subscriptionRef("outage"))).toBeLessThanOrEqual(10);
    } finally {
      await env.git.start();
    }
    await env.advance(10);
    expect(ready("outage")?.status).toBe("True");
    expect(specs("outage")).toEqual(before);
  });

  it("keeps every child when a broken profile.yaml is pushed to the branch", async () => {
    const repo = await repository("broken", chainedProfile());
    env.subscribe("broken", { source: { url: env.git.urlOf("broken"), branch: "main" } });
    await env.settle();
    const before = specs("broken");
    const good = env.subscription("broken").status?.resolved;
    await repo.commit({ "profile.yaml": "apiVersion: profiles.pctl.dev/v1alpha1\nkind: Profile\nspec: [\n" });
    await env.advance(601);
    expect(specs("broken")).toEqual(before);
    expect(conditions("broken")).toEqual([
      { type: ConditionTypes.Ready, status: "False", reason: InvalidProfile },
      { type: ConditionTypes.Stalled, status: "True", reason: InvalidProfile },
    ]);
    expect(env.subscription("broken").status?.resolved).toEqual(good);
    expect(env.subscription("broken").status?.artifacts?.map((a) => a.name)).toEqual([
      "server",
      "config",
      "app",
    ]);
  });
});

describe("deleting a subscription", () => {
  it("uninstalls in reverse dependency order, the sources last", async () => {
    await repository("removed", chainedProfile());
    env.subscribe("removed", { source: { url: env.git.urlOf("removed"), branch: "main" } });
    await env.settle();
    const deleted: string[] = [];
    const stop = env.store.watch((event) => {
      if (event.type === "deleted") deleted.push(`${event.object.kind}/${event.object.metadata.name}`);
    });
    env.store.delete({
      apiVersion: API_VERSION,
      kind: "ProfileSubscription",
      namespace: NAMESPACE,
      name: "removed",
    });
    await env.settle();
    stop();
    expect(deleted).toEqual([
      "HelmRelease/removed-app",
      "Kustomization/removed-config",
      "HelmRelease/removed-server",
      "GitRepository/removed",
      "ProfileSubscription/removed",
    ]);
  });
});

describe("following a semver range", () => {
  it("picks up a new matching tag on the next resync", async () => {
    const repo = await repository("ranged", chainedProfile());
    await repo.tag("v1.0.0");
    env.subscribe("ranged", { source: { url: env.git.urlOf("ranged"), semver: ">=1.0.0 <2.0.0" } });
    await env.settle();
    expect(env.subscription("ranged").status?.resolved).toMatchObject({ ref: "v1.0.0", version: "1.0.0" });
    await repo.commit({ "chart/values.yaml": "replicaCount: 2\n" });
    const commit = await repo.tag("v1.1.0");
    await repo.tag("v2.0.0");
    await env.advance(601);
    expect(env.subscription("ranged").status?.resolved).toMatchObject({
      ref: "v1.1.0",
      version: "1.1.0",
      commit,
    });
    expect(env.child("GitRepository", "ranged")!.spec).toMatchObject({ ref: { tag: "v1.1.0", commit } });
    expect(ready("ranged")?.status).toBe("True");
  });
});

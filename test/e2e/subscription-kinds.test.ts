import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConditionTypes, Succeeded, succeededMessage } from "../../crds/conditions.js";
import { chartFiles, manifestFiles, profileYaml } from "./support/profiles.js";
import { NAMESPACE, type SubscriptionEnv, startSubscriptionEnv } from "./support/subscription-env.js";

let env: SubscriptionEnv;

beforeAll(async () => {
  env = await startSubscriptionEnv();
});

afterAll(async () => {
  await env?.close();
});

/** Pushes `files` to a new repository and subscribes `name` to its branch main at `path`. */
async function install(name: string, files: Record<string, string>, path = "."): Promise<string> {
  const repo = await env.git.createRepository(name);
  const commit = await repo.commit(files);
  env.subscribe(name, { source: { url: env.git.urlOf(name), branch: "main", path } });
  await env.settle();
  return commit;
}

function expectReady(name: string, artifacts: number): void {
  const status = env.subscription(name).status;
  expect(status?.conditions).toEqual([
    expect.objectContaining({
      type: ConditionTypes.Ready,
      status: "True",
      reason: Succeeded,
      message: succeededMessage(artifacts),
    }),
  ]);
  expect(status?.artifacts).toHaveLength(artifacts);
  expect(status?.artifacts?.every((artifact) => artifact.ready)).toBe(true);
}

describe("a subscription installs each kind of artifact", () => {
  it("installs a local chart as a GitRepository and a HelmRelease reading the chart from it", async () => {
    const commit = await install(
      "local-chart",
      {
        "web/profile.yaml": profileYaml("web", [{ name: "server", chart: { path: "charts/web" } }]),
        ...chartFiles("web/charts/web", "web"),
      },
      "web",
    );
    expect(env.childKeys("local-chart")).toEqual([
      "GitRepository/local-chart",
      "HelmRelease/local-chart-server",
    ]);
    const git = env.child("GitRepository", "local-chart")!;
    expect(git.spec).toMatchObject({ url: env.git.urlOf("local-chart"), ref: { branch: "main", commit } });
    const release = env.child("HelmRelease", "local-chart-server")!;
    expect(release.spec).toMatchObject({
      chart: {
        spec: { chart: "./web/charts/web", sourceRef: { kind: "GitRepository", name: "local-chart" } },
      },
    });
    expectReady("local-chart", 1);
    expect(env.subscription("local-chart").status?.resolved).toEqual({
      url: env.git.urlOf("local-chart"),
      ref: "main",
      commit,
      path: "web",
    });
  });

  it("installs a Helm repository chart as a HelmRepository and a HelmRelease", async () => {
    await install("helm-repo", {
      "profile.yaml": profileYaml("web", [
        { name: "server", chart: { url: "https://charts.example.com", name: "nginx", version: "9.3.0" } },
      ]),
    });
    expect(env.childKeys("helm-repo")).toEqual([
      "HelmRelease/helm-repo-server",
      "HelmRepository/helm-repo-server",
    ]);
    expect(env.child("HelmRelease", "helm-repo-server")!.spec).toMatchObject({
      chart: {
        spec: {
          chart: "nginx",
          version: "9.3.0",
          sourceRef: { kind: "HelmRepository", name: "helm-repo-server" },
        },
      },
    });
    expectReady("helm-repo", 1);
  });

  it("installs an OCI chart as an OCIRepository and a HelmRelease with chartRef", async () => {
    await install("oci-chart", {
      "profile.yaml": profileYaml("web", [
        { name: "server", chart: { url: "oci://registry.example.com/charts/nginx", version: "^9" } },
      ]),
    });
    expect(env.childKeys("oci-chart")).toEqual([
      "HelmRelease/oci-chart-server",
      "OCIRepository/oci-chart-server",
    ]);
    expect(env.child("HelmRelease", "oci-chart-server")!.spec).toMatchObject({
      chartRef: { kind: "OCIRepository", name: "oci-chart-server" },
    });
    expect(env.child("OCIRepository", "oci-chart-server")!.spec).toMatchObject({
      url: "oci://registry.example.com/charts/nginx",
    });
    expectReady("oci-chart", 1);
  });

  it("applies raw YAML with a Kustomization over the profile's GitRepository", async () => {
    await install("raw-yaml", {
      "profile.yaml": profileYaml("web", [{ name: "config", kustomize: { path: "manifests" } }]),
      ...manifestFiles("manifests", "web-config"),
    });
    expect(env.childKeys("raw-yaml")).toEqual(["GitRepository/raw-yaml", "Kustomization/raw-yaml-config"]);
    expect(env.child("Kustomization", "raw-yaml-config")!.spec).toMatchObject({
      path: "./manifests",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "raw-yaml" },
    });
    expectReady("raw-yaml", 1);
  });

  it("passes kustomize patches to the Kustomization", async () => {
    const patch = "- op: add\n  path: /data/extra\n  value: patched\n";
    await install("patches", {
      "profile.yaml": profileYaml("web", [
        {
          name: "config",
          kustomize: {
            path: "manifests",
            patches: [{ patch, target: { kind: "ConfigMap", name: "web-config" } }],
          },
        },
      ]),
      ...manifestFiles("manifests", "web-config"),
    });
    expect(env.child("Kustomization", "patches-config")!.spec).toMatchObject({
      patches: [{ patch, target: { kind: "ConfigMap", name: "web-config" } }],
    });
    expectReady("patches", 1);
  });
});

describe("a subscription installs nested profiles", () => {
  it("installs a profile nested one level, its artifacts under the nesting artifact's path", async () => {
    const redis = await env.git.createRepository("redis-one");
    await redis.commit({
      "profile.yaml": profileYaml("redis", [{ name: "server", chart: { path: "chart" } }]),
      ...chartFiles("chart", "redis"),
    });
    await redis.tag("v1.0.0");
    await install("nested-one", {
      "profile.yaml": profileYaml("web", [
        { name: "config", kustomize: { path: "manifests" } },
        { name: "cache", profile: { source: { url: env.git.urlOf("redis-one"), tag: "v1.0.0" } } },
      ]),
      ...manifestFiles("manifests", "web"),
    });
    expect(env.childKeys("nested-one")).toEqual([
      "GitRepository/nested-one",
      "GitRepository/nested-one-cache",
      "HelmRelease/nested-one-cache-server",
      "Kustomization/nested-one-config",
    ]);
    expect(env.child("GitRepository", "nested-one-cache")!.spec).toMatchObject({ ref: { tag: "v1.0.0" } });
    expectReady("nested-one", 2);
    expect(env.subscription("nested-one").status?.artifacts?.map((a) => a.name)).toEqual([
      "config",
      "cache/server",
    ]);
  });

  it("installs profiles nested five levels deep", async () => {
    // level5 holds the chart; level4 nests level5, and so on up to the subscribed root.
    let previous: string | undefined;
    for (let level = 5; level >= 1; level -= 1) {
      const repo = await env.git.createRepository(`level${level}`);
      const artifacts = previous
        ? [{ name: `l${level + 1}`, profile: { source: { url: env.git.urlOf(previous), branch: "main" } } }]
        : [{ name: "leaf", chart: { path: "chart" } }];
      await repo.commit({
        "profile.yaml": profileYaml(`level${level}`, artifacts),
        ...chartFiles("chart", "leaf"),
      });
      previous = `level${level}`;
    }
    env.subscribe("deep", { source: { url: env.git.urlOf("level1"), branch: "main" } });
    await env.settle();
    const leaf = env.subscription("deep").status?.artifacts;
    expect(leaf).toEqual([{ name: "l2/l3/l4/l5/leaf", kind: "HelmRelease", ready: true, message: "" }]);
    expect(env.childKeys("deep")).toContain("HelmRelease/deep-l2-l3-l4-l5-leaf");
    expectReady("deep", 1);
  });
});

describe("a subscription installs a mix of every kind", () => {
  it("installs local, Helm repository and OCI charts, raw YAML and a nested profile together", async () => {
    const nested = await env.git.createRepository("mix-nested");
    await nested.commit({
      "profile.yaml": profileYaml("sub", [{ name: "config", kustomize: { path: "m" } }]),
      ...manifestFiles("m", "sub"),
    });
    await install("mix", {
      "profile.yaml": profileYaml("mix", [
        { name: "local", chart: { path: "chart" } },
        { name: "repo", chart: { url: "https://charts.example.com", name: "nginx" } },
        { name: "oci", chart: { url: "oci://registry.example.com/charts/redis" } },
        { name: "yaml", kustomize: { path: "manifests" } },
        { name: "sub", profile: { source: { url: env.git.urlOf("mix-nested"), branch: "main" } } },
      ]),
      ...chartFiles("chart", "local"),
      ...manifestFiles("manifests", "mix"),
    });
    expect(env.childKeys("mix")).toEqual([
      "GitRepository/mix",
      "GitRepository/mix-sub",
      "HelmRelease/mix-local",
      "HelmRelease/mix-oci",
      "HelmRelease/mix-repo",
      "HelmRepository/mix-repo",
      "Kustomization/mix-sub-config",
      "Kustomization/mix-yaml",
      "OCIRepository/mix-oci",
    ]);
    expectReady("mix", 5);
    expect(env.child("Kustomization", "mix-yaml")!.metadata.namespace).toBe(NAMESPACE);
    expect(env.validated.count).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompositeHookRequest } from "../../crds/metacontroller.js";
import { syncSubscription } from "../../hooks/subscription/sync.js";
import { REQUESTED_AT_ANNOTATION } from "../../synth/children.js";
import { capturingLogger } from "../hooks/support.js";
import { applyUpdate } from "../support/metacontroller/apply.js";
import { chartFiles, manifestFiles, param, profileYaml } from "./support/profiles.js";
import { NAMESPACE, type SubscriptionEnv, startSubscriptionEnv } from "./support/subscription-env.js";

let env: SubscriptionEnv;

beforeAll(async () => {
  env = await startSubscriptionEnv();
});

afterAll(async () => {
  await env?.close();
});

/** Two charts reading the same parameters, and raw YAML. */
function webProfile(): Record<string, string> {
  return {
    "profile.yaml": profileYaml(
      "web",
      [
        {
          name: "server",
          chart: { path: "chart" },
          values: { replicaCount: param("replicas"), host: param("hostname") },
        },
        {
          name: "worker",
          chart: { path: "chart" },
          values: { replicaCount: param("replicas"), queue: "jobs" },
        },
        { name: "config", kustomize: { path: "manifests" } },
      ],
      [
        { name: "replicas", type: "integer", default: 1 },
        { name: "hostname", required: true },
        { name: "password", type: "string", default: "" },
      ],
    ),
    ...chartFiles("chart", "web"),
    ...manifestFiles("manifests", "web"),
  };
}

async function repository(name: string): Promise<void> {
  const repo = await env.git.createRepository(name);
  await repo.commit(webProfile());
}

const defaults = (child: string) =>
  JSON.parse(
    ((env.child("ConfigMap", `${child}-defaults`)?.data ?? {}) as Record<string, string>)["values.yaml"] ??
      "{}",
  ) as Record<string, unknown>;

function createConfigMap(name: string, data: Record<string, string>): void {
  env.store.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: NAMESPACE },
    data,
  } as never);
}

function updateConfigMap(name: string, data: Record<string, string>): void {
  const current = env.store.mustGet({ apiVersion: "v1", kind: "ConfigMap", namespace: NAMESPACE, name });
  env.store.update({ ...current, data });
}

const syncCalls = () => env.harness.calls.filter((call) => call.hook === "sync").length;

describe("parameters and values", () => {
  it("gives several charts the profile's parameters and each its own values", async () => {
    await repository("params");
    env.subscribe("params", {
      source: { url: env.git.urlOf("params"), branch: "main" },
      parameters: { replicas: 3, hostname: "web.example.com" },
      artifacts: {
        server: { values: { service: { type: "ClusterIP" } } },
        worker: { values: { replicaCount: 5 } },
      },
    });
    await env.settle();
    expect(defaults("params-server")).toEqual({ replicaCount: 3, host: "web.example.com" });
    expect(defaults("params-worker")).toEqual({ replicaCount: 3, queue: "jobs" });
    expect(env.child("HelmRelease", "params-server")!.spec).toMatchObject({
      valuesFrom: [{ kind: "ConfigMap", name: "params-server-defaults" }],
      values: { service: { type: "ClusterIP" } },
    });
    expect(env.child("HelmRelease", "params-worker")!.spec).toMatchObject({ values: { replicaCount: 5 } });
    expect(env.child("Kustomization", "params-config")!.spec).toMatchObject({
      postBuild: { substitute: { replicas: "3", hostname: "web.example.com" } },
    });
  });

  it("carries a null in the inline values to Helm through a ConfigMap, with no null in any child", async () => {
    await repository("nulls");
    env.subscribe("nulls", {
      source: { url: env.git.urlOf("nulls"), branch: "main" },
      parameters: { hostname: "n.example.com" },
      artifacts: { server: { values: { host: null, tier: "gold" } } },
    });
    await env.settle();
    expect(env.subscription("nulls").status?.conditions?.[0]).toMatchObject({
      type: "Ready",
      status: "True",
    });
    const release = env.child("HelmRelease", "nulls-server")!;
    expect(release.spec).not.toHaveProperty("values");
    expect((release.spec as { valuesFrom: unknown[] }).valuesFrom.at(-1)).toEqual({
      kind: "ConfigMap",
      name: "nulls-server-values",
    });
    const data = env.child("ConfigMap", "nulls-server-values")!.data as Record<string, string>;
    expect(JSON.parse(data["values.yaml"]!)).toEqual({ host: null, tier: "gold" });
    const hasNull = (value: unknown): boolean =>
      value === null || (typeof value === "object" && Object.values(value).some(hasNull));
    for (const key of env.childKeys("nulls")) {
      expect(hasNull(env.child(...(key.split("/") as [string, string]))), key).toBe(false);
    }
  });

  it("propagates a values change in the spec to the HelmRelease", async () => {
    await repository("spec-values");
    const spec = {
      source: { url: env.git.urlOf("spec-values"), branch: "main" },
      parameters: { hostname: "a.example.com" },
      artifacts: { server: { values: { tier: "gold" } } },
    };
    env.subscribe("spec-values", spec);
    await env.settle();
    const generation = env.child("HelmRelease", "spec-values-server")!.metadata.generation;
    env.updateSpec("spec-values", { ...spec, artifacts: { server: { values: { tier: "platinum" } } } });
    await env.settle();
    const release = env.child("HelmRelease", "spec-values-server")!;
    expect(release.spec).toMatchObject({ values: { tier: "platinum" } });
    expect(release.metadata.generation).toBe(generation + 1);
  });

  it("propagates a change in a parametersFrom ConfigMap to the values, re-synced by the ConfigMap's change alone", async () => {
    await repository("cm-params");
    createConfigMap("cm-params-settings", { hostname: "one.example.com", replicas: "2" });
    env.subscribe("cm-params", {
      source: { url: env.git.urlOf("cm-params"), branch: "main" },
      parametersFrom: [{ kind: "ConfigMap", name: "cm-params-settings" }],
    });
    await env.settle();
    expect(defaults("cm-params-server")).toEqual({ replicaCount: 2, host: "one.example.com" });
    const before = syncCalls();
    updateConfigMap("cm-params-settings", { hostname: "two.example.com", replicas: "4" });
    await env.settle();
    expect(syncCalls()).toBeGreaterThan(before);
    expect(defaults("cm-params-server")).toEqual({ replicaCount: 4, host: "two.example.com" });
  });

  it("asks Flux to reconcile again when a valuesFrom ConfigMap changes", async () => {
    await repository("cm-values");
    createConfigMap("cm-values-extra", { "values.yaml": "tier: gold\n" });
    env.subscribe("cm-values", {
      source: { url: env.git.urlOf("cm-values"), branch: "main" },
      parameters: { hostname: "x.example.com" },
      artifacts: { server: { valuesFrom: [{ kind: "ConfigMap", name: "cm-values-extra" }] } },
    });
    await env.settle();
    const first = env.child("HelmRelease", "cm-values-server")!;
    expect(first.spec).toMatchObject({
      valuesFrom: [
        { kind: "ConfigMap", name: "cm-values-server-defaults" },
        { kind: "ConfigMap", name: "cm-values-extra" },
      ],
    });
    const requested = first.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
    expect(requested).toMatch(/^pctl-[0-9a-f]{8}$/);
    const before = syncCalls();
    updateConfigMap("cm-values-extra", { "values.yaml": "tier: platinum\n" });
    await env.settle();
    expect(syncCalls()).toBeGreaterThan(before);
    const second = env.child("HelmRelease", "cm-values-server")!;
    expect(second.metadata.annotations?.[REQUESTED_AT_ANNOTATION]).toMatch(/^pctl-[0-9a-f]{8}$/);
    expect(second.metadata.annotations?.[REQUESTED_AT_ANNOTATION]).not.toBe(requested);
    // The worker reads no ConfigMap of the user's: nothing asks it to reconcile.
    expect(
      env.child("HelmRelease", "cm-values-worker")!.metadata.annotations?.[REQUESTED_AT_ANNOTATION],
    ).toBeUndefined();
  });
});

describe("Secrets", () => {
  const SECRET = "s3cr3t-VALUE-42";
  const GIT_PASSWORD = "git-P@ss-0815";

  it("never puts a Secret value in children, status or logs", async () => {
    const repo = await env.git.createRepository("secretive", {
      auth: { username: "pctl", password: GIT_PASSWORD },
    });
    await repo.commit({
      ...webProfile(),
      "profile.yaml": profileYaml(
        "web",
        [
          {
            name: "server",
            chart: { path: "chart" },
            values: { auth: { password: param("password") }, host: param("hostname") },
          },
          { name: "config", kustomize: { path: "manifests" } },
        ],
        [
          { name: "hostname", required: true },
          { name: "password", type: "string", required: true },
        ],
      ),
    });
    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "secretive-git", namespace: NAMESPACE },
      stringData: { username: "pctl", password: GIT_PASSWORD },
    } as never);
    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "secretive-params", namespace: NAMESPACE },
      stringData: { password: SECRET },
    } as never);
    env.subscribe("secretive", {
      source: { url: env.git.urlOf("secretive"), branch: "main", secretRef: { name: "secretive-git" } },
      parameters: { hostname: "s.example.com" },
      parametersFrom: [{ kind: "Secret", name: "secretive-params" }],
    });
    await env.settle();
    expect(env.subscription("secretive").status?.conditions?.[0]).toMatchObject({
      type: "Ready",
      status: "True",
    });
    expect(env.child("HelmRelease", "secretive-server")!.spec).toMatchObject({
      valuesFrom: expect.arrayContaining([
        {
          kind: "Secret",
          name: "secretive-params",
          valuesKey: "password",
          targetPath: "auth.password",
          literal: true,
        },
      ]),
    });
    expect(env.child("Kustomization", "secretive-config")!.spec).toMatchObject({
      postBuild: { substituteFrom: [{ kind: "Secret", name: "secretive-params" }] },
    });

    const forbidden = [
      SECRET,
      GIT_PASSWORD,
      Buffer.from(SECRET).toString("base64"),
      Buffer.from(GIT_PASSWORD).toString("base64"),
    ];
    const children = JSON.stringify(
      env.childKeys("secretive").map((key) => env.child(...(key.split("/") as [string, string]))),
    );
    const status = JSON.stringify(env.subscription("secretive").status);
    const answers = JSON.stringify(env.harness.calls.map((call) => call.response));
    const logs = env.logText();
    expect(logs.length).toBeGreaterThan(0);
    for (const value of forbidden) {
      expect(children).not.toContain(value);
      expect(status).not.toContain(value);
      expect(answers).not.toContain(value);
      expect(logs).not.toContain(value);
    }
  });
});

describe("valuesFrom entries that share a name", () => {
  it("refuses a second Secret parameter from the same Secret and keeps the HelmRelease whole, which dynamic-apply would not", async () => {
    const repo = await env.git.createRepository("one-secret");
    await repo.commit({
      ...webProfile(),
      "profile.yaml": profileYaml(
        "web",
        [
          {
            name: "server",
            chart: { path: "chart" },
            values: { auth: { user: param("user"), password: param("password") } },
          },
        ],
        [
          { name: "user", type: "string", required: true },
          { name: "password", type: "string", required: true },
        ],
      ),
    });
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "one-secret-creds", namespace: NAMESPACE },
    };
    env.store.create({ ...secret, stringData: { password: "p" } } as never);
    env.subscribe("one-secret", {
      source: { url: env.git.urlOf("one-secret"), branch: "main" },
      parameters: { user: "admin" },
      parametersFrom: [{ kind: "Secret", name: "one-secret-creds" }],
    });
    await env.settle();
    const before = env.child("HelmRelease", "one-secret-server")!;
    const password = {
      kind: "Secret",
      name: "one-secret-creds",
      valuesKey: "password",
      targetPath: "auth.password",
      literal: true,
    };
    expect(before.spec).toMatchObject({ valuesFrom: [expect.anything(), password] });

    // The Secret now holds the user as well, which wins over the inline parameter.
    env.store.update({ ...secret, stringData: { password: "p", user: "u" } } as never);
    await env.settle();
    const ready = env.subscription("one-secret").status?.conditions?.[0];
    expect(ready).toMatchObject({ type: "Ready", status: "False", reason: "InvalidSpec" });
    expect(ready?.message).toMatch(
      /artifact server of profile web: HelmRelease one-secret-server would read Secret one-secret-creds in 2 valuesFrom entries/,
    );
    const after = env.child("HelmRelease", "one-secret-server")!;
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);

    // What the refusal prevents: Metacontroller would merge the two entries into one.
    const user = { ...password, valuesKey: "user", targetPath: "auth.user" };
    const spec = before.spec as { valuesFrom: unknown[] };
    const merged = applyUpdate(before, {
      ...before,
      spec: { ...spec, valuesFrom: [...spec.valuesFrom, user] },
    });
    expect((merged.spec as { valuesFrom: unknown[] }).valuesFrom).toEqual([spec.valuesFrom[0], user]);
  });
});

describe("determinism", () => {
  it("gives byte-identical children for the same request", async () => {
    await repository("same");
    env.subscribe("same", {
      source: { url: env.git.urlOf("same"), branch: "main" },
      parameters: { hostname: "d.example.com", replicas: 2 },
      artifacts: { worker: { values: { b: 1, a: { z: 1, y: 2 } } } },
    });
    await env.settle();
    const last = env.harness.calls
      .filter((call) => call.hook === "sync" && call.parent.name === "same")
      .at(-1)!;
    const json = JSON.stringify(last.request);
    const { logger } = capturingLogger();
    const deps = { sources: env.sources, now: () => new Date(env.store.clock.nowMs()), log: logger };
    const first = await syncSubscription(JSON.parse(json) as CompositeHookRequest, deps);
    const second = await syncSubscription(JSON.parse(json) as CompositeHookRequest, deps);
    expect(first.children.length).toBeGreaterThan(0);
    expect(JSON.stringify(second.children)).toBe(JSON.stringify(first.children));
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});

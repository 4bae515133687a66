import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CompositeHookRequest, childrenOf, relatedOf } from "../../../crds/metacontroller.js";
import {
  ClusterStore,
  CompositeControllerHarness,
  HotLoopError,
  LAST_APPLIED,
  type ObjectRef,
  ResourceRegistry,
} from "./index.js";

// A tiny test-only hook server: a ConfigMapSet parent asks for spec.count ConfigMaps holding spec.value.
interface SetSpec {
  count: number;
  value?: string;
  extra?: string;
}
const knobs = { failSync: false, counter: 0, hotStatus: false, strayChild: false, resyncAfterSeconds: 0 };

function hookApp(): Hono {
  const app = new Hono();
  const sync = (body: CompositeHookRequest & { parent: { spec: SetSpec } }) => {
    const spec = body.parent.spec;
    const observed = childrenOf(body, "ConfigMap", "v1");
    const related = relatedOf(body, "ConfigMap", "v1");
    const children = Array.from({ length: spec.count }, (_, i) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${body.parent.metadata.name}-${i}` },
      data: { value: spec.value ?? "v" },
    }));
    if (knobs.strayChild)
      children.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "stray" } } as never);
    const status: Record<string, unknown> = { children: observed.length };
    if (spec.extra) status.extra = spec.extra;
    if (related.length > 0)
      status.related = related.map((o) => (o as { data?: { value?: string } }).data?.value);
    if (knobs.hotStatus) status.counter = ++knobs.counter;
    return {
      status,
      children,
      ...(knobs.resyncAfterSeconds ? { resyncAfterSeconds: knobs.resyncAfterSeconds } : {}),
    };
  };
  app.post("/sync", async (c) => {
    if (knobs.failSync) return c.json({ error: { code: "Internal", message: "boom" } }, 500);
    return c.json(sync(await c.req.json()));
  });
  // Tears children down one per call, and says finalized only once none is observed.
  app.post("/finalize", async (c) => {
    const body = await c.req.json();
    const observed = childrenOf(body, "ConfigMap", "v1");
    const keep = observed
      .slice(1)
      .map((o) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: o.metadata.name } }));
    return c.json({
      status: { tearingDown: observed.length },
      children: keep,
      finalized: observed.length === 0,
    });
  });
  app.post("/customize", async (c) => {
    const body = await c.req.json();
    return c.json({
      relatedResources: [
        {
          apiVersion: "v1",
          resource: "configmaps",
          labelSelector: { matchLabels: { source: body.parent.metadata.name } },
        },
      ],
    });
  });
  return app;
}

const parentResource = {
  apiVersion: "test.pctl.dev/v1",
  resource: "configmapsets",
  kind: "ConfigMapSet",
  namespaced: true,
};

function controller({
  version = "v2",
  method = "InPlace",
  finalize = false,
  customize = false,
}: {
  version?: string;
  method?: string;
  finalize?: boolean;
  customize?: boolean;
} = {}) {
  const hook = (path: string) => ({ version, webhook: { url: `http://configmapsets.pctl-system${path}` } });
  return {
    apiVersion: "metacontroller.k8s.io/v1alpha1",
    kind: "CompositeController",
    metadata: { name: "configmapsets" },
    spec: {
      generateSelector: true,
      parentResource: { apiVersion: "test.pctl.dev/v1", resource: "configmapsets" },
      childResources: [{ apiVersion: "v1", resource: "configmaps", updateStrategy: { method } }],
      hooks: {
        sync: hook("/sync"),
        ...(finalize ? { finalize: hook("/finalize") } : {}),
        ...(customize ? { customize: hook("/customize") } : {}),
      },
    },
  };
}

const parentRef: ObjectRef = {
  apiVersion: "test.pctl.dev/v1",
  kind: "ConfigMapSet",
  namespace: "team-a",
  name: "web",
};
const parent = (spec: SetSpec) => ({ ...parentRef, metadata: { name: "web", namespace: "team-a" }, spec });

let server: Server;
let endpoint: string;
let store: ClusterStore;

beforeAll(async () => {
  server = createAdaptorServer({ fetch: hookApp().fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  Object.assign(knobs, {
    failSync: false,
    counter: 0,
    hotStatus: false,
    strayChild: false,
    resyncAfterSeconds: 0,
  });
  store = new ClusterStore({ resources: new ResourceRegistry([parentResource]) });
});

function harness(options: Parameters<typeof controller>[0] = {}) {
  return new CompositeControllerHarness({ controller: controller(options), store, endpoint });
}
const configMaps = () => store.list("v1", "ConfigMap", "team-a");
const names = () => configMaps().map((c) => c.metadata.name);
const updateSpec = (spec: SetSpec) => {
  const current = store.mustGet(parentRef);
  store.update({ ...current, spec });
};

describe("CompositeControllerHarness", () => {
  it("creates the children a new parent asks for, owned and labelled, and replaces its status", async () => {
    const h = harness();
    const created = store.create(parent({ count: 2 }));
    await h.runUntilStable();
    expect(names()).toEqual(["web-0", "web-1"]);
    const child = configMaps()[0]!;
    expect(child.metadata.labels).toEqual({ "controller-uid": created.metadata.uid });
    expect(child.metadata.ownerReferences).toEqual([
      {
        apiVersion: "test.pctl.dev/v1",
        kind: "ConfigMapSet",
        name: "web",
        uid: created.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(JSON.parse(child.metadata.annotations![LAST_APPLIED]!)).toMatchObject({ data: { value: "v" } });
    expect(store.mustGet(parentRef).status).toEqual({ children: 2, observedGeneration: 1 });
    // Metacontroller resyncs on its own writes: the first sync sees no children (status 0) and creates
    // them, the second sees both and writes status 2, the third changes nothing.
    expect(h.calls.map((c) => (c.response as { status: unknown }).status)).toEqual([
      { children: 0 },
      { children: 2 },
      { children: 2 },
    ]);
  });

  it("scales up, and scales down by deleting the children the hook omits", async () => {
    const h = harness();
    store.create(parent({ count: 2 }));
    await h.runUntilStable();
    updateSpec({ count: 3 });
    await h.runUntilStable();
    expect(names()).toEqual(["web-0", "web-1", "web-2"]);
    updateSpec({ count: 1 });
    await h.runUntilStable();
    expect(names()).toEqual(["web-0"]);
    expect(store.mustGet(parentRef).status).toEqual({ children: 1, observedGeneration: 3 });
  });

  it("replaces the status instead of merging it", async () => {
    const h = harness();
    store.create(parent({ count: 1, extra: "x" }));
    await h.runUntilStable();
    expect(store.mustGet(parentRef).status).toMatchObject({ extra: "x" });
    updateSpec({ count: 1 });
    await h.runUntilStable();
    expect(store.mustGet(parentRef).status).toEqual({ children: 1, observedGeneration: 2 });
  });

  it("keys children by name for v1 hooks and by namespace/name for v2, with empty groups present", async () => {
    for (const version of ["v1", "v2"]) {
      store = new ClusterStore({ resources: new ResourceRegistry([parentResource]) });
      const h = harness({ version });
      store.create(parent({ count: 1 }));
      await h.runUntilStable();
      const [first, last] = [h.calls[0]!, h.calls.at(-1)!];
      expect((first.request as { children: unknown }).children).toEqual({ "ConfigMap.v1": {} });
      expect(
        Object.keys((last.request as { children: Record<string, object> }).children["ConfigMap.v1"]!),
      ).toEqual([version === "v1" ? "web-0" : "team-a/web-0"]);
      expect((last.request as CompositeHookRequest).controller.spec.hooks?.sync?.version).toBe(version);
      h.close();
    }
  });

  it("InPlace updates a changed child, OnDelete leaves it, Recreate deletes and recreates it", async () => {
    const results: Record<string, { value: string | undefined; sameUid: boolean }> = {};
    for (const method of ["InPlace", "OnDelete", "Recreate"]) {
      store = new ClusterStore({ resources: new ResourceRegistry([parentResource]) });
      const h = harness({ method });
      store.create(parent({ count: 1, value: "old" }));
      await h.runUntilStable();
      const before = configMaps()[0]!;
      updateSpec({ count: 1, value: "new" });
      await h.runUntilStable();
      const after = configMaps()[0]!;
      results[method] = {
        value: (after.data as { value?: string }).value,
        sameUid: after.metadata.uid === before.metadata.uid,
      };
      h.close();
    }
    expect(results).toEqual({
      InPlace: { value: "new", sameUid: true },
      OnDelete: { value: "old", sameUid: true },
      Recreate: { value: "new", sameUid: false },
    });
  });

  it("a non-200 answer changes nothing, is recorded, and is retried after backoff", async () => {
    const h = harness();
    store.create(parent({ count: 2 }));
    await h.runUntilStable();
    const before = store.all();
    knobs.failSync = true;
    updateSpec({ count: 0 });
    const parentAfterUpdate = store.mustGet(parentRef);
    await h.runUntilStable();
    expect(names()).toEqual(["web-0", "web-1"]);
    expect(store.mustGet(parentRef)).toEqual(parentAfterUpdate);
    expect(before.filter((o) => o.kind === "ConfigMap")).toEqual(configMaps());
    expect(h.calls.at(-1)).toMatchObject({ hook: "sync", status: 500 });
    expect(h.errors.at(-1)?.message).toMatch(/unsupported status code: 500/);
    expect(h.pendingResync(parentRef)).toBeCloseTo(0.005);
    knobs.failSync = false;
    await h.advance(1);
    expect(names()).toEqual([]);
  });

  it("a v2 answer with an unknown top-level key fails the sync (strict decoding)", async () => {
    const app = new Hono().post("/sync", (c) => c.json({ children: [], status: {}, labels: {} }));
    const strictServer = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => strictServer.listen(0, "127.0.0.1", resolve));
    const h = new CompositeControllerHarness({
      controller: controller(),
      store,
      endpoint: `http://127.0.0.1:${(strictServer.address() as AddressInfo).port}`,
    });
    store.create(parent({ count: 1 }));
    expect(await h.sync(parentRef)).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/labels/),
    });
    await new Promise<void>((resolve) => strictServer.close(() => resolve()));
  });

  it("a desired child of a kind not in childResources fails the sync before anything is applied", async () => {
    const h = harness();
    knobs.strayChild = true;
    store.create(parent({ count: 1 }));
    expect(await h.sync(parentRef)).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/not in childResources/),
    });
    expect(names()).toEqual([]);
  });

  it("asks customize once per generation and resyncs when a related object changes", async () => {
    const h = harness({ customize: true });
    const source = store.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "source", namespace: "team-a", labels: { source: "web" } },
      data: { value: "one" },
    });
    store.create(parent({ count: 1 }));
    await h.runUntilStable();
    expect(store.mustGet(parentRef).status).toMatchObject({ related: ["one"] });
    store.update({
      ...store.mustGet({ ...source, ...source.metadata, name: "source" }),
      data: { value: "two" },
    });
    const { rounds } = await h.runUntilStable();
    expect(rounds).toBeGreaterThan(0);
    expect(store.mustGet(parentRef).status).toMatchObject({ related: ["two"] });
    expect(h.calls.filter((c) => c.hook === "customize")).toHaveLength(1);
    updateSpec({ count: 2 });
    await h.runUntilStable();
    expect(h.calls.filter((c) => c.hook === "customize")).toHaveLength(2);
  });

  it("finalizes a deleted parent until the hook says finalized, then the parent goes away", async () => {
    const h = harness({ finalize: true });
    store.create(parent({ count: 3 }));
    await h.runUntilStable();
    expect(store.mustGet(parentRef).metadata.finalizers).toEqual([
      "metacontroller.io/compositecontroller-configmapsets",
    ]);
    store.delete(parentRef);
    expect(store.mustGet(parentRef).metadata.deletionTimestamp).toBeDefined();
    await h.runUntilStable();
    const finalizeCalls = h.calls.filter((c) => c.hook === "finalize");
    expect(
      finalizeCalls.map(
        (c) => Object.keys((c.request as CompositeHookRequest).children["ConfigMap.v1"] ?? {}).length,
      ),
    ).toEqual([3, 2, 1, 0]);
    expect(finalizeCalls.every((c) => (c.request as { finalizing: boolean }).finalizing)).toBe(true);
    expect(store.get(parentRef)).toBeUndefined();
    expect(names()).toEqual([]);
  });

  it("without a finalize hook, deleting the parent garbage-collects its children", async () => {
    const h = harness();
    store.create(parent({ count: 2 }));
    await h.runUntilStable();
    store.delete(parentRef);
    expect(store.get(parentRef)).toBeUndefined();
    expect(names()).toEqual([]);
    h.close();
  });

  it("reports a hot loop when the hook's status never settles", async () => {
    const h = harness();
    knobs.hotStatus = true;
    store.create(parent({ count: 1 }));
    const error = await h.runUntilStable({ maxRounds: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotLoopError);
    expect((error as HotLoopError).parents).toEqual(["team-a/web"]);
    expect((error as HotLoopError).lastChanges.join()).toContain("ConfigMapSet team-a/web");
  });

  it("resyncs after resyncAfterSeconds on the fake clock", async () => {
    const h = harness();
    knobs.resyncAfterSeconds = 30;
    store.create(parent({ count: 1 }));
    await h.runUntilStable();
    const calls = h.calls.length;
    expect(h.pendingResync(parentRef)).toBe(30);
    await h.advance(29);
    expect(h.calls).toHaveLength(calls);
    await h.advance(1);
    expect(h.calls).toHaveLength(calls + 1);
  });

  it("adopts a matching orphan and deletes it when the hook does not want it", async () => {
    const h = harness();
    const created = store.create(parent({ count: 1 }));
    store.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "orphan", namespace: "team-a", labels: { "controller-uid": created.metadata.uid } },
    });
    await h.runUntilStable();
    expect(names()).toEqual(["web-0"]);
  });
});

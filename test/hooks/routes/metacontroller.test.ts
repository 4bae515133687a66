import { describe, expect, it } from "vitest";
import type { CompositeHookRequest } from "../../../crds/metacontroller.js";
import { createMetrics } from "../../../hooks/metrics.js";
import type { CompositeHooks, SyncAnswer } from "../../../hooks/routes/metacontroller.js";
import { createApp } from "../../../hooks/server.js";
import { capturingLogger, testConfig } from "../support.js";

const request: CompositeHookRequest = {
  controller: { metadata: { name: "cc" }, spec: { parentResource: { apiVersion: "x/v1", resource: "xs" } } },
  parent: { apiVersion: "x/v1", kind: "X", metadata: { name: "web", namespace: "team-a", uid: "u1" } },
  children: { "ConfigMap.v1": {} },
  related: {},
  finalizing: false,
};

const configMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });

function serve(hooks: CompositeHooks) {
  const { logger, lines } = capturingLogger();
  const metrics = createMetrics();
  const app = createApp({ config: testConfig(), logger, metrics, subscriptionHooks: hooks });
  const post = (path: string, body: unknown) =>
    app.request(`/hooks/subscription/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return { post, lines, metrics };
}

describe("metacontrollerRoutes", () => {
  it("sync answers the handler's response as JSON", async () => {
    const answer: SyncAnswer = { status: { ready: 1 }, children: [configMap("a")], resyncAfterSeconds: 30 };
    const { post } = serve({ sync: async () => answer });
    const res = await post("sync", request);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(answer);
  });

  it("hands the handler the parsed request", async () => {
    let seen: CompositeHookRequest | undefined;
    const { post } = serve({
      sync: async (r) => {
        seen = r;
        return { children: [] };
      },
    });
    await post("sync", request);
    expect(seen).toEqual(request);
  });

  it("a malformed envelope answers 400 naming the field, and the handler is not called", async () => {
    let called = false;
    const { post } = serve({
      sync: async () => {
        called = true;
        return { children: [] };
      },
    });
    const res = await post("sync", {
      ...request,
      children: { "ConfigMap.v1": { web: { kind: "ConfigMap" } } },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("InvalidInput");
    expect(body.error.message).toContain("children.ConfigMap.v1.web.apiVersion");
    expect(body.error.message).toContain("children.ConfigMap.v1.web.metadata");
    expect(called).toBe(false);
  });

  it("a handler that throws answers 500, never a 200 with fewer children", async () => {
    const { post, metrics } = serve({
      sync: async () => {
        throw new Error("git fetch exploded");
      },
    });
    const res = await post("sync", request);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: "Internal", message: "internal error; see the server log" },
    });
    expect(await metrics.registry.metrics()).toContain(
      'pctl_hook_duration_seconds_count{hook="subscription/sync",outcome="error"} 1',
    );
  });

  it("a handler answer Metacontroller would refuse in strict mode answers 500", async () => {
    const { post, lines } = serve({
      sync: async () => ({ children: [], labels: { a: "b" } }) as unknown as SyncAnswer,
    });
    const res = await post("sync", request);
    expect(res.status).toBe(500);
    expect(JSON.stringify(lines())).toContain("subscription/sync hook answered an invalid response");
  });

  it("a handler answer without children answers 500, since Metacontroller would delete them all", async () => {
    const { post } = serve({ sync: async () => ({ status: {} }) as unknown as SyncAnswer });
    expect((await post("sync", request)).status).toBe(500);
  });

  describe("finalize", () => {
    const hooks: CompositeHooks = {
      sync: async () => ({ children: [configMap("a")] }),
      finalize: async () => ({ children: [], finalized: true }),
    };

    it("/finalize with finalizing: true calls the finalize handler", async () => {
      const res = await serve(hooks).post("finalize", { ...request, finalizing: true });
      expect(await res.json()).toEqual({ children: [], finalized: true });
    });

    it("/sync with finalizing: true calls the finalize handler too (one URL for both hooks)", async () => {
      const res = await serve(hooks).post("sync", { ...request, finalizing: true });
      expect(await res.json()).toEqual({ children: [], finalized: true });
    });

    it("/finalize with finalizing: false calls the sync handler", async () => {
      const res = await serve(hooks).post("finalize", request);
      expect(await res.json()).toEqual({ children: [configMap("a")] });
    });

    it("without a finalize handler there is no /finalize route and finalizing requests answer 400", async () => {
      const { post } = serve({ sync: hooks.sync });
      expect((await post("finalize", { ...request, finalizing: true })).status).toBe(404);
      const res = await post("sync", { ...request, finalizing: true });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { message: expect.stringContaining("no finalize hook") },
      });
    });
  });

  describe("customize", () => {
    it("answers the related resources for a parent", async () => {
      const { post } = serve({
        sync: async () => ({ children: [] }),
        customize: async (r) => ({
          relatedResources: [
            { apiVersion: "v1", resource: "secrets", namespace: r.parent.metadata.namespace, names: ["x"] },
          ],
        }),
      });
      const res = await post("customize", { controller: request.controller, parent: request.parent });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        relatedResources: [{ apiVersion: "v1", resource: "secrets", namespace: "team-a", names: ["x"] }],
      });
    });

    it("a customize request without a parent answers 400 naming it", async () => {
      const { post } = serve({ sync: async () => ({ children: [] }), customize: async () => ({}) });
      const res = await post("customize", { controller: request.controller });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining("parent") } });
    });

    it("without a customize handler there is no /customize route", async () => {
      const res = await serve({ sync: async () => ({ children: [] }) }).post("customize", {});
      expect(res.status).toBe(404);
    });
  });
});

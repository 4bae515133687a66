import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../crds/errors.js";
import type { CompositeHookRequest } from "../../crds/metacontroller.js";
import { createMetrics } from "../../hooks/metrics.js";
import { createReadiness } from "../../hooks/readiness.js";
import type { CompositeHooks } from "../../hooks/routes/metacontroller.js";
import { type AppOptions, createApp } from "../../hooks/server.js";
import { capturingLogger, testConfig } from "./support.js";

const syncRequest: CompositeHookRequest = {
  controller: {
    metadata: { name: "profilesubscriptions" },
    spec: { parentResource: { apiVersion: "x/v1", resource: "xs" } },
  },
  parent: { apiVersion: "x/v1", kind: "X", metadata: { name: "web", namespace: "team-a", uid: "u1" } },
  children: { "ConfigMap.v1": {} },
  related: {},
  finalizing: false,
};

const echoHooks: CompositeHooks = {
  sync: async (request) => ({
    status: { parent: request.parent?.metadata.name },
    children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one" } }],
  }),
};

function app(options: Partial<AppOptions> = {}) {
  const { logger } = capturingLogger();
  return createApp({ config: testConfig(), logger, metrics: createMetrics(), ...options });
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("hook server", () => {
  describe("probes", () => {
    it("/healthz answers 200", async () => {
      const res = await app().request("/healthz");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    });

    it("/readyz answers 200, then 503 in our error shape once shutdown begins", async () => {
      const readiness = createReadiness();
      const server = app({ readiness });
      expect((await server.request("/readyz")).status).toBe(200);
      readiness.shutDown();
      const res = await server.request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: { code: "ShuttingDown", message: "the server is shutting down" },
      });
      expect((await server.request("/healthz")).status).toBe(200);
    });
  });

  describe("/metrics", () => {
    it("serves Prometheus text with request counts by route pattern and hook durations", async () => {
      const server = app({ subscriptionHooks: echoHooks });
      await server.request("/hooks/subscription/sync", post(syncRequest));
      await server.request("/healthz");
      const res = await server.request("/metrics");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain(
        'pctl_http_requests_total{method="POST",route="/hooks/subscription/sync",status="200"} 1',
      );
      expect(text).toContain('pctl_http_requests_total{method="GET",route="/healthz",status="200"} 1');
      expect(text).toContain(
        'pctl_hook_duration_seconds_count{hook="subscription/sync",outcome="success"} 1',
      );
    });
  });

  describe("errors", () => {
    it("an unknown route answers 404 in our error shape", async () => {
      const res = await app().request("/nope");
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "NotFound" } });
    });

    it("a body over PCTL_BODY_LIMIT_BYTES answers 413 in our error shape and never reaches the hook", async () => {
      let called = false;
      const server = app({
        config: testConfig({ PCTL_BODY_LIMIT_BYTES: "64" }),
        subscriptionHooks: {
          sync: async () => {
            called = true;
            return { children: [] };
          },
        },
      });
      const res = await server.request("/hooks/subscription/sync", post(syncRequest));
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: {
          code: "LimitExceeded",
          message: "request body exceeds the limit of 64 bytes (PCTL_BODY_LIMIT_BYTES)",
        },
      });
      expect(called).toBe(false);
    });

    it("malformed JSON answers 400 in our error shape", async () => {
      const res = await app({ subscriptionHooks: echoHooks }).request(
        "/hooks/subscription/sync",
        post("{nope"),
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "InvalidInput" } });
    });

    it("a PctlError from the catalog API keeps its code and status", async () => {
      const api = new Hono().get("/profiles", () => {
        throw new NotFoundError("no catalog named company");
      });
      const res = await app({ api }).request("/api/v1/profiles");
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "NotFound", message: "no catalog named company" } });
    });

    it("an unexpected error answers 500 without its message, and logs it", async () => {
      const { logger, lines } = capturingLogger();
      const api = new Hono().get("/profiles", () => {
        throw new TypeError("cannot read properties of undefined (reading 'spec') at /srv/internal.ts");
      });
      const res = await createApp({ config: testConfig(), logger, metrics: createMetrics(), api }).request(
        "/api/v1/profiles",
      );
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).not.toContain("internal.ts");
      expect(JSON.parse(body)).toEqual({
        error: { code: "Internal", message: "internal error; see the server log" },
      });
      expect(lines().find((l) => l.msg === "unhandled error")).toMatchObject({ level: "error" });
    });
  });

  describe("hook token", () => {
    const withToken = () =>
      app({ config: testConfig({ PCTL_HOOK_TOKEN: "s3cr3t" }), subscriptionHooks: echoHooks });

    it("without a token the hook answers 401 in our error shape", async () => {
      const res = await withToken().request("/hooks/subscription/sync", post(syncRequest));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "Unauthorized" } });
    });

    it("a wrong token answers 401", async () => {
      const res = await withToken().request(
        "/hooks/subscription/sync",
        post(syncRequest, { authorization: "Bearer wrong" }),
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "Unauthorized", message: "invalid bearer token" } });
    });

    it("the right token answers 200", async () => {
      const res = await withToken().request(
        "/hooks/subscription/sync",
        post(syncRequest, { authorization: "Bearer s3cr3t" }),
      );
      expect(res.status).toBe(200);
    });

    it("probes, metrics and the catalog API need no token", async () => {
      const server = app({
        config: testConfig({ PCTL_HOOK_TOKEN: "s3cr3t" }),
        api: new Hono().get("/profiles", (c) => c.json({ profiles: [] })),
      });
      for (const path of ["/healthz", "/readyz", "/metrics", "/api/v1/profiles"]) {
        expect((await server.request(path)).status, path).toBe(200);
      }
    });

    it("without PCTL_HOOK_TOKEN hooks need no token", async () => {
      const res = await app({ subscriptionHooks: echoHooks }).request(
        "/hooks/subscription/sync",
        post(syncRequest),
      );
      expect(res.status).toBe(200);
    });
  });

  describe("roles", () => {
    const api = new Hono().get("/profiles", (c) => c.json({ profiles: [] }));
    const everything = { subscriptionHooks: echoHooks, catalogHooks: echoHooks, api };
    const statuses = async (role: string) => {
      const server = app({ config: testConfig({ PCTL_ROLE: role }), ...everything });
      return {
        subscription: (await server.request("/hooks/subscription/sync", post(syncRequest))).status,
        catalog: (await server.request("/hooks/catalog/sync", post(syncRequest))).status,
        api: (await server.request("/api/v1/profiles")).status,
      };
    };

    it.each([
      ["all", { subscription: 200, catalog: 200, api: 200 }],
      ["subscription", { subscription: 200, catalog: 404, api: 404 }],
      ["catalog", { subscription: 404, catalog: 200, api: 200 }],
    ])("PCTL_ROLE=%s serves only its routes", async (role, expected) => {
      expect(await statuses(role)).toEqual(expected);
    });
  });
});

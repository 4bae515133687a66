import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { start } from "../../hooks/main.js";
import { capturingLogger } from "./support.js";

const syncRequest = {
  controller: { metadata: { name: "cc" }, spec: { parentResource: { apiVersion: "x/v1", resource: "xs" } } },
  parent: { apiVersion: "x/v1", kind: "X", metadata: { name: "web", namespace: "team-a", uid: "u1" } },
  children: {},
  related: {},
  finalizing: false,
};

describe("main", () => {
  it("listens on an ephemeral port, drains an in-flight hook call on stop(), then refuses connections", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inHook = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const server = await start({
      env: { PORT: "0", LOG_LEVEL: "silent" },
      logger: capturingLogger().logger,
      handlers: {
        subscriptionHooks: {
          sync: async () => {
            entered();
            await held;
            return { children: [] };
          },
        },
      },
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect(server.port).toBeGreaterThan(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const inFlight = fetch(`${base}/hooks/subscription/sync`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(syncRequest),
    });
    await inHook;
    const stopped = server.stop();
    expect(server.stop()).toBe(stopped);

    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ children: [] });
    await stopped;

    const refused = await new Promise<string>((resolve) => {
      const req = httpRequest(`${base}/healthz`, () => resolve("answered"));
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      req.end();
    });
    expect(refused).toBe("ECONNREFUSED");
  });

  it("refuses to start on an invalid configuration", async () => {
    await expect(start({ env: { PCTL_ROLE: "everything" } })).rejects.toThrow(/PCTL_ROLE/);
  });
});

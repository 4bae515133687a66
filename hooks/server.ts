/**
 * The hook server's hono app: Metacontroller hooks, the catalog API, probes and metrics.
 * @module
 */
import { Hono } from "hono";
import type { Config, Role } from "./config.js";
import { errorBody, errorHandler, notFoundHandler } from "./errors.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";
import { bodyLimit } from "./middleware/body-limit.js";
import { hookAuth } from "./middleware/hook-auth.js";
import { requestLog } from "./middleware/request-log.js";
import { createReadiness, type Readiness } from "./readiness.js";
import { type CompositeHooks, metacontrollerRoutes } from "./routes/metacontroller.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Handlers of the ProfileSubscription CompositeController, served at /hooks/subscription/* [not served]. */
  readonly subscriptionHooks?: CompositeHooks;
  /** Handlers of the ProfileCatalogSource CompositeController, served at /hooks/catalog/* [not served]. */
  readonly catalogHooks?: CompositeHooks;
  /** The catalog API, served at /api/v1 [not served]. */
  readonly api?: Hono;
  /** Readiness flag behind /readyz [always ready]. */
  readonly readiness?: Readiness;
}

const SERVES: Record<Role, { subscription: boolean; catalog: boolean }> = {
  all: { subscription: true, catalog: true },
  subscription: { subscription: true, catalog: false },
  catalog: { subscription: false, catalog: true },
};

/**
 * Builds the app. What it serves depends on `config.role`: `subscription` serves only the subscription
 * hooks; `catalog` the catalog hooks and the catalog API; `all` everything that is given.
 * `/healthz`, `/readyz` and `/metrics` are always served and never need the hook token.
 * @example
 * const app = createApp({ config, logger, metrics, subscriptionHooks: { sync } });
 * const res = await app.request("/healthz");
 */
export function createApp({
  config,
  logger,
  metrics,
  subscriptionHooks,
  catalogHooks,
  api,
  readiness = createReadiness(),
}: AppOptions): Hono {
  const app = new Hono();
  app.onError(errorHandler({ logger }));
  app.notFound(notFoundHandler);
  app.use("*", requestLog({ logger, metrics }));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    readiness.isReady()
      ? c.json({ status: "ready" })
      : c.json(errorBody("ShuttingDown", "the server is shutting down"), 503),
  );
  app.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  if (config.hookToken) app.use("/hooks/*", hookAuth({ token: config.hookToken }));
  app.use("/hooks/*", bodyLimit({ maxBytes: config.bodyLimitBytes }));
  app.use("/api/*", bodyLimit({ maxBytes: config.bodyLimitBytes }));

  const serves = SERVES[config.role];
  if (serves.subscription && subscriptionHooks) {
    app.route(
      "/hooks/subscription",
      metacontrollerRoutes({ ...subscriptionHooks, name: "subscription", metrics }),
    );
  }
  if (serves.catalog && catalogHooks) {
    app.route("/hooks/catalog", metacontrollerRoutes({ ...catalogHooks, name: "catalog", metrics }));
  }
  if (serves.catalog && api) app.route("/api/v1", api);
  return app;
}

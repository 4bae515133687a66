/**
 * The composition root: builds the hook handlers and the catalog API from the configuration, with
 * the one source fetcher (and its caches) they share. `createApp` mounts what the role serves.
 * @module
 */
import { existsSync } from "node:fs";
import type { Hono } from "hono";
import { catalogApi } from "./api/routes.js";
import { CatalogIndex } from "./catalog/catalog-index.js";
import { loadEmbeddedCatalogs } from "./catalog/embedded.js";
import { catalogHooks } from "./catalog/hooks.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { CompositeHooks } from "./routes/metacontroller.js";
import { createSourceFetcher } from "./sources/fetcher.js";
import { createSourcePolicy } from "./sources/policy.js";
import { subscriptionHooks } from "./subscription/hooks.js";

/** What {@link composeHandlers} builds; `createApp` mounts the parts the process's role serves. */
export interface ComposedHandlers {
  readonly subscriptionHooks?: CompositeHooks;
  readonly catalogHooks?: CompositeHooks;
  readonly api?: Hono;
}

/** Dependencies the handlers are built from. */
export interface ComposeDeps {
  readonly config: Config;
  readonly logger: Logger;
}

/** Where `npm start` (role `all`) finds the catalogs it serves without a cluster. */
const EMBEDDED_CATALOGS_DIR = "examples";

/**
 * Builds every handler the process serves: the subscription hooks, the catalog hooks and the catalog
 * API over one index, all reading sources through one fetcher whose policy comes from PCTL_ALLOW_HTTP
 * and PCTL_ALLOW_LOOPBACK. With role `all` (local use), the catalogs in `examples/` of the working
 * directory are loaded in the background, so the API answers without a cluster.
 * @example const handlers = composeHandlers({ config, logger });
 */
export function composeHandlers({ config, logger }: ComposeDeps): ComposedHandlers {
  const policy = createSourcePolicy({ allowHttp: config.allowHttp, allowLoopback: config.allowLoopback });
  const sources = createSourceFetcher({ policy });
  const index = new CatalogIndex();
  const catalogLog = logger.child({ hooks: "catalog" });
  if (config.role === "all" && existsSync(EMBEDDED_CATALOGS_DIR)) {
    void loadEmbeddedCatalogs({
      dir: EMBEDDED_CATALOGS_DIR,
      index,
      remote: sources,
      policy,
      log: catalogLog,
    });
  }
  return {
    catalogHooks: catalogHooks({ sources, policy, index, log: catalogLog }),
    api: catalogApi({ index }),
    subscriptionHooks: subscriptionHooks({
      sources,
      now: () => new Date(),
      log: logger.child({ hooks: "subscription" }),
    }),
  };
}

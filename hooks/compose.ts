/**
 * The composition root: builds the hook handlers and the catalog API from the configuration.
 *
 * This is the one place later work plugs into. A new hook family adds its construction here
 * (for example `subscriptionHooks: subscriptionHooks({ sources, now, log })`) and `main.ts` serves it.
 * @module
 */
import type { Hono } from "hono";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { CompositeHooks } from "./routes/metacontroller.js";
import { createSourceFetcher } from "./sources/fetcher.js";
import { createSourcePolicy } from "./sources/policy.js";
import { subscriptionHooks } from "./subscription/hooks.js";

/** What {@link composeHandlers} builds; each part is optional until it is implemented. */
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

/**
 * Builds every handler the process serves: the subscription hooks, reading sources through one
 * fetcher whose policy comes from PCTL_ALLOW_HTTP and PCTL_ALLOW_LOOPBACK.
 * @example const handlers = composeHandlers({ config, logger });
 */
export function composeHandlers({ config, logger }: ComposeDeps): ComposedHandlers {
  const sources = createSourceFetcher({
    policy: createSourcePolicy({ allowHttp: config.allowHttp, allowLoopback: config.allowLoopback }),
  });
  return {
    subscriptionHooks: subscriptionHooks({
      sources,
      now: () => new Date(),
      log: logger.child({ hooks: "subscription" }),
    }),
  };
}

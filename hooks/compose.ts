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
 * Builds every handler the process serves. Neither the subscription nor the catalog hooks exist yet,
 * so this returns none and the server answers probes and metrics only.
 * @example const handlers = composeHandlers({ config, logger });
 */
export function composeHandlers(_deps: ComposeDeps): ComposedHandlers {
  return {};
}

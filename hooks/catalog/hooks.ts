/**
 * The ProfileCatalogSource CompositeController's handlers, built together so they share one index.
 * @module
 */
import type { CompositeHooks } from "../routes/metacontroller.js";
import { catalogCustomize } from "./customize.js";
import type { CatalogHookDeps } from "./deps.js";
import { catalogFinalize } from "./finalize.js";
import { catalogSync } from "./sync.js";

/**
 * The customize, sync and finalize hooks of the catalog controller.
 * @example
 * const index = new CatalogIndex();
 * createApp({ ..., catalogHooks: catalogHooks({ sources, policy, index }), api: catalogApi({ index }) });
 */
export function catalogHooks(deps: CatalogHookDeps): CompositeHooks {
  return { customize: catalogCustomize(), sync: catalogSync(deps), finalize: catalogFinalize(deps) };
}

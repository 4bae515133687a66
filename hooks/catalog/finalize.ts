/**
 * The catalog finalize hook: the catalog leaves the index at once (it has no children to wait for),
 * so a deleted catalog is gone from the API before Metacontroller removes its finalizer.
 * @module
 */
import type { CompositeHookRequest } from "../../crds/metacontroller.js";
import type { SyncAnswer, SyncHandler } from "../routes/metacontroller.js";
import type { CatalogHookDeps } from "./deps.js";
import { catalogKeyOf } from "./sync.js";

/**
 * Builds the finalize hook. It answers the status unchanged, no children, and `finalized: true`.
 * @example metacontrollerRoutes({ sync, finalize: catalogFinalize({ index }) });
 */
export function catalogFinalize({ index, log }: Pick<CatalogHookDeps, "index" | "log">): SyncHandler {
  return async function finalizeCatalog(request: CompositeHookRequest): Promise<SyncAnswer> {
    const parent = request.parent!;
    const key = catalogKeyOf(parent);
    if (index.remove(key)) log?.info({ catalog: key }, "catalog removed from the index");
    const status = (parent.status ?? {}) as Record<string, unknown>;
    return { status, children: [], finalized: true };
  };
}

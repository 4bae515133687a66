/**
 * The ProfileSubscription CompositeController's handlers, bound to their dependencies, as the
 * Metacontroller routes serve them at /hooks/subscription/{customize,sync,finalize}.
 * @module
 */
import type { CompositeHooks } from "../routes/metacontroller.js";
import { customizeSubscription } from "./customize.js";
import { finalizeSubscription } from "./finalize.js";
import { type SyncDeps, syncSubscription } from "./sync.js";

/**
 * Binds the subscription hooks to `deps`.
 * @example app.route("/hooks/subscription", metacontrollerRoutes(subscriptionHooks({ sources, now, log })));
 */
export function subscriptionHooks(deps: SyncDeps): CompositeHooks {
  return {
    customize: customizeSubscription,
    sync: (request) => syncSubscription(request, deps),
    finalize: (request) => finalizeSubscription(request, deps),
  };
}

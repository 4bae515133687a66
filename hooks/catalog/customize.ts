/**
 * The catalog customize hook: asks Metacontroller for the Secrets the repositories name in `secretRef`,
 * so the sync hook receives them as related objects and never calls the API server itself.
 * @module
 */
import type { CustomizeHookRequest, CustomizeHookResponse } from "../../crds/metacontroller.js";
import type { CustomizeHandler } from "../routes/metacontroller.js";

/**
 * Builds the customize hook. The spec is read defensively: an invalid spec still gets its Secrets, and
 * the sync hook reports what is wrong with it.
 * @example metacontrollerRoutes({ customize: catalogCustomize(), sync, finalize });
 */
export function catalogCustomize(): CustomizeHandler {
  return async function customizeCatalog(request: CustomizeHookRequest): Promise<CustomizeHookResponse> {
    const spec = (request.parent.spec ?? {}) as { repositories?: unknown };
    const repositories = Array.isArray(spec.repositories) ? spec.repositories : [];
    const names = new Set<string>();
    for (const repository of repositories) {
      const name = (repository as { secretRef?: { name?: unknown } } | null)?.secretRef?.name;
      if (typeof name === "string" && name !== "") names.add(name);
    }
    if (names.size === 0) return { relatedResources: [] };
    return { relatedResources: [{ apiVersion: "v1", resource: "secrets", names: [...names].sort() }] };
  };
}

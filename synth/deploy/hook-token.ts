import { COMPOSITE_HOOKS } from "./composite-controller.js";
import { HOOK_TOKEN_SECRET, NAMESPACE, PART_OF } from "./settings.js";

/**
 * The kustomize component `deploy/hook-token/`, which adds bearer-token auth to every hook. It is a
 * Component rather than an overlay because kustomize refuses an overlay nested inside its base;
 * a user's own kustomization lists `deploy/` as a resource and this folder as a component.
 *
 * Metacontroller (v4.16.0 and later) sends `Authorization: Bearer <token>` when a webhook has
 * `authorization.secretRef`; the hook servers get the same Secret key as `PCTL_HOOK_TOKEN` and then
 * reject hook calls without it. The Secret is not part of the component, since a token must not be
 * committed: the user creates it first (docs/install.md).
 *
 * @param controllers names of the CompositeControllers whose hooks get the header
 * @returns the component's `kustomization.yaml` as a plain object
 */
export function hookTokenKustomization(controllers: readonly string[]): Record<string, unknown> {
  const authorization = {
    type: "Bearer",
    secretRef: { name: HOOK_TOKEN_SECRET.name, namespace: NAMESPACE, key: HOOK_TOKEN_SECRET.key },
  };
  const controllerPatches = controllers.map((name) => ({
    target: { group: "metacontroller.k8s.io", version: "v1alpha1", kind: "CompositeController", name },
    patch: jsonPatch(
      COMPOSITE_HOOKS.map((hook) => ({
        op: "add",
        path: `/spec/hooks/${hook}/webhook/authorization`,
        value: authorization,
      })),
    ),
  }));
  // Both roles serve hooks, so every pctl Deployment gets the token; its single container is `server`.
  const deploymentPatch = {
    target: {
      group: "apps",
      version: "v1",
      kind: "Deployment",
      labelSelector: Object.entries(PART_OF)
        .map(([key, value]) => `${key}=${value}`)
        .join(","),
    },
    patch: jsonPatch([
      {
        op: "add",
        path: "/spec/template/spec/containers/0/env/-",
        value: {
          name: "PCTL_HOOK_TOKEN",
          valueFrom: { secretKeyRef: { name: HOOK_TOKEN_SECRET.name, key: HOOK_TOKEN_SECRET.key } },
        },
      },
    ]),
  };
  return {
    apiVersion: "kustomize.config.k8s.io/v1alpha1",
    kind: "Component",
    patches: [...controllerPatches, deploymentPatch],
  };
}

/** kustomize reads an inline JSON 6902 patch from a string; JSON is valid YAML and needs no escaping. */
function jsonPatch(operations: readonly object[]): string {
  return JSON.stringify(operations);
}

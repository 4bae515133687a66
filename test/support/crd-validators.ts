/**
 * The Flux and Metacontroller CRDs from `shared/`, loaded once, and assertions that fail with
 * every validation issue listed. `shared/` sits beside the repository, in CI as locally.
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { loadCrds, validateResource } from "../../crds/openapi/crd.js";
import { structuralSchemaIssues } from "../../crds/openapi/structural.js";
import type { CustomResourceDefinition } from "../../crds/openapi/types.js";
import { formatIssues } from "../../crds/openapi/validate.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fluxDir = path.resolve(repoRoot, "../shared/crds/flux");
const metacontrollerFile = path.resolve(
  repoRoot,
  "../shared/crds/metacontroller/metacontroller-crds-v1.yaml",
);

/** Every Flux CRD in `shared/crds/flux/` (source v1, helm v2, kustomize v1). */
export const fluxCrds: readonly CustomResourceDefinition[] = readdirSync(fluxDir)
  .filter((file) => file.endsWith(".yaml"))
  .sort()
  .flatMap((file) => loadCrds(readFileSync(path.join(fluxDir, file), "utf8")));

/** CompositeController, ControllerRevision and DecoratorController (metacontroller.k8s.io/v1alpha1). */
export const metacontrollerCrds: readonly CustomResourceDefinition[] = loadCrds(
  readFileSync(metacontrollerFile, "utf8"),
);

/**
 * Asserts that `object` validates against one of `crds`, with CEL rules checked strictly, and
 * fails listing every issue otherwise.
 */
export function expectValid(object: unknown, crds: readonly CustomResourceDefinition[]): void {
  const issues = validateResource(object, crds, { strictCel: true });
  const o = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
  expect(
    issues,
    `${String(o.kind)} ${String(o.metadata?.name)} is not valid:\n${formatIssues(issues)}`,
  ).toEqual([]);
}

/** Asserts that `object` is a valid Flux object in a served version. */
export function expectValidFluxObject(object: unknown): void {
  expectValid(object, fluxCrds);
}

/** Asserts that every version of `crd` has a structural schema the API server would accept. */
export function expectStructuralCrd(crd: CustomResourceDefinition): void {
  const issues = crd.spec.versions.flatMap((version) =>
    version.schema?.openAPIV3Schema === undefined
      ? [`${version.name}: schema.openAPIV3Schema is required`]
      : structuralSchemaIssues(version.schema.openAPIV3Schema).map((issue) => `${version.name}: ${issue}`),
  );
  expect(issues, `${crd.metadata.name} is not structural:\n${issues.join("\n")}`).toEqual([]);
}

/**
 * CustomResourceDefinitions as validators: load them from YAML, pick a version's schema, and
 * validate a whole resource the way the API server answers a create.
 * @module
 */

import { loadAll } from "js-yaml";
import { InvalidInputError } from "../errors.js";
import {
  type CustomResourceDefinition,
  isPlainObject,
  type JSONSchemaProps,
  type ValidationIssue,
} from "./types.js";
import { type ValidateOptions, validateAgainstSchema } from "./validate.js";

/**
 * Reads the `apiextensions.k8s.io/v1` CRDs from a (multi-document) YAML text. Documents of
 * other kinds are skipped, so a whole install manifest can be passed in.
 * @throws InvalidInputError for a CRD of another apiVersion or without group, names or versions.
 */
export function loadCrds(yamlText: string): CustomResourceDefinition[] {
  const crds: CustomResourceDefinition[] = [];
  for (const document of loadAll(yamlText)) {
    if (!isPlainObject(document) || document.kind !== "CustomResourceDefinition") continue;
    const name = isPlainObject(document.metadata) ? String(document.metadata.name) : "<unnamed>";
    if (document.apiVersion !== "apiextensions.k8s.io/v1") {
      throw new InvalidInputError(
        `CRD ${name} is ${String(document.apiVersion)}; only apiextensions.k8s.io/v1 is read`,
        {
          data: { name, apiVersion: document.apiVersion },
        },
      );
    }
    const spec = document.spec;
    if (
      !isPlainObject(spec) ||
      typeof spec.group !== "string" ||
      !isPlainObject(spec.names) ||
      !Array.isArray(spec.versions)
    ) {
      throw new InvalidInputError(`CRD ${name} has no spec.group, spec.names or spec.versions`, {
        data: { name },
      });
    }
    crds.push(document as unknown as CustomResourceDefinition);
  }
  return crds;
}

/** The `openAPIV3Schema` of a version of the CRD, or `undefined` when the CRD has no such version. */
export function crdSchemaFor(crd: CustomResourceDefinition, version: string): JSONSchemaProps | undefined {
  return crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
}

/** Splits `group/version` (or a bare core `version`) the way Kubernetes parses an apiVersion. */
function parseApiVersion(apiVersion: string): { group: string; version: string } | undefined {
  const parts = apiVersion.split("/");
  if (parts.length === 1 && parts[0] !== "") return { group: "", version: parts[0]! };
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "")
    return { group: parts[0]!, version: parts[1]! };
  return undefined;
}

/**
 * Validates a whole resource against the CRD that serves its `apiVersion` and `kind`. A kind
 * without a CRD, or a version that is absent or not served, gives the API server's
 * "no matches for kind" answer, which is what Flux ≥ 2.8 says to a removed beta version.
 * @example
 * validateResource({ apiVersion: "helm.toolkit.fluxcd.io/v2beta2", kind: "HelmRelease", ... }, fluxCrds)
 * // [{ path: "apiVersion", code: "no-match",
 * //    message: 'no matches for kind "HelmRelease" in version "helm.toolkit.fluxcd.io/v2beta2"' }]
 */
export function validateResource(
  object: unknown,
  crds: readonly CustomResourceDefinition[],
  options: Omit<ValidateOptions, "resourceRoot" | "namespaced"> = {},
): ValidationIssue[] {
  if (!isPlainObject(object)) return [{ path: "", code: "type", message: "a resource must be an object" }];
  const issues: ValidationIssue[] = [];
  const { apiVersion, kind, metadata } = object;
  if (typeof apiVersion !== "string" || apiVersion === "") {
    issues.push({ path: "apiVersion", code: "required", message: "apiVersion must be a non-empty string" });
  }
  if (typeof kind !== "string" || kind === "") {
    issues.push({ path: "kind", code: "required", message: "kind must be a non-empty string" });
  }
  // Emitters apply by name, so a generateName-only object cannot be one of our children.
  if (!isPlainObject(metadata) || typeof metadata.name !== "string" || metadata.name === "") {
    issues.push({
      path: "metadata.name",
      code: "required",
      message: "metadata.name must be a non-empty string",
    });
  }
  if (
    typeof apiVersion !== "string" ||
    typeof kind !== "string" ||
    issues.some((i) => i.path !== "metadata.name")
  ) {
    return issues;
  }
  const gv = parseApiVersion(apiVersion);
  const crd = crds.find((c) => c.spec.group === gv?.group && c.spec.names.kind === kind);
  const served = crd?.spec.versions.find((v) => v.name === gv?.version && v.served);
  const schema = served?.schema?.openAPIV3Schema;
  if (!crd || !served || !schema) {
    issues.push({
      path: "apiVersion",
      code: "no-match",
      message: `no matches for kind "${kind}" in version "${apiVersion}"`,
    });
    return issues;
  }
  const namespaced = crd.spec.scope === "Namespaced";
  const schemaIssues = validateAgainstSchema(object, schema, { ...options, resourceRoot: true, namespaced });
  // The schema check repeats "name or generateName is required" for a missing name; keep one.
  return [...issues, ...schemaIssues.filter((i) => !(i.path === "metadata.name" && i.code === "required"))];
}

/**
 * The API server's checks on a CRD version's `openAPIV3Schema`: the structural-schema invariants
 * (apiextensions-apiserver `ValidateStructural`) plus the CRD-level rules on extensions,
 * `uniqueItems` and unsupported keywords. A CRD that fails any of them is refused at apply time.
 * @module
 */

import { re2ToRegExp } from "./re2.js";
import type { JSONSchemaProps } from "./types.js";

type Level = "root" | "item" | "field";

const UNSUPPORTED_KEYWORDS = [
  "$ref",
  "$schema",
  "id",
  "patternProperties",
  "definitions",
  "dependencies",
  "additionalItems",
];

const FORBIDDEN_IN_JUNCTORS: readonly (readonly [keyof JSONSchemaProps, string])[] = [
  ["type", "must be empty to be structural"],
  ["additionalProperties", "must be undefined to be structural"],
  ["default", "must be undefined to be structural"],
  ["title", "must be empty to be structural"],
  ["description", "must be empty to be structural"],
  ["nullable", "must be false to be structural"],
  ["externalDocs", "must be undefined to be structural"],
  ["x-kubernetes-preserve-unknown-fields", "must be false to be structural"],
  ["x-kubernetes-embedded-resource", "must be false to be structural"],
  ["x-kubernetes-int-or-string", "must be false to be structural"],
  ["x-kubernetes-list-map-keys", "must be empty to be structural"],
  ["x-kubernetes-list-type", "must be undefined to be structural"],
  ["x-kubernetes-map-type", "must be undefined to be structural"],
  ["x-kubernetes-validations", "must be empty to be structural"],
];

const EMPTY_TYPE_MESSAGES: Readonly<Record<Level, string>> = {
  root: "must not be empty at the root",
  item: "must not be empty for specified array items",
  field: "must not be empty for specified object fields",
};

function isSchema(value: unknown): value is JSONSchemaProps {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSet(value: unknown): boolean {
  return (
    value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0) && value !== ""
  );
}

const prop = (path: string, key: string) => `${path}.properties[${key}]`;

// anyOf: [{type: integer}, {type: string}] is the one place a junctor may carry a type.
function isIntOrStringAnyOf(anyOf: readonly JSONSchemaProps[] | undefined): boolean {
  if (anyOf?.length !== 2) return false;
  const [a, b] = anyOf;
  return (
    Object.keys(a!).length === 1 &&
    a!.type === "integer" &&
    Object.keys(b!).length === 1 &&
    b!.type === "string"
  );
}

/**
 * Lists why `schema` is not a structural schema the API server accepts, one
 * `path: message` line each (paths as kubectl prints them); empty when it is fine.
 * @example structuralSchemaIssues({ type: "object", properties: { a: {} } })
 * // ["openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields"]
 */
export function structuralSchemaIssues(schema: JSONSchemaProps): string[] {
  const issues: string[] = [];
  const report = (path: string, message: string) => issues.push(`${path}: ${message}`);
  checkNode(schema, "root", "openAPIV3Schema", report);
  return issues;
}

type Report = (path: string, message: string) => void;

function checkNode(s: JSONSchemaProps, level: Level, path: string, report: Report): void {
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  checkKeywords(s, path, report);

  if (s.type === "array" && !s.items) report(`${path}.items`, "Required value: must be specified");
  if (s.items) checkNode(s.items, "item", `${path}.items`, report);
  for (const [key, child] of Object.entries(s.properties ?? {}))
    checkNode(child, "field", prop(path, key), report);
  if (s.additionalProperties !== undefined) {
    if (level === "root") report(`${path}.additionalProperties`, "Forbidden: must not be used at the root");
    if (embedded) {
      report(
        `${path}.additionalProperties`,
        "Forbidden: must not be used if x-kubernetes-embedded-resource is set",
      );
    }
    if (Object.keys(s.properties ?? {}).length > 0) {
      report(
        `${path}.additionalProperties`,
        "Forbidden: additionalProperties and properties are mutual exclusive",
      );
    }
    if (isSchema(s.additionalProperties))
      checkNode(s.additionalProperties, "field", `${path}.additionalProperties`, report);
  }

  if (preserve === false)
    report(`${path}.x-kubernetes-preserve-unknown-fields`, "Invalid value: must be true or undefined");
  if (intOrString && preserve) {
    report(
      `${path}.x-kubernetes-preserve-unknown-fields`,
      "Invalid value: must be false if x-kubernetes-int-or-string is true",
    );
  }
  if (intOrString && embedded) {
    report(
      `${path}.x-kubernetes-embedded-resource`,
      "Invalid value: must be false if x-kubernetes-int-or-string is true",
    );
  }

  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  checkJunctors(s, path, skipAnyOf, skipFirstAllOfAnyOf, report);
  checkCompleteness(s, s, path, path, report);

  if (embedded && s.type !== "object") {
    report(
      `${path}.type`,
      `${s.type ? "Invalid" : "Required"} value: must be object if x-kubernetes-embedded-resource is true`,
    );
  } else if (!s.type && !intOrString && !preserve) {
    report(`${path}.type`, `Required value: ${EMPTY_TYPE_MESSAGES[level]}`);
  }
  if (level === "root" && s.type && s.type !== "object")
    report(`${path}.type`, "Invalid value: must be object at the root");

  const checkMetadata = level === "root" || embedded;
  for (const key of ["kind", "apiVersion"] as const) {
    const child = s.properties?.[key];
    if (checkMetadata && child && child.type !== "string")
      report(`${prop(path, key)}.type`, "Invalid value: must be string");
  }
  const metadata = s.properties?.metadata;
  if (metadata) {
    if (checkMetadata && metadata.type !== "object")
      report(`${prop(path, "metadata")}.type`, "Invalid value: must be object");
    if (level === "root") checkRootMetadata(metadata, prop(path, "metadata"), report);
  }
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    report(
      `${path}.properties`,
      "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
    );
  }
}

// Rules of the CRD API itself, on any node: unsupported keywords, quadratic uniqueItems, list and map types.
function checkKeywords(s: JSONSchemaProps, path: string, report: Report): void {
  for (const keyword of UNSUPPORTED_KEYWORDS) {
    if (keyword in s) report(`${path}.${keyword}`, `Forbidden: ${keyword} is not supported`);
  }
  if (s.uniqueItems) {
    report(
      `${path}.uniqueItems`,
      "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
    );
  }
  if (s.pattern !== undefined) {
    try {
      re2ToRegExp(s.pattern);
    } catch (error) {
      report(
        `${path}.pattern`,
        `Invalid value: must be a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  const mapType = s["x-kubernetes-map-type"];
  if (mapType !== undefined && s.type !== "object")
    report(`${path}.type`, "Invalid value: must be object if x-kubernetes-map-type is specified");
  if (mapType !== undefined && mapType !== "atomic" && mapType !== "granular") {
    report(
      `${path}.x-kubernetes-map-type`,
      `Unsupported value: "${mapType}": supported values: "atomic", "granular"`,
    );
  }
  const listType = s["x-kubernetes-list-type"];
  const mapKeys = s["x-kubernetes-list-map-keys"] ?? [];
  if (listType !== undefined && s.type !== "array")
    report(`${path}.type`, "Invalid value: must be array if x-kubernetes-list-type is specified");
  if (listType !== undefined && !["atomic", "set", "map"].includes(listType)) {
    report(
      `${path}.x-kubernetes-list-type`,
      `Unsupported value: "${listType}": supported values: "atomic", "set", "map"`,
    );
  }
  if (mapKeys.length > 0 && listType !== "map") {
    report(
      `${path}.x-kubernetes-list-type`,
      "Invalid value: must be map if x-kubernetes-list-map-keys is non-empty",
    );
  }
  if (listType === "set" && s.items?.type === "object" && s.items["x-kubernetes-map-type"] !== "atomic") {
    report(
      `${path}.items.x-kubernetes-map-type`,
      "Invalid value: must be atomic as item of a list with x-kubernetes-list-type=set",
    );
  }
  if (listType === "map") {
    if (mapKeys.length === 0)
      report(
        `${path}.x-kubernetes-list-map-keys`,
        "Required value: must not be empty if x-kubernetes-list-type is map",
      );
    if (s.items?.type !== "object") {
      report(
        `${path}.items.type`,
        "Invalid value: must be object if parent array's x-kubernetes-list-type is map",
      );
    }
    for (const key of mapKeys) {
      const keySchema = s.items?.properties?.[key];
      if (!keySchema)
        report(
          `${path}.x-kubernetes-list-map-keys`,
          "Invalid value: entries must all be names of item properties",
        );
      else if (keySchema.type === "array" || keySchema.type === "object") {
        report(
          `${prop(`${path}.items`, key)}.type`,
          "Invalid value: must be a scalar type if parent array's x-kubernetes-list-type is map",
        );
      }
    }
    if (new Set(mapKeys).size !== mapKeys.length)
      report(`${path}.x-kubernetes-list-map-keys`, "Invalid value: must not contain duplicate entries");
  }
}

/** The branches of allOf, anyOf, oneOf and not, each with its path. */
function junctorBranches(
  s: JSONSchemaProps,
  path: string,
): [JSONSchemaProps, string, "allOf" | "anyOf" | "oneOf" | "not", number][] {
  const branches: [JSONSchemaProps, string, "allOf" | "anyOf" | "oneOf" | "not", number][] = [];
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    for (const [i, branch] of (s[junctor] ?? []).entries())
      branches.push([branch, `${path}.${junctor}[${i}]`, junctor, i]);
  }
  if (s.not) branches.push([s.not, `${path}.not`, "not", 0]);
  return branches;
}

function checkJunctors(
  s: JSONSchemaProps,
  path: string,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  report: Report,
) {
  for (const [branch, branchPath, junctor, i] of junctorBranches(s, path)) {
    if (junctor === "anyOf" && skipAnyOf) continue;
    checkNested(branch, branchPath, junctor === "allOf" && i === 0 && skipFirstAllOfAnyOf, report);
  }
}

// Junctor branches are value validations only: they may not declare structure or metadata.
function checkNested(v: JSONSchemaProps, path: string, skipAnyOf: boolean, report: Report): void {
  checkJunctors(v, path, skipAnyOf, false, report);
  if (v.items) checkNested(v.items, `${path}.items`, false, report);
  for (const [key, child] of Object.entries(v.properties ?? {}))
    checkNested(child, prop(path, key), false, report);
  for (const [key, message] of FORBIDDEN_IN_JUNCTORS) {
    if (isSet(v[key])) report(`${path}.${key}`, `Forbidden: ${message}`);
  }
  if (v.properties?.metadata)
    report(prop(path, "metadata"), "Forbidden: must not be specified in a nested context");
}

// Every property or items a junctor mentions must also be declared outside the junctors.
function checkCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps,
  sPath: string,
  vPath: string,
  report: Report,
): void {
  for (const [branch, branchPath] of junctorBranches(v, vPath))
    checkBranchCompleteness(branch, s, sPath, branchPath, report);
}

function checkBranchCompleteness(
  branch: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  branchPath: string,
  report: Report,
): void {
  if (!s) {
    report(sPath, `Required value: because it is defined in ${branchPath}`);
    return;
  }
  checkCompleteness(branch, s, sPath, branchPath, report);
  if (branch.items)
    checkBranchCompleteness(branch.items, s.items, `${sPath}.items`, `${branchPath}.items`, report);
  for (const [key, child] of Object.entries(branch.properties ?? {})) {
    checkBranchCompleteness(child, s.properties?.[key], prop(sPath, key), prop(branchPath, key), report);
  }
}

// At the root, metadata may be `type: object` and restrict name and generateName, nothing else.
function checkRootMetadata(metadata: JSONSchemaProps, path: string, report: Report): void {
  const rest = Object.entries(metadata).filter(([key, value]) => {
    if (key === "type" || key === "default" || !isSet(value)) return false;
    if (key !== "properties") return true;
    return Object.keys(value as object).some((name) => name !== "name" && name !== "generateName");
  });
  if (rest.length > 0) {
    report(
      path,
      "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    );
  }
}

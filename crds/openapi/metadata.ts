/**
 * ObjectMeta and TypeMeta checks, as the API server applies them to custom resources (at the root)
 * and to `x-kubernetes-embedded-resource` values. Only the standard ObjectMeta fields survive
 * decoding, so any other key under `metadata` is reported as an unknown field.
 * @module
 */

import { childPath, isPlainObject, type ValidationIssue } from "./types.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

type FieldKind =
  | "string"
  | "integer"
  | "timestamp"
  | "string-map"
  | "owner-references"
  | "strings"
  | "objects";

const OBJECT_META_FIELDS: Readonly<Record<string, FieldKind>> = {
  name: "string",
  generateName: "string",
  namespace: "string",
  selfLink: "string",
  uid: "string",
  resourceVersion: "string",
  generation: "integer",
  creationTimestamp: "timestamp",
  deletionTimestamp: "timestamp",
  deletionGracePeriodSeconds: "integer",
  labels: "string-map",
  annotations: "string-map",
  ownerReferences: "owner-references",
  finalizers: "strings",
  managedFields: "objects",
};

const OWNER_REFERENCE_FIELDS: Readonly<Record<string, "string" | "boolean">> = {
  apiVersion: "string",
  kind: "string",
  name: "string",
  uid: "string",
  controller: "boolean",
  blockOwnerDeletion: "boolean",
};

/** The API server's two checks on a name-like string: at most `maxLength` characters, and `pattern`. */
function boundedPatternErrors(
  value: string,
  maxLength: number,
  pattern: RegExp,
  patternMessage: string,
): string[] {
  const errors: string[] = [];
  if (value.length > maxLength) errors.push(`must be no more than ${maxLength} characters`);
  if (!pattern.test(value)) errors.push(patternMessage);
  return errors;
}

/** Messages for a DNS-1123 subdomain (at most 253 characters), empty when valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  return boundedPatternErrors(
    value,
    253,
    DNS1123_SUBDOMAIN,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
      "and must start and end with an alphanumeric character",
  );
}

/** Messages for a DNS-1123 label (at most 63 characters), empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  return boundedPatternErrors(
    value,
    63,
    DNS1123_LABEL,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
      "and must start and end with an alphanumeric character",
  );
}

/** Messages for a qualified name such as `app.kubernetes.io/name` (label and annotation keys). */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) return ["a qualified name must have at most one '/'"];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const errors: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === "") errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === "") errors.push("name part must be non-empty");
  else {
    const nameErrors = boundedPatternErrors(
      name,
      63,
      QUALIFIED_NAME_PART,
      "must consist of alphanumeric characters, '-', '_' or '.', " +
        "and must start and end with an alphanumeric character",
    );
    errors.push(...nameErrors.map((m) => `name part ${m}`));
  }
  return errors;
}

/** Messages for a label value (at most 63 characters, may be empty), empty when valid. */
export function labelValueErrors(value: string): string[] {
  return boundedPatternErrors(
    value,
    63,
    LABEL_VALUE,
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
      "and must start and end with an alphanumeric character",
  );
}

/** Where the metadata sits: a resource root checks names as DNS subdomains, an embedded object more loosely. */
export interface ObjectMetaContext {
  readonly root: boolean;
  /** `true` for a namespaced kind, `false` for a cluster-scoped one; unknown when omitted. */
  readonly namespaced?: boolean;
}

/**
 * Validates `metadata` of a resource: field types, unknown fields, name rules, labels,
 * annotations, owner references and finalizers.
 */
export function validateObjectMeta(
  meta: unknown,
  path: string,
  context: ObjectMetaContext,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (at: string, code: ValidationIssue["code"], message: string) =>
    issues.push({ path: at, code, message });
  if (meta === undefined || meta === null) {
    if (context.root) add(childPath(path, "name"), "required", "name or generateName is required");
    return issues;
  }
  if (!isPlainObject(meta)) {
    add(path, "type", `must be an object, got ${JSON.stringify(meta)}`);
    return issues;
  }
  for (const [key, value] of Object.entries(meta)) {
    const at = childPath(path, key);
    const kind = OBJECT_META_FIELDS[key];
    if (kind === undefined) add(at, "unknown-field", `unknown field "${key}" in ObjectMeta would be pruned`);
    else issues.push(...checkFieldType(value, at, kind));
  }
  const name = typeof meta.name === "string" ? meta.name : "";
  const generateName = typeof meta.generateName === "string" ? meta.generateName : "";
  if (context.root && name === "" && generateName === "") {
    add(childPath(path, "name"), "required", "name or generateName is required");
  }
  if (name !== "")
    for (const m of nameErrors(name, context.root)) add(childPath(path, "name"), "metadata", m);
  if (generateName !== "") {
    // A generated name appends random characters, so a trailing '-' is allowed in the prefix.
    const masked =
      generateName.length > 1 && generateName.endsWith("-") ? `${generateName.slice(0, -1)}a` : generateName;
    for (const m of nameErrors(masked, context.root)) add(childPath(path, "generateName"), "metadata", m);
  }
  if (typeof meta.namespace === "string" && meta.namespace !== "") {
    if (context.namespaced === false) {
      add(childPath(path, "namespace"), "forbidden", "not allowed on a cluster-scoped resource");
    } else {
      for (const m of dns1123LabelErrors(meta.namespace)) add(childPath(path, "namespace"), "metadata", m);
    }
  }
  if (isPlainObject(meta.labels)) {
    for (const [key, value] of Object.entries(meta.labels)) {
      const at = childPath(childPath(path, "labels"), key);
      for (const m of qualifiedNameErrors(key)) add(at, "metadata", `key: ${m}`);
      if (typeof value === "string") for (const m of labelValueErrors(value)) add(at, "metadata", m);
    }
  }
  if (isPlainObject(meta.annotations)) {
    let size = 0;
    for (const [key, value] of Object.entries(meta.annotations)) {
      for (const m of qualifiedNameErrors(key.toLowerCase())) {
        add(childPath(childPath(path, "annotations"), key), "metadata", `key: ${m}`);
      }
      size += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
    }
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
      add(childPath(path, "annotations"), "max", `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`);
    }
  }
  if (Array.isArray(meta.finalizers)) {
    meta.finalizers.forEach((finalizer, i) => {
      if (typeof finalizer !== "string") return;
      for (const m of qualifiedNameErrors(finalizer))
        add(childPath(childPath(path, "finalizers"), i), "metadata", m);
    });
  }
  if (Array.isArray(meta.ownerReferences)) issues.push(...ownerReferenceIssues(meta.ownerReferences, path));
  if (typeof meta.generation === "number" && meta.generation < 0) {
    add(childPath(path, "generation"), "min", "must be greater than or equal to 0");
  }
  return issues;
}

// At the root a custom resource's name is a DNS subdomain; embedded objects only need a usable path segment.
function nameErrors(name: string, root: boolean): string[] {
  if (root) return dns1123SubdomainErrors(name);
  if (name === "." || name === "..") return [`may not be '${name}'`];
  return /[/%]/.test(name) ? ["may not contain '/' or '%'"] : [];
}

function checkFieldType(value: unknown, path: string, kind: FieldKind): ValidationIssue[] {
  const wrong = (expected: string): ValidationIssue[] => [
    { path, code: "type", message: `must be ${expected}, got ${JSON.stringify(value)}` },
  ];
  switch (kind) {
    case "string":
      return typeof value === "string" ? [] : wrong("a string");
    case "integer":
      return Number.isInteger(value) ? [] : wrong("an integer");
    case "timestamp":
      return value === null || (typeof value === "string" && !Number.isNaN(Date.parse(value)))
        ? []
        : wrong("an RFC 3339 timestamp");
    case "string-map":
      if (value === null) return [];
      if (!isPlainObject(value)) return wrong("a map of strings");
      return Object.entries(value)
        .filter(([, v]) => typeof v !== "string")
        .map(([k, v]) => ({
          path: childPath(path, k),
          code: "type",
          message: `must be a string, got ${JSON.stringify(v)}`,
        }));
    case "strings":
      if (!Array.isArray(value)) return wrong("a list of strings");
      return value.flatMap((v, i) =>
        typeof v === "string"
          ? []
          : [{ path: childPath(path, i), code: "type" as const, message: "must be a string" }],
      );
    case "objects":
      return Array.isArray(value) && value.every(isPlainObject) ? [] : wrong("a list of objects");
    case "owner-references":
      return Array.isArray(value) ? [] : wrong("a list of owner references");
  }
}

function ownerReferenceIssues(references: readonly unknown[], metaPath: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  let controllers = 0;
  references.forEach((reference, i) => {
    const at = childPath(childPath(metaPath, "ownerReferences"), i);
    if (!isPlainObject(reference)) {
      issues.push({ path: at, code: "type", message: "must be an object" });
      return;
    }
    for (const [key, value] of Object.entries(reference)) {
      const expected = OWNER_REFERENCE_FIELDS[key];
      if (expected === undefined) {
        issues.push({
          path: childPath(at, key),
          code: "unknown-field",
          message: `unknown field "${key}" would be pruned`,
        });
      } else if (typeof value !== expected) {
        issues.push({ path: childPath(at, key), code: "type", message: `must be a ${expected}` });
      }
    }
    for (const key of ["apiVersion", "kind", "name", "uid"]) {
      if (typeof reference[key] !== "string" || reference[key] === "") {
        issues.push({ path: childPath(at, key), code: "required", message: `${key} must not be empty` });
      }
    }
    if (reference.controller === true) controllers++;
  });
  if (controllers > 1) {
    issues.push({
      path: childPath(metaPath, "ownerReferences"),
      code: "metadata",
      message: "only one reference can have controller set to true",
    });
  }
  return issues;
}

/** Validates `apiVersion` and `kind` of an embedded resource (required, a group/version and a DNS-1035 kind). */
export function validateTypeMeta(value: Readonly<Record<string, unknown>>, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { apiVersion, kind } = value;
  if (apiVersion === undefined || apiVersion === "") {
    issues.push({ path: childPath(path, "apiVersion"), code: "required", message: "apiVersion is required" });
  } else if (typeof apiVersion !== "string") {
    issues.push({ path: childPath(path, "apiVersion"), code: "type", message: "must be a string" });
  } else if (apiVersion.split("/").length > 2 || apiVersion.split("/").some((part) => part === "")) {
    issues.push({
      path: childPath(path, "apiVersion"),
      code: "metadata",
      message: `unexpected GroupVersion string: ${apiVersion}`,
    });
  }
  if (kind === undefined || kind === "") {
    issues.push({ path: childPath(path, "kind"), code: "required", message: "kind is required" });
  } else if (typeof kind !== "string") {
    issues.push({ path: childPath(path, "kind"), code: "type", message: "must be a string" });
  } else if (kind.length > 63 || !DNS1035_LABEL.test(kind.toLowerCase())) {
    issues.push({
      path: childPath(path, "kind"),
      code: "metadata",
      message: "may have mixed case, but should otherwise be a DNS-1035 label",
    });
  }
  return issues;
}

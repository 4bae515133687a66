/**
 * Validates a value against a CRD's `openAPIV3Schema` the way the API server handles a create:
 * it prunes unknown fields and non-nullable nulls, applies defaults, checks ObjectMeta, the
 * schema's value validations and the CEL rules on the pruned, defaulted object. What the API
 * server would drop silently is reported here, because an emitter that sends it has a bug.
 * @module
 */

import { CelEvalError, CelUnsupportedError, compileCel } from "./cel.js";
import { formatError } from "./formats.js";
import { validateObjectMeta, validateTypeMeta } from "./metadata.js";
import { re2ToRegExp, UnsupportedPatternError } from "./re2.js";
import {
  childPath,
  isPlainObject,
  type JSONSchemaProps,
  jsonEqual,
  type ValidationIssue,
  type ValidationIssueCode,
  type ValidationRule,
} from "./types.js";

/** How {@link validateAgainstSchema} treats the value. */
export interface ValidateOptions {
  /** Report every CEL rule the evaluator cannot run as `cel-unsupported`. [false: such rules are skipped] */
  readonly strictCel?: boolean;
  /** The value is a whole resource, so `apiVersion`, `kind` and `metadata` get ObjectMeta rules. [true] */
  readonly resourceRoot?: boolean;
  /** Whether the kind is namespaced; `false` forbids `metadata.namespace`. [unset: a namespace is only checked as a DNS label] */
  readonly namespaced?: boolean;
}

const TYPE_META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, schema: JSONSchemaProps): boolean {
  if (schema["x-kubernetes-int-or-string"]) return Number.isInteger(value) || typeof value === "string";
  switch (schema.type) {
    case undefined:
    case "":
      return true;
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

function expectedType(schema: JSONSchemaProps): string {
  return schema["x-kubernetes-int-or-string"] ? "integer or string" : (schema.type ?? "any");
}

/**
 * Validates `value` against `schema` (a CRD version's `openAPIV3Schema`) and returns every issue,
 * in document order. An empty list means the API server would store the value unchanged apart
 * from defaults.
 * @example
 * validateAgainstSchema(helmRelease, schema)
 * // [{ path: "spec.valuesFile", code: "unknown-field", message: "unknown field \"valuesFile\" would be pruned" }]
 */
export function validateAgainstSchema(
  value: unknown,
  schema: JSONSchemaProps,
  options: ValidateOptions = {},
): ValidationIssue[] {
  const walker = new Walker(options);
  walker.structural(value, schema, "", options.resourceRoot ?? true);
  return walker.issues;
}

class Walker {
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly options: ValidateOptions) {}

  private add(path: string, code: ValidationIssueCode, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** Validates a node that the schema declares; returns the value as the API server would keep it. */
  structural(value: unknown, schema: JSONSchemaProps, path: string, resourceRoot = false): unknown {
    if (value === null) {
      if (!schema.nullable && !hasType(value, schema)) {
        this.add(path, "type", `must be of type ${expectedType(schema)}, got null`);
      }
      return value;
    }
    if (!hasType(value, schema)) {
      this.add(path, "type", `must be of type ${expectedType(schema)}, got ${describe(value)}`);
      return value;
    }
    let kept = value;
    if (isPlainObject(value)) kept = this.object(value, schema, path, resourceRoot);
    else if (Array.isArray(value) && schema.items) {
      const items = schema.items;
      kept = value.map((item, i) => this.structural(item, items, childPath(path, i)));
    }
    this.issues.push(...valueIssues(kept, schema, path));
    this.listType(kept, schema, path);
    this.cel(kept, schema, path);
    return kept;
  }

  private object(
    value: Readonly<Record<string, unknown>>,
    schema: JSONSchemaProps,
    path: string,
    resourceRoot: boolean,
  ): Record<string, unknown> {
    const embedded = resourceRoot || schema["x-kubernetes-embedded-resource"] === true;
    const properties = schema.properties ?? {};
    const kept: Record<string, unknown> = {};
    if (embedded) {
      if (!resourceRoot) this.issues.push(...validateTypeMeta(value, path));
      const metaPath = childPath(path, "metadata");
      if (Object.hasOwn(value, "metadata") || resourceRoot) {
        this.issues.push(
          // The kind's scope applies to the resource itself, not to objects embedded in it.
          ...validateObjectMeta(value.metadata, metaPath, {
            root: resourceRoot,
            namespaced: resourceRoot ? this.options.namespaced : undefined,
          }),
        );
        this.metadataRestrictions(value.metadata, properties.metadata, metaPath);
      }
    }
    for (const [key, child] of Object.entries(value)) {
      const at = childPath(path, key);
      const declared = properties[key];
      const additional = schema.additionalProperties;
      if (embedded && key === "metadata") kept[key] = child;
      else if (declared) this.field(kept, key, child, declared, at);
      else if (embedded && TYPE_META_FIELDS.has(key)) kept[key] = child;
      else if (isPlainObject(additional)) this.field(kept, key, child, additional, at);
      else if (additional === true || schema["x-kubernetes-preserve-unknown-fields"]) kept[key] = child;
      else this.add(at, "unknown-field", `unknown field "${key}" would be pruned`);
    }
    for (const [key, declared] of Object.entries(properties)) {
      if (!Object.hasOwn(kept, key) && declared.default !== undefined)
        kept[key] = this.defaulted(declared, childPath(path, key));
    }
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(kept, key)) this.add(childPath(path, key), "required", "Required value");
    }
    return kept;
  }

  // The API server drops a null it may not store and then fills in the default, if there is one.
  private field(
    kept: Record<string, unknown>,
    key: string,
    child: unknown,
    schema: JSONSchemaProps,
    at: string,
  ) {
    if (child === null && !schema.nullable) {
      if (schema.default !== undefined) kept[key] = this.defaulted(schema, at);
      else this.add(at, "pruned-null", "null is not nullable here and would be pruned");
      return;
    }
    kept[key] = this.structural(child, schema, at);
  }

  // Defaults get defaults of their own below them; the API server checked them when the CRD was created.
  private defaulted(schema: JSONSchemaProps, path: string): unknown {
    return new Walker(this.options).structural(structuredClone(schema.default), schema, path);
  }

  // A root schema may only restrict metadata.name and metadata.generateName.
  private metadataRestrictions(meta: unknown, schema: JSONSchemaProps | undefined, path: string): void {
    if (!isPlainObject(meta) || !schema?.properties) return;
    for (const key of ["name", "generateName"]) {
      const restriction = schema.properties[key];
      if (restriction && typeof meta[key] === "string") {
        this.issues.push(...valueIssues(meta[key], restriction, childPath(path, key)));
      }
    }
  }

  private listType(value: unknown, schema: JSONSchemaProps, path: string): void {
    const listType = schema["x-kubernetes-list-type"];
    if (!Array.isArray(value) || (listType !== "set" && listType !== "map")) return;
    const keys = schema["x-kubernetes-list-map-keys"] ?? [];
    const identity = (item: unknown) =>
      listType === "set" ? item : keys.map((k) => (isPlainObject(item) ? item[k] : undefined));
    value.forEach((item, i) => {
      const duplicateOf = value.findIndex((other, j) => j < i && jsonEqual(identity(other), identity(item)));
      if (duplicateOf !== -1) {
        const what = listType === "set" ? JSON.stringify(item) : `keys ${JSON.stringify(identity(item))}`;
        this.add(childPath(path, i), "duplicate", `Duplicate value: ${what} (same as item ${duplicateOf})`);
      }
    });
  }

  private cel(value: unknown, schema: JSONSchemaProps, path: string): void {
    for (const rule of schema["x-kubernetes-validations"] ?? []) {
      const failure = evaluateRule(rule, value);
      if (failure === undefined) continue;
      // fieldPath is a JSONPath-like suffix (".sts.provider") relative to the node that holds the rule.
      const at = rule.fieldPath ? `${path}.${rule.fieldPath.replace(/^\./, "")}`.replace(/^\./, "") : path;
      if (!failure.unsupported) this.add(at, "cel", failure.message);
      else if (this.options.strictCel)
        this.add(at, "cel-unsupported", `cannot evaluate ${rule.rule}: ${failure.message}`);
    }
  }
}

type RuleFailure = { readonly unsupported: boolean; readonly message: string };

// Transition rules (those reading oldSelf) only run on updates, so a create never fails them.
function evaluateRule(rule: ValidationRule, self: unknown): RuleFailure | undefined {
  try {
    const program = compileCel(rule.rule);
    if (program.usesOldSelf) return undefined;
    const result = program.evaluate({ self });
    if (result === true) return undefined;
    if (result !== false)
      return { unsupported: false, message: `rule ${rule.rule} did not evaluate to a bool` };
    return { unsupported: false, message: ruleMessage(rule, self) };
  } catch (error) {
    if (error instanceof CelUnsupportedError) return { unsupported: true, message: error.message };
    if (error instanceof CelEvalError)
      return { unsupported: false, message: `${rule.rule}: ${error.message}` };
    throw error;
  }
}

function ruleMessage(rule: ValidationRule, self: unknown): string {
  if (rule.messageExpression) {
    try {
      const message = compileCel(rule.messageExpression).evaluate({ self });
      if (typeof message === "string" && message.trim() !== "") return message;
    } catch {
      // The API server falls back to the static message when messageExpression fails.
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

/**
 * The keywords that restrict a value without declaring structure: enum, pattern, format, bounds,
 * sizes, and the junctors allOf/anyOf/oneOf/not (whose branches are value validations only).
 */
function valueIssues(value: unknown, schema: JSONSchemaProps, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (code: ValidationIssueCode, message: string) => issues.push({ path, code, message });
  if (schema.enum && !schema.enum.some((allowed) => jsonEqual(allowed, value))) {
    add(
      "enum",
      `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`,
    );
  }
  if (schema.format) {
    const problem = formatError(schema.format, value);
    if (problem) add("format", problem);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      add("max-length", `may not be more than ${schema.maxLength} characters, got ${length}`);
    }
    if (schema.minLength !== undefined && length < schema.minLength) {
      add("min-length", `must be at least ${schema.minLength} characters, got ${length}`);
    }
    if (schema.pattern !== undefined) {
      try {
        if (!re2ToRegExp(schema.pattern).test(value))
          add("pattern", `${JSON.stringify(value)} must match ${schema.pattern}`);
      } catch (error) {
        if (!(error instanceof UnsupportedPatternError)) throw error;
        add("pattern", `cannot check pattern ${schema.pattern}: ${error.message}`);
      }
    }
  }
  if (typeof value === "number") {
    const { minimum, maximum, multipleOf } = schema;
    if (minimum !== undefined && (schema.exclusiveMinimum ? value <= minimum : value < minimum)) {
      add("min", `must be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${minimum}`);
    }
    if (maximum !== undefined && (schema.exclusiveMaximum ? value >= maximum : value > maximum)) {
      add("max", `must be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${maximum}`);
    }
    if (multipleOf !== undefined && !Number.isInteger(value / multipleOf))
      add("multiple-of", `must be a multiple of ${multipleOf}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      add("max-items", `must have at most ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems)
      add("min-items", `must have at least ${schema.minItems} items`);
    if (schema.uniqueItems) {
      value.forEach((item, i) => {
        if (value.findIndex((other) => jsonEqual(other, item)) < i) {
          issues.push({
            path: childPath(path, i),
            code: "duplicate",
            message: `Duplicate value: ${JSON.stringify(item)}`,
          });
        }
      });
    }
  }
  if (isPlainObject(value)) {
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      add("max-properties", `must have at most ${schema.maxProperties} properties`);
    }
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      add("min-properties", `must have at least ${schema.minProperties} properties`);
    }
  }
  for (const branch of schema.allOf ?? []) issues.push(...nestedIssues(value, branch, path));
  if (schema.anyOf && !schema.anyOf.some((branch) => nestedIssues(value, branch, path).length === 0)) {
    const first = nestedIssues(value, schema.anyOf[0]!, path)[0];
    add("any-of", `must validate at least one schema (anyOf)${first ? `; first: ${first.message}` : ""}`);
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((branch) => nestedIssues(value, branch, path).length === 0).length;
    if (passing !== 1) add("one-of", `must validate one and only one schema (oneOf), ${passing} matched`);
  }
  if (schema.not && nestedIssues(value, schema.not, path).length === 0)
    add("not", "must not validate the schema (not)");
  return issues;
}

// Inside a junctor, properties and items only add checks to fields that exist: nothing is pruned or defaulted.
function nestedIssues(value: unknown, schema: JSONSchemaProps, path: string): ValidationIssue[] {
  if (schema.type && !hasType(value, schema)) {
    return [
      { path, code: "type", message: `must be of type ${expectedType(schema)}, got ${describe(value)}` },
    ];
  }
  const issues = valueIssues(value, schema, path);
  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(value, key))
        issues.push({ path: childPath(path, key), code: "required", message: "Required value" });
    }
    for (const [key, child] of Object.entries(value)) {
      const branch =
        schema.properties?.[key] ??
        (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (branch) issues.push(...nestedIssues(child, branch, childPath(path, key)));
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    issues.push(...value.flatMap((item, i) => nestedIssues(item, items, childPath(path, i))));
  }
  return issues;
}

/** One line per issue, `path: message [code]`, for test failures and the CLI. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path || "<root>"}: ${issue.message} [${issue.code}]`).join("\n");
}

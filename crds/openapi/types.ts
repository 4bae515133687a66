/**
 * The shapes shared by the OpenAPI validator, the structural-schema checker and the CRD helpers.
 * @module
 */

/** One `x-kubernetes-validations` entry: a CEL rule with the message the API server reports. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  readonly optionalOldSelf?: boolean;
}

/**
 * The subset of `apiextensions.k8s.io/v1` JSONSchemaProps that CRDs use. Keys the API server forbids
 * in CRDs (`$ref`, `patternProperties`, `definitions`...) are left out on purpose.
 */
export interface JSONSchemaProps {
  readonly type?: string;
  readonly format?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JSONSchemaProps>>;
  readonly additionalProperties?: boolean | JSONSchemaProps;
  readonly items?: JSONSchemaProps;
  readonly allOf?: readonly JSONSchemaProps[];
  readonly anyOf?: readonly JSONSchemaProps[];
  readonly oneOf?: readonly JSONSchemaProps[];
  readonly not?: JSONSchemaProps;
  readonly externalDocs?: unknown;
  readonly example?: unknown;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-embedded-resource"?: boolean;
  readonly "x-kubernetes-int-or-string"?: boolean;
  readonly "x-kubernetes-list-type"?: string;
  readonly "x-kubernetes-list-map-keys"?: readonly string[];
  readonly "x-kubernetes-map-type"?: string;
  readonly "x-kubernetes-validations"?: readonly ValidationRule[];
}

/**
 * What a value can be wrong about. `unknown-field` and `pruned-null` are not rejections by the API
 * server: it silently drops such fields, which for an emitter is a bug all the same.
 */
export type ValidationIssueCode =
  | "unknown-field"
  | "pruned-null"
  | "type"
  | "required"
  | "enum"
  | "pattern"
  | "format"
  | "min"
  | "max"
  | "min-length"
  | "max-length"
  | "min-items"
  | "max-items"
  | "min-properties"
  | "max-properties"
  | "multiple-of"
  | "duplicate"
  | "one-of"
  | "any-of"
  | "all-of"
  | "not"
  | "metadata"
  | "forbidden"
  | "cel"
  | "cel-unsupported"
  | "no-match";

/** One problem found in a value, at a dotted path such as `spec.chart.spec.sourceRef.kind`. */
export interface ValidationIssue {
  readonly path: string;
  readonly code: ValidationIssueCode;
  readonly message: string;
}

/** A CustomResourceDefinition version, as far as validation needs it. */
export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated?: boolean;
  readonly schema?: { readonly openAPIV3Schema?: JSONSchemaProps };
}

/** An `apiextensions.k8s.io/v1` CustomResourceDefinition, as far as validation needs it. */
export interface CustomResourceDefinition {
  readonly apiVersion: "apiextensions.k8s.io/v1";
  readonly kind: "CustomResourceDefinition";
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: {
      readonly kind: string;
      readonly plural: string;
      readonly singular?: string;
      readonly shortNames?: readonly string[];
    };
    readonly scope: "Namespaced" | "Cluster";
    readonly versions: readonly CrdVersion[];
  };
}

/** Paths are dotted for fields and bracketed for indices and keys that are not identifiers. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Equality of JSON values: lists and maps compare structurally, key order aside. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return a === b;
}

import { describe, expect, it } from "vitest";
import { structuralSchemaIssues } from "../../../crds/openapi/structural.js";
import type { JSONSchemaProps } from "../../../crds/openapi/types.js";
import { expectStructuralCrd, fluxCrds, metacontrollerCrds } from "../../support/crd-validators.js";

const root = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    ...properties,
  },
  ...extra,
});

describe("structural schema checks", () => {
  it.each([...fluxCrds, ...metacontrollerCrds].map((crd) => [crd.metadata.name, crd] as const))(
    "accepts the shipped CRD %s",
    (_name, crd) => {
      expectStructuralCrd(crd);
    },
  );

  it("fails a CRD version that has no schema", () => {
    const crd = fluxCrds[0]!;
    const withoutSchema = {
      ...crd,
      spec: { ...crd.spec, versions: [{ name: "v9", served: true, storage: true }] },
    };
    expect(() => expectStructuralCrd(withoutSchema)).toThrow(/v9: schema.openAPIV3Schema is required/);
  });

  it("accepts the int-or-string anyOf pattern with types inside the junctor", () => {
    const schema = root({
      spec: {
        type: "object",
        properties: {
          port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
        },
      },
    });
    expect(structuralSchemaIssues(schema)).toEqual([]);
  });

  it("accepts junctors that only add value validations to declared fields", () => {
    const schema = root({
      spec: {
        type: "object",
        properties: { a: { type: "string" }, b: { type: "string" } },
        oneOf: [{ required: ["a"] }, { required: ["b"] }],
        not: { properties: { a: { enum: ["forbidden"] } } },
      },
    });
    expect(structuralSchemaIssues(schema)).toEqual([]);
  });

  it("accepts metadata at the root that restricts only name", () => {
    const schema = root({}, {});
    const withName = {
      ...schema,
      properties: {
        ...schema.properties,
        metadata: { type: "object", properties: { name: { type: "string", maxLength: 52 } } },
      },
    };
    expect(structuralSchemaIssues(withName)).toEqual([]);
  });

  it.each<[string, JSONSchemaProps, string]>([
    [
      "a field without a type",
      root({ spec: { type: "object", properties: { a: {} } } }),
      "openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields",
    ],
    [
      "array items without a type",
      root({ list: { type: "array", items: {} } }),
      "openAPIV3Schema.properties[list].items.type: Required value: must not be empty for specified array items",
    ],
    [
      "a root without a type",
      { properties: { spec: { type: "object" } } },
      "openAPIV3Schema.type: Required value: must not be empty at the root",
    ],
    [
      "a root that is not an object",
      { type: "string" },
      "openAPIV3Schema.type: Invalid value: must be object at the root",
    ],
    [
      "an array without items",
      root({ list: { type: "array" } }),
      "openAPIV3Schema.properties[list].items: Required value: must be specified",
    ],
    [
      "additionalProperties beside properties",
      root({
        spec: {
          type: "object",
          properties: { a: { type: "string" } },
          additionalProperties: { type: "string" },
        },
      }),
      "openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
    ],
    [
      "additionalProperties false beside properties",
      root({ spec: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false } }),
      "openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
    ],
    [
      "additionalProperties at the root",
      { type: "object", additionalProperties: { type: "string" } },
      "openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root",
    ],
    [
      "a type inside anyOf",
      root({ spec: { type: "object", properties: { a: { type: "string" } }, anyOf: [{ type: "object" }] } }),
      "openAPIV3Schema.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural",
    ],
    [
      "additionalProperties inside allOf",
      root({
        m: {
          type: "object",
          additionalProperties: { type: "string" },
          allOf: [{ additionalProperties: { type: "string" } }],
        },
      }),
      "openAPIV3Schema.properties[m].allOf[0].additionalProperties: Forbidden: must be undefined to be structural",
    ],
    [
      "a default inside oneOf",
      root({ a: { type: "string", oneOf: [{ default: "x" }] } }),
      "openAPIV3Schema.properties[a].oneOf[0].default: Forbidden: must be undefined to be structural",
    ],
    [
      "a description inside not",
      root({ a: { type: "string", not: { description: "no" } } }),
      "openAPIV3Schema.properties[a].not.description: Forbidden: must be empty to be structural",
    ],
    [
      "a title inside anyOf",
      root({ a: { type: "string", anyOf: [{ title: "t" }] } }),
      "openAPIV3Schema.properties[a].anyOf[0].title: Forbidden: must be empty to be structural",
    ],
    [
      "nullable inside allOf",
      root({ a: { type: "string", allOf: [{ nullable: true }] } }),
      "openAPIV3Schema.properties[a].allOf[0].nullable: Forbidden: must be false to be structural",
    ],
    [
      "an x-kubernetes extension inside oneOf",
      root({ a: { type: "object", oneOf: [{ "x-kubernetes-preserve-unknown-fields": true }] } }),
      "openAPIV3Schema.properties[a].oneOf[0].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural",
    ],
    [
      "CEL rules inside anyOf",
      root({ a: { type: "object", anyOf: [{ "x-kubernetes-validations": [{ rule: "true" }] }] } }),
      "openAPIV3Schema.properties[a].anyOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural",
    ],
    [
      "a junctor property not declared outside it",
      root({
        spec: {
          type: "object",
          properties: { a: { type: "string" } },
          anyOf: [{ required: ["b"], properties: { b: { minLength: 1 } } }],
        },
      }),
      "openAPIV3Schema.properties[spec].properties[b]: Required value: because it is defined in openAPIV3Schema.properties[spec].anyOf[0].properties[b]",
    ],
    [
      "metadata restricted beyond name and generateName",
      root({ metadata: { type: "object", properties: { labels: { type: "object" } } } }),
      "openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    ],
    [
      "metadata in a nested context",
      root({
        spec: {
          type: "object",
          properties: { metadata: { type: "object" } },
          allOf: [{ properties: { metadata: { required: ["name"] } } }],
        },
      }),
      "openAPIV3Schema.properties[spec].allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context",
    ],
    [
      "an embedded resource that is not an object",
      root({
        template: {
          type: "string",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
        },
      }),
      "openAPIV3Schema.properties[template].type: Invalid value: must be object if x-kubernetes-embedded-resource is true",
    ],
    [
      "an embedded resource with neither properties nor preserve-unknown-fields",
      root({ template: { type: "object", "x-kubernetes-embedded-resource": true } }),
      "openAPIV3Schema.properties[template].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
    ],
    [
      "an embedded resource with additionalProperties",
      root({
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
          additionalProperties: { type: "string" },
        },
      }),
      "openAPIV3Schema.properties[template].additionalProperties: Forbidden: must not be used if x-kubernetes-embedded-resource is set",
    ],
    [
      "an embedded resource whose kind is not a string",
      root({
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { kind: { type: "integer" } },
        },
      }),
      "openAPIV3Schema.properties[template].properties[kind].type: Invalid value: must be string",
    ],
    [
      "int-or-string with preserve-unknown-fields",
      root({ port: { "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true } }),
      "openAPIV3Schema.properties[port].x-kubernetes-preserve-unknown-fields: Invalid value: must be false if x-kubernetes-int-or-string is true",
    ],
    [
      "preserve-unknown-fields set to false",
      root({ a: { type: "object", "x-kubernetes-preserve-unknown-fields": false } }),
      "openAPIV3Schema.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: must be true or undefined",
    ],
    [
      "uniqueItems",
      root({ l: { type: "array", items: { type: "string" }, uniqueItems: true } }),
      "openAPIV3Schema.properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
    ],
    [
      "a $ref",
      root({ a: { type: "object", ...({ $ref: "#/x" } as JSONSchemaProps) } }),
      "openAPIV3Schema.properties[a].$ref: Forbidden: $ref is not supported",
    ],
    [
      "a list-type map without keys",
      root({
        l: {
          type: "array",
          items: { type: "object", properties: { n: { type: "string" } } },
          "x-kubernetes-list-type": "map",
        },
      }),
      "openAPIV3Schema.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map",
    ],
    [
      "a list-type on an object",
      root({ o: { type: "object", "x-kubernetes-list-type": "set" } }),
      "openAPIV3Schema.properties[o].type: Invalid value: must be array if x-kubernetes-list-type is specified",
    ],
    [
      "a map-type on an array",
      root({ l: { type: "array", items: { type: "string" }, "x-kubernetes-map-type": "atomic" } }),
      "openAPIV3Schema.properties[l].type: Invalid value: must be object if x-kubernetes-map-type is specified",
    ],
  ])("rejects %s", (_name, schema, expected) => {
    expect(structuralSchemaIssues(schema)).toEqual([expected]);
  });
});

import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../../../crds/openapi/types.js";
import { formatIssues, validateAgainstSchema } from "../../../crds/openapi/validate.js";

const meta = { name: "x", namespace: "default" };

/** A resource root around `spec`, so each case states only the part it is about. */
const rootWith = (specSchema: JSONSchemaProps): JSONSchemaProps => ({
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: specSchema,
  },
});

const check = (specSchema: JSONSchemaProps, spec: unknown, options = {}) =>
  validateAgainstSchema(
    { apiVersion: "x.dev/v1", kind: "X", metadata: meta, spec },
    rootWith(specSchema),
    options,
  ).map((i) => `${i.path} ${i.code}`);

describe("validateAgainstSchema", () => {
  describe("value keywords", () => {
    it.each<[string, JSONSchemaProps, unknown, string[]]>([
      ["an integer accepts a whole number", { type: "integer" }, 3, []],
      ["an integer refuses a fraction", { type: "integer" }, 1.5, ["spec type"]],
      ["a number accepts a fraction", { type: "number" }, 1.5, []],
      ["a boolean refuses a string", { type: "boolean" }, "true", ["spec type"]],
      ["an array refuses an object", { type: "array", items: { type: "string" } }, {}, ["spec type"]],
      ["nullable accepts null", { type: "string", nullable: true }, null, []],
      ["int-or-string accepts an integer", { "x-kubernetes-int-or-string": true }, 8080, []],
      ["int-or-string accepts a string", { "x-kubernetes-int-or-string": true }, "http", []],
      ["int-or-string refuses a boolean", { "x-kubernetes-int-or-string": true }, true, ["spec type"]],
      ["enum refuses other values", { type: "string", enum: ["a", "b"] }, "c", ["spec enum"]],
      ["pattern is searched, not anchored", { type: "string", pattern: "b" }, "abc", []],
      ["pattern with POSIX classes", { type: "string", pattern: "^[[:alpha:]]+$" }, "ab1", ["spec pattern"]],
      ["minLength counts characters", { type: "string", minLength: 3 }, "äöü", []],
      ["maxLength refuses longer strings", { type: "string", maxLength: 2 }, "abc", ["spec max-length"]],
      ["minimum is inclusive", { type: "integer", minimum: 1 }, 1, []],
      [
        "exclusiveMinimum excludes the bound",
        { type: "integer", minimum: 1, exclusiveMinimum: true },
        1,
        ["spec min"],
      ],
      ["maximum refuses larger values", { type: "integer", maximum: 10 }, 11, ["spec max"]],
      [
        "exclusiveMaximum excludes the bound",
        { type: "integer", maximum: 10, exclusiveMaximum: true },
        10,
        ["spec max"],
      ],
      ["multipleOf", { type: "integer", multipleOf: 5 }, 12, ["spec multiple-of"]],
      ["minItems", { type: "array", items: { type: "string" }, minItems: 1 }, [], ["spec min-items"]],
      ["maxItems", { type: "array", items: { type: "string" }, maxItems: 1 }, ["a", "b"], ["spec max-items"]],
      [
        "maxProperties",
        { type: "object", additionalProperties: { type: "string" }, maxProperties: 1 },
        { a: "1", b: "2" },
        ["spec max-properties"],
      ],
      [
        "uniqueItems",
        { type: "array", items: { type: "string" }, uniqueItems: true },
        ["a", "a"],
        ["spec[1] duplicate"],
      ],
      [
        "format date-time accepts RFC 3339",
        { type: "string", format: "date-time" },
        "2026-08-01T10:00:00Z",
        [],
      ],
      [
        "format date-time refuses a date",
        { type: "string", format: "date-time" },
        "2026-08-01",
        ["spec format"],
      ],
      ["format duration accepts Go durations", { type: "string", format: "duration" }, "1h30m", []],
      ["format byte refuses non-base64", { type: "string", format: "byte" }, "not base64!", ["spec format"]],
      ["format int32 refuses 2^31", { type: "integer", format: "int32" }, 2 ** 31, ["spec format"]],
      ["an unknown format is ignored", { type: "string", format: "color" }, "anything", []],
    ])("%s", (_name, schema, value, expected) => {
      expect(check(schema, value)).toEqual(expected);
    });
  });

  describe("junctors", () => {
    const exactlyOne: JSONSchemaProps = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
      oneOf: [{ required: ["a"] }, { required: ["b"] }],
    };
    it.each<[string, JSONSchemaProps, unknown, string[]]>([
      ["oneOf passes with exactly one branch", exactlyOne, { a: "x" }, []],
      ["oneOf fails with two branches", exactlyOne, { a: "x", b: "y" }, ["spec one-of"]],
      ["oneOf fails with none", exactlyOne, {}, ["spec one-of"]],
      [
        "anyOf passes with one branch",
        { type: "string", anyOf: [{ pattern: "^a" }, { pattern: "^b" }] },
        "b",
        [],
      ],
      [
        "anyOf fails with none",
        { type: "string", anyOf: [{ pattern: "^a" }, { pattern: "^b" }] },
        "c",
        ["spec any-of"],
      ],
      [
        "allOf reports each failing branch",
        { type: "string", allOf: [{ minLength: 5 }, { pattern: "^a" }] },
        "b",
        ["spec min-length", "spec pattern"],
      ],
      [
        "not fails when its schema matches",
        { type: "string", not: { enum: ["admin"] } },
        "admin",
        ["spec not"],
      ],
      [
        "junctor properties check present fields only",
        {
          type: "object",
          properties: { a: { type: "string" } },
          allOf: [{ properties: { a: { minLength: 2 } } }],
        },
        { a: "x" },
        ["spec.a min-length"],
      ],
    ])("%s", (_name, schema, value, expected) => {
      expect(check(schema, value)).toEqual(expected);
    });
  });

  describe("pruning and defaulting", () => {
    const object: JSONSchemaProps = {
      type: "object",
      required: ["mode"],
      properties: { mode: { type: "string", default: "fast" }, name: { type: "string" } },
    };
    it.each<[string, JSONSchemaProps, unknown, string[]]>([
      [
        "an undeclared field is reported as pruned",
        object,
        { name: "n", nmae: "typo" },
        ["spec.nmae unknown-field"],
      ],
      ["a required field with a default may be left out", object, { name: "n" }, []],
      ["a null for a defaulted field is replaced by the default", object, { mode: null }, []],
      ["a null for a field without a default is pruned", object, { name: null }, ["spec.name pruned-null"]],
      [
        "a null list item is a type error, not pruned",
        { type: "array", items: { type: "string" } },
        ["a", null],
        ["spec[1] type"],
      ],
      [
        "preserve-unknown-fields keeps undeclared fields",
        {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { a: { type: "string" } },
        },
        { a: "x", b: { c: 1 } },
        [],
      ],
      [
        "preserve-unknown-fields still checks declared fields",
        {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { a: { type: "string" } },
        },
        { a: 1 },
        ["spec.a type"],
      ],
      [
        "additionalProperties as a schema checks every value",
        { type: "object", additionalProperties: { type: "string" } },
        { a: "1", b: 2 },
        ["spec.b type"],
      ],
      [
        "additionalProperties true keeps any value",
        { type: "object", additionalProperties: true },
        { a: [1] },
        [],
      ],
      [
        "an object without properties prunes every field",
        { type: "object" },
        { a: 1 },
        ["spec.a unknown-field"],
      ],
    ])("%s", (_name, schema, value, expected) => {
      expect(check(schema, value)).toEqual(expected);
    });
  });

  describe("list types", () => {
    const mapList: JSONSchemaProps = {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name", "protocol"],
      items: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string" },
          protocol: { type: "string", default: "TCP" },
          port: { type: "integer" },
        },
      },
    };
    it.each<[string, JSONSchemaProps, unknown, string[]]>([
      [
        "a set refuses duplicates",
        { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
        ["a", "b", "a"],
        ["spec[2] duplicate"],
      ],
      ["a map list accepts distinct keys", mapList, [{ name: "a" }, { name: "a", protocol: "UDP" }], []],
      [
        "a map list compares keys after defaulting",
        mapList,
        [
          { name: "a", port: 1 },
          { name: "a", protocol: "TCP", port: 2 },
        ],
        ["spec[1] duplicate"],
      ],
      [
        "an atomic list allows duplicates",
        { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "atomic" },
        ["a", "a"],
        [],
      ],
    ])("%s", (_name, schema, value, expected) => {
      expect(check(schema, value)).toEqual(expected);
    });
  });

  describe("embedded resources", () => {
    const template: JSONSchemaProps = {
      type: "object",
      "x-kubernetes-embedded-resource": true,
      "x-kubernetes-preserve-unknown-fields": true,
    };
    it.each<[string, unknown, string[]]>([
      [
        "a complete embedded object is accepted",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} },
        [],
      ],
      [
        "an embedded object needs apiVersion and kind",
        { metadata: { name: "c" } },
        ["spec.apiVersion required", "spec.kind required"],
      ],
      ["an embedded object may leave out its name", { apiVersion: "v1", kind: "ConfigMap" }, []],
      [
        "embedded metadata is checked as ObjectMeta",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { labels: { a: "b c" } } },
        ["spec.metadata.labels.a metadata"],
      ],
      [
        "an embedded kind must be a DNS-1035 label",
        { apiVersion: "v1", kind: "Config_Map" },
        ["spec.kind metadata"],
      ],
    ])("%s", (_name, value, expected) => {
      expect(check(template, value)).toEqual(expected);
    });

    it("lets an object embedded in a cluster-scoped resource carry a namespace", () => {
      const value = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "team-a" } };
      expect(check(template, value, { namespaced: false }).filter((i) => i.startsWith("spec"))).toEqual([]);
    });

    it("keeps apiVersion, kind and metadata of an embedded object whose schema lists other fields only", () => {
      const strict: JSONSchemaProps = {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        properties: { data: { type: "object", additionalProperties: { type: "string" } } },
      };
      expect(
        check(strict, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: "v" } }),
      ).toEqual([]);
    });
  });

  describe("CEL rules", () => {
    const withRule = (rule: string, message?: string, fieldPath?: string): JSONSchemaProps => ({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" }, mode: { type: "string", default: "auto" } },
      "x-kubernetes-validations": [
        { rule, ...(message ? { message } : {}), ...(fieldPath ? { fieldPath } : {}) },
      ],
    });

    it("reports the rule's message at the rule's node", () => {
      expect(
        validateAgainstSchema(
          { apiVersion: "x.dev/v1", kind: "X", metadata: meta, spec: { a: "1", b: "2" } },
          rootWith(withRule("has(self.a) != has(self.b)", "set a or b, not both")),
        ),
      ).toEqual([{ path: "spec", code: "cel", message: "set a or b, not both" }]);
    });

    it("places the issue at fieldPath when the rule names one", () => {
      expect(check(withRule("self.a.size() < 2", "too long", ".a"), { a: "xyz" })).toEqual(["spec.a cel"]);
    });

    it("sees defaults inside a defaulted object", () => {
      const schema: JSONSchemaProps = {
        type: "object",
        properties: {
          retry: {
            type: "object",
            default: {},
            properties: { strategy: { type: "string", default: "backoff" } },
          },
        },
        "x-kubernetes-validations": [
          { rule: "self.retry.strategy == 'backoff'", message: "default not applied" },
        ],
      };
      expect(check(schema, {})).toEqual([]);
    });

    it("sees the pruned and defaulted object", () => {
      expect(check(withRule("self.mode == 'auto' && !has(self.c)"), { c: "pruned" })).toEqual([
        "spec.c unknown-field",
      ]);
    });

    it("reports an evaluation error as a failed rule", () => {
      expect(check(withRule("self.a == 'x'"), {})).toEqual(["spec cel"]);
    });

    it("skips a rule it cannot evaluate unless CEL is strict", () => {
      expect(check(withRule("self.a.lowerAscii() == 'x'"), { a: "X" })).toEqual([]);
      expect(check(withRule("self.a.lowerAscii() == 'x'"), { a: "X" }, { strictCel: true })).toEqual([
        "spec cel-unsupported",
      ]);
    });

    it("skips transition rules, which only run on update", () => {
      expect(check(withRule("self.a == oldSelf.a"), { a: "x" }, { strictCel: true })).toEqual([]);
    });
  });

  describe("the resource root", () => {
    const schema = rootWith({ type: "object" });
    it.each<[string, unknown, string[]]>([
      ["metadata without name or generateName", { metadata: {} }, ["metadata.name required"]],
      ["a bad generateName", { metadata: { generateName: "Web-" } }, ["metadata.generateName metadata"]],
      ["a generateName ending in a dash", { metadata: { generateName: "web-" } }, []],
      [
        "a namespace that is not a DNS label",
        { metadata: { name: "a", namespace: "team.a" } },
        ["metadata.namespace metadata"],
      ],
      ["an unknown top-level field", { metadata: { name: "a" }, extra: 1 }, ["extra unknown-field"]],
    ])("%s", (_name, object, expected) => {
      const issues = validateAgainstSchema(
        { apiVersion: "x.dev/v1", kind: "X", ...(object as object) },
        schema,
      );
      expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual(expected);
    });

    it("applies a root schema's restriction on metadata.name", () => {
      const restricted: JSONSchemaProps = {
        ...schema,
        properties: {
          ...schema.properties,
          metadata: { type: "object", properties: { name: { type: "string", maxLength: 5 } } },
        },
      };
      const issues = validateAgainstSchema(
        { apiVersion: "x.dev/v1", kind: "X", metadata: { name: "toolong" } },
        restricted,
      );
      expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual(["metadata.name max-length"]);
    });

    it("validates a plain value without ObjectMeta rules when it is not a resource root", () => {
      expect(
        validateAgainstSchema(
          { a: 1 },
          { type: "object", properties: { a: { type: "integer" } } },
          { resourceRoot: false },
        ),
      ).toEqual([]);
    });
  });

  it("formats issues one per line with path, message and code", () => {
    expect(
      formatIssues([
        { path: "spec.a", code: "type", message: "must be of type string, got integer" },
        { path: "", code: "type", message: "a resource must be an object" },
      ]),
    ).toBe("spec.a: must be of type string, got integer [type]\n<root>: a resource must be an object [type]");
  });
});

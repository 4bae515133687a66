// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${param} is the profile syntax under test, not a template
import { describe, expect, it } from "vitest";
import type { ProfileParameter } from "../../crds/profile.js";
import {
  deepMerge,
  type Parameters,
  resolveNestedParameters,
  resolveRootParameters,
  substituteValues,
  targetPath,
} from "../../synth/values.js";

const declared: ProfileParameter[] = [
  { name: "replicas", type: "integer", default: 2 },
  { name: "ratio", type: "number" },
  { name: "debug", type: "boolean", default: false },
  { name: "hostname", type: "string", required: true },
  { name: "password", type: "string" },
];
const declaredNames = new Set(declared.map((parameter) => parameter.name));

const parameters: Parameters = new Map([
  ["replicas", { value: 3 }],
  ["debug", { value: true }],
  ["hostname", { value: "web.example.com" }],
  ["password", { secret: { name: "web-params", key: "password", optional: false } }],
]);

describe("substituteValues", () => {
  it.each([
    ["a whole ${p} takes the parameter's typed value", { n: "${replicas}" }, { n: 3 }],
    ["a boolean stays a boolean", { on: "${debug}" }, { on: true }],
    [
      "inside a longer string the value is interpolated",
      { url: "https://${hostname}:${replicas}" },
      { url: "https://web.example.com:3" },
    ],
    [
      "$${p} is a literal ${p}",
      { text: "$${hostname} and $${nothing}" },
      { text: "${hostname} and ${nothing}" },
    ],
    ["a parameter without a value drops a whole leaf", { r: "${ratio}", keep: 1 }, { keep: 1 }],
    ["a parameter without a value interpolates as nothing", { r: "x${ratio}y" }, { r: "xy" }],
    [
      "arrays and nested objects are walked",
      { list: [{ host: "${hostname}" }, "${ratio}", "z"] },
      { list: [{ host: "web.example.com" }, "z"] },
    ],
    [
      "other ${...} forms are left alone",
      { shell: "${HOME:-/root} ${a.b}" },
      { shell: "${HOME:-/root} ${a.b}" },
    ],
    ["keys are never substituted", { "${hostname}": 1 }, { "${hostname}": 1 }],
    ["null stays, for Helm to remove the chart's key", { drop: null }, { drop: null }],
  ])("%s", (_, values, expected) => {
    const result = substituteValues(values, parameters, declaredNames, "artifact server");
    expect(result.problems).toEqual([]);
    expect(result.values).toEqual(expected);
  });

  it("a whole-value Secret parameter is left out and reported with its place", () => {
    const result = substituteValues(
      { auth: { password: "${password}" }, hosts: ["a", "${password}"] },
      parameters,
      declaredNames,
      "artifact server",
    );
    expect(result.values).toEqual({ auth: {}, hosts: ["a"] });
    expect(result.secretLeaves).toEqual([
      {
        path: ["auth", "password"],
        parameter: "password",
        secret: { name: "web-params", key: "password", optional: false },
      },
      {
        path: ["hosts", 1],
        parameter: "password",
        secret: { name: "web-params", key: "password", optional: false },
      },
    ]);
  });

  it("a Secret parameter inside a longer string is a subscription problem naming it", () => {
    const result = substituteValues(
      { dsn: "postgres://u:${password}@db" },
      parameters,
      declaredNames,
      "artifact server",
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.blame).toBe("subscription");
    expect(result.problems[0]!.message).toMatch(
      /parameter password comes from Secret web-params.*dsn.*longer string/,
    );
  });

  it("a reference to an undeclared parameter is a profile problem naming it", () => {
    const result = substituteValues(
      { a: "${nope}", b: "x-${neither}" },
      parameters,
      declaredNames,
      "artifact server",
    );
    expect(result.problems.map((problem) => problem.blame)).toEqual(["profile", "profile"]);
    expect(result.problems[0]!.message).toMatch(/values at a refer to \$\{nope\}/);
    expect(result.problems[1]!.message).toMatch(/values at b refer to \$\{neither\}/);
  });
});

describe("deepMerge", () => {
  it("merges objects, replaces arrays and scalars, and null removes a key", () => {
    const base = { image: { repository: "nginx", tag: "1" }, ports: [80, 443], replicas: 1, drop: { a: 1 } };
    const merged = deepMerge(base, { image: { tag: "2" }, ports: [8080], replicas: 3, drop: null });
    expect(merged).toEqual({ image: { repository: "nginx", tag: "2" }, ports: [8080], replicas: 3 });
    expect(base.image.tag).toBe("1");
  });
});

describe("targetPath", () => {
  it.each([
    [["auth", "password"], "auth.password"],
    [["hosts", 0, "name"], "hosts[0].name"],
    [["annotations", "example.com/key"], "annotations.example\\.com/key"],
    [["with space"], undefined],
    [[], undefined],
  ])("%j is %s", (path, expected) => {
    expect(targetPath(path)).toBe(expected);
  });
});

describe("resolveRootParameters", () => {
  it("takes defaults, then ConfigMaps, then spec.parameters, then Secrets", () => {
    const { parameters: resolved, problems } = resolveRootParameters({
      profile: "nginx",
      declared,
      parametersFrom: [
        { kind: "Secret", name: "web-params" },
        { kind: "ConfigMap", name: "web-config" },
      ],
      inline: { hostname: "inline.example.com", password: "inline" },
      sources: {
        configMaps: {
          "web-config": { replicas: "5", ratio: "0.5", debug: "true", hostname: "cm.example.com" },
        },
        secrets: { "web-params": ["password"] },
      },
    });
    expect(problems).toEqual([]);
    expect(Object.fromEntries(resolved)).toEqual({
      replicas: { value: 5 },
      ratio: { value: 0.5 },
      debug: { value: true },
      hostname: { value: "inline.example.com" },
      password: { secret: { name: "web-params", key: "password", optional: false } },
    });
  });

  it("a later Secret wins over an earlier one", () => {
    const { parameters: resolved } = resolveRootParameters({
      profile: "nginx",
      declared,
      inline: { hostname: "h" },
      parametersFrom: [
        { kind: "Secret", name: "first" },
        { kind: "Secret", name: "second", optional: true },
      ],
      sources: { secrets: { first: ["password"], second: ["password"] } },
    });
    expect(resolved.get("password")).toEqual({ secret: { name: "second", key: "password", optional: true } });
  });

  it.each([
    [
      "an unknown inline parameter",
      { inline: { hostname: "h", colour: "blue" } },
      /parameter colour \(from spec\.parameters\) is not a parameter of the profile \(it declares replicas, ratio, debug, hostname, password\)/,
    ],
    [
      "an unknown ConfigMap key",
      {
        inline: { hostname: "h" },
        parametersFrom: [{ kind: "ConfigMap" as const, name: "cm" }],
        sources: { configMaps: { cm: { colour: "blue" } } },
      },
      /parameter colour \(from ConfigMap cm\) is not a parameter/,
    ],
    [
      "an unknown Secret key",
      {
        inline: { hostname: "h" },
        parametersFrom: [{ kind: "Secret" as const, name: "s" }],
        sources: { secrets: { s: ["colour"] } },
      },
      /parameter colour \(from Secret s\) is not a parameter/,
    ],
    ["a missing required parameter", {}, /parameter hostname is required and has no default/],
    [
      "an inline string for an integer",
      { inline: { hostname: "h", replicas: "3" } },
      /parameter replicas \(spec\.parameters\) must be an integer, got "3"/,
    ],
    [
      "an inline fraction for an integer",
      { inline: { hostname: "h", replicas: 2.5 } },
      /parameter replicas \(spec\.parameters\) must be an integer, got 2\.5/,
    ],
    [
      "an inline number for a string",
      { inline: { hostname: 7 } },
      /parameter hostname \(spec\.parameters\) must be a string, got 7/,
    ],
    [
      "an inline string for a boolean",
      { inline: { hostname: "h", debug: "yes" } },
      /parameter debug \(spec\.parameters\) must be a boolean, got "yes"/,
    ],
    [
      "an inline boolean for a number",
      { inline: { hostname: "h", ratio: true } },
      /parameter ratio \(spec\.parameters\) must be a number, got true/,
    ],
    [
      "a ConfigMap value that is not an integer",
      {
        inline: { hostname: "h" },
        parametersFrom: [{ kind: "ConfigMap" as const, name: "cm" }],
        sources: { configMaps: { cm: { replicas: "three" } } },
      },
      /parameter replicas \(from ConfigMap cm\) must be an integer, got "three"/,
    ],
    [
      "a ConfigMap value that is not a boolean",
      {
        inline: { hostname: "h" },
        parametersFrom: [{ kind: "ConfigMap" as const, name: "cm" }],
        sources: { configMaps: { cm: { debug: "yes" } } },
      },
      /parameter debug \(from ConfigMap cm\) must be a boolean, got "yes"/,
    ],
  ])("%s is a subscription problem naming the parameter", (_, given, message) => {
    const { problems } = resolveRootParameters({ profile: "nginx", declared, ...given });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.blame).toBe("subscription");
    expect(problems[0]!.message).toMatch(/^profile nginx: /);
    expect(problems[0]!.message).toMatch(message);
  });

  it("reports every problem at once", () => {
    const { problems } = resolveRootParameters({
      profile: "nginx",
      declared,
      inline: { colour: "blue", replicas: "x" },
    });
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/colour/),
      expect.stringMatching(/replicas/),
      expect.stringMatching(/hostname is required/),
    ]);
  });

  it("a missing non-optional source is reported as missing; an optional one is skipped", () => {
    const { missing, problems } = resolveRootParameters({
      profile: "nginx",
      declared,
      inline: { hostname: "h" },
      parametersFrom: [
        { kind: "ConfigMap", name: "absent" },
        { kind: "Secret", name: "absent-too", optional: true },
      ],
      sources: {},
    });
    expect(problems).toEqual([]);
    expect(missing).toEqual([{ kind: "ConfigMap", name: "absent" }]);
  });
});

describe("resolveNestedParameters", () => {
  const nestedDeclared: ProfileParameter[] = [
    { name: "size", type: "integer", default: 1 },
    { name: "auth", type: "string", required: true },
  ];
  const secret = { name: "web-params", key: "password", optional: false };

  it("takes typed values and keeps a whole-value Secret parameter as a reference", () => {
    const { parameters: resolved, problems } = resolveNestedParameters({
      where: "nested profile redis at cache",
      declared: nestedDeclared,
      values: { size: 4 },
      secretLeaves: [{ path: ["auth"], parameter: "password", secret }],
      blame: "profile",
    });
    expect(problems).toEqual([]);
    expect(Object.fromEntries(resolved)).toEqual({ size: { value: 4 }, auth: { secret } });
  });

  it("reports unknown, mistyped and missing parameters with the blame it is given", () => {
    const { problems } = resolveNestedParameters({
      where: "nested profile redis at cache",
      declared: nestedDeclared,
      values: { size: "4", colour: "red" },
      secretLeaves: [{ path: ["deep", "auth"], parameter: "password", secret }],
      blame: "subscription",
    });
    expect(problems.map((problem) => problem.blame)).toEqual([
      "subscription",
      "subscription",
      "subscription",
      "subscription",
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      'nested profile redis at cache: parameter size must be an integer, got "4"',
      "nested profile redis at cache: values give colour, which is not a parameter of the nested profile (it declares size, auth)",
      "nested profile redis at cache: values at deep.auth pass Secret parameter password, which only a top-level parameter of the nested profile can take",
      "nested profile redis at cache: parameter auth is required and has no default; give it a value",
    ]);
  });
});

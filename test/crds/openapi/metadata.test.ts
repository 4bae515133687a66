import { describe, expect, it } from "vitest";
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  labelValueErrors,
  qualifiedNameErrors,
  validateObjectMeta,
  validateTypeMeta,
} from "../../../crds/openapi/metadata.js";

const codes = (meta: unknown, context = { root: true, namespaced: true }) =>
  validateObjectMeta(meta, "metadata", context).map((i) => `${i.path} ${i.code}`);

describe("Kubernetes name rules", () => {
  it.each([
    ["web", true],
    ["web.example-1", true],
    ["a".repeat(253), true],
    ["a".repeat(254), false],
    ["Web", false],
    ["-web", false],
    ["web_1", false],
    ["", false],
  ])("DNS-1123 subdomain %j is valid: %s", (value, valid) => {
    expect(dns1123SubdomainErrors(value).length === 0).toBe(valid);
  });

  it.each([
    ["team-a", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["team.a", false],
  ])("DNS-1123 label %j is valid: %s", (value, valid) => {
    expect(dns1123LabelErrors(value).length === 0).toBe(valid);
  });

  it.each([
    ["app", true],
    ["app.kubernetes.io/name", true],
    ["Example.com/Name", false],
    ["a/b/c", false],
    ["/name", false],
    ["prefix/", false],
    [`p/${"n".repeat(64)}`, false],
    ["under_score.ok-1", true],
  ])("qualified name %j is valid: %s", (value, valid) => {
    expect(qualifiedNameErrors(value).length === 0).toBe(valid);
  });

  it.each([
    ["", true],
    ["v1.2_3-x", true],
    ["x".repeat(63), true],
    ["x".repeat(64), false],
    ["has space", false],
    ["-lead", false],
  ])("label value %j is valid: %s", (value, valid) => {
    expect(labelValueErrors(value).length === 0).toBe(valid);
  });
});

describe("validateObjectMeta", () => {
  it("accepts the fields a server-side apply sends and the server fills in", () => {
    expect(
      codes({
        name: "web",
        namespace: "team-a",
        labels: { "app.kubernetes.io/name": "web" },
        annotations: { "Example.com/Note": "anything at all, spaces too" },
        finalizers: ["finalizers.fluxcd.io"],
        ownerReferences: [
          {
            apiVersion: "profiles.pctl.dev/v1alpha1",
            kind: "ProfileSubscription",
            name: "web",
            uid: "1",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: "abc",
        resourceVersion: "12",
        generation: 3,
        creationTimestamp: null,
        managedFields: [{ manager: "pctl", operation: "Apply" }],
      }),
    ).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ["a missing name", { namespace: "a" }, ["metadata.name required"]],
    ["an unknown field", { name: "a", clusterName: "x" }, ["metadata.clusterName unknown-field"]],
    ["a label value that is not a string", { name: "a", labels: { a: 1 } }, ["metadata.labels.a type"]],
    [
      "a label key with two slashes",
      { name: "a", labels: { "a/b/c": "x" } },
      ['metadata.labels["a/b/c"] metadata'],
    ],
    [
      "an annotation key with a bad prefix",
      { name: "a", annotations: { "-x/y": "v" } },
      ['metadata.annotations["-x/y"] metadata'],
    ],
    [
      "annotations over 256 KiB in total",
      { name: "a", annotations: { big: "x".repeat(256 * 1024) } },
      ["metadata.annotations max"],
    ],
    [
      "a finalizer that is not a qualified name",
      { name: "a", finalizers: ["bad finalizer"] },
      ["metadata.finalizers[0] metadata"],
    ],
    [
      "an owner reference without uid",
      { name: "a", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "c" }] },
      ["metadata.ownerReferences[0].uid required"],
    ],
    [
      "two controller owner references",
      {
        name: "a",
        ownerReferences: [1, 2].map((n) => ({
          apiVersion: "v1",
          kind: "K",
          name: `n${n}`,
          uid: `${n}`,
          controller: true,
        })),
      },
      ["metadata.ownerReferences metadata"],
    ],
    ["a negative generation", { name: "a", generation: -1 }, ["metadata.generation min"]],
    [
      "a creationTimestamp that is no time",
      { name: "a", creationTimestamp: "yesterday" },
      ["metadata.creationTimestamp type"],
    ],
    ["metadata that is a list", [], ["metadata type"]],
  ])("reports %s", (_name, meta, expected) => {
    expect(codes(meta)).toEqual(expected);
  });

  it("allows names that are only path segments inside embedded objects", () => {
    expect(codes({ name: "Upper_Case" }, { root: false, namespaced: true })).toEqual([]);
    expect(codes({ name: "a/b" }, { root: false, namespaced: true })).toEqual(["metadata.name metadata"]);
  });
});

describe("validateTypeMeta", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a core version", { apiVersion: "v1", kind: "ConfigMap" }, []],
    ["a group version", { apiVersion: "apps/v1", kind: "Deployment" }, []],
    ["a malformed version", { apiVersion: "a/b/c", kind: "K" }, ["t.apiVersion metadata"]],
    ["a kind that is not a string", { apiVersion: "v1", kind: 3 }, ["t.kind type"]],
  ])("%s", (_name, value, expected) => {
    expect(validateTypeMeta(value, "t").map((i) => `${i.path} ${i.code}`)).toEqual(expected);
  });
});

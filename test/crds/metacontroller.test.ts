import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  childrenOf,
  compositeHookRequestSchema,
  compositeHookResponseSchema,
  compositeHookResponseV2Schema,
  customizeHookRequestSchema,
  customizeHookResponseSchema,
  hookVersionOf,
  objectMapKey,
  objectMapSchema,
  relatedResourceRuleSchema,
} from "../../crds/metacontroller.js";

// CI checks out shared/ beside the repository, as in the workspace.
const fixtures = fileURLToPath(new URL("../../../shared/fixtures/metacontroller", import.meta.url));
const read = (path: string): unknown => JSON.parse(readFileSync(join(fixtures, path), "utf8"));

/** Which schema each composite/customize fixture is an instance of. */
const composite: Record<string, { safeParse: (v: unknown) => { success: boolean } }> = {
  "composite-sync-request-v1.hooks_test.json": compositeHookRequestSchema,
  "constructed/composite-sync-request-v1.json": compositeHookRequestSchema,
  "constructed/composite-sync-request-v2.json": compositeHookRequestSchema,
  "constructed/composite-finalize-request-v1.json": compositeHookRequestSchema,
  "constructed/composite-sync-response.json": compositeHookResponseV2Schema,
  "constructed/composite-finalize-response.json": compositeHookResponseV2Schema,
  "constructed/customize-request.json": customizeHookRequestSchema,
  "constructed/customize-response.json": customizeHookResponseSchema,
};

describe("Metacontroller hook envelopes", () => {
  describe("fixtures", () => {
    it("every composite and customize fixture is covered by this test", () => {
      const all = [
        ...readdirSync(fixtures).filter((f) => f.endsWith(".json")),
        ...readdirSync(join(fixtures, "constructed")).map((f) => `constructed/${f}`),
      ];
      const decorator = all.filter((f) => f.includes("decorator"));
      const docSnippets = all.filter((f) => f.endsWith(".docs.json") && !f.includes("decorator"));
      expect(all.filter((f) => !decorator.includes(f) && !docSnippets.includes(f)).sort()).toEqual(
        Object.keys(composite).sort(),
      );
    });

    it.each(Object.entries(composite))("%s parses", (file, schema) => {
      const result = schema.safeParse(read(file));
      expect(result).toMatchObject({ success: true });
    });

    it("the docs snippet's children map (an excerpt of a request) parses, empty group included", () => {
      const snippet = read("composite-sync-request-children-empty-group.docs.json") as { children: unknown };
      expect(objectMapSchema.parse(snippet.children)).toEqual({ "Pod.v1": {} });
    });

    it("objects keep fields the schema does not name", () => {
      const request = compositeHookRequestSchema.parse(read("constructed/composite-sync-request-v1.json"));
      const pod = childrenOf(request, "Pod", "v1")[0];
      expect(pod?.spec).toMatchObject({ restartPolicy: "OnFailure" });
      expect(pod?.metadata.annotations?.["metacontroller.k8s.io/last-applied-configuration"]).toBeTypeOf(
        "string",
      );
    });
  });

  describe("malformed envelopes", () => {
    it("a request without finalizing names the field", () => {
      const { finalizing: _, ...rest } = read("constructed/composite-sync-request-v1.json") as Record<
        string,
        unknown
      >;
      const result = compositeHookRequestSchema.safeParse(rest);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["finalizing"]);
    });

    it("a child without a kind names the field", () => {
      const request = read("constructed/composite-sync-request-v2.json") as {
        children: Record<string, Record<string, Record<string, unknown>>>;
      };
      delete request.children["Pod.v1"]!["hello/your-name"]!.kind;
      const result = compositeHookRequestSchema.safeParse(request);
      expect(result.error?.issues.map((i) => i.path.join("."))).toEqual([
        "children.Pod.v1.hello/your-name.kind",
      ]);
    });

    it("a group key that is not Kind.apiVersion is rejected", () => {
      expect(objectMapSchema.safeParse({ pods: {} }).success).toBe(false);
      expect(objectMapSchema.safeParse({ "HelmRelease.helm.toolkit.fluxcd.io/v2": {} }).success).toBe(true);
    });

    it("a v2 response with an extra top-level key fails, a v1 response ignores it", () => {
      const response = { ...(read("constructed/composite-sync-response.json") as object), labels: {} };
      const strict = compositeHookResponseV2Schema.safeParse(response);
      expect(strict.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["labels"] });
      expect(compositeHookResponseSchema.safeParse(response).success).toBe(true);
    });

    it("a desired child without metadata.name names the field", () => {
      const result = compositeHookResponseV2Schema.safeParse({
        children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: {} }],
      });
      expect(result.error?.issues[0]?.path).toEqual(["children", 0, "metadata", "name"]);
    });

    it("a related rule with names and a labelSelector is rejected", () => {
      const result = relatedResourceRuleSchema.safeParse({
        apiVersion: "v1",
        resource: "configmaps",
        names: ["a"],
        labelSelector: {},
      });
      expect(result.error?.issues[0]?.path).toEqual(["names"]);
    });
  });

  describe("childrenOf", () => {
    it("returns the same flat list for a v1 and a v2 request", () => {
      const v1 = compositeHookRequestSchema.parse(read("constructed/composite-sync-request-v1.json"));
      const v2 = compositeHookRequestSchema.parse(read("constructed/composite-sync-request-v2.json"));
      expect(childrenOf(v1, "Pod", "v1")).toEqual(childrenOf(v2, "Pod", "v1"));
      expect(childrenOf(v1, "Pod", "v1").map((p) => p.metadata.name)).toEqual(["your-name"]);
    });

    it("returns an empty list for an absent group and sorts by namespace and name", () => {
      const object = (namespace: string, name: string) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace },
      });
      const request = {
        children: {
          "ConfigMap.v1": { "b/x": object("b", "x"), "a/z": object("a", "z"), "a/y": object("a", "y") },
        },
      };
      expect(
        childrenOf(request, "ConfigMap", "v1").map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
      ).toEqual(["a/y", "a/z", "b/x"]);
      expect(childrenOf(request, "Secret", "v1")).toEqual([]);
    });
  });

  describe("keys and versions", () => {
    const namespaced = { metadata: { name: "web", namespace: "team-a" } };
    const clusterScoped = { metadata: { name: "team-a" } };

    it.each([
      ["v1", "team-a", namespaced, "web"],
      ["v1", undefined, namespaced, "team-a/web"],
      ["v1", undefined, clusterScoped, "team-a"],
      ["v2", "team-a", namespaced, "team-a/web"],
      ["v2", "team-a", clusterScoped, "team-a"],
    ] as const)(
      "%s with parent namespace %s keys the object as expected",
      (version, parentNs, object, key) => {
        expect(objectMapKey(version, parentNs, object)).toBe(key);
      },
    );

    it("a hook without a version speaks v1", () => {
      const request = compositeHookRequestSchema.parse(read("constructed/composite-sync-request-v2.json"));
      expect(hookVersionOf(request.controller, "sync")).toBe("v2");
      expect(hookVersionOf(request.controller, "finalize")).toBe("v1");
    });
  });
});

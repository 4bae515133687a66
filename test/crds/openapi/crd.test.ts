import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../crds/errors.js";
import { crdSchemaFor, loadCrds, validateResource } from "../../../crds/openapi/crd.js";
import { fluxCrds } from "../../support/crd-validators.js";

const widgetCrdYaml = `
apiVersion: v1
kind: Namespace
metadata: { name: ignored }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.dev }
spec:
  group: example.dev
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: { type: string }
            kind: { type: string }
            metadata: { type: object }
            spec: { type: object, properties: { size: { type: integer } } }
    - name: v0
      served: false
      storage: false
      schema:
        openAPIV3Schema: { type: object }
`;

const widget = { apiVersion: "example.dev/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 1 } };

describe("CRD helpers", () => {
  const crds = loadCrds(widgetCrdYaml);

  it("loads only the CustomResourceDefinitions of a multi-document text", () => {
    expect(crds.map((crd) => crd.metadata.name)).toEqual(["widgets.example.dev"]);
  });

  it("loads every Flux CRD from shared/", () => {
    expect(
      fluxCrds.map((crd) => `${crd.spec.names.kind} ${crd.spec.versions.map((v) => v.name).join(",")}`),
    ).toEqual([
      "HelmRelease v2",
      "Kustomization v1",
      "Bucket v1",
      "GitRepository v1",
      "HelmChart v1",
      "HelmRepository v1",
      "OCIRepository v1",
    ]);
  });

  it("refuses a CRD of the removed v1beta1 API", () => {
    expect(() =>
      loadCrds(widgetCrdYaml.replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")),
    ).toThrow(InvalidInputError);
  });

  it("refuses a CRD without versions", () => {
    expect(() =>
      loadCrds(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {group: g}\n",
      ),
    ).toThrow(/has no spec.group, spec.names or spec.versions/);
  });

  it("finds a version's schema and nothing for an unknown version", () => {
    const crd = crds[0]!;
    expect(crdSchemaFor(crd, "v1")?.properties?.spec?.type).toBe("object");
    expect(crdSchemaFor(crd, "v2")).toBeUndefined();
  });

  it("validates a resource against the version it names", () => {
    expect(validateResource(widget, crds)).toEqual([]);
    expect(validateResource({ ...widget, spec: { size: "big" } }, crds).map((i) => i.path)).toEqual([
      "spec.size",
    ]);
  });

  it.each([
    [
      "a version that is not served",
      { ...widget, apiVersion: "example.dev/v0" },
      'no matches for kind "Widget" in version "example.dev/v0"',
    ],
    [
      "a version the CRD does not have",
      { ...widget, apiVersion: "example.dev/v2" },
      'no matches for kind "Widget" in version "example.dev/v2"',
    ],
    [
      "a kind no CRD defines",
      { ...widget, kind: "Gadget" },
      'no matches for kind "Gadget" in version "example.dev/v1"',
    ],
    [
      "a core kind",
      { ...widget, apiVersion: "v1", kind: "ConfigMap" },
      'no matches for kind "ConfigMap" in version "v1"',
    ],
  ])("answers %s with no matches", (_name, object, message) => {
    expect(validateResource(object, crds)).toEqual([{ path: "apiVersion", code: "no-match", message }]);
  });

  it.each([
    ["a resource that is not an object", "Widget", [" type"]],
    ["a missing apiVersion and kind", { metadata: { name: "w" } }, ["apiVersion required", "kind required"]],
    ["a missing name", { ...widget, metadata: {} }, ["metadata.name required"]],
    [
      "a generateName instead of a name",
      { ...widget, metadata: { generateName: "w-" } },
      ["metadata.name required"],
    ],
    [
      "a name and a namespace that are not DNS names",
      { ...widget, metadata: { name: "W", namespace: "N" } },
      ["metadata.name metadata", "metadata.namespace metadata"],
    ],
  ])("reports the top-level shape: %s", (_name, object, expected) => {
    expect(validateResource(object, crds).map((i) => `${i.path} ${i.code}`)).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import { validateResource } from "../../../crds/openapi/crd.js";
import { expectValid, metacontrollerCrds } from "../../support/crd-validators.js";

const webhook = (path: string) => ({
  url: `http://pctl-subscription-hooks.pctl-system:8080/hooks/subscription/${path}`,
  timeout: "10s",
  responseUnMarshallMode: "strict",
});

// The shape pctl deploys: one CompositeController per parent kind, children updated in place.
const compositeController = {
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "pctl-profilesubscriptions", labels: { "app.kubernetes.io/part-of": "pctl" } },
  spec: {
    generateSelector: true,
    resyncPeriodSeconds: 300,
    parentResource: { apiVersion: "profiles.pctl.dev/v1alpha1", resource: "profilesubscriptions" },
    childResources: [
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        resource: "gitrepositories",
        updateStrategy: { method: "InPlace" },
      },
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        resource: "helmreleases",
        updateStrategy: { method: "InPlace" },
      },
      { apiVersion: "v1", resource: "configmaps", updateStrategy: { method: "InPlace" } },
    ],
    hooks: {
      sync: { version: "v1", webhook: webhook("sync") },
      finalize: { version: "v1", webhook: webhook("finalize") },
      customize: {
        webhook: {
          service: {
            name: "pctl-subscription-hooks",
            namespace: "pctl-system",
            port: 8080,
            protocol: "http",
          },
          path: "/hooks/subscription/customize",
        },
      },
    },
  },
};

type Json = Record<string, unknown>;
const spec = () => structuredClone(compositeController.spec) as Json;

describe("Metacontroller objects against the Metacontroller CRDs", () => {
  it("a CompositeController with generateSelector, three hooks and InPlace children validates", () => {
    expectValid(compositeController, metacontrollerCrds);
  });

  it.each([
    [
      "an update method Metacontroller does not know",
      () => {
        const s = spec();
        (s.childResources as Json[])[0] = {
          apiVersion: "v1",
          resource: "configmaps",
          updateStrategy: { method: "Patch" },
        };
        return s;
      },
      "spec.childResources[0].updateStrategy.method enum",
    ],
    [
      "a hook version other than v1 and v2",
      () => {
        const s = spec();
        ((s.hooks as Json).sync as Json).version = "v3";
        return s;
      },
      "spec.hooks.sync.version enum",
    ],
    [
      "a webhook timeout that is not a duration",
      () => {
        const s = spec();
        (((s.hooks as Json).sync as Json).webhook as Json).timeout = "soon";
        return s;
      },
      "spec.hooks.sync.webhook.timeout format",
    ],
    [
      "a child rule without its resource",
      () => {
        const s = spec();
        (s.childResources as Json[])[0] = { apiVersion: "v1" };
        return s;
      },
      "spec.childResources[0].resource required",
    ],
    [
      "a resync period that does not fit in an int32",
      () => ({ ...spec(), resyncPeriodSeconds: 2 ** 31 }),
      "spec.resyncPeriodSeconds format",
    ],
    [
      "the hook field names of another controller",
      () => ({ ...spec(), hooks: { sync: { webhook: { uri: "http://x" } } } }),
      "spec.hooks.sync.webhook.uri unknown-field",
    ],
  ])("catches %s", (_name, makeSpec, expected) => {
    const issues = validateResource({ ...compositeController, spec: makeSpec() }, metacontrollerCrds);
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([expected]);
  });

  it("forbids a namespace on the cluster-scoped CompositeController", () => {
    const namespaced = {
      ...compositeController,
      metadata: { ...compositeController.metadata, namespace: "pctl-system" },
    };
    expect(validateResource(namespaced, metacontrollerCrds).map((i) => `${i.path} ${i.code}`)).toEqual([
      "metadata.namespace forbidden",
    ]);
  });

  it("keeps a ControllerRevision's parentPatch, which preserves unknown fields", () => {
    expectValid(
      {
        apiVersion: "metacontroller.k8s.io/v1alpha1",
        kind: "ControllerRevision",
        metadata: { name: "web-5f1c", namespace: "team-a" },
        parentPatch: { spec: { anything: ["goes", 1, { here: true }] } },
        children: [{ apiGroup: "helm.toolkit.fluxcd.io", kind: "HelmRelease", names: ["web-server"] }],
      },
      metacontrollerCrds,
    );
  });
});

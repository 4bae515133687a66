import { describe, expect, it } from "vitest";
import { customizeSubscription } from "../../../hooks/subscription/customize.js";

const controller = {
  metadata: { name: "profilesubscriptions.profiles.pctl.dev" },
  spec: { parentResource: { apiVersion: "profiles.pctl.dev/v1alpha1", resource: "profilesubscriptions" } },
};

const parent = (spec: Record<string, unknown>) => ({
  apiVersion: "profiles.pctl.dev/v1alpha1",
  kind: "ProfileSubscription",
  metadata: { name: "web", namespace: "team-a", generation: 1 },
  spec,
});

const source = { url: "https://git.example.com/profiles", branch: "main", path: "nginx" };

describe("customizeSubscription", () => {
  it("asks for nothing when the subscription reads no other object", async () => {
    expect(await customizeSubscription({ controller, parent: parent({ source }) })).toEqual({
      relatedResources: [],
    });
  });

  it("asks for the source Secret and every parametersFrom and valuesFrom object by name, sorted and once", async () => {
    const answer = await customizeSubscription({
      controller,
      parent: parent({
        source: { ...source, secretRef: { name: "git-creds" } },
        parametersFrom: [
          { kind: "Secret", name: "web-params" },
          { kind: "ConfigMap", name: "web-settings" },
        ],
        artifacts: {
          server: {
            valuesFrom: [
              { kind: "ConfigMap", name: "web-values" },
              { kind: "Secret", name: "web-params" },
            ],
          },
          "cache/redis": { valuesFrom: [{ kind: "ConfigMap", name: "cache-values" }] },
        },
      }),
    });
    expect(answer).toEqual({
      relatedResources: [
        { apiVersion: "v1", resource: "secrets", namespace: "team-a", names: ["git-creds", "web-params"] },
        {
          apiVersion: "v1",
          resource: "configmaps",
          namespace: "team-a",
          names: ["cache-values", "web-settings", "web-values"],
        },
      ],
    });
  });

  it("asks for the catalog of a catalog subscription in its own namespace", async () => {
    const answer = await customizeSubscription({
      controller,
      parent: parent({
        catalog: { catalog: "company", namespace: "platform", profile: "nginx", version: "^1.2" },
      }),
    });
    expect(answer.relatedResources).toEqual([
      {
        apiVersion: "profiles.pctl.dev/v1alpha1",
        resource: "profilecatalogsources",
        namespace: "platform",
        names: ["company"],
      },
    ]);
  });

  it("looks for the catalog in the subscription's namespace when spec.catalog.namespace is left out", async () => {
    const answer = await customizeSubscription({
      controller,
      parent: parent({ catalog: { catalog: "company", profile: "nginx" } }),
    });
    expect(answer.relatedResources?.[0]).toMatchObject({ namespace: "team-a", names: ["company"] });
  });

  it("asks for the catalog entry's Secret in the subscription's namespace, not the catalog's", async () => {
    const answer = await customizeSubscription({
      controller,
      parent: parent({
        catalog: {
          catalog: "company",
          namespace: "platform",
          profile: "nginx",
          secretRef: { name: "git-creds" },
        },
        parametersFrom: [{ kind: "Secret", name: "web-params" }],
      }),
    });
    expect(answer.relatedResources).toEqual([
      { apiVersion: "v1", resource: "secrets", namespace: "team-a", names: ["git-creds", "web-params"] },
      {
        apiVersion: "profiles.pctl.dev/v1alpha1",
        resource: "profilecatalogsources",
        namespace: "platform",
        names: ["company"],
      },
    ]);
  });

  it("asks for nothing when the spec does not parse, leaving the sync to report it", async () => {
    const answer = await customizeSubscription({
      controller,
      parent: parent({ source, catalog: { catalog: "c" } }),
    });
    expect(answer).toEqual({ relatedResources: [] });
  });
});

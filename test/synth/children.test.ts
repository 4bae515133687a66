import { describe, expect, it } from "vitest";
import { buildChildren } from "../../synth/children.js";
import { expandSubscription } from "../../synth/expand.js";
import { expectValidChildren, names, node, profile, subscription } from "./support.js";

const remote = profile("remote", {
  artifacts: [
    { name: "b", chart: { url: "https://charts.example.com", name: "b" } },
    { name: "a", chart: { url: "https://charts.example.com", name: "a" } },
    { name: "oci", chart: { url: "oci://registry.example.com/c" } },
  ],
});

describe("buildChildren", () => {
  it("labels every child with pctl and the subscription, and an artifact's children with its path", () => {
    const { children } = buildChildren(
      expandSubscription({ subscription: subscription(), tree: node(remote) }),
    );
    expectValidChildren(children);
    for (const child of children) {
      expect(child.metadata.labels).toMatchObject({
        "app.kubernetes.io/managed-by": "pctl",
        "profiles.pctl.dev/subscription": "web",
      });
    }
    expect(children.find((c) => c.kind === "HelmRepository")!.metadata.labels).not.toHaveProperty(
      "profiles.pctl.dev/artifact",
    );
    expect(children.find((c) => c.kind === "OCIRepository")!.metadata).toMatchObject({
      labels: { "profiles.pctl.dev/artifact": "oci" },
      annotations: { "profiles.pctl.dev/artifact-path": "oci" },
    });
  });

  it("sorts sources first, then by name, whatever the profile's order", () => {
    const { children } = buildChildren(
      expandSubscription({ subscription: subscription(), tree: node(remote) }),
    );
    expect(names(children)).toEqual([
      "HelmRepository/web-b",
      "OCIRepository/web-oci",
      "HelmRelease/web-a",
      "HelmRelease/web-b",
      "HelmRelease/web-oci",
    ]);
  });

  it("a subscription name too long for a label value is cut with a hash in the label", () => {
    const name = `${"w".repeat(70)}.example`;
    const { children } = buildChildren(
      expandSubscription({ subscription: subscription({}, name), tree: node(remote) }),
    );
    expectValidChildren(children);
    for (const child of children) {
      expect(child.metadata.name.length).toBeLessThanOrEqual(63);
      expect(child.metadata.labels!["profiles.pctl.dev/subscription"]).toHaveLength(63);
    }
  });

  it("builds only the artifacts asked for, and only the sources they read", () => {
    const plan = expandSubscription({ subscription: subscription(), tree: node(remote) });
    const { children } = buildChildren(plan, { artifacts: ["oci"] });
    expect(names(children)).toEqual(["OCIRepository/web-oci", "HelmRelease/web-oci"]);
  });
});

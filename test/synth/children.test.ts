import { afterEach, describe, expect, it, vi } from "vitest";
import {
  buildChildren,
  type ChildObject,
  DEPENDS_ON_ANNOTATION,
  REQUESTED_AT_ANNOTATION,
} from "../../synth/children.js";
import { expandSubscription } from "../../synth/expand.js";
import { crossKindPlan, expectValidChildren, find, names, node, profile, subscription } from "./support.js";

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

describe("buildChildren annotations", () => {
  const annotation = (child: ChildObject, name: string) => child.metadata.annotations?.[name];

  it("names, on a HelmRelease or Kustomization, the dependencies of the other Flux kind, for uninstall order", () => {
    const { children } = buildChildren(crossKindPlan());
    expectValidChildren(children);
    const dependsOn = (kind: string, name: string) =>
      annotation(find(children, kind, name), DEPENDS_ON_ANNOTATION);
    expect(dependsOn("HelmRelease", "web-operator")).toBe("Kustomization/web-crds");
    expect(dependsOn("Kustomization", "web-cluster")).toBe("HelmRelease/web-operator");
    // Same-kind dependencies are Flux's own dependsOn, which finalize reads already.
    expect(dependsOn("HelmRelease", "web-dashboard")).toBeUndefined();
    expect(dependsOn("Kustomization", "web-crds")).toBeUndefined();
  });

  describe("reconcile requests for objects read by reference", () => {
    const reading = profile("reading", {
      parameters: [{ name: "password", required: true }],
      artifacts: [
        { name: "server", chart: { path: "chart" }, values: { auth: { password: `\${password}` } } },
        { name: "worker", chart: { path: "chart" } },
        { name: "config", kustomize: { path: "config" } },
      ],
    });
    const plan = expandSubscription({
      subscription: subscription({
        parametersFrom: [{ kind: "Secret", name: "params" }],
        artifacts: { server: { valuesFrom: [{ kind: "ConfigMap", name: "extra" }] } },
      }),
      tree: node(reading),
      parameterSources: { secrets: { params: ["password"] } },
    });
    const revisions = { "ConfigMap/extra": "10", "Secret/params": "20", "ConfigMap/other": "30" };
    const requested = (referenceRevisions?: Record<`${"ConfigMap" | "Secret"}/${string}`, string>) => {
      const { children } = buildChildren(plan, { ...(referenceRevisions && { referenceRevisions }) });
      expectValidChildren(children);
      return Object.fromEntries(
        children.map((child) => [
          `${child.kind}/${child.metadata.name}`,
          annotation(child, REQUESTED_AT_ANNOTATION),
        ]),
      );
    };

    it("are made by the HelmReleases and Kustomizations that read one, from a hash of their versions", () => {
      const first = requested(revisions);
      expect(first["HelmRelease/web-server"]).toMatch(/^pctl-[0-9a-f]{8}$/);
      expect(first["Kustomization/web-config"]).toMatch(/^pctl-[0-9a-f]{8}$/);
      expect(first["Kustomization/web-config"]).not.toBe(first["HelmRelease/web-server"]);
      expect(first["HelmRelease/web-worker"]).toBeUndefined();
      expect(first["ConfigMap/web-server-defaults"]).toBeUndefined();
      expect(first["GitRepository/web"]).toBeUndefined();
    });

    it("change exactly for the children reading an object whose version changed, appeared or went", () => {
      const first = requested(revisions);
      expect(requested({ ...revisions, "ConfigMap/other": "31" })).toEqual(first);
      const valuesChanged = requested({ ...revisions, "ConfigMap/extra": "11" });
      expect(valuesChanged["HelmRelease/web-server"]).not.toBe(first["HelmRelease/web-server"]);
      expect(valuesChanged["Kustomization/web-config"]).toBe(first["Kustomization/web-config"]);
      const { "Secret/params": _, ...withoutSecret } = revisions;
      const secretGone = requested(withoutSecret);
      expect(secretGone["HelmRelease/web-server"]).not.toBe(first["HelmRelease/web-server"]);
      expect(secretGone["Kustomization/web-config"]).not.toBe(first["Kustomization/web-config"]);
    });

    it("are not made without versions, as in pctl render, where there is no cluster to ask", () => {
      expect(Object.values(requested()).filter((value) => value !== undefined)).toEqual([]);
    });
  });
});

describe("buildChildren output does not depend on the key order of values", () => {
  // Every map written twice, keys in opposite orders; arrays in the same order, as their order counts.
  const shop = (order: "forward" | "reverse") => {
    const ordered = (entries: [string, unknown][]) =>
      Object.fromEntries(order === "forward" ? entries : [...entries].reverse());
    return {
      profile: profile("shop", {
        parameters: [
          { name: "password", required: true },
          { name: "token", required: true },
          { name: "domain", default: "example.com" },
          { name: "tier", default: "bronze" },
        ],
        artifacts: [
          {
            name: "server",
            chart: { path: "chart" },
            values: ordered([
              ["hosts", [`b.\${domain}`, `a.\${domain}`]],
              [
                "db",
                ordered([
                  ["password", `\${password}`],
                  ["user", "shop"],
                ]),
              ],
              [
                "api",
                ordered([
                  ["token", `\${token}`],
                  ["timeout", 30],
                ]),
              ],
            ]),
          },
          { name: "config", kustomize: { path: "config" } },
        ],
      }),
      spec: {
        parameters: ordered([
          ["domain", "shop.example.com"],
          ["tier", "gold"],
        ]),
        // Two Secrets: entries of one Secret would share a name, which expandSubscription refuses.
        parametersFrom: [
          { kind: "Secret", name: "shop-secrets" },
          { kind: "Secret", name: "shop-tokens" },
        ],
        artifacts: ordered([
          [
            "server",
            {
              values: ordered([
                [
                  "z",
                  ordered([
                    ["b", 1],
                    ["a", [3, 1, 2]],
                  ]),
                ],
                ["y", true],
              ]),
            },
          ],
          ["config", {}],
        ]),
      },
    };
  };
  const build = (order: "forward" | "reverse") => {
    const { profile: shopProfile, spec } = shop(order);
    return JSON.stringify(
      buildChildren(
        expandSubscription({
          subscription: subscription(spec),
          tree: node(shopProfile),
          parameterSources: { secrets: { "shop-secrets": ["password"], "shop-tokens": ["token"] } },
        }),
        { referenceRevisions: { "Secret/shop-secrets": "7", "Secret/shop-tokens": "3" } },
      ),
    );
  };

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("gives byte-identical children, arrays kept in their order", () => {
    expect(build("reverse")).toBe(build("forward"));
    expect(build("forward")).toContain('"a":[3,1,2]');
    expect(build("forward")).toContain(
      '[\\n    \\"b.shop.example.com\\",\\n    \\"a.shop.example.com\\"\\n  ]',
    );
  });

  it("also with cdk8s's own key sorting turned off", () => {
    vi.stubEnv("CDK8S_DISABLE_SORT", "1");
    expect(build("reverse")).toBe(build("forward"));
  });
});

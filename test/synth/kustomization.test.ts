import { describe, expect, it } from "vitest";
import { KustomizationChild, type KustomizationChildProps } from "../../synth/kustomization.js";
import { expectValidChildren, renderOne } from "./support.js";

const render = (props: Partial<KustomizationChildProps> = {}) =>
  renderOne(
    (chart) =>
      new KustomizationChild(chart, "ks", {
        name: "web-config",
        gitRepository: "web",
        path: "./nginx/config",
        ...props,
      }),
  );

describe("KustomizationChild", () => {
  it("with patches, substitutions and dependencies validates against the Flux CRD", () => {
    const child = render({
      targetNamespace: "web",
      patches: [
        { patch: "- op: add\n  path: /metadata/labels/x\n  value: y", target: { kind: "Deployment" } },
      ],
      substitute: { replicas: "3", hostname: "web.example.com" },
      substituteFrom: [{ name: "web-params" }, { name: "extra", optional: true }],
      dependsOn: ["web-crds"],
    });
    expectValidChildren([child]);
    expect(child).toMatchSnapshot();
  });

  it("defaults: prune and wait, 5m timeout, 10m interval, not suspended", () => {
    expect(render().spec).toEqual({
      interval: "10m",
      suspend: false,
      sourceRef: { kind: "GitRepository", name: "web" },
      path: "./nginx/config",
      prune: true,
      wait: true,
      timeout: "5m",
    });
  });

  it("writes prune even when false, as Flux requires", () => {
    expect(render({ prune: false }).spec).toMatchObject({ prune: false });
  });

  it("suspend is written even when false, so a sync undoes a hand edit of it", () => {
    expect(render({ suspend: true }).spec).toMatchObject({ suspend: true });
    expect(render({ suspend: false }).spec).toMatchObject({ suspend: false });
  });

  it.each([
    [
      { path: "nginx/config" },
      /path 'nginx\/config' must be relative to the repository root and start with \.\//,
    ],
    [{ substitute: { "not-a-var": "x" } }, /substitute variable 'not-a-var'/],
    [{ timeout: "forever" }, /timeout 'forever' must be a duration/],
  ])("refuses %j", (props, message) => {
    expect(() => render(props)).toThrow(message);
  });
});

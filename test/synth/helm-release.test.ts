import { describe, expect, it } from "vitest";
import { HelmReleaseChild, type HelmReleaseChildProps } from "../../synth/helm-release.js";
import { expectValidChildren, renderOne } from "./support.js";

const gitChart = { kind: "GitRepository", name: "web", path: "./nginx/charts/nginx" } as const;
const render = (props: Partial<HelmReleaseChildProps> = {}) =>
  renderOne((chart) => new HelmReleaseChild(chart, "hr", { name: "web-server", chart: gitChart, ...props }));

describe("HelmReleaseChild", () => {
  it("a chart from git: release name, remediation, Revision strategy; valid against the Flux CRD", () => {
    const child = render({
      targetNamespace: "web",
      valuesFrom: [
        { kind: "ConfigMap", name: "web-server-defaults" },
        {
          kind: "Secret",
          name: "web-params",
          valuesKey: "password",
          targetPath: "auth.password",
          literal: true,
        },
      ],
      values: { replicaCount: 3 },
      dependsOn: ["web-db"],
    });
    expectValidChildren([child]);
    expect(child).toMatchSnapshot();
  });

  it("defaults: 10m interval, the name as release name, 3 retries, not suspended, nothing else", () => {
    expect(render().spec).toEqual({
      interval: "10m",
      suspend: false,
      releaseName: "web-server",
      chart: {
        spec: {
          chart: "./nginx/charts/nginx",
          sourceRef: { kind: "GitRepository", name: "web" },
          reconcileStrategy: "Revision",
          interval: "10m",
        },
      },
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3 } },
    });
  });

  it("a chart from a Helm repository names chart and version", () => {
    const child = render({
      chart: { kind: "HelmRepository", name: "web-cache", chart: "redis", version: "19.x" },
    });
    expectValidChildren([child]);
    expect(child.spec).toMatchObject({
      chart: {
        spec: { chart: "redis", version: "19.x", sourceRef: { kind: "HelmRepository", name: "web-cache" } },
      },
    });
  });

  it("a chart from an OCIRepository uses chartRef", () => {
    const child = render({ chart: { kind: "OCIRepository", name: "web-server" } });
    expectValidChildren([child]);
    expect(child.spec).toMatchObject({ chartRef: { kind: "OCIRepository", name: "web-server" } });
    expect(child.spec).not.toHaveProperty("chart");
  });

  it("a targetNamespace is created on install", () => {
    expect(render({ targetNamespace: "web" }).spec).toMatchObject({
      targetNamespace: "web",
      install: { createNamespace: true, remediation: { retries: 3 } },
    });
  });

  it("suspend is written even when false, so a sync undoes a hand edit of it", () => {
    expect(render({ suspend: true }).spec).toMatchObject({ suspend: true });
    expect(render({ suspend: false }).spec).toMatchObject({ suspend: false });
  });

  it("a child name past 53 characters gives a release name cut with a hash", () => {
    const name = `web-${"x".repeat(55)}`;
    const spec = render({ name }).spec as { releaseName: string };
    expect(spec.releaseName).toHaveLength(53);
    expect(spec.releaseName.startsWith("web-xxx")).toBe(true);
  });

  it.each([
    [{ retries: 1.5 }, /retries '1.5' must be a whole number/],
    [{ releaseName: "x".repeat(54) }, /the name must be a DNS-1123 label of at most 53 characters/],
    [{ targetNamespace: "Web" }, /targetNamespace 'Web'/],
    [{ interval: "soon" }, /interval 'soon' must be a duration/],
  ])("refuses %j", (props, message) => {
    expect(() => render(props)).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { HELM_CHART_MEDIA_TYPE, OciRepositoryChild } from "../../synth/oci-repository.js";
import { expectValidChildren, renderOne } from "./support.js";

const url = "oci://registry.example.com/charts/nginx";

describe("OciRepositoryChild", () => {
  it("copies the chart layer and validates against the Flux CRD", () => {
    const child = renderOne(
      (chart) => new OciRepositoryChild(chart, "oci", { name: "web-server", url, version: "^9" }),
    );
    expectValidChildren([child]);
    expect(child.spec).toMatchObject({
      layerSelector: { mediaType: HELM_CHART_MEDIA_TYPE, operation: "copy" },
      suspend: false,
    });
    expect(child).toMatchSnapshot();
  });

  it.each([
    [undefined, { tag: "latest" }],
    ["9.3.0", { tag: "9.3.0" }],
    ["1.0.0+build.5", { tag: "1.0.0_build.5" }],
    ["^9", { semver: "^9" }],
    [">=1.2.0 <2.0.0", { semver: ">=1.2.0 <2.0.0" }],
  ])("version %s is ref %j", (version, ref) => {
    const child = renderOne(
      (chart) =>
        new OciRepositoryChild(chart, "oci", {
          name: "web-server",
          url,
          ...(version !== undefined && { version }),
        }),
    );
    expect(child.spec).toMatchObject({ ref });
    expectValidChildren([child]);
  });

  it("refuses a version that is no semver range", () => {
    expect(() =>
      renderOne((chart) => new OciRepositoryChild(chart, "oci", { name: "x", url, version: "newest" })),
    ).toThrow(/version 'newest' must be a version or a semver range/);
  });
});

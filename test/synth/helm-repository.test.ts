import { describe, expect, it } from "vitest";
import { HelmRepositoryChild } from "../../synth/helm-repository.js";
import { expectValidChildren, renderOne } from "./support.js";

describe("HelmRepositoryChild", () => {
  it("is an HTTP Helm repository that validates against the Flux CRD", () => {
    const child = renderOne(
      (chart) =>
        new HelmRepositoryChild(chart, "repo", { name: "web-cache", url: "https://charts.example.com" }),
    );
    expectValidChildren([child]);
    expect(child.spec).toEqual({ url: "https://charts.example.com", interval: "10m", suspend: false });
    expect(child).toMatchSnapshot();
  });

  it("refuses an oci:// URL, which needs an OCIRepository", () => {
    expect(() =>
      renderOne(
        (chart) => new HelmRepositoryChild(chart, "repo", { name: "x", url: "oci://registry.example.com/c" }),
      ),
    ).toThrow(/url 'oci:\/\/registry.example.com\/c' must start with http:\/\/, https:\/\//);
  });
});

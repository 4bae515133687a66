import { describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError } from "../../../crds/errors.js";
import type { CatalogProfile, ProfileCatalogSource } from "../../../crds/profile-catalog-source.js";
import { availableUpdates, resolveCatalogEntry } from "../../../hooks/catalog/resolve.js";

const url = "https://git.example.com/org/profiles";

function catalogWith(versions: Record<string, string[]>): ProfileCatalogSource {
  const profiles: CatalogProfile[] = Object.entries(versions).flatMap(([name, list]) =>
    list.map((version) => ({ name, version, url, tag: `${name}/v${version}`, path: name })),
  );
  return {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "ProfileCatalogSource",
    metadata: { name: "company", namespace: "platform" },
    spec: { interval: "5m" },
    status: { profiles },
  };
}

const catalog = catalogWith({
  nginx: ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1", "1.2.1"],
  redis: ["0.1.0-alpha.1", "0.1.0-alpha.2"],
});

describe("resolveCatalogEntry", () => {
  it.each([
    ["an exact version picks that version", "1.2.0", "1.2.0"],
    ["an exact version with a leading v picks that version", "v1.2.1", "1.2.1"],
    ["a caret range picks the highest release in it, compared as semver not as text", "^1.2", "1.10.0"],
    ["a tilde range stays within the minor", "~1.2.0", "1.2.1"],
    ["a range naming a prerelease of the same tuple admits that prerelease", ">=2.0.0-rc.0", "2.0.0-rc.1"],
    ["no version picks the highest release, not a higher prerelease", undefined, "1.10.0"],
  ])("%s", (_name, version, expected) => {
    const found = resolveCatalogEntry(catalog, { catalog: "company", profile: "nginx", version });
    expect(found.version).toBe(expected);
    expect(found.tag).toBe(`nginx/v${expected}`);
  });

  it("picks the highest prerelease when a profile has no release", () => {
    expect(resolveCatalogEntry(catalog, { catalog: "company", profile: "redis" }).version).toBe(
      "0.1.0-alpha.2",
    );
  });

  it("a range admits a prerelease only when it names a prerelease of the same version, as semver does", () => {
    const picked = resolveCatalogEntry(catalog, {
      catalog: "company",
      profile: "nginx",
      version: ">=2.0.0-0 <3",
    });
    expect(picked.version).toBe("2.0.0-rc.1");
    expect(() =>
      resolveCatalogEntry(catalog, { catalog: "company", profile: "nginx", version: "^2" }),
    ).toThrow(NotFoundError);
  });

  it("a version that is not there is NotFound and the message lists what there is", () => {
    const attempt = () =>
      resolveCatalogEntry(catalog, { catalog: "company", profile: "nginx", version: "3.0.0" });
    expect(attempt).toThrow(NotFoundError);
    expect(attempt).toThrow("available: 1.0.0, 1.2.0, 1.2.1, 1.10.0, 2.0.0-rc.1");
  });

  it("a profile that is not in the catalog is NotFound naming the catalog", () => {
    expect(() => resolveCatalogEntry(catalog, { catalog: "company", profile: "mysql" })).toThrow(
      "profile mysql not found in catalog platform/company",
    );
  });

  it("a catalog that has not synced yet has no profiles", () => {
    const fresh = { ...catalog, status: undefined };
    expect(() => resolveCatalogEntry(fresh, { catalog: "company", profile: "nginx" })).toThrow(NotFoundError);
  });
});

describe("availableUpdates", () => {
  it("lists newer releases ascending, leaving out prereleases of other versions", () => {
    expect(availableUpdates(catalog, "nginx", "1.2.0")).toEqual(["1.2.1", "1.10.0"]);
  });

  it("is empty from the highest version", () => {
    expect(availableUpdates(catalog, "nginx", "1.10.0")).toEqual([]);
  });

  it("from a prerelease, lists later prereleases of the same version and the releases above", () => {
    const withRc = catalogWith({ web: ["1.0.0-rc.1", "1.0.0-rc.2", "1.0.0", "1.1.0-rc.1"] });
    expect(availableUpdates(withRc, "web", "1.0.0-rc.1")).toEqual(["1.0.0-rc.2", "1.0.0"]);
  });

  it("refuses a current version that is not semver", () => {
    expect(() => availableUpdates(catalog, "nginx", "totally!not?semver")).toThrow(InvalidInputError);
  });
});

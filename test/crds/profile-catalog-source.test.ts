import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../crds/errors.js";
import {
  type CatalogEntrySpec,
  catalogEntryKey,
  catalogEntryRejection,
  parseProfileCatalogSource,
} from "../../crds/profile-catalog-source.js";
import { parseYaml } from "../../crds/yaml.js";

const DIR = join(import.meta.dirname, "../../examples/catalogs");

const entry: CatalogEntrySpec = {
  name: "nginx",
  version: "1.2.0",
  url: "https://git.example.com/org/profiles",
  path: "nginx",
  prerequisites: ["kubernetes >=1.28"],
};

function document(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "ProfileCatalogSource",
    metadata: { name: "company", namespace: "platform" },
    spec,
  };
}

describe("the example catalogs", () => {
  it.each(readdirSync(DIR))("%s parses", (file) => {
    const catalog = parseProfileCatalogSource(parseYaml(readFileSync(join(DIR, file), "utf8")), {
      source: file,
    });
    for (const listed of catalog.spec.profiles ?? []) expect(catalogEntryRejection(listed)).toBeUndefined();
  });
});

describe("parseProfileCatalogSource", () => {
  it("scans every 5 minutes unless told otherwise", () => {
    expect(parseProfileCatalogSource(document({ repositories: [{ url: entry.url }] })).spec.interval).toBe(
      "5m",
    );
  });

  it("keeps a listed entry with a bad version, for status.rejected rather than a refusal", () => {
    const catalog = parseProfileCatalogSource(
      document({ profiles: [{ ...entry, version: "totally!not?semver" }] }),
    );
    expect(catalog.spec.profiles).toHaveLength(1);
  });

  it("reads a status as the hooks write it", () => {
    const status = {
      observedGeneration: 1,
      conditions: [{ type: "Ready", status: "True", reason: "Succeeded", message: "2 profiles" }],
      profiles: [
        {
          ...entry,
          tag: "nginx/v1.2.0",
          commit: "5f1c2ab",
          parameters: [{ name: "replicas", type: "integer", default: 2 }],
        },
      ],
      repositories: [{ url: entry.url, scannedTags: ["nginx/v1.2.0"], lastScanTime: "2026-01-01T00:00:00Z" }],
      rejected: [
        { entry: "nginx@totally!not?semver", reason: "version: must be a semantic version such as 1.2.0" },
      ],
    };
    expect(parseProfileCatalogSource({ ...document({}), status }).status).toEqual(status);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a typo in a spec field", { repositorys: [] }, "spec.repositorys: unknown field"],
    ["a bad interval", { interval: "5" }, "spec.interval: must be a duration"],
    [
      "a repository with a password in its URL",
      { repositories: [{ url: "https://u:p@g.example.com/r" }] },
      "spec.repositories[0].url: must not carry a password",
    ],
    [
      "a repository without a URL",
      { repositories: [{ secretRef: { name: "s" } }] },
      "spec.repositories[0].url: required field is missing",
    ],
    [
      "an entry without a version",
      { profiles: [{ name: "nginx", url: entry.url }] },
      "spec.profiles[0].version: required field is missing",
    ],
    [
      "an unknown field in an entry",
      { profiles: [{ ...entry, tags: "x" }] },
      "spec.profiles[0].tags: unknown field",
    ],
  ])("refuses %s, naming the field", (_name, spec, expected) => {
    let text = "";
    try {
      parseProfileCatalogSource(document(spec), { source: "platform/company" });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      text = (error as Error).message;
    }
    expect(
      text.split("\n").some((line) => line.trim().startsWith(expected)),
      text,
    ).toBe(true);
  });
});

describe("catalogEntryRejection", () => {
  it("accepts a valid entry, with or without a leading v", () => {
    expect(catalogEntryRejection(entry)).toBeUndefined();
    expect(catalogEntryRejection({ ...entry, version: "v1.2.0" })).toBeUndefined();
  });

  it.each<[string, Partial<CatalogEntrySpec>, string]>([
    [
      "a version that is not semver",
      { version: "totally!not?semver" },
      "version: must be a semantic version such as 1.2.0",
    ],
    ["a name that is not a DNS label", { name: "My Nginx" }, "name: must be a DNS-1123 label"],
    ["a path outside the repository", { path: "../x" }, "path: must not contain '..' segments"],
    [
      "a prerequisite without a range",
      { prerequisites: ["kubernetes"] },
      "prerequisites[0]: must be a component and a semver range",
    ],
  ])("explains %s", (_name, change, reason) => {
    expect(catalogEntryRejection({ ...entry, ...change })).toMatch(
      new RegExp(`^${reason.replace(/[[\]().]/g, "\\$&")}`),
    );
  });

  it("names an entry as name@version", () => {
    expect(catalogEntryKey({ name: "nginx", version: "totally!not?semver" })).toBe(
      "nginx@totally!not?semver",
    );
  });
});

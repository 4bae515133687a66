import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyViolationError, SourceUnavailableError } from "../../../crds/errors.js";
import { CatalogIndex } from "../../../hooks/catalog/catalog-index.js";
import { loadEmbeddedCatalogs } from "../../../hooks/catalog/embedded.js";
import {
  type CatalogSources,
  describeLocalEntries,
  isLocalPath,
  localSources,
  WORKING_TREE_VERSION,
} from "../../../hooks/catalog/local.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";
import { git } from "../../support/git-repo.js";
import { profileYaml } from "../sources/fixtures.js";

// Anything that is not a local path fails as an unreachable network would, and is counted.
const remoteCalls: string[] = [];
const offline: CatalogSources = {
  listTags: async ({ url }) => {
    remoteCalls.push(url);
    throw new SourceUnavailableError(`cannot reach ${url}`);
  },
  readProfileDir: async ({ url }) => {
    remoteCalls.push(url);
    throw new SourceUnavailableError(`cannot reach ${url}`);
  },
};

let scratch: string;
let repoDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "pctl-local-catalog-"));
  repoDir = join(scratch, "profiles");
  await mkdir(join(repoDir, "web"), { recursive: true });
  await git(scratch, ["init", "--quiet", "--initial-branch=main", repoDir]);
  await writeFile(join(repoDir, "web", "profile.yaml"), profileYaml("web"));
  await git(repoDir, ["add", "--all"]);
  await git(repoDir, ["commit", "--quiet", "-m", "web 1.0.0"]);
  await git(repoDir, ["tag", "web/v1.0.0"]);
  await writeFile(join(repoDir, "web", "profile.yaml"), profileYaml("web", {}, " 1.1.0"));
  await git(repoDir, ["commit", "--quiet", "-am", "web 1.1.0"]);
  await git(repoDir, ["tag", "-a", "-m", "annotated", "web/v1.1.0"]);
  // Uncommitted work is not what a tag publishes.
  await writeFile(join(repoDir, "web", "profile.yaml"), profileYaml("web", {}, " unreleased"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("isLocalPath", () => {
  it.each([
    ["examples/profiles", true],
    ["./profiles", true],
    ["/srv/profiles", true],
    ["https://git.example.com/org/profiles", false],
    ["file:///srv/profiles", false],
    ["git@github.com:org/profiles.git", false],
  ])("%s → %s", (url, expected) => {
    expect(isLocalPath(url)).toBe(expected);
  });
});

describe("localSources", () => {
  const sources = () => localSources({ baseDir: scratch, remote: offline });

  it("lists the profile tags of a local git repository, peeling annotated tags to their commit", async () => {
    const tags = await sources().listTags({ url: "profiles" });
    expect(tags.map((t) => t.name)).toEqual(["web/v1.0.0", "web/v1.1.0"]);
    expect(tags[1]!.commit).toBe(await git(repoDir, ["rev-parse", "web/v1.1.0^{commit}"]));
  });

  it("reads profile.yaml at the tag's commit, not from the working tree", async () => {
    const [, tag] = await sources().listTags({ url: "profiles" });
    const { profile } = await sources().readProfileDir({ url: "profiles", commit: tag!.commit, path: "web" });
    expect(profile.spec.description).toBe("web profile 1.1.0");
  });

  it("serves a plain directory's working tree as one unreleased version per profile", async () => {
    const tags = await localSources({ remote: offline }).listTags({ url: "examples/profiles" });
    expect(tags.map((t) => t.name)).toEqual([
      `legacy-web/v${WORKING_TREE_VERSION}`,
      `nginx/v${WORKING_TREE_VERSION}`,
      `podinfo/v${WORKING_TREE_VERSION}`,
      `redis/v${WORKING_TREE_VERSION}`,
    ]);
    expect(tags.every((t) => /^[0-9a-f]{40}$/.test(t.commit))).toBe(true);
  });

  it("refuses a profile path that leaves the directory", async () => {
    await expect(
      sources().readProfileDir({ url: "profiles", commit: "0".repeat(40), path: "../etc" }),
    ).rejects.toThrow(PolicyViolationError);
  });

  it("hands URLs to the remote sources", async () => {
    remoteCalls.length = 0;
    await expect(sources().listTags({ url: "https://git.example.com/org/p" })).rejects.toThrow(
      SourceUnavailableError,
    );
    expect(remoteCalls).toEqual(["https://git.example.com/org/p"]);
  });
});

describe("describeLocalEntries", () => {
  it("fills in a listed entry's details from its directory, and what the entry says wins", async () => {
    const [described, kept] = await describeLocalEntries([
      { name: "nginx", version: "1.2.0", url: "examples/profiles", path: "nginx" },
      { name: "podinfo", version: "6.0.0", url: "examples/profiles", path: "podinfo", description: "mine" },
    ]);
    expect(described).toMatchObject({
      description: "NGINX with its configuration and a Redis cache in front",
      maintainer: "Team Web <web@example.com>",
      parameters: [
        expect.objectContaining({ name: "replicas" }),
        expect.objectContaining({ name: "hostname" }),
      ],
    });
    expect(kept?.description).toBe("mine");
  });
});

describe("loadEmbeddedCatalogs", () => {
  it("serves the catalogs in examples/: local directories from disk, listed entries even when their repository is unreachable", async () => {
    const index = new CatalogIndex();
    const loaded = await loadEmbeddedCatalogs({
      dir: "examples",
      index,
      remote: offline,
      policy: createSourcePolicy(),
    });
    expect(loaded).toEqual([
      { namespace: "platform", name: "company" },
      { namespace: "default", name: "examples" },
    ]);
    const examples = index.search({ namespace: "default", catalog: "examples" });
    expect(examples.map((h) => `${h.profile.name}@${h.profile.version}`)).toEqual([
      `legacy-web@${WORKING_TREE_VERSION}`,
      `nginx@${WORKING_TREE_VERSION}`,
      `podinfo@${WORKING_TREE_VERSION}`,
      `redis@${WORKING_TREE_VERSION}`,
    ]);
    expect(index.version({ namespace: "default", name: "examples" }, "nginx", "latest")).toMatchObject({
      path: "nginx",
      url: "examples/profiles",
      maintainer: "Team Web <web@example.com>",
    });
    const company = index
      .search({ namespace: "platform" })
      .map((h) => `${h.profile.name}@${h.profile.version}`);
    expect(company).toEqual(["nginx@1.2.0", "redis@1.2.0"]);
  });
});

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationFailedError,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  PolicyViolationError,
  SourceUnavailableError,
} from "../../../crds/errors.js";
import {
  createSourceFetcher,
  type SourceFetcher,
  type SourceFetcherOptions,
} from "../../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";
import { GitServer } from "../../support/git-server.js";
import {
  createProfilesRepo,
  createRootProfileRepo,
  type ProfilesRepo,
  profileFiles,
  profileYaml,
} from "./fixtures.js";

const testPolicy = createSourcePolicy({ allowHttp: true, allowLoopback: true });

let server: GitServer;
let profiles: ProfilesRepo;
let rootProfile: ProfilesRepo;
let clock = 0;
const fetchers: SourceFetcher[] = [];

/** A fetcher with fresh caches and a clock the test moves. */
function fetcher(options: Partial<SourceFetcherOptions> = {}): SourceFetcher {
  const created = createSourceFetcher({ policy: testPolicy, now: () => clock, ...options });
  fetchers.push(created);
  return created;
}

beforeAll(async () => {
  server = await GitServer.create();
  profiles = await createProfilesRepo(server);
  rootProfile = await createRootProfileRepo(server);
});

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
  server.clearLog();
});

afterAll(async () => {
  await server?.close();
});

describe("resolve", () => {
  it("resolves a branch to its head commit", async () => {
    const resolved = await fetcher().resolve({ url: profiles.url, ref: { branch: "dev" }, path: "nginx" });
    expect(resolved).toEqual({ url: profiles.url, ref: "dev", commit: profiles.commits.dev, path: "nginx" });
  });

  it("resolves lightweight and annotated tags to the commit they name, with the version", async () => {
    const sources = fetcher();
    const light = await sources.resolve({ url: profiles.url, ref: { tag: "nginx/v1.0.0" }, path: "nginx" });
    const annotated = await sources.resolve({
      url: profiles.url,
      ref: { tag: "nginx/v1.1.0" },
      path: "nginx",
    });
    expect(light).toMatchObject({
      ref: "nginx/v1.0.0",
      commit: profiles.commits["nginx/v1.0.0"],
      version: "1.0.0",
    });
    expect(annotated).toMatchObject({ commit: profiles.commits["nginx/v1.1.0"], version: "1.1.0" });
  });

  it("takes the profile path from a <dir>/<semver> tag when no path is given", async () => {
    const resolved = await fetcher().resolve({ url: profiles.url, ref: { tag: "redis2/v0.3.0" } });
    expect(resolved.path).toBe("redis2");
  });

  it("semver picks the highest tag of that directory only", async () => {
    const sources = fetcher();
    const nginx = await sources.resolve({ url: profiles.url, ref: { semver: ">=0.1.0" }, path: "nginx" });
    expect(nginx).toMatchObject({
      ref: "nginx/v1.1.0",
      commit: profiles.commits["nginx/v1.1.0"],
      version: "1.1.0",
    });
    const redis = await sources.resolve({ url: profiles.url, ref: { semver: "^0.3" }, path: "redis2" });
    expect(redis).toMatchObject({ ref: "redis2/v0.3.0", version: "0.3.0" });
  });

  it("semver over a root profile picks among bare v<semver> tags", async () => {
    const resolved = await fetcher().resolve({ url: rootProfile.url, ref: { semver: ">=1.0.0" } });
    expect(resolved).toMatchObject({ ref: "v2.0.1", path: "", commit: rootProfile.commits["v2.0.1"] });
  });

  it("a range that matches nothing is NotFound and lists the versions there are", async () => {
    const attempt = fetcher().resolve({ url: profiles.url, ref: { semver: "^3" }, path: "nginx" });
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow(/under "nginx\/".*matches "\^3" \(available: 1\.1\.0, 1\.0\.0\)/);
  });

  it("a missing branch or tag is NotFound naming it", async () => {
    const sources = fetcher();
    await expect(sources.resolve({ url: profiles.url, ref: { branch: "nope" } })).rejects.toThrow(
      /branch "nope" not found/,
    );
    await expect(sources.resolve({ url: profiles.url, ref: { tag: "nginx/v9.9.9" } })).rejects.toThrow(
      NotFoundError,
    );
  });

  it("a commit ref resolves without a request; an abbreviated one is refused", async () => {
    const sources = fetcher();
    const commit = profiles.commits["nginx/v1.0.0"]!;
    const resolved = await sources.resolve({ url: profiles.url, ref: { commit }, path: "nginx" });
    expect(resolved).toEqual({ url: profiles.url, ref: commit, commit, path: "nginx" });
    expect(server.requests).toHaveLength(0);
    await expect(sources.resolve({ url: profiles.url, ref: { commit: commit.slice(0, 7) } })).rejects.toThrow(
      InvalidInputError,
    );
  });

  it("refuses a ref with none or several of branch, tag, semver and commit", async () => {
    await expect(fetcher().resolve({ url: profiles.url, ref: { branch: "main", tag: "x" } })).rejects.toThrow(
      /exactly one of branch, tag, semver or commit/,
    );
  });
});

describe("caching", () => {
  it("a moved branch is seen on the first resolve after the ref TTL, not before", async () => {
    const repo = await server.createRepository("moving");
    const url = server.urlOf("moving");
    const first = await repo.commit(profileFiles("app"));
    const sources = fetcher({ refTtlMs: 1_000 });
    expect((await sources.resolve({ url, ref: { branch: "main" }, path: "app" })).commit).toBe(first);

    const second = await repo.commit({ "app/manifests/extra.yaml": "kind: ConfigMap\n" });
    clock += 999;
    expect((await sources.resolve({ url, ref: { branch: "main" }, path: "app" })).commit).toBe(first);
    clock += 1;
    expect((await sources.resolve({ url, ref: { branch: "main" }, path: "app" })).commit).toBe(second);
    const { files } = await sources.readProfileDir({ url, commit: second, path: "app" });
    expect(files.has("manifests/extra.yaml")).toBe(true);
  });

  it("an unchanged ref past the TTL costs one ref discovery and no pack download", async () => {
    const sources = fetcher({ refTtlMs: 1_000 });
    const sync = async () => {
      const resolved = await sources.resolve({ url: profiles.url, ref: { branch: "main" }, path: "nginx" });
      return sources.readProfileDir(resolved);
    };
    await sync();
    expect(server.count("fetch")).toBe(1);
    server.clearLog();

    clock += 5_000;
    await sync();
    expect(server.count("fetch")).toBe(0);
    expect(server.count("ls-refs")).toBe(1);
    expect(server.requests).toHaveLength(2); // the v2 capability advertisement and the ls-refs
    expect(sources.stats).toMatchObject({ refDiscoveries: 2, packFetches: 1, dirCacheHits: 1 });
  });

  it("fetches an annotated tag with one pack request", async () => {
    const sources = fetcher();
    const resolved = await sources.resolve({ url: profiles.url, ref: { tag: "nginx/v1.1.0" } });
    const { profile } = await sources.readProfileDir(resolved);
    expect(profile.spec.description).toBe("nginx profile 1.1.0");
    expect(server.count("fetch")).toBe(1);
  });

  it("still reads the resolved commit when its branch moved before the fetch", async () => {
    const repo = await server.createRepository("racing");
    const url = server.urlOf("racing");
    await repo.commit(profileFiles("app"));
    const sources = fetcher();
    const resolved = await sources.resolve({ url, ref: { branch: "main" }, path: "app" });
    await repo.commit({ "app/manifests/later.yaml": "kind: ConfigMap\n" });
    const { files } = await sources.readProfileDir(resolved);
    expect(files.has("manifests/later.yaml")).toBe(false);
  });

  it("starts a repository's object store afresh once it holds maxPacks packs", async () => {
    const fsDir = await mkdtemp(join(tmpdir(), "pctl-packs-"));
    try {
      const repo = await server.createRepository("packs");
      const url = server.urlOf("packs");
      const sources = fetcher({ maxPacks: 2, fsDir });
      const first = await repo.commit(profileFiles("app"));
      await sources.readProfileDir({ url, commit: first, path: "app" });
      for (let i = 0; i < 3; i++) {
        const commit = await repo.commit({ [`app/manifests/n${i}.yaml`]: "kind: ConfigMap\n" });
        await sources.readProfileDir({ url, commit, path: "app" });
      }
      const packs = (await readdir(fsDir, { recursive: true })).filter((name) => name.endsWith(".pack"));
      expect(packs.length).toBeLessThanOrEqual(2);
      expect(sources.stats.packFetches).toBe(4);
    } finally {
      await rm(fsDir, { recursive: true, force: true });
    }
  });

  it("a cached commit costs no request at all", async () => {
    const sources = fetcher();
    const commit = profiles.commits["nginx/v1.1.0"]!;
    await sources.readProfileDir({ url: profiles.url, commit, path: "nginx" });
    server.clearLog();
    const resolved = await sources.resolve({ url: profiles.url, ref: { commit }, path: "nginx" });
    await sources.readProfileDir(resolved);
    expect(server.requests).toHaveLength(0);
  });

  it("reads an evicted directory back from the object store without a request", async () => {
    const sources = fetcher({ cacheBytes: 1 });
    const commit = profiles.commits["nginx/v1.0.0"]!;
    await sources.readProfileDir({ url: profiles.url, commit, path: "nginx" });
    server.clearLog();
    const again = await sources.readProfileDir({ url: profiles.url, commit, path: "nginx" });
    expect(again.profile.metadata.name).toBe("nginx");
    expect(server.requests).toHaveLength(0);
    expect(sources.stats).toMatchObject({ packFetches: 1, objectStoreHits: 1, dirCacheHits: 0 });
  });

  it("de-duplicates concurrent fetches of the same repository into one pack request", async () => {
    const sources = fetcher();
    const syncs = Array.from({ length: 8 }, async (_, i) => {
      const path = i % 2 === 0 ? "nginx" : "redis2";
      const resolved = await sources.resolve({ url: profiles.url, ref: { branch: "main" }, path });
      return sources.readProfileDir(resolved);
    });
    const dirs = await Promise.all(syncs);
    expect(dirs.map((d) => d.profile.metadata.name)).toEqual(Array(4).fill(["nginx", "redis2"]).flat());
    expect(server.count("fetch")).toBe(1);
    expect(server.count("ls-refs")).toBe(2); // one per distinct (ref, path)
  });

  it("lists tags with ref discovery only", async () => {
    const sources = fetcher();
    const tags = await sources.listTags({ url: profiles.url });
    expect(tags.map((t) => t.name)).toEqual([
      "nginx/v1.0.0",
      "nginx/v1.1.0",
      "redis2/v0.3.0",
      "redis2/v2.0.0",
    ]);
    expect(tags.find((t) => t.name === "nginx/v1.1.0")?.commit).toBe(profiles.commits["nginx/v1.1.0"]);
    expect(server.count("fetch")).toBe(0);
  });
});

describe("profile directories", () => {
  it("reads every file under the profile directory, keyed relative to it, and parses profile.yaml", async () => {
    const sources = fetcher();
    const { files, profile } = await sources.readProfileDir({
      url: profiles.url,
      commit: profiles.commits.dev!,
      path: "nginx",
    });
    expect([...files.keys()].sort()).toEqual(["manifests/config.yaml", "manifests/dev.yaml", "profile.yaml"]);
    expect(profile.metadata.name).toBe("nginx");
  });

  it("reads a root profile", async () => {
    const { profile, files } = await fetcher().readProfileDir({
      url: rootProfile.url,
      commit: rootProfile.commits["v2.0.1"]!,
    });
    expect(profile.spec.description).toBe("nginx profile 2.0.1");
    expect(files.has("manifests/config.yaml")).toBe(true);
  });

  it("copies the target of a symlink that stays inside the profile directory", async () => {
    const repo = await server.createRepository("links");
    const commit = await repo.commit({
      ...profileFiles("app"),
      "app/manifests/alias.yaml": { symlink: "config.yaml" },
      "app/shared": { symlink: "manifests" },
    });
    const { files } = await fetcher().readProfileDir({ url: server.urlOf("links"), commit, path: "app" });
    expect(files.get("manifests/alias.yaml")).toEqual(files.get("manifests/config.yaml"));
    expect(files.get("shared/config.yaml")).toEqual(files.get("manifests/config.yaml"));
  });

  it("refuses a symlink that leaves the profile directory", async () => {
    const repo = await server.createRepository("escape");
    const commit = await repo.commit({
      ...profileFiles("app"),
      "secret.txt": "not for app\n",
      "app/manifests/secret.yaml": { symlink: "../../secret.txt" },
    });
    const attempt = fetcher().readProfileDir({ url: server.urlOf("escape"), commit, path: "app" });
    await expect(attempt).rejects.toThrow(PolicyViolationError);
    await expect(attempt).rejects.toThrow(/symlink "manifests\/secret.yaml" -> "..\/..\/secret.txt".*leaves/);
  });

  it("refuses an absolute symlink", async () => {
    const repo = await server.createRepository("absolute-link");
    const commit = await repo.commit({ ...profileFiles("app"), "app/passwd": { symlink: "/etc/passwd" } });
    await expect(
      fetcher().readProfileDir({ url: server.urlOf("absolute-link"), commit, path: "app" }),
    ).rejects.toThrow(PolicyViolationError);
  });

  it.each([["../profiles"], ["nginx/../../x"], ["/etc"]])("refuses the profile path %s", async (path) => {
    const sources = fetcher();
    await expect(sources.resolve({ url: profiles.url, ref: { branch: "main" }, path })).rejects.toThrow(
      PolicyViolationError,
    );
    const commit = profiles.commits.main!;
    await expect(sources.readProfileDir({ url: profiles.url, commit, path })).rejects.toThrow(/profile path/);
    expect(server.requests).toHaveLength(0);
  });

  it("a directory without profile.yaml is NotFound", async () => {
    const attempt = fetcher().readProfileDir({
      url: profiles.url,
      commit: profiles.commits.dev!,
      path: "nginx/manifests",
    });
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow(/no profile.yaml in .*\/\/nginx\/manifests@/);
  });

  it("an invalid profile.yaml is reported with where it came from", async () => {
    const repo = await server.createRepository("invalid");
    const commit = await repo.commit({
      "app/profile.yaml": "apiVersion: profiles.pctl.dev/v1alpha1\nkind: Nope\n",
    });
    await expect(
      fetcher().readProfileDir({ url: server.urlOf("invalid"), commit, path: "app" }),
    ).rejects.toThrow(/invalid\.git\/\/app@.*kind/s);
  });

  it("caps the bytes of one fetch", async () => {
    const repo = await server.createRepository("big");
    const noise = Buffer.alloc(256 * 1024);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const commit = await repo.commit({ ...profileFiles("app"), "app/blob.bin": noise });
    const attempt = fetcher({ maxBytes: 64 * 1024 }).readProfileDir({
      url: server.urlOf("big"),
      commit,
      path: "app",
    });
    await expect(attempt).rejects.toThrow(LimitExceededError);
  });
});

describe("private repositories", () => {
  const basic = { username: "reader", password: "s3cret" };
  let url: string;
  let tokenUrl: string;
  let commit: string;

  beforeAll(async () => {
    const repo = await server.createRepository("private", { auth: basic });
    commit = await repo.commit(profileFiles("app"));
    const tokenRepo = await server.createRepository("private-token", { auth: { bearerToken: "t0ken" } });
    await tokenRepo.commit(profileFiles("app"));
    url = server.urlOf("private");
    tokenUrl = server.urlOf("private-token");
  });

  it("works with the right username and password", async () => {
    const sources = fetcher();
    const resolved = await sources.resolve({ url, ref: { branch: "main" }, path: "app", credentials: basic });
    const { profile } = await sources.readProfileDir({ ...resolved, credentials: basic });
    expect(profile.metadata.name).toBe("app");
  });

  it("works with a bearer token", async () => {
    const sources = fetcher();
    const credentials = { bearerToken: "t0ken" };
    const resolved = await sources.resolve({
      url: tokenUrl,
      ref: { branch: "main" },
      path: "app",
      credentials,
    });
    await expect(sources.readProfileDir({ ...resolved, credentials })).resolves.toBeDefined();
  });

  it("wrong credentials are an authentication failure that points at the Secret", async () => {
    const credentials = { username: "reader", password: "wrong" };
    const attempt = fetcher().resolve({ url, ref: { branch: "main" }, path: "app", credentials });
    await expect(attempt).rejects.toThrow(AuthenticationFailedError);
    await expect(attempt).rejects.toThrow(`authentication failed for ${url}: check the Secret`);
    await expect(attempt).rejects.not.toThrow(/wrong/);
  });

  it("missing credentials are an authentication failure, not NotFound", async () => {
    const sources = fetcher();
    const attempt = sources.resolve({ url, ref: { branch: "main" }, path: "app" });
    await expect(attempt).rejects.toThrow(AuthenticationFailedError);
    await expect(attempt).rejects.toThrow(/asks for credentials: set secretRef/);
    await expect(sources.readProfileDir({ url, commit, path: "app" })).rejects.toThrow(
      AuthenticationFailedError,
    );
  });

  it("what was fetched with credentials is not served to a caller without them", async () => {
    const sources = fetcher();
    await sources.readProfileDir({ url, commit, path: "app", credentials: basic });
    await expect(sources.readProfileDir({ url, commit, path: "app" })).rejects.toThrow(
      AuthenticationFailedError,
    );
  });
});

describe("policy", () => {
  it.each([
    ["file:///srv/git/profiles.git", /scheme "file:" is not allowed/],
    ["ftp://example.com/profiles.git", /scheme "ftp:" is not allowed/],
    ["http://example.com/profiles.git", /use https:\/\/ \(http:\/\/ only with PCTL_ALLOW_HTTP=true\)/],
    ["https://169.254.169.254/latest/meta-data", /link-local, metadata/],
    ["https://metadata.google.internal/x.git", /metadata endpoints are never allowed/],
    ["https://127.0.0.1:8443/profiles.git", /loopback addresses are allowed only with PCTL_ALLOW_LOOPBACK/],
    ["https://user:pw@example.com/profiles.git", /credentials must not be part of the URL/],
  ])("refuses %s before any request", async (url, message) => {
    const sources = fetcher({ policy: createSourcePolicy() });
    const attempt = sources.resolve({ url, ref: { branch: "main" } });
    await expect(attempt).rejects.toThrow(PolicyViolationError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.not.toThrow(/pw/);
  });

  it("refuses the test server itself when loopback is not allowed", async () => {
    const sources = fetcher({ policy: createSourcePolicy({ allowHttp: true }) });
    await expect(sources.resolve({ url: profiles.url, ref: { branch: "main" } })).rejects.toThrow(
      PolicyViolationError,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("availability", () => {
  it("a server that is down is SourceUnavailable, and the next sync after it is back works", async () => {
    const sources = fetcher({ refTtlMs: 0 });
    await server.stop();
    try {
      const attempt = sources.resolve({ url: profiles.url, ref: { branch: "main" } });
      await expect(attempt).rejects.toThrow(SourceUnavailableError);
      await expect(attempt).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:\d+\/profiles\.git/);
    } finally {
      await server.start();
    }
    await expect(sources.resolve({ url: profiles.url, ref: { branch: "main" } })).resolves.toMatchObject({
      commit: profiles.commits.main,
    });
  });

  it("an unknown repository is NotFound", async () => {
    await expect(
      fetcher().resolve({ url: server.urlOf("missing"), ref: { branch: "main" } }),
    ).rejects.toThrow(NotFoundError);
  });

  it("a profile.yaml past the YAML size limit is refused", async () => {
    const repo = await server.createRepository("long");
    const commit = await repo.commit({
      "app/profile.yaml": `${profileYaml("app")}\n#${"x".repeat(2 * 1024 * 1024)}\n`,
    });
    await expect(
      fetcher().readProfileDir({ url: server.urlOf("long"), commit, path: "app" }),
    ).rejects.toThrow(LimitExceededError);
  });
});

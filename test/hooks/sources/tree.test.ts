import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationFailedError,
  CycleError,
  LimitExceededError,
  NotFoundError,
} from "../../../crds/errors.js";
import { createSourceFetcher, type SourceFetcher } from "../../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";
import { GitServer } from "../../support/git-server.js";
import { createProfilesRepo, type ProfilesRepo, profileFiles } from "./fixtures.js";

let server: GitServer;
let profiles: ProfilesRepo;
let sources: SourceFetcher;

beforeAll(async () => {
  server = await GitServer.create();
  profiles = await createProfilesRepo(server);
});

afterEach(async () => {
  await sources?.close();
});

afterAll(async () => {
  await server?.close();
});

function fetcher(maxDepth?: number): SourceFetcher {
  const policy = createSourcePolicy({ allowHttp: true, allowLoopback: true });
  sources = createSourceFetcher({ policy, ...(maxDepth !== undefined && { maxDepth }) });
  return sources;
}

describe("resolveTree", () => {
  it("resolves nested profiles into a tree keyed by artifact name", async () => {
    const repo = await server.createRepository("app");
    const url = server.urlOf("app");
    await repo.commit({
      ...profileFiles("web", "web", { cache: { url: profiles.url, tag: "redis2/v0.3.0" } }),
      ...profileFiles("app", "app", {
        frontend: { url, branch: "main", path: "web" },
        proxy: { url: profiles.url, semver: "^1.0.0", path: "nginx" },
      }),
    });
    const tree = await fetcher().resolveTree({ url, ref: { branch: "main" }, path: "app" });

    expect(tree.identity).toBe(`${url}//app@main`);
    expect([...tree.children.keys()].sort()).toEqual(["frontend", "proxy"]);
    expect(tree.children.get("proxy")?.source).toMatchObject({ ref: "nginx/v1.1.0", version: "1.1.0" });
    const cache = tree.children.get("frontend")?.children.get("cache");
    expect(cache?.source).toMatchObject({ path: "redis2", commit: profiles.commits["redis2/v0.3.0"] });
    expect(cache?.profile.metadata.name).toBe("redis2");
    expect(cache?.files.has("manifests/config.yaml")).toBe(true);
    expect(cache?.children.size).toBe(0);
  });

  it("a profile that nests itself is a cycle, named", async () => {
    const repo = await server.createRepository("self");
    const url = server.urlOf("self");
    await repo.commit(profileFiles("a", "a", { again: { url, branch: "main", path: "a" } }));
    const attempt = fetcher().resolveTree({ url, ref: { branch: "main" }, path: "a" });
    await expect(attempt).rejects.toThrow(CycleError);
    await expect(attempt).rejects.toThrow(`cycle: ${url}//a@main -> ${url}//a@main`);
  });

  it("a root resolved beforehand keeps its branch in messages", async () => {
    const repo = await server.createRepository("self-resolved");
    const url = server.urlOf("self-resolved");
    await repo.commit(profileFiles("a", "a", { again: { url, branch: "main", path: "a" } }));
    const sources = fetcher();
    const resolved = await sources.resolve({ url, ref: { branch: "main" }, path: "a" });
    const attempt = sources.resolveTree({ url, ref: { commit: resolved.commit }, path: "a", resolved });
    await expect(attempt).rejects.toThrow(`cycle: ${url}//a@main -> ${url}//a@main`);
  });

  it("a cycle three deep is named in full", async () => {
    const repo = await server.createRepository("ring");
    const url = server.urlOf("ring");
    await repo.commit({
      ...profileFiles("a", "a", { b: { url, branch: "main", path: "b" } }),
      ...profileFiles("b", "b", { c: { url, branch: "main", path: "c" } }),
      ...profileFiles("c", "c", { a: { url, branch: "main", path: "a" } }),
    });
    const attempt = fetcher().resolveTree({ url, ref: { branch: "main" }, path: "a" });
    await expect(attempt).rejects.toThrow(CycleError);
    await expect(attempt).rejects.toThrow(
      `cycle: ${url}//a@main -> ${url}//b@main -> ${url}//c@main -> ${url}//a@main`,
    );
  });

  it("the same directory at another commit is another profile, not a cycle", async () => {
    const repo = await server.createRepository("versions");
    const url = server.urlOf("versions");
    await repo.commit(profileFiles("lib"));
    await repo.tag("lib/v1.0.0");
    await repo.commit(profileFiles("lib", "lib", { previous: { url, tag: "lib/v1.0.0" } }));
    const tree = await fetcher().resolveTree({ url, ref: { branch: "main" }, path: "lib" });
    expect(tree.children.get("previous")?.identity).toBe(`${url}//lib@lib/v1.0.0`);
  });

  it("nesting past the depth limit is refused with the chain named", async () => {
    const repo = await server.createRepository("deep");
    const url = server.urlOf("deep");
    const files = {};
    for (let level = 0; level < 5; level++) {
      const next = { [`l${level + 1}`]: { url, branch: "main", path: `l${level + 1}` } };
      Object.assign(files, profileFiles(`l${level}`, `l${level}`, level < 4 ? next : {}));
    }
    await repo.commit(files);
    await expect(fetcher(4).resolveTree({ url, ref: { branch: "main" }, path: "l0" })).resolves.toBeDefined();
    const attempt = fetcher(3).resolveTree({ url, ref: { branch: "main" }, path: "l0" });
    await expect(attempt).rejects.toThrow(LimitExceededError);
    await expect(attempt).rejects.toThrow(`deeper than 3 levels: ${url}//l0@main -> ${url}//l1@main`);
  });

  it("a nested profile that cannot be resolved is reported with the artifact that nests it", async () => {
    const repo = await server.createRepository("broken");
    const url = server.urlOf("broken");
    await repo.commit(profileFiles("app", "app", { cache: { url: profiles.url, tag: "redis2/v9.0.0" } }));
    const attempt = fetcher().resolveTree({ url, ref: { branch: "main" }, path: "app" });
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow(
      `nested profile "cache" of ${url}//app@main: tag "redis2/v9.0.0" not found`,
    );
  });

  it("credentials follow nested profiles on the same origin only", async () => {
    const credentials = { username: "team", password: "pw" };
    const other = await GitServer.create();
    try {
      const elsewhere = await other.createRepository("remote", { auth: credentials });
      await elsewhere.commit(profileFiles("lib"));
      const sibling = await server.createRepository("sibling", { auth: credentials });
      await sibling.commit(profileFiles("lib"));
      const root = await server.createRepository("private-root", { auth: credentials });
      const url = server.urlOf("private-root");
      await root.commit(
        profileFiles("app", "app", { lib: { url: server.urlOf("sibling"), branch: "main", path: "lib" } }),
      );
      const tree = await fetcher().resolveTree({ url, ref: { branch: "main" }, path: "app", credentials });
      expect(tree.children.get("lib")?.profile.metadata.name).toBe("lib");

      await root.commit(
        profileFiles("app", "app", { lib: { url: other.urlOf("remote"), branch: "main", path: "lib" } }),
      );
      const attempt = fetcher().resolveTree({ url, ref: { branch: "main" }, path: "app", credentials });
      await expect(attempt).rejects.toThrow(AuthenticationFailedError);
      expect(other.requests.every((r) => r.status === 401)).toBe(true);
    } finally {
      await other.close();
    }
  });
});

/**
 * The catalog controller end to end: the CompositeController from deploy/controllers.yaml, run by the
 * Metacontroller harness against the hook server over real HTTP, scanning repositories on a real git
 * http-backend, with the catalog API read back through the same server.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as z from "zod";
import * as Reasons from "../../crds/conditions.js";
import { ConditionTypes } from "../../crds/conditions.js";
import { loadCrds } from "../../crds/openapi/crd.js";
import type { ProfileCatalogSourceStatus } from "../../crds/profile-catalog-source.js";
import { parseYamlAll } from "../../crds/yaml.js";
import { catalogApi } from "../../hooks/api/routes.js";
import { ErrorResponseSchema, ProfileDetailsSchema, SearchResponseSchema } from "../../hooks/api/schemas.js";
import { CatalogIndex } from "../../hooks/catalog/catalog-index.js";
import { catalogHooks } from "../../hooks/catalog/hooks.js";
import { type RunningServer, start } from "../../hooks/main.js";
import { createSourceFetcher, type SourceFetcher } from "../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../hooks/sources/policy.js";
import { profileFiles, profileYaml } from "../hooks/sources/fixtures.js";
import { capturingLogger } from "../hooks/support.js";
import { expectValid } from "../support/crd-validators.js";
import type { TestRepository } from "../support/git-repo.js";
import { GitServer } from "../support/git-server.js";
import {
  ClusterStore,
  CompositeControllerHarness,
  FakeClock,
  type ObjectRef,
} from "../support/metacontroller/index.js";

const API_VERSION = "profiles.pctl.dev/v1alpha1";
const KIND = "ProfileCatalogSource";
const pctlCrds = loadCrds(readFileSync(new URL("../../deploy/crds.yaml", import.meta.url), "utf8"));
const controller = parseYamlAll(
  readFileSync(new URL("../../deploy/controllers.yaml", import.meta.url), "utf8"),
).find(
  (doc) =>
    (doc as { metadata?: { name?: string } }).metadata?.name === "profilecatalogsources.profiles.pctl.dev",
);

let git: GitServer;
let profiles: TestRepository;
let privateRepo: TestRepository;
let clock: FakeClock;
let store: ClusterStore;
let harness: CompositeControllerHarness;
let sources: SourceFetcher;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  git = await GitServer.create();
  profiles = await git.createRepository("profiles");
  await profiles.commit({ ...profileFiles("nginx"), ...profileFiles("redis") });
  await profiles.tag("nginx/v1.0.0");
  await profiles.tag("redis/v0.3.0");
  await profiles.commit({ "nginx/profile.yaml": profileYaml("nginx", {}, " 1.1.0") });
  await profiles.tag("nginx/v1.1.0", { message: "nginx 1.1.0" });
  await profiles.tag("release-2026"); // not a profile tag: ignored
  privateRepo = await git.createRepository("private", { auth: { username: "ci", password: "s3cret" } });
  await privateRepo.commit(profileFiles("", "secret-app"));
  await privateRepo.tag("v2.0.0");
});

afterAll(async () => {
  await git?.close();
});

/** Starts the catalog hook server as a new process does: an empty index and empty fetcher caches. */
async function startCatalogServer(): Promise<void> {
  const index = new CatalogIndex();
  sources = createSourceFetcher({
    policy: createSourcePolicy({ allowHttp: true, allowLoopback: true }),
    now: () => clock.nowMs(),
  });
  server = await start({
    env: { PORT: "0", LOG_LEVEL: "silent", PCTL_ROLE: "catalog" },
    logger: capturingLogger().logger,
    handlers: {
      catalogHooks: catalogHooks({ sources, index, now: () => clock.nowMs() }),
      api: catalogApi({ index }),
    },
  });
  base = `http://127.0.0.1:${server.port}`;
}

beforeEach(async () => {
  clock = new FakeClock();
  store = new ClusterStore({ clock });
  await startCatalogServer();
  harness = new CompositeControllerHarness({ controller, store, endpoint: base });
  git.clearLog();
});

afterEach(async () => {
  harness.close();
  await server.stop();
  await sources.close();
});

function ref(name: string, namespace = "platform"): ObjectRef {
  return { apiVersion: API_VERSION, kind: KIND, namespace, name };
}

function catalog(name: string, spec: Record<string, unknown>, namespace = "platform") {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, spec };
}

function statusOf(name: string, namespace = "platform"): ProfileCatalogSourceStatus {
  const object = store.mustGet(ref(name, namespace));
  // What we write must pass our own CRD, as the API server would check the status subresource.
  expectValid(object, pctlCrds);
  return object.status as ProfileCatalogSourceStatus;
}

function condition(name: string, type: string) {
  return statusOf(name).conditions?.find((c) => c.type === type);
}

async function api<S extends z.ZodType>(path: string, schema: S, status = 200): Promise<z.output<S>> {
  const res = await fetch(`${base}/api/v1${path}`);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

async function served(q = ""): Promise<string[]> {
  const { items } = await api(`/profiles?q=${q}`, SearchResponseSchema);
  return items.map((i) => `${i.namespace}/${i.catalog}/${i.name}@${i.version}`).sort();
}

async function versions(namespace: string, name: string, profile: string): Promise<string[]> {
  const details = await api(`/catalogs/${namespace}/${name}/profiles/${profile}`, ProfileDetailsSchema);
  return details.versions.map((v) => v.version);
}

const listed = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  name,
  version,
  url: "https://git.example.com/org/listed",
  path: name,
  ...extra,
});

describe("catalog controller", () => {
  it("serves listed entries and scanned tags, reading each tag's profile.yaml once", async () => {
    store.create(
      catalog("company", {
        profiles: [listed("podinfo", "6.5.0", { description: "a small web service" })],
        repositories: [{ url: git.urlOf("profiles") }],
        interval: "5m",
      }),
    );
    await harness.runUntilStable();

    expect(harness.errors).toEqual([]);
    const status = statusOf("company");
    expect(status.profiles?.map((p) => `${p.name}@${p.version}`)).toEqual([
      "nginx@1.0.0",
      "nginx@1.1.0",
      "podinfo@6.5.0",
      "redis@0.3.0",
    ]);
    expect(status.profiles?.find((p) => p.version === "1.1.0")).toMatchObject({
      tag: "nginx/v1.1.0",
      path: "nginx",
      url: git.urlOf("profiles"),
      description: "nginx profile 1.1.0",
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(status.repositories).toEqual([
      {
        url: git.urlOf("profiles"),
        scannedTags: ["nginx/v1.0.0", "nginx/v1.1.0", "redis/v0.3.0"],
        lastScanTime: clock.timestamp(),
      },
    ]);
    expect(condition("company", ConditionTypes.Ready)).toMatchObject({
      status: "True",
      reason: Reasons.Succeeded,
      message: "4 profiles available",
    });
    expect(harness.pendingResync(ref("company"))).toBe(300);
    // Two tags at one commit and one more: one ref discovery, and a pack per commit read.
    expect(git.count("ls-refs", "profiles")).toBe(1);
    expect(git.count("fetch", "profiles")).toBe(2);
    expect(await served()).toEqual([
      "platform/company/nginx@1.1.0",
      "platform/company/podinfo@6.5.0",
      "platform/company/redis@0.3.0",
    ]);
  });

  it("adds, updates and deletes listed entries as the spec changes", async () => {
    store.create(catalog("company", { profiles: [listed("podinfo", "6.5.0")] }));
    await harness.runUntilStable();
    expect(await versions("platform", "company", "podinfo")).toEqual(["6.5.0"]);

    const added = store.mustGet(ref("company"));
    store.update({
      ...added,
      spec: { profiles: [listed("podinfo", "6.5.0"), listed("podinfo", "6.6.0"), listed("web", "1.0.0")] },
    });
    await harness.runUntilStable();
    expect(await versions("platform", "company", "podinfo")).toEqual(["6.5.0", "6.6.0"]);
    expect(await served()).toContain("platform/company/web@1.0.0");

    const updated = store.mustGet(ref("company"));
    store.update({
      ...updated,
      spec: {
        profiles: [
          listed("podinfo", "6.6.0", { description: "now with a description" }),
          listed("web", "1.0.0"),
        ],
      },
    });
    await harness.runUntilStable();
    const details = await api("/catalogs/platform/company/profiles/podinfo", ProfileDetailsSchema);
    expect(details.versions.map((v) => v.version)).toEqual(["6.6.0"]);
    expect(details.description).toBe("now with a description");

    const removed = store.mustGet(ref("company"));
    store.update({ ...removed, spec: { profiles: [listed("web", "1.0.0")] } });
    await harness.runUntilStable();
    await api("/catalogs/platform/company/profiles/podinfo", ErrorResponseSchema, 404);
    expect(await served()).toEqual(["platform/company/web@1.0.0"]);
    expect(harness.errors).toEqual([]);
  });

  it("rejects an entry whose version is not semver with its reason and serves the others", async () => {
    store.create(
      catalog("company", {
        profiles: [listed("nginx", "totally!not?semver"), listed("redis", "1.2.0")],
      }),
    );
    await harness.runUntilStable();

    const status = statusOf("company");
    expect(status.rejected).toEqual([
      {
        entry: "nginx@totally!not?semver",
        reason: expect.stringContaining("version: must be a semantic version"),
      },
    ]);
    expect(status.profiles?.map((p) => p.name)).toEqual(["redis"]);
    expect(condition("company", ConditionTypes.Ready)?.status).toBe("True");
    expect(await served()).toEqual(["platform/company/redis@1.2.0"]);
  });

  it("picks up a tag pushed to the repository once the interval has passed, reading only that tag", async () => {
    store.create(catalog("company", { repositories: [{ url: git.urlOf("profiles") }], interval: "5m" }));
    await harness.runUntilStable();
    const before = statusOf("company");
    await profiles.commit({ "redis/profile.yaml": profileYaml("redis", {}, " 0.4.0") });
    await profiles.tag("redis/v0.4.0");
    git.clearLog();

    // Within the interval a sync scans nothing and the status does not move.
    await harness.advance(120);
    expect(await harness.sync(ref("company"))).toMatchObject({ outcome: "synced" });
    expect(git.requests).toEqual([]);
    expect(statusOf("company")).toEqual(before);

    const reads = { ...sources.stats };
    await harness.advance(180);
    expect(await versions("platform", "company", "redis")).toEqual(["0.3.0", "0.4.0"]);
    expect(git.count("ls-refs", "profiles")).toBe(1);
    expect(git.count("fetch", "profiles")).toBe(1);
    // The known tags were carried over from the status, not read again from the fetcher's cache.
    expect(sources.stats.dirCacheHits).toBe(reads.dirCacheHits);
    expect(sources.stats.objectStoreHits).toBe(reads.objectStoreHits);
    expect(statusOf("company").repositories?.[0]?.lastScanTime).toBe(clock.timestamp());
    expect(harness.pendingResync(ref("company"))).toBe(300);
  });

  it("after a restart, rebuilds the index from the status on the next resync without reading a tag", async () => {
    store.create(catalog("company", { repositories: [{ url: git.urlOf("profiles") }], interval: "5m" }));
    await harness.runUntilStable();
    const before = statusOf("company");

    // A new process: empty index, empty fetcher caches; the cluster (and the status) stays.
    harness.close();
    await server.stop();
    await sources.close();
    await startCatalogServer();
    await api("/catalogs/platform/company/profiles/nginx", ErrorResponseSchema, 404);
    git.clearLog();

    harness = new CompositeControllerHarness({ controller, store, endpoint: base });
    await harness.runUntilStable();
    expect(await versions("platform", "company", "nginx")).toEqual(["1.0.0", "1.1.0"]);
    expect(git.requests).toEqual([]);
    expect(statusOf("company")).toEqual(before);

    // The next scan, with cold caches, still reads nothing it already knows: one ref discovery, no pack.
    await harness.advance(300);
    expect(git.count("ls-refs", "profiles")).toBe(1);
    expect(git.count("fetch", "profiles")).toBe(0);
  });

  it("reports a private repository without credentials as AuthenticationFailed, then scans it with them", async () => {
    store.create(catalog("private", { repositories: [{ url: git.urlOf("private") }] }));
    await harness.runUntilStable();
    expect(condition("private", ConditionTypes.Ready)).toMatchObject({
      status: "False",
      reason: Reasons.AuthenticationFailed,
    });
    expect(condition("private", ConditionTypes.Stalled)).toMatchObject({
      status: "True",
      reason: Reasons.AuthenticationFailed,
      message: expect.stringContaining("asks for credentials; set secretRef"),
    });
    expect(statusOf("private").profiles).toEqual([]);

    store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "git-credentials", namespace: "platform" },
      stringData: { username: "ci", password: "wrong" },
    });
    const current = store.mustGet(ref("private"));
    store.update({
      ...current,
      spec: { repositories: [{ url: git.urlOf("private"), secretRef: { name: "git-credentials" } }] },
    });
    await harness.runUntilStable();
    expect(condition("private", ConditionTypes.Stalled)?.message).toContain(
      "refused the credentials in Secret git-credentials",
    );

    // Fixing the Secret is enough: Metacontroller syncs the catalog when a related object changes.
    const secret = store.mustGet({
      apiVersion: "v1",
      kind: "Secret",
      namespace: "platform",
      name: "git-credentials",
    });
    store.update({ ...secret, stringData: { username: "ci", password: "s3cret" } });
    await harness.runUntilStable();
    expect(condition("private", ConditionTypes.Ready)).toMatchObject({
      status: "True",
      reason: Reasons.Succeeded,
    });
    expect(condition("private", ConditionTypes.Stalled)).toBeUndefined();
    expect(await versions("platform", "private", "secret-app")).toEqual(["2.0.0"]);
    expect(statusOf("private").profiles?.[0]).toMatchObject({ tag: "v2.0.0", name: "secret-app" });
    expect(statusOf("private").profiles?.[0]?.path).toBeUndefined();
  });

  it("keeps the last profiles of a repository that cannot be reached, and says so", async () => {
    store.create(catalog("company", { repositories: [{ url: git.urlOf("profiles") }], interval: "1m" }));
    await harness.runUntilStable();
    await git.stop();
    try {
      await harness.advance(60);
      expect(condition("company", ConditionTypes.Ready)).toMatchObject({
        status: "False",
        reason: Reasons.SourceUnavailable,
      });
      expect(condition("company", ConditionTypes.Stalled)).toBeUndefined();
      expect(statusOf("company").profiles?.map((p) => `${p.name}@${p.version}`)).toContain("redis@0.3.0");
      expect(await versions("platform", "company", "nginx")).toEqual(["1.0.0", "1.1.0"]);
      expect(harness.pendingResync(ref("company"))).toBe(30);
    } finally {
      await git.start();
    }
    await harness.advance(30);
    expect(condition("company", ConditionTypes.Ready)?.status).toBe("True");
  });

  it("keeps catalogs with one name in two namespaces apart, and deleting one leaves the other", async () => {
    store.create(catalog("company", { profiles: [listed("web", "1.0.0")] }, "platform"));
    store.create(catalog("company", { profiles: [listed("web", "2.0.0")] }, "team-a"));
    await harness.runUntilStable();
    expect(await served("web")).toEqual(["platform/company/web@1.0.0", "team-a/company/web@2.0.0"]);

    store.delete(ref("company", "team-a"));
    await harness.runUntilStable();
    expect(store.get(ref("company", "team-a"))).toBeUndefined();
    expect(await served("web")).toEqual(["platform/company/web@1.0.0"]);
    await api("/catalogs/team-a/company/profiles/web", ErrorResponseSchema, 404);
    expect(harness.errors).toEqual([]);
  });
});

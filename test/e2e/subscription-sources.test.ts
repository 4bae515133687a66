import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION } from "../../crds/common.js";
import {
  AuthenticationFailed,
  authenticationFailedMessage,
  CatalogNotFound,
  ConditionTypes,
  catalogNotFoundMessage,
  Succeeded,
  VersionNotFound,
} from "../../crds/conditions.js";
import type { TestRepository } from "../support/git-repo.js";
import { chartFiles, profileYaml } from "./support/profiles.js";
import { NAMESPACE, type SubscriptionEnv, startSubscriptionEnv } from "./support/subscription-env.js";

let env: SubscriptionEnv;

beforeAll(async () => {
  env = await startSubscriptionEnv();
});

afterAll(async () => {
  await env?.close();
});

const conditions = (name: string) =>
  (env.subscription(name).status?.conditions ?? []).map(({ type, status, reason, message }) => ({
    type,
    status,
    reason,
    message,
  }));

const webFiles = (version: string) => ({
  "web/profile.yaml": profileYaml("web", [{ name: "server", chart: { path: "chart" }, values: { version } }]),
  ...chartFiles("web/chart", "web"),
});

describe("a catalog subscription", () => {
  const PLATFORM = "platform";
  let repo: TestRepository;
  const commits: Record<string, string> = {};

  /** A catalog entry for `version` as the catalog hooks publish it in status. */
  const entry = (version: string) => ({
    name: "web",
    version,
    tag: `web/v${version}`,
    url: env.git.urlOf("catalogued"),
    path: "web",
    commit: commits[version],
  });

  function createCatalog(name: string, versions: string[]): void {
    env.store.create({
      apiVersion: API_VERSION,
      kind: "ProfileCatalogSource",
      metadata: { name, namespace: PLATFORM },
      spec: { repositories: [{ url: env.git.urlOf("catalogued") }] },
      status: { profiles: versions.map(entry) },
    } as never);
  }

  beforeAll(async () => {
    repo = await env.git.createRepository("catalogued");
    for (const version of ["1.0.0", "1.1.0", "2.0.0", "1.2.0"]) {
      await repo.commit(webFiles(version));
      commits[version] = await repo.tag(`web/v${version}`);
    }
  });

  it("resolves a range through the related catalog's status and publishes availableUpdates", async () => {
    createCatalog("company", ["1.0.0", "1.1.0", "2.0.0"]);
    env.subscribe("from-catalog", {
      catalog: { catalog: "company", namespace: PLATFORM, profile: "web", version: "^1.0" },
    });
    await env.settle();
    const status = env.subscription("from-catalog").status!;
    expect(status.resolved).toEqual({
      url: env.git.urlOf("catalogued"),
      ref: "web/v1.1.0",
      commit: commits["1.1.0"],
      path: "web",
      version: "1.1.0",
    });
    expect(status.availableUpdates).toEqual(["2.0.0"]);
    expect(status.conditions?.[0]).toMatchObject({
      type: ConditionTypes.Ready,
      status: "True",
      reason: Succeeded,
    });
    expect(env.child("GitRepository", "from-catalog")!.spec).toMatchObject({
      ref: { tag: "web/v1.1.0", commit: commits["1.1.0"] },
    });
  });

  it("moves to a version the catalog publishes later, on the catalog's change alone", async () => {
    const catalog = env.store.mustGet({
      apiVersion: API_VERSION,
      kind: "ProfileCatalogSource",
      namespace: PLATFORM,
      name: "company",
    });
    env.store.updateStatus(
      { apiVersion: API_VERSION, kind: "ProfileCatalogSource", namespace: PLATFORM, name: "company" },
      { ...(catalog.status as object), profiles: ["1.0.0", "1.1.0", "2.0.0", "1.2.0"].map(entry) },
    );
    await env.settle();
    const status = env.subscription("from-catalog").status!;
    expect(status.resolved).toMatchObject({ ref: "web/v1.2.0", version: "1.2.0", commit: commits["1.2.0"] });
    expect(status.availableUpdates).toEqual(["2.0.0"]);
  });

  it("is stalled on a missing catalog and recovers once it is created", async () => {
    env.subscribe("no-catalog", {
      catalog: { catalog: "later", namespace: PLATFORM, profile: "web", version: "1.0.0" },
    });
    await env.settle();
    expect(conditions("no-catalog")).toEqual([
      {
        type: ConditionTypes.Ready,
        status: "False",
        reason: CatalogNotFound,
        message: catalogNotFoundMessage(PLATFORM, "later"),
      },
      {
        type: ConditionTypes.Stalled,
        status: "True",
        reason: CatalogNotFound,
        message: catalogNotFoundMessage(PLATFORM, "later"),
      },
    ]);
    createCatalog("later", ["1.0.0"]);
    await env.settle();
    expect(env.subscription("no-catalog").status?.resolved?.version).toBe("1.0.0");
    expect(env.subscription("no-catalog").status?.availableUpdates).toEqual([]);
  });

  it("is stalled when no version in the catalog matches", async () => {
    env.subscribe("too-new", {
      catalog: { catalog: "company", namespace: PLATFORM, profile: "web", version: "^3" },
    });
    await env.settle();
    expect(conditions("too-new").map((c) => [c.type, c.reason])).toEqual([
      [ConditionTypes.Ready, VersionNotFound],
      [ConditionTypes.Stalled, VersionNotFound],
    ]);
    expect(env.childKeys("too-new")).toEqual([]);
  });
});

describe("a private source", () => {
  const PASSWORD = "private-pw-77";

  it("is stalled without its Secret, and installs once the Secret exists", async () => {
    const repo = await env.git.createRepository("private", {
      auth: { username: "pctl", password: PASSWORD },
    });
    await repo.commit(webFiles("1.0.0"));
    env.subscribe("private", {
      source: {
        url: env.git.urlOf("private"),
        branch: "main",
        path: "web",
        secretRef: { name: "private-git" },
      },
    });
    await env.settle();
    expect(conditions("private").map((c) => [c.type, c.status, c.reason])).toEqual([
      [ConditionTypes.Ready, "False", AuthenticationFailed],
      [ConditionTypes.Stalled, "True", AuthenticationFailed],
    ]);
    expect(conditions("private")[0]?.message).toContain("Secret private-git");

    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "private-git", namespace: NAMESPACE },
      stringData: { username: "pctl", password: PASSWORD },
    } as never);
    await env.settle();
    expect(conditions("private")[0]).toMatchObject({ type: ConditionTypes.Ready, status: "True" });
    expect(env.child("GitRepository", "private")!.spec).toMatchObject({ secretRef: { name: "private-git" } });
  });

  it("is stalled naming the Secret when the repository refuses its credentials", async () => {
    const repo = await env.git.createRepository("refused", {
      auth: { username: "pctl", password: PASSWORD },
    });
    await repo.commit(webFiles("1.0.0"));
    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "refused-git", namespace: NAMESPACE },
      stringData: { username: "pctl", password: "wrong" },
    } as never);
    env.subscribe("refused", {
      source: {
        url: env.git.urlOf("refused"),
        branch: "main",
        path: "web",
        secretRef: { name: "refused-git" },
      },
    });
    await env.settle();
    expect(conditions("refused")[0]).toEqual({
      type: ConditionTypes.Ready,
      status: "False",
      reason: AuthenticationFailed,
      message: authenticationFailedMessage(env.git.urlOf("refused"), "refused-git"),
    });
  });
});

describe("a catalog entry in a private repository", () => {
  const PASSWORD = "catalogued-pw-31";
  const PLATFORM = "platform";

  it("is stalled without spec.catalog.secretRef, and installs once it names a Secret with the credentials", async () => {
    const repo = await env.git.createRepository("private-catalogued", {
      auth: { username: "pctl", password: PASSWORD },
    });
    await repo.commit(webFiles("1.0.0"));
    const commit = await repo.tag("web/v1.0.0");
    // The catalog's own Secret sits in its namespace: a subscription in another never reads it.
    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "catalog-git", namespace: PLATFORM },
      stringData: { username: "pctl", password: PASSWORD },
    } as never);
    env.store.create({
      apiVersion: API_VERSION,
      kind: "ProfileCatalogSource",
      metadata: { name: "private-company", namespace: PLATFORM },
      spec: {
        repositories: [{ url: env.git.urlOf("private-catalogued"), secretRef: { name: "catalog-git" } }],
      },
      status: {
        profiles: [
          {
            name: "web",
            version: "1.0.0",
            tag: "web/v1.0.0",
            url: env.git.urlOf("private-catalogued"),
            path: "web",
            commit,
          },
        ],
      },
    } as never);
    const catalog = { catalog: "private-company", namespace: PLATFORM, profile: "web", version: "1.0.0" };
    env.subscribe("private-catalog", { catalog });
    await env.settle();
    expect(conditions("private-catalog").map((c) => [c.type, c.status, c.reason])).toEqual([
      [ConditionTypes.Ready, "False", AuthenticationFailed],
      [ConditionTypes.Stalled, "True", AuthenticationFailed],
    ]);
    expect(env.childKeys("private-catalog")).toEqual([]);

    // A Secret of the subscription's namespace with the wrong password is refused, naming it.
    env.store.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "catalogued-git", namespace: NAMESPACE },
      stringData: { username: "pctl", password: "wrong" },
    } as never);
    env.updateSpec("private-catalog", { catalog: { ...catalog, secretRef: { name: "catalogued-git" } } });
    await env.settle();
    expect(conditions("private-catalog")[0]).toEqual({
      type: ConditionTypes.Ready,
      status: "False",
      reason: AuthenticationFailed,
      message: authenticationFailedMessage(env.git.urlOf("private-catalogued"), "catalogued-git"),
    });

    env.store.update({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "catalogued-git", namespace: NAMESPACE },
      stringData: { username: "pctl", password: PASSWORD },
    } as never);
    await env.settle();
    expect(conditions("private-catalog")[0]).toMatchObject({ type: ConditionTypes.Ready, status: "True" });
    expect(env.subscription("private-catalog").status?.resolved).toMatchObject({ version: "1.0.0", commit });
    expect(env.child("GitRepository", "private-catalog")!.spec).toMatchObject({
      ref: { tag: "web/v1.0.0", commit },
      secretRef: { name: "catalogued-git" },
    });
  });
});

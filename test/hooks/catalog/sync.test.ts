import { beforeEach, describe, expect, it } from "vitest";
import * as Reasons from "../../../crds/conditions.js";
import { InvalidProfileError, SourceUnavailableError } from "../../../crds/errors.js";
import type { CompositeHookRequest } from "../../../crds/metacontroller.js";
import { type Profile, parseProfile } from "../../../crds/profile.js";
import type { ProfileCatalogSourceStatus } from "../../../crds/profile-catalog-source.js";
import { CatalogIndex } from "../../../hooks/catalog/catalog-index.js";
import { catalogCustomize } from "../../../hooks/catalog/customize.js";
import { catalogFinalize } from "../../../hooks/catalog/finalize.js";
import type { CatalogSources } from "../../../hooks/catalog/local.js";
import { catalogSync } from "../../../hooks/catalog/sync.js";
import type { SourceTag } from "../../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";
import { profileYaml } from "../sources/fixtures.js";
import { catalogRequest } from "./requests.js";

const url = "https://git.example.com/org/profiles";
const commit = (n: number) => n.toString(16).padStart(40, "0");
const START = Date.parse("2026-01-01T00:00:00Z");

/** A repository in memory: its tags, and what reading a directory at a commit gives. */
class FakeRepository implements CatalogSources {
  tags: SourceTag[] = [];
  readonly files = new Map<string, Profile | Error>();
  reads: string[] = [];
  listings = 0;
  down = false;

  add(tag: string, n: number, dir: string, profile: Profile | Error): void {
    this.tags.push({ name: tag, commit: commit(n) });
    this.files.set(`${commit(n)}:${dir}`, profile);
  }

  async listTags() {
    this.listings++;
    if (this.down) throw new SourceUnavailableError("connection refused");
    return [...this.tags].sort((a, b) => a.name.localeCompare(b.name));
  }

  async readProfileDir({ commit: at, path = "" }: { commit: string; path?: string | undefined }) {
    this.reads.push(`${at}:${path}`);
    const found = this.files.get(`${at}:${path}`);
    if (found === undefined || found instanceof Error) throw found ?? new Error("no such commit");
    return { files: new Map(), profile: found };
  }
}

const profile = (name: string, note = "") => parseProfile(profileYaml(name, {}, note));

let repo: FakeRepository;
let index: CatalogIndex;
let nowMs: number;
let sync: ReturnType<typeof catalogSync>;

beforeEach(() => {
  repo = new FakeRepository();
  repo.add("nginx/v1.0.0", 1, "nginx", profile("nginx"));
  repo.add("redis/v0.3.0", 2, "redis", profile("redis"));
  index = new CatalogIndex();
  nowMs = START;
  sync = catalogSync({ sources: repo, index, now: () => nowMs });
});

function request(
  spec: Record<string, unknown>,
  status?: unknown,
  generation = 1,
  related: CompositeHookRequest["related"] = {},
): CompositeHookRequest {
  return catalogRequest({ spec, status, generation, related });
}

const scanned = { repositories: [{ url }], interval: "10m" };

/** One sync of a parent that arrives with `status` (none: a new catalog). */
async function syncOnce(spec: Record<string, unknown>, status?: unknown, generation = 1) {
  const first = await sync(request(spec, status, generation));
  return { first, status: first.status as ProfileCatalogSourceStatus };
}

describe("catalog sync", () => {
  it("answers the same status when synced again with nothing due, so Metacontroller has nothing to write", async () => {
    const { first, status } = await syncOnce(scanned);
    nowMs += 60_000;
    const again = await sync(request(scanned, status));
    expect(again.status).toEqual(first.status);
    expect(again.resyncAfterSeconds).toBe(540);
    expect(repo.listings).toBe(1);
  });

  it("reads a tag moved to another commit again, and only that one", async () => {
    const { status } = await syncOnce(scanned);
    repo.tags = repo.tags.map((t) => (t.name === "nginx/v1.0.0" ? { ...t, commit: commit(9) } : t));
    repo.files.set(`${commit(9)}:nginx`, profile("nginx", " moved"));
    repo.reads = [];
    nowMs += 600_000;
    const next = (await sync(request(scanned, status))).status as ProfileCatalogSourceStatus;
    expect(repo.reads).toEqual([`${commit(9)}:nginx`]);
    expect(next.profiles?.find((p) => p.name === "nginx")).toMatchObject({
      commit: commit(9),
      description: "nginx profile moved",
    });
  });

  it("rejects a tag whose profile.yaml is invalid, names its commit, and does not read it again until it moves or the spec changes", async () => {
    repo.add(
      "broken/v1.0.0",
      3,
      "broken",
      new InvalidProfileError("profile broken is invalid: spec.artifacts: required"),
    );
    const { status } = await syncOnce(scanned);
    expect(status.rejected).toEqual([
      {
        entry: `${url} broken/v1.0.0@${commit(3)}`,
        reason: "profile broken is invalid: spec.artifacts: required",
      },
    ]);
    expect(status.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    repo.reads = [];
    nowMs += 600_000;
    const rescanned = (await sync(request(scanned, status))).status as ProfileCatalogSourceStatus;
    expect(repo.reads).toEqual([]);
    expect(rescanned.rejected).toEqual(status.rejected);
    await sync(request(scanned, rescanned, 2));
    expect(repo.reads).toEqual([`${commit(3)}:broken`]);
  });

  it("rejects a tag whose profile is named unlike its directory", async () => {
    repo.add("web/v1.0.0", 4, "web", profile("nginx"));
    const { status } = await syncOnce(scanned);
    expect(status.rejected?.[0]?.reason).toContain("names the profile nginx, but the tag's directory is web");
  });

  it("does not read a tag a listed entry already serves, and serves the listed entry", async () => {
    const spec = {
      ...scanned,
      profiles: [{ name: "nginx", version: "1.0.0", url, path: "nginx", description: "listed" }],
    };
    const { status } = await syncOnce(spec);
    expect(repo.reads).toEqual([`${commit(2)}:redis`]);
    expect(status.profiles?.filter((p) => p.name === "nginx")).toEqual([
      { name: "nginx", version: "1.0.0", tag: "nginx/v1.0.0", url, path: "nginx", description: "listed" },
    ]);
    expect(status.repositories?.[0]?.scannedTags).toEqual(["redis/v0.3.0"]);
  });

  it("serves a version found in two repositories once, from the first, and rejects the other", async () => {
    const mirror = `${url}-mirror`;
    const spec = { repositories: [{ url }, { url: mirror }] };
    const { status } = await syncOnce(spec);
    expect(status.profiles?.map((p) => `${p.name}@${p.version}`)).toEqual(["nginx@1.0.0", "redis@0.3.0"]);
    expect(status.profiles?.every((p) => p.url === url)).toBe(true);
    expect(status.rejected?.map((r) => r.entry)).toEqual([
      `${mirror} nginx/v1.0.0@${commit(1)}`,
      `${mirror} redis/v0.3.0@${commit(2)}`,
    ]);
  });

  it("keeps the last profiles of a repository that is down, retries in 30s, and recovers", async () => {
    const { status } = await syncOnce(scanned);
    repo.down = true;
    nowMs += 600_000;
    const failed = await sync(request(scanned, status));
    const failedStatus = failed.status as ProfileCatalogSourceStatus;
    expect(failedStatus.profiles).toEqual(status.profiles);
    expect(failedStatus.repositories).toEqual([{ url, scannedTags: ["nginx/v1.0.0", "redis/v0.3.0"] }]);
    expect(failedStatus.conditions).toEqual([
      expect.objectContaining({ type: "Ready", status: "False", reason: Reasons.SourceUnavailable }),
    ]);
    expect(failed.resyncAfterSeconds).toBe(30);
    expect(index.profile({ namespace: "platform", name: "company" }, "nginx").versions).toHaveLength(1);

    repo.down = false;
    nowMs += 30_000;
    const healed = (await sync(request(scanned, failedStatus))).status as ProfileCatalogSourceStatus;
    expect(healed.conditions?.[0]).toMatchObject({
      status: "True",
      lastTransitionTime: new Date(nowMs).toISOString().replace(".000Z", "Z"),
    });
  });

  it("reads a large first scan over several syncs, each within its read budget, reporting progress", async () => {
    const budgeted = catalogSync({ sources: repo, index, now: () => nowMs, maxTagReads: 1 });
    const partial = await budgeted(request(scanned));
    const partialStatus = partial.status as ProfileCatalogSourceStatus;
    expect(repo.reads).toEqual([`${commit(1)}:nginx`]);
    expect(partial.resyncAfterSeconds).toBe(1);
    expect(partialStatus.repositories).toEqual([{ url, scannedTags: ["nginx/v1.0.0"] }]);
    expect(partialStatus.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ["Ready", "False", Reasons.Progressing, `reading 1 more profile tags of ${url}`],
      ["Reconciling", "True", Reasons.Progressing, `reading 1 more profile tags of ${url}`],
    ]);
    expect(index.search().map((h) => h.profile.name)).toEqual(["nginx"]);

    const done = (await budgeted(request(scanned, partialStatus))).status as ProfileCatalogSourceStatus;
    expect(repo.reads).toEqual([`${commit(1)}:nginx`, `${commit(2)}:redis`]);
    expect(done.repositories?.[0]?.lastScanTime).toBe("2026-01-01T00:00:00Z");
    expect(done.conditions?.map((c) => c.type)).toEqual(["Ready"]);
    expect(done.conditions?.[0]?.status).toBe("True");
  });

  it("rejects a listed entry whose url the source policy refuses, such as a local path in a cluster", async () => {
    const guarded = catalogSync({ sources: repo, index, now: () => nowMs, policy: createSourcePolicy() });
    const spec = {
      profiles: [
        { name: "web", version: "1.0.0", url: "examples/profiles", path: "web" },
        { name: "api", version: "1.0.0", url: "file:///srv/profiles" },
        { name: "ok", version: "1.0.0", url },
      ],
    };
    const status = (await guarded(request(spec))).status as ProfileCatalogSourceStatus;
    expect(status.rejected?.map((r) => r.entry)).toEqual(["web@1.0.0", "api@1.0.0"]);
    expect(status.rejected?.every((r) => r.reason.startsWith("url: "))).toBe(true);
    expect(status.profiles?.map((p) => p.name)).toEqual(["ok"]);
  });

  it("reports a missing Secret as AuthenticationFailed without asking the repository", async () => {
    const spec = { repositories: [{ url, secretRef: { name: "git-credentials" } }] };
    const { status } = await syncOnce(spec);
    expect(repo.listings).toBe(0);
    expect(status.conditions?.find((c) => c.type === "Stalled")).toMatchObject({
      reason: Reasons.AuthenticationFailed,
      message: expect.stringContaining(
        "Secret git-credentials named by secretRef was not found in namespace platform",
      ),
    });
  });

  it("keeps serving what it served when the spec is invalid, and says what to fix", async () => {
    const { status } = await syncOnce(scanned);
    const invalid = (await sync(request({ ...scanned, interval: "soon" }, status, 2)))
      .status as ProfileCatalogSourceStatus;
    expect(invalid.profiles).toEqual(status.profiles);
    expect(invalid.conditions?.find((c) => c.type === "Stalled")).toMatchObject({
      reason: Reasons.InvalidSpec,
      message: expect.stringContaining("spec.interval"),
    });
    expect(index.search({ q: "nginx" })).toHaveLength(1);
  });
});

describe("catalog customize and finalize", () => {
  it("asks for the Secrets the repositories name, once each", async () => {
    const answer = await catalogCustomize()({
      controller: request({}).controller,
      parent: request({
        repositories: [
          { url, secretRef: { name: "b" } },
          { url: `${url}2`, secretRef: { name: "a" } },
          { url: `${url}3`, secretRef: { name: "b" } },
        ],
      }).parent!,
    });
    expect(answer.relatedResources).toEqual([{ apiVersion: "v1", resource: "secrets", names: ["a", "b"] }]);
  });

  it("removes the catalog from the index and says finalized", async () => {
    await syncOnce(scanned);
    const answer = await catalogFinalize({ index })({ ...request(scanned), finalizing: true });
    expect(answer).toMatchObject({ children: [], finalized: true });
    expect(index.catalogs()).toEqual([]);
  });
});

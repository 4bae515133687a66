import { describe, expect, it } from "vitest";
import type { Condition } from "../../../crds/common.js";
import {
  AuthenticationFailed,
  CatalogNotFound,
  Cycle,
  catalogNotFoundMessage,
  cycleMessage,
  InvalidProfile,
  InvalidSpec,
  PolicyViolation,
  policyViolationMessage,
  SourceUnavailable,
  Succeeded,
  Suspended,
  sourceUnavailableMessage,
  suspendedMessage,
} from "../../../crds/conditions.js";
import {
  CycleError,
  InvalidProfileError,
  PolicyViolationError,
  SourceUnavailableError,
} from "../../../crds/errors.js";
import type { CompositeHookRequest } from "../../../crds/metacontroller.js";
import { parseProfile } from "../../../crds/profile.js";
import type { SourceFetcher } from "../../../hooks/sources/fetcher.js";
import type { ProfileTreeNode } from "../../../hooks/sources/tree.js";
import { LAST_APPLIED_ANNOTATION } from "../../../hooks/subscription/observed.js";
import { type SyncDeps, syncSubscription } from "../../../hooks/subscription/sync.js";
import { capturingLogger } from "../support.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const STAMP = "2026-03-01T12:00:00Z";
const URL = "https://git.example.com/profiles";
const COMMIT = "a".repeat(40);

const profile = parseProfile(
  JSON.stringify({
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "Profile",
    metadata: { name: "web" },
    spec: {
      description: "web",
      parameters: [{ name: "hostname", required: true }],
      artifacts: [{ name: "server", chart: { path: "chart" }, values: { host: `\${hostname}` } }],
    },
  }),
);

const resolved = { url: URL, ref: "main", commit: COMMIT, path: "" };
const tree: ProfileTreeNode = {
  identity: `${URL}//.@main`,
  source: resolved,
  profile,
  files: new Map(),
  children: new Map(),
};

type Fetcher = Pick<SourceFetcher, "resolve" | "resolveTree">;

const working: Fetcher = { resolve: async () => resolved, resolveTree: async () => tree };
/** A working fetcher that records the credentials of every request it gets. */
function recordingCredentials(): { seen: unknown[]; sources: Fetcher } {
  const seen: unknown[] = [];
  const sources: Fetcher = {
    resolve: async (req) => {
      seen.push(req.credentials);
      return resolved;
    },
    resolveTree: async (req) => {
      seen.push(req.credentials);
      return tree;
    },
  };
  return { seen, sources };
}
const failing = (error: unknown, where: "resolve" | "resolveTree" = "resolve"): Fetcher => ({
  ...working,
  [where]: async () => {
    throw error;
  },
});

// What we answered last time, as Metacontroller keeps it; the observed spec has drifted since.
const lastApplied = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "web-server" },
  spec: { interval: "10m", releaseName: "web-server" },
};
const observedRelease = {
  ...lastApplied,
  metadata: {
    name: "web-server",
    namespace: "team-a",
    uid: "c1",
    generation: 2,
    annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(lastApplied) },
  },
  spec: { ...lastApplied.spec, interval: "1h" },
  status: {
    observedGeneration: 2,
    conditions: [{ type: "Ready", status: "True", reason: "InstallSucceeded", observedGeneration: 2 }],
  },
};

function request(
  spec: Record<string, unknown>,
  related: CompositeHookRequest["related"] = {},
): CompositeHookRequest {
  return {
    controller: {
      metadata: { name: "cc" },
      spec: { parentResource: { apiVersion: "x/v1", resource: "xs" } },
    },
    parent: {
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "web", namespace: "team-a", generation: 5 },
      spec,
    } as CompositeHookRequest["parent"],
    children: { "HelmRelease.helm.toolkit.fluxcd.io/v2": { "team-a/web-server": observedRelease } },
    related,
    finalizing: false,
  };
}

function deps(sources: Fetcher): SyncDeps {
  return { sources, now: () => NOW, log: capturingLogger().logger };
}

const source = { url: URL, branch: "main" };
const cond = (type: string, status: Condition["status"], reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
  observedGeneration: 5,
  lastTransitionTime: STAMP,
});

describe("syncSubscription stops, keeps the observed children and says why", () => {
  const cases: {
    name: string;
    spec: Record<string, unknown>;
    sources: Fetcher;
    related?: CompositeHookRequest["related"];
    want: (Condition | { type: string; status: string; reason: string })[];
  }[] = [
    {
      name: "a spec that breaks a schema rule stalls with InvalidSpec",
      spec: { source, interval: "often" },
      sources: working,
      want: [
        { type: "Ready", status: "False", reason: InvalidSpec },
        { type: "Stalled", status: "True", reason: InvalidSpec },
      ],
    },
    {
      name: "a missing credentials Secret stalls with AuthenticationFailed",
      spec: { source: { ...source, secretRef: { name: "creds" } } },
      sources: working,
      want: [
        { type: "Ready", status: "False", reason: AuthenticationFailed },
        { type: "Stalled", status: "True", reason: AuthenticationFailed },
      ],
    },
    {
      name: "a credentials Secret without username/password or bearerToken stalls with AuthenticationFailed",
      spec: { source: { ...source, secretRef: { name: "creds" } } },
      related: {
        "Secret.v1": {
          "team-a/creds": {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "creds", namespace: "team-a" },
            data: { user: "eA==" },
          } as never,
        },
      },
      sources: working,
      want: [
        { type: "Ready", status: "False", reason: AuthenticationFailed },
        { type: "Stalled", status: "True", reason: AuthenticationFailed },
      ],
    },
    {
      name: "an unreachable source is retried: Ready=False and Reconciling=True with SourceUnavailable",
      spec: { source },
      sources: failing(new SourceUnavailableError("connection refused")),
      want: [
        cond("Ready", "False", SourceUnavailable, sourceUnavailableMessage(URL, "connection refused")),
        cond("Reconciling", "True", SourceUnavailable, sourceUnavailableMessage(URL, "connection refused")),
      ],
    },
    {
      name: "a refused URL stalls with PolicyViolation",
      spec: { source },
      sources: failing(new PolicyViolationError("loopback addresses are not allowed")),
      want: [
        cond(
          "Ready",
          "False",
          PolicyViolation,
          policyViolationMessage(`source ${URL}`, "loopback addresses are not allowed"),
        ),
        cond(
          "Stalled",
          "True",
          PolicyViolation,
          policyViolationMessage(`source ${URL}`, "loopback addresses are not allowed"),
        ),
      ],
    },
    {
      name: "nested profiles including each other stall with Cycle",
      spec: { source },
      sources: failing(new CycleError("loop", { data: { cycle: ["a", "b", "a"] } }), "resolveTree"),
      want: [
        cond("Ready", "False", Cycle, cycleMessage(["a", "b", "a"])),
        cond("Stalled", "True", Cycle, cycleMessage(["a", "b", "a"])),
      ],
    },
    {
      name: "an invalid profile.yaml stalls with InvalidProfile",
      spec: { source },
      sources: failing(new InvalidProfileError("spec.artifacts: required"), "resolveTree"),
      want: [
        { type: "Ready", status: "False", reason: InvalidProfile },
        { type: "Stalled", status: "True", reason: InvalidProfile },
      ],
    },
    {
      name: "a parametersFrom ConfigMap that does not exist stalls with InvalidSpec",
      spec: { source, parametersFrom: [{ kind: "ConfigMap", name: "settings" }] },
      sources: working,
      want: [
        { type: "Ready", status: "False", reason: InvalidSpec },
        { type: "Stalled", status: "True", reason: InvalidSpec },
      ],
    },
    {
      name: "a missing required parameter stalls with InvalidSpec",
      spec: { source },
      sources: working,
      want: [
        { type: "Ready", status: "False", reason: InvalidSpec },
        { type: "Stalled", status: "True", reason: InvalidSpec },
      ],
    },
    {
      name: "a catalog that does not exist stalls with CatalogNotFound",
      spec: { catalog: { catalog: "company", profile: "web" } },
      sources: working,
      want: [
        cond("Ready", "False", CatalogNotFound, catalogNotFoundMessage("team-a", "company")),
        cond("Stalled", "True", CatalogNotFound, catalogNotFoundMessage("team-a", "company")),
      ],
    },
  ];
  for (const { name, spec, sources, related, want } of cases) {
    it(name, async () => {
      const answer = await syncSubscription(request(spec, related), deps(sources));
      expect(answer.children).toEqual([lastApplied]);
      expect(answer.status?.conditions).toEqual(want.map((c) => expect.objectContaining(c)));
      expect(answer.status?.artifacts).toEqual([
        { name: "web-server", kind: "HelmRelease", ready: true, message: "" },
      ]);
    });
  }
});

describe("syncSubscription of a suspended subscription", () => {
  it("is Ready=False Suspended, fetches nothing and returns every child as observed, hand edits included", async () => {
    const answer = await syncSubscription(
      request({ source, suspend: true }),
      deps(failing(new Error("must not be called"))),
    );
    expect(answer.children).toEqual([
      { ...lastApplied, metadata: { name: "web-server", namespace: "team-a" }, spec: observedRelease.spec },
    ]);
    expect(answer.status?.conditions).toEqual([cond("Ready", "False", Suspended, suspendedMessage())]);
  });
});

describe("syncSubscription", () => {
  it("builds the children and reports Ready from the observed ones", async () => {
    const answer = await syncSubscription(request({ source, parameters: { hostname: "h" } }), deps(working));
    expect(answer.children.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual([
      "GitRepository/web",
      "ConfigMap/web-server-defaults",
      "HelmRelease/web-server",
    ]);
    expect(answer.status?.conditions).toEqual([cond("Ready", "True", Succeeded, "1/1 artifacts ready")]);
    expect(answer.status?.resolved).toEqual({ url: URL, ref: "main", commit: COMMIT, path: "." });
    expect(answer.resyncAfterSeconds).toBe(600);
  });

  it("keeps the catalog's availableUpdates while a catalog subscription is suspended", async () => {
    const suspended = request({ catalog: { catalog: "company", profile: "web" }, suspend: true });
    (suspended.parent as { status?: unknown }).status = { availableUpdates: ["2.0.0"] };
    const answer = await syncSubscription(suspended, deps(working));
    expect(answer.status?.availableUpdates).toEqual(["2.0.0"]);
    expect(answer.resyncAfterSeconds).toBeUndefined();
  });

  it("lets a bug escape, so the route answers non-200 and Metacontroller applies nothing", async () => {
    await expect(syncSubscription(request({ source }), deps(failing(new TypeError("oops"))))).rejects.toThrow(
      "oops",
    );
  });

  it("hands the credentials from the related Secret to the fetcher only", async () => {
    const { seen, sources } = recordingCredentials();
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: "team-a" },
      data: {
        username: Buffer.from("me").toString("base64"),
        password: Buffer.from("hunter2").toString("base64"),
      },
    };
    const answer = await syncSubscription(
      request(
        { source: { ...source, secretRef: { name: "creds" } }, parameters: { hostname: "h" } },
        {
          "Secret.v1": { "team-a/creds": secret as never },
        },
      ),
      deps(sources),
    );
    expect(seen).toEqual([
      { username: "me", password: "hunter2" },
      { username: "me", password: "hunter2" },
    ]);
    expect(JSON.stringify(answer)).not.toContain("hunter2");
  });

  it("hands the credentials of spec.catalog.secretRef, from the subscription's namespace, to the fetcher", async () => {
    const { seen, sources } = recordingCredentials();
    const catalog = {
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileCatalogSource",
      metadata: { name: "company", namespace: "platform" },
      spec: { repositories: [{ url: URL, secretRef: { name: "platform-creds" } }] },
      status: { profiles: [{ name: "web", version: "1.0.0", url: URL, path: "", commit: COMMIT }] },
    };
    const secret = (namespace: string, password: string) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace },
      stringData: { username: "me", password },
    });
    const answer = await syncSubscription(
      request(
        {
          catalog: {
            catalog: "company",
            namespace: "platform",
            profile: "web",
            secretRef: { name: "creds" },
          },
          parameters: { hostname: "h" },
        },
        {
          "ProfileCatalogSource.profiles.pctl.dev/v1alpha1": { "platform/company": catalog as never },
          "Secret.v1": {
            "platform/creds": secret("platform", "not-this-one") as never,
            "team-a/creds": secret("team-a", "hunter2") as never,
          },
        },
      ),
      deps(sources),
    );
    expect(seen).toEqual([
      { username: "me", password: "hunter2" },
      { username: "me", password: "hunter2" },
    ]);
    expect(answer.children.find((child) => child.kind === "GitRepository")?.spec).toMatchObject({
      secretRef: { name: "creds" },
    });
    expect(JSON.stringify(answer)).not.toContain("hunter2");
  });
});

import { describe, expect, it } from "vitest";
import type { Condition } from "../../../crds/common.js";
import {
  ArtifactFailed,
  AuthenticationFailed,
  artifactFailedMessage,
  authenticationFailedMessage,
  ConditionTypes,
  DependencyNotReady,
  dependencyNotReadyMessage,
  InvalidProfile,
  Progressing,
  progressingMessage,
  SourceUnavailable,
  Succeeded,
  Suspended,
  succeededMessage,
  suspendedMessage,
} from "../../../crds/conditions.js";
import {
  type ArtifactReport,
  durationSeconds,
  MAX_RETRY_SECONDS,
  MIN_RETRY_SECONDS,
  resyncAfter,
  type StatusInput,
  summarizeStatus,
} from "../../../hooks/subscription/status.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const STAMP = "2026-03-01T12:00:00Z";
const EARLIER = "2026-03-01T11:00:00Z";

const { Ready, Reconciling, Stalled } = ConditionTypes;

const art = (
  name: string,
  state: ArtifactReport["state"],
  message = "",
  kind = "HelmRelease",
): ArtifactReport => ({
  name,
  kind,
  state,
  message,
});

const cond = (
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
  time = STAMP,
): Condition => ({
  type,
  status,
  reason,
  message,
  observedGeneration: 3,
  lastTransitionTime: time,
});

function run(input: Partial<StatusInput>) {
  return summarizeStatus({
    generation: 3,
    previous: undefined,
    now: NOW,
    interval: "10m",
    artifacts: [],
    ...input,
  });
}

describe("summarizeStatus conditions", () => {
  const cases: { name: string; input: Partial<StatusInput>; want: Condition[] }[] = [
    {
      name: "every artifact ready makes Ready=True Succeeded and nothing else",
      input: { artifacts: [art("server", "ready"), art("config", "ready", "", "Kustomization")] },
      want: [cond(Ready, "True", Succeeded, succeededMessage(2))],
    },
    {
      name: "an artifact not created yet makes Ready=False Progressing and Reconciling=True",
      input: { artifacts: [art("server", "ready"), art("config", "missing")] },
      want: [
        cond(
          Ready,
          "False",
          Progressing,
          `${progressingMessage(1, 2)}; in progress: config (not created yet)`,
        ),
        cond(
          Reconciling,
          "True",
          Progressing,
          `${progressingMessage(1, 2)}; in progress: config (not created yet)`,
        ),
      ],
    },
    {
      name: "an artifact Flux is rolling out quotes Flux's message in Progressing",
      input: { artifacts: [art("server", "progressing", "Helm install in progress")] },
      want: [
        cond(
          Ready,
          "False",
          Progressing,
          `${progressingMessage(0, 1)}; in progress: server (Helm install in progress)`,
        ),
        cond(
          Reconciling,
          "True",
          Progressing,
          `${progressingMessage(0, 1)}; in progress: server (Helm install in progress)`,
        ),
      ],
    },
    {
      name: "only held-back artifacts left makes Ready=False DependencyNotReady naming the dependency",
      input: { artifacts: [art("server", "ready"), art("config", "waiting", "server", "Kustomization")] },
      want: [
        cond(Ready, "False", DependencyNotReady, dependencyNotReadyMessage("config", "server")),
        cond(Reconciling, "True", DependencyNotReady, dependencyNotReadyMessage("config", "server")),
      ],
    },
    {
      name: "a progressing dependency and a held-back dependent report Progressing for both",
      input: { artifacts: [art("server", "progressing", "installing"), art("config", "waiting", "server")] },
      want: [
        cond(
          Ready,
          "False",
          Progressing,
          `${progressingMessage(0, 2)}; in progress: server (installing), config (waiting for server)`,
        ),
        cond(
          Reconciling,
          "True",
          Progressing,
          `${progressingMessage(0, 2)}; in progress: server (installing), config (waiting for server)`,
        ),
      ],
    },
    {
      name: "a failed child makes Ready=False ArtifactFailed naming it and quoting Flux, without Reconciling",
      input: { artifacts: [art("server", "failed", "install retries exhausted"), art("config", "ready")] },
      want: [
        cond(
          Ready,
          "False",
          ArtifactFailed,
          artifactFailedMessage("server", "HelmRelease", "install retries exhausted"),
        ),
      ],
    },
    {
      name: "a failed child beside one still rolling out keeps Reconciling=True",
      input: { artifacts: [art("server", "failed", "boom"), art("config", "missing")] },
      want: [
        cond(Ready, "False", ArtifactFailed, artifactFailedMessage("server", "HelmRelease", "boom")),
        cond(
          Reconciling,
          "True",
          Progressing,
          `${progressingMessage(0, 2)}; in progress: config (not created yet)`,
        ),
      ],
    },
    {
      name: "a stalled child makes Stalled=True ArtifactFailed as well",
      input: { artifacts: [art("server", "stalled", "retries exceeded")] },
      want: [
        cond(
          Ready,
          "False",
          ArtifactFailed,
          artifactFailedMessage("server", "HelmRelease", "retries exceeded"),
        ),
        cond(
          Stalled,
          "True",
          ArtifactFailed,
          artifactFailedMessage("server", "HelmRelease", "retries exceeded"),
        ),
      ],
    },
    {
      name: "a stalled step failure makes Ready=False and Stalled=True with its reason, whatever the children",
      input: {
        artifacts: [art("server", "ready")],
        failure: { reason: InvalidProfile, message: "profile x is invalid", failure: "stalled" },
      },
      want: [
        cond(Ready, "False", InvalidProfile, "profile x is invalid"),
        cond(Stalled, "True", InvalidProfile, "profile x is invalid"),
      ],
    },
    {
      name: "a transient step failure makes Ready=False and Reconciling=True: it is retried",
      input: {
        artifacts: [art("server", "ready")],
        failure: { reason: SourceUnavailable, message: "cannot fetch", failure: "transient" },
      },
      want: [
        cond(Ready, "False", SourceUnavailable, "cannot fetch"),
        cond(Reconciling, "True", SourceUnavailable, "cannot fetch"),
      ],
    },
    {
      name: "a suspended subscription is Ready=False Suspended and neither reconciling nor stalled",
      input: { suspended: true, artifacts: [art("server", "failed", "x")] },
      want: [cond(Ready, "False", Suspended, suspendedMessage())],
    },
  ];
  for (const { name, input, want } of cases) {
    it(name, () => {
      expect(run(input).status.conditions).toEqual(want);
    });
  }
});

describe("summarizeStatus fields", () => {
  it("reports artifacts by path with ready flags and a held-back one as waiting for its dependency", () => {
    const { status } = run({
      artifacts: [
        art("server", "ready"),
        art("config", "waiting", "server", "Kustomization"),
        art("cache/redis", "failed", "boom"),
      ],
    });
    expect(status.artifacts).toEqual([
      { name: "server", kind: "HelmRelease", ready: true, message: "" },
      { name: "config", kind: "Kustomization", ready: false, message: "waiting for server" },
      { name: "cache/redis", kind: "HelmRelease", ready: false, message: "boom" },
    ]);
    expect(status.observedGeneration).toBe(3);
  });

  it("keeps the previous resolved source when the sync did not resolve one", () => {
    const resolved = { url: "https://git.example.com/p", ref: "main", commit: "a".repeat(40), path: "nginx" };
    const { status } = run({
      previous: { resolved },
      failure: {
        reason: AuthenticationFailed,
        message: authenticationFailedMessage("https://git.example.com/p", "creds"),
        failure: "stalled",
      },
    });
    expect(status.resolved).toEqual(resolved);
  });

  it("prefers the resolved source of this sync over the previous one", () => {
    const old = { url: "u", ref: "main", commit: "a".repeat(40), path: "" };
    const fresh = { ...old, commit: "b".repeat(40) };
    expect(run({ previous: { resolved: old }, resolved: fresh }).status.resolved).toEqual(fresh);
  });

  it("publishes availableUpdates only when given", () => {
    expect(run({}).status).not.toHaveProperty("availableUpdates");
    expect(run({ availableUpdates: ["1.3.0"] }).status.availableUpdates).toEqual(["1.3.0"]);
  });

  it("keeps lastTransitionTime of a condition whose status did not change, even when its reason did", () => {
    const previous = { conditions: [cond(Ready, "False", Progressing, "old", EARLIER)] };
    const { status } = run({ previous, artifacts: [art("server", "failed", "boom")] });
    expect(status.conditions?.[0]?.lastTransitionTime).toBe(EARLIER);
  });

  it("moves lastTransitionTime when the status flips", () => {
    const previous = { conditions: [cond(Ready, "False", Progressing, "old", EARLIER)] };
    const { status } = run({ previous, artifacts: [art("server", "ready")] });
    expect(status.conditions?.[0]?.lastTransitionTime).toBe(STAMP);
  });

  it("gives the same status for the same input, so re-syncing on its own write settles", () => {
    const input = { artifacts: [art("server", "progressing", "x")] };
    const first = run(input);
    const second = run({ ...input, previous: first.status, now: new Date(NOW.getTime() + 60_000) });
    expect(second.status).toEqual(first.status);
  });
});

describe("resyncAfter", () => {
  const readyFalseSince = (time: string) => [cond(Ready, "False", SourceUnavailable, "x", time)];
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

  it("waits spec.interval when everything is ready", () => {
    expect(resyncAfter([cond(Ready, "True", Succeeded, "")], NOW, "1h30m")).toBe(5400);
  });

  it("asks for no timed resync while suspended", () => {
    expect(resyncAfter(readyFalseSince(STAMP), NOW, "10m", true)).toBe(0);
  });

  it("retries a fresh failure after the minimum and doubles the wait as the failure ages", () => {
    const conditions = readyFalseSince(STAMP);
    expect(resyncAfter(conditions, at(0), "10m")).toBe(MIN_RETRY_SECONDS);
    expect(resyncAfter(conditions, at(5), "10m")).toBe(5);
    expect(resyncAfter(conditions, at(10), "10m")).toBe(10);
    expect(resyncAfter(conditions, at(20), "10m")).toBe(20);
    expect(resyncAfter(conditions, at(160), "10m")).toBe(160);
  });

  it("caps the wait at the maximum, or at spec.interval when that is shorter", () => {
    const conditions = readyFalseSince(STAMP);
    expect(resyncAfter(conditions, at(86_400), "10m")).toBe(MAX_RETRY_SECONDS);
    expect(resyncAfter(conditions, at(86_400), "1m")).toBe(60);
  });
});

describe("durationSeconds", () => {
  it.each([
    ["10m", 600],
    ["30s", 30],
    ["1h30m", 5400],
    ["1.5h", 5400],
    ["1500ms", 2],
  ])("reads %s as %d seconds", (duration, seconds) => {
    expect(durationSeconds(duration)).toBe(seconds);
  });
});

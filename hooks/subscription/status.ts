/**
 * The last step of every sync: the subscription's status, computed in one place from what the
 * earlier steps found and from the observed Flux children. Conditions are kstatus-compatible:
 * - `Ready` is always there: True only when every artifact is ready;
 * - `Reconciling` is there (True) only while something is still moving: a child rolling out, an
 *   artifact held back for a dependency, or a source being retried;
 * - `Stalled` is there (True) only when nothing changes until the spec or the profile does.
 *
 * Nothing here may change from one sync to the next unless the world did: Metacontroller re-syncs
 * on its own status writes, so a counter or a fresh timestamp would loop forever. A condition keeps
 * its `lastTransitionTime` while its status stays, and the retry delay is derived from that time.
 * @module
 */
import { type Condition, durationMs } from "../../crds/common.js";
import {
  ArtifactFailed,
  artifactFailedMessage,
  ConditionTypes,
  DependencyNotReady,
  dependencyNotReadyMessage,
  Progressing,
  progressingMessage,
  type Reason,
  Succeeded,
  Suspended,
  succeededMessage,
  suspendedMessage,
} from "../../crds/conditions.js";
import type { ProfileSubscriptionStatus } from "../../crds/profile-subscription.js";
import type { ConditionFailure } from "../source-failures.js";
import type { ChildState } from "./observed.js";

/** One artifact as the status reports it, with the state that decided its line. */
export interface ArtifactReport {
  /** The artifact path, such as `server` or `cache/redis`. */
  readonly name: string;
  /** `HelmRelease` or `Kustomization`. */
  readonly kind: string;
  /**
   * The child's health ({@link ChildState}); `missing` when it does not exist yet, `waiting` when
   * pctl holds it back until a dependency of the other Flux kind is ready.
   */
  readonly state: ChildState | "missing" | "waiting";
  /** Flux's message for failures and progress; for `waiting`, the dependency's path. */
  readonly message: string;
}

/** Why a sync stopped before it could compute children: a reason, a message and a failure class. */
export type SyncFailure = ConditionFailure;

/** What {@link summarizeStatus} summarises. */
export interface StatusInput {
  /** `metadata.generation` of the subscription. */
  readonly generation: number;
  /** The status as observed in the request, for transition times and the last `resolved`. */
  readonly previous: ProfileSubscriptionStatus | undefined;
  readonly now: Date;
  /** `spec.interval`: how often a healthy subscription is re-checked. */
  readonly interval: string;
  readonly artifacts: readonly ArtifactReport[];
  /** The source this sync resolved; the previous one is kept when it did not get that far. */
  readonly resolved?: ProfileSubscriptionStatus["resolved"];
  readonly failure?: SyncFailure;
  readonly suspended?: boolean;
  /** Newer versions in the catalog, for catalog subscriptions. */
  readonly availableUpdates?: readonly string[];
}

/** The new status, and when Metacontroller should call again. */
export interface StatusSummary {
  readonly status: ProfileSubscriptionStatus;
  /** 0 means no timed resync is asked for. */
  readonly resyncAfterSeconds: number;
}

/** The first retry after a failure, in seconds. */
export const MIN_RETRY_SECONDS = 5;
/** The longest wait between retries of something failing or progressing, in seconds. */
export const MAX_RETRY_SECONDS = 300;

/**
 * Builds the status and the resync delay.
 * @example
 * const { status, resyncAfterSeconds } = summarizeStatus({ generation: 2, previous, now, interval: "10m", artifacts });
 */
export function summarizeStatus(input: StatusInput): StatusSummary {
  const conditions = stampConditions(
    desiredConditions(input),
    input.previous?.conditions ?? [],
    input.generation,
    input.now,
  );
  const resolved = input.resolved ?? input.previous?.resolved;
  const status: ProfileSubscriptionStatus = {
    observedGeneration: input.generation,
    conditions,
    ...(resolved !== undefined && { resolved }),
    artifacts: input.artifacts.map(({ name, kind, state, message }) => ({
      name,
      kind,
      ready: state === "ready",
      message: state === "waiting" ? `waiting for ${message}` : message,
    })),
    ...(input.availableUpdates !== undefined && { availableUpdates: [...input.availableUpdates] }),
  };
  return { status, resyncAfterSeconds: resyncAfter(conditions, input.now, input.interval, input.suspended) };
}

/** A condition before its generation and transition time are stamped. */
type Unstamped = Pick<Condition, "type" | "status" | "reason" | "message">;

/** The conditions for the input, in the order Ready, Reconciling, Stalled; the absent ones left out. */
function desiredConditions(input: Omit<StatusInput, "now" | "previous" | "generation">): Unstamped[] {
  const ready = (status: Condition["status"], reason: Reason, message: string): Unstamped => ({
    type: ConditionTypes.Ready,
    status,
    reason,
    message,
  });
  const trueOf = (type: string, reason: Reason, message: string): Unstamped => ({
    type,
    status: "True",
    reason,
    message,
  });
  if (input.suspended) return [ready("False", Suspended, suspendedMessage())];
  if (input.failure) {
    const { reason, message, failure } = input.failure;
    const second = failure === "stalled" ? ConditionTypes.Stalled : ConditionTypes.Reconciling;
    return [ready("False", reason, message), trueOf(second, reason, message)];
  }

  const { artifacts } = input;
  const total = artifacts.length;
  const readyCount = artifacts.filter((a) => a.state === "ready").length;
  if (readyCount === total) return [ready("True", Succeeded, succeededMessage(total))];

  const broken = artifacts.filter((a) => a.state === "failed" || a.state === "stalled");
  const moving = artifacts.filter((a) => !["ready", "failed", "stalled"].includes(a.state));
  const conditions: Unstamped[] = [];
  if (broken.length > 0) {
    const message = broken.map((a) => artifactFailedMessage(a.name, a.kind, a.message)).join("; ");
    conditions.push(ready("False", ArtifactFailed, message));
    if (moving.length > 0) {
      conditions.push(
        trueOf(ConditionTypes.Reconciling, Progressing, progressing(readyCount, total, moving)),
      );
    }
    if (broken.some((a) => a.state === "stalled")) {
      conditions.push(trueOf(ConditionTypes.Stalled, ArtifactFailed, message));
    }
    return conditions;
  }
  const waiting = moving.filter((a) => a.state === "waiting");
  if (waiting.length === moving.length) {
    const message = waiting.map((a) => dependencyNotReadyMessage(a.name, a.message)).join("; ");
    return [
      ready("False", DependencyNotReady, message),
      trueOf(ConditionTypes.Reconciling, DependencyNotReady, message),
    ];
  }
  const message = progressing(readyCount, total, moving);
  return [ready("False", Progressing, message), trueOf(ConditionTypes.Reconciling, Progressing, message)];
}

// "1/3 artifacts ready; in progress: server (Helm install in progress), config (waiting for server)"
function progressing(readyCount: number, total: number, moving: readonly ArtifactReport[]): string {
  const details = moving.map((a) => {
    const why =
      a.state === "missing"
        ? "not created yet"
        : a.state === "waiting"
          ? `waiting for ${a.message}`
          : a.message;
    return why === "" ? a.name : `${a.name} (${why})`;
  });
  return `${progressingMessage(readyCount, total)}; in progress: ${details.join(", ")}`;
}

/**
 * Gives each condition the generation and a `lastTransitionTime`: the previous one while the
 * condition's status is unchanged, `now` when it flips or first appears.
 */
export function stampConditions(
  conditions: readonly Unstamped[],
  previous: readonly Condition[],
  generation: number,
  now: Date,
): Condition[] {
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return conditions.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    const lastTransitionTime =
      before?.status === condition.status && before.lastTransitionTime !== undefined
        ? before.lastTransitionTime
        : timestamp;
    return { ...condition, observedGeneration: generation, lastTransitionTime };
  });
}

/**
 * When to look again. Ready: after `interval`, since branches and semver ranges move. Suspended:
 * never (a spec change brings the subscription back). Otherwise a backoff derived from how long
 * Ready has been False: wait as long as it has been failing, between {@link MIN_RETRY_SECONDS}
 * and the smaller of {@link MAX_RETRY_SECONDS} and `interval`, so the wait doubles as the failure
 * ages without anything stored.
 */
export function resyncAfter(
  conditions: readonly Condition[],
  now: Date,
  interval: string,
  suspended = false,
): number {
  if (suspended) return 0;
  const intervalSeconds = durationSeconds(interval);
  const ready = conditions.find((c) => c.type === ConditionTypes.Ready);
  if (ready?.status === "True") return intervalSeconds;
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : now.getTime();
  const age = Math.max(0, Math.floor((now.getTime() - since) / 1000));
  const cap = Math.max(MIN_RETRY_SECONDS, Math.min(MAX_RETRY_SECONDS, intervalSeconds));
  return Math.min(cap, Math.max(MIN_RETRY_SECONDS, age));
}

/** Seconds in a Flux duration such as `10m`, `1h30m` or `1.5h` (the schema has checked its form). */
export function durationSeconds(duration: string): number {
  return Math.max(1, Math.round(durationMs(duration) / 1000));
}

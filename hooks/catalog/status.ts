/**
 * The catalog's conditions, computed in one place from what the sync steps found.
 *
 * - `Ready`: True with {@link Succeeded} when every repository was scanned (or is not due); False with
 *   the first failing repository's reason otherwise. Rejected entries do not make a catalog unready:
 *   they are listed in `status.rejected`.
 * - `Reconciling`: present, True with {@link Progressing}, only while a first scan is read over several
 *   syncs; `Ready` is then False with the same reason, unless a repository failed.
 * - `Stalled`: present, True, only while a failure cannot heal by retrying (credentials, policy, spec).
 *
 * `lastTransitionTime` moves only when a condition's status changes, so a sync that changes nothing
 * writes the same status again, which Metacontroller then skips.
 * @module
 */
import type { Condition } from "../../crds/common.js";
import { ConditionTypes, Progressing, Succeeded, succeededMessage } from "../../crds/conditions.js";
import type { ConditionFailure } from "../source-failures.js";

/** What the conditions are computed from. */
export interface ConditionInputs {
  readonly failures: readonly ConditionFailure[];
  /** Repositories whose new tags are still being read, and how many are left. */
  readonly pending: readonly { readonly url: string; readonly tags: number }[];
  /** Profile versions served. */
  readonly served: number;
  readonly generation: number | undefined;
  /** The conditions the parent arrived with, for their transition times. */
  readonly previous: readonly Condition[] | undefined;
  /** The current time, RFC 3339. */
  readonly now: string;
}

/** The catalog's `status.conditions`. */
export function catalogConditions({
  failures,
  pending,
  served,
  generation,
  previous,
  now,
}: ConditionInputs): Condition[] {
  const first = failures[0];
  const message = (list: readonly ConditionFailure[]) => list.map((f) => f.message).join("; ");
  const reading = pending.map((p) => `reading ${p.tags} more profile tags of ${p.url}`).join("; ");
  const ready: Omit<Condition, "lastTransitionTime"> =
    first !== undefined
      ? { type: ConditionTypes.Ready, status: "False", reason: first.reason, message: message(failures) }
      : pending.length > 0
        ? { type: ConditionTypes.Ready, status: "False", reason: Progressing, message: reading }
        : {
            type: ConditionTypes.Ready,
            status: "True",
            reason: Succeeded,
            message: succeededMessage(served, "profiles"),
          };
  const conditions = [ready];
  if (pending.length > 0) {
    conditions.push({
      type: ConditionTypes.Reconciling,
      status: "True",
      reason: Progressing,
      message: reading,
    });
  }
  const stalled = failures.filter((f) => f.failure === "stalled");
  if (stalled.length > 0) {
    conditions.push({
      type: ConditionTypes.Stalled,
      status: "True",
      reason: stalled[0]!.reason,
      message: message(stalled),
    });
  }
  return conditions.map((condition) => {
    const before = previous?.find((c) => c.type === condition.type);
    const since = before?.status === condition.status ? (before.lastTransitionTime ?? now) : now;
    return {
      ...condition,
      ...(generation !== undefined && { observedGeneration: generation }),
      lastTransitionTime: since,
    };
  });
}

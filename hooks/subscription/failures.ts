/**
 * How the sync steps' errors read in the conditions: each of our error codes becomes a reason from
 * crds/conditions.ts, a message built from its template, and a failure class (a source that cannot
 * be reached is retried; everything else waits for a change). Anything that is not one of our
 * errors is a bug and is rethrown.
 * @module
 */
import {
  AuthenticationFailed,
  authenticationFailedMessage,
  Cycle,
  cycleMessage,
  InvalidProfile,
  InvalidSpec,
  invalidProfileMessage,
  invalidSpecMessage,
  LimitExceeded,
  limitExceededMessage,
  PolicyViolation,
  policyViolationMessage,
  type Reason,
  SourceUnavailable,
  sourceUnavailableMessage,
} from "../../crds/conditions.js";
import { isPctlError } from "../../crds/errors.js";
import type { SyncFailure } from "./status.js";

/** A failure that waits for the spec, the profile or a related object to change. */
export function stalled(reason: Reason, message: string): SyncFailure {
  return { reason, message, failure: "stalled" };
}

/** How a step's caught error reads in the conditions. */
export interface FailureContext {
  /** The repository (or catalog) the step was reading, for messages. */
  readonly url: string;
  /** The Secret with the repository's credentials, when there is one. */
  readonly secretName?: string | undefined;
  /** The reason a NotFoundError stands for in this step. */
  readonly notFound: Reason;
  /** The reason an InvalidInputError stands for in this step. @default InvalidSpec */
  readonly invalid?: Reason;
}

/**
 * Maps one of our errors to the reason, message and failure class a user reads. Anything else is a
 * bug and is rethrown, so the hook answers non-200 and nothing is applied.
 */
export function failureOf(error: unknown, context: FailureContext): SyncFailure {
  if (!isPctlError(error)) throw error;
  const detail = error.message;
  switch (error.code) {
    case "SourceUnavailable":
      return {
        reason: SourceUnavailable,
        message: sourceUnavailableMessage(context.url, detail),
        failure: "transient",
      };
    case "AuthenticationFailed":
      return stalled(AuthenticationFailed, authenticationFailedMessage(context.url, context.secretName));
    case "PolicyViolation":
      return stalled(PolicyViolation, policyViolationMessage(`source ${context.url}`, detail));
    case "Cycle": {
      const cycle = error.data.cycle;
      return stalled(Cycle, Array.isArray(cycle) ? cycleMessage(cycle.map(String)) : detail);
    }
    case "LimitExceeded":
      return stalled(LimitExceeded, limitExceededMessage(detail));
    case "InvalidProfile":
      return stalled(InvalidProfile, invalidProfileMessage(context.url, detail));
    case "NotFound":
      return stalled(context.notFound, notFoundMessage(context.notFound, context.url, detail));
    case "InvalidInput": {
      const reason = context.invalid ?? InvalidSpec;
      return stalled(reason, reason === InvalidSpec ? invalidSpecMessage(detail) : detail);
    }
    default:
      throw error;
  }
}

function notFoundMessage(reason: Reason, url: string, detail: string): string {
  if (reason === InvalidProfile) return invalidProfileMessage(url, detail);
  if (reason === InvalidSpec) return invalidSpecMessage(detail);
  return detail;
}

/**
 * How an error met while reading a git repository reads in the conditions, for both controllers:
 * the error codes whose reason and message are the same whichever step met them. The codes whose
 * meaning depends on the step (a missing tag, an invalid profile) stay with that step.
 * @module
 */
import {
  AuthenticationFailed,
  authenticationFailedMessage,
  LimitExceeded,
  limitExceededMessage,
  PolicyViolation,
  policyViolationMessage,
  type Reason,
  SourceUnavailable,
  sourceUnavailableMessage,
} from "../crds/conditions.js";
import type { FailureClass, PctlError } from "../crds/errors.js";

/** A failure as the conditions read it. */
export interface ConditionFailure {
  readonly reason: Reason;
  readonly message: string;
  /** `stalled`: the spec, the profile or the Secret must change; `transient`: it is retried. */
  readonly failure: FailureClass;
}

/** A failure that waits for the spec, the profile or a related object to change. */
export function stalled(reason: Reason, message: string): ConditionFailure {
  return { reason, message, failure: "stalled" };
}

/** A repository that could not be read this time, and is retried. */
export function sourceUnavailable(url: string, detail: string): ConditionFailure {
  return { reason: SourceUnavailable, message: sourceUnavailableMessage(url, detail), failure: "transient" };
}

/** The repository an error was met in. */
export interface SourceContext {
  readonly url: string;
  /** The Secret with the repository's credentials, when there is one. */
  readonly secretName?: string | undefined;
  /** What the spec calls the repository, for messages: a catalog's `repository`, a subscription's `source`. */
  readonly noun: "repository" | "source";
}

/**
 * The failure for the codes every step maps alike: an unreachable repository, refused credentials,
 * a policy refusal, an exceeded limit. `undefined` for any other code.
 */
export function sourceFailureOf(error: PctlError, context: SourceContext): ConditionFailure | undefined {
  const detail = error.message;
  switch (error.code) {
    case "SourceUnavailable":
      return sourceUnavailable(context.url, detail);
    case "AuthenticationFailed":
      return stalled(AuthenticationFailed, authenticationFailedMessage(context.url, context.secretName));
    case "PolicyViolation":
      return stalled(PolicyViolation, policyViolationMessage(`${context.noun} ${context.url}`, detail));
    case "LimitExceeded":
      return stalled(LimitExceeded, limitExceededMessage(detail));
    default:
      return undefined;
  }
}

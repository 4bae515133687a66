/**
 * How the sync steps' errors read in the conditions: each of our error codes becomes a reason from
 * crds/conditions.ts, a message built from its template, and a failure class (a source that cannot
 * be reached is retried; everything else waits for a change). Anything that is not one of our
 * errors is a bug and is rethrown.
 * @module
 */
import {
  Cycle,
  cycleMessage,
  InvalidProfile,
  InvalidSpec,
  invalidProfileMessage,
  invalidSpecMessage,
  type Reason,
} from "../../crds/conditions.js";
import { isPctlError } from "../../crds/errors.js";
import { sourceFailureOf, stalled } from "../source-failures.js";
import type { SyncFailure } from "./status.js";

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
 * Maps one of our errors to the reason, message and failure class a user reads: a repository's
 * failures as both controllers read them (`sourceFailureOf`), the rest as this step means them.
 * Anything else is a bug and is rethrown, so the hook answers non-200 and nothing is applied.
 */
export function failureOf(error: unknown, context: FailureContext): SyncFailure {
  if (!isPctlError(error)) throw error;
  const source = sourceFailureOf(error, { url: context.url, secretName: context.secretName, noun: "source" });
  if (source !== undefined) return source;
  const detail = error.message;
  switch (error.code) {
    case "Cycle": {
      const cycle = error.data.cycle;
      return stalled(Cycle, Array.isArray(cycle) ? cycleMessage(cycle.map(String)) : detail);
    }
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

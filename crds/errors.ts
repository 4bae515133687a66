/**
 * Error classes shared by the hooks, the catalog API and the CLI.
 *
 * Every error carries a stable `code` (what went wrong), `data` (the facts, never a secret),
 * an HTTP `status` for the API, and a `failure` class borrowed from Flux's reconcilers:
 * - `transient`: retry with backoff and keep what is running (network, timeouts);
 * - `stalled`: nothing changes until the input changes (invalid profile, policy refusal);
 * - `waiting`: a dependency is not ready yet; check again after a delay.
 *
 * hono's `onError`, the sync hook's condition writer and the CLI's exit code all read `code`.
 * @module
 */

export type FailureClass = "transient" | "stalled" | "waiting";

export interface PctlErrorOptions {
  /** Facts about the failure, safe to show: never a secret value or a URL with credentials. */
  readonly data?: Record<string, unknown>;
  readonly cause?: unknown;
}

export class PctlError extends Error {
  static readonly code: string = "PCTL_ERROR";
  static readonly status: number = 500;
  static readonly failure: FailureClass = "transient";

  readonly code: string;
  readonly status: number;
  readonly failure: FailureClass;
  readonly data: Record<string, unknown>;

  constructor(message: string, options: PctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = this.constructor as typeof PctlError;
    this.name = ctor.code;
    this.code = ctor.code;
    this.status = ctor.status;
    this.failure = ctor.failure;
    this.data = options.data ?? {};
  }

  toJSON(): { code: string; message: string; data: Record<string, unknown> } {
    return { code: this.code, message: this.message, data: this.data };
  }
}

/** Input that does not match its schema (a spec, a CLI argument, a request body). */
export class InvalidInputError extends PctlError {
  static override readonly code = "InvalidInput";
  static override readonly status = 400;
  static override readonly failure = "stalled";
}

/** A profile.yaml (or a tree of them) that cannot be used as it is. */
export class InvalidProfileError extends PctlError {
  static override readonly code = "InvalidProfile";
  static override readonly status = 422;
  static override readonly failure = "stalled";
}

/** A thing that was asked for and does not exist (profile, version, ref, catalog). */
export class NotFoundError extends PctlError {
  static override readonly code = "NotFound";
  static override readonly status = 404;
  static override readonly failure = "stalled";
}

/** A source that could not be reached or answered badly; worth retrying. */
export class SourceUnavailableError extends PctlError {
  static override readonly code = "SourceUnavailable";
  static override readonly status = 502;
  static override readonly failure = "transient";
}

/** The source refused the credentials, or asked for some and none were given. */
export class AuthenticationFailedError extends PctlError {
  static override readonly code = "AuthenticationFailed";
  static override readonly status = 401;
  static override readonly failure = "stalled";
}

/** A URL or path refused by the source policy (scheme, address, path escape). */
export class PolicyViolationError extends PctlError {
  static override readonly code = "PolicyViolation";
  static override readonly status = 403;
  static override readonly failure = "stalled";
}

/** Profiles that include each other, or artifacts that depend on each other, in a loop. */
export class CycleError extends PctlError {
  static override readonly code = "Cycle";
  static override readonly status = 422;
  static override readonly failure = "stalled";
}

/** A size, count, depth or time limit was exceeded. */
export class LimitExceededError extends PctlError {
  static override readonly code = "LimitExceeded";
  static override readonly status = 413;
  static override readonly failure = "stalled";
}

/** Every error class, keyed by its code: one test checks that names and codes agree. */
export const Errors = {
  InvalidInput: InvalidInputError,
  InvalidProfile: InvalidProfileError,
  NotFound: NotFoundError,
  SourceUnavailable: SourceUnavailableError,
  AuthenticationFailed: AuthenticationFailedError,
  PolicyViolation: PolicyViolationError,
  Cycle: CycleError,
  LimitExceeded: LimitExceededError,
} as const;

export function isPctlError(error: unknown): error is PctlError {
  return error instanceof PctlError;
}

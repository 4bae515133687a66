/**
 * Turns what isomorphic-git and the http client throw into the project's error classes, with messages
 * that name the repository (never its credentials) and the next step.
 * @module
 */
import {
  AuthenticationFailedError,
  isPctlError,
  NotFoundError,
  type PctlError,
  SourceUnavailableError,
} from "../../../crds/errors.js";
import type { SourceHttpClient } from "../http.js";

/** What {@link toSourceError} needs to know about the failed operation. */
export interface SourceErrorContext {
  /** The repository URL, already checked by the policy (so free of credentials). */
  readonly url: string;
  /** The operation's http client: its recorded failure beats whatever isomorphic-git made of it. */
  readonly http: SourceHttpClient;
  /** Whether credentials were offered: a 401 then means they are wrong, not missing. */
  readonly authenticated: boolean;
  /** What was being done, for the message ("listing refs", "fetching 5f1c…"). */
  readonly action: string;
}

/** Maps any error from a git operation to a {@link PctlError}. */
export function toSourceError(
  error: unknown,
  { url, http, authenticated, action }: SourceErrorContext,
): PctlError {
  if (http.failure !== undefined) return http.failure;
  if (isPctlError(error)) return error;
  const { code, data } = (error ?? {}) as { code?: string; data?: { statusCode?: number; what?: string } };
  const status = code === "HttpError" ? (data?.statusCode ?? 0) : 0;
  if (status === 401 || status === 403 || code === "UserCanceledError") {
    const advice = authenticated
      ? "check the Secret named by secretRef: its username/password or bearerToken were refused"
      : "the repository asks for credentials: set secretRef to a Secret with username/password or bearerToken";
    return new AuthenticationFailedError(`authentication failed for ${url}: ${advice}`, {
      data: { url, statusCode: status, authenticated },
      cause: error,
    });
  }
  if (status === 404) {
    return new NotFoundError(`repository ${url} not found: check the URL`, { data: { url }, cause: error });
  }
  if (code === "NotFoundError") {
    return new NotFoundError(`${data?.what ?? "object"} not found in ${url} while ${action}`, {
      data: { url, what: data?.what },
      cause: error,
    });
  }
  if (code === "SmartHttpError") {
    return new SourceUnavailableError(`${url} did not answer as a git smart-HTTP server while ${action}`, {
      data: { url },
      cause: error,
    });
  }
  const reason = status !== 0 ? `HTTP ${status}` : error instanceof Error ? error.message : String(error);
  return new SourceUnavailableError(`${action} failed for ${url}: ${reason}`, {
    data: { url, reason },
    cause: error,
  });
}

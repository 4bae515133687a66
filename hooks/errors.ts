/**
 * How the hook server turns failures into answers: `{ "error": { "code", "message" } }` with a status.
 *
 * Our own errors ({@link PctlError}) say their code and status. hono's HTTP exceptions keep their status.
 * Anything else is a bug: it is logged and answered 500 without its message, which may hold internals.
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type * as z from "zod";
import { InvalidInputError, isPctlError, NotFoundError } from "../crds/errors.js";
import type { Logger } from "./log.js";

/** The body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Builds the body of an error answer. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * An {@link InvalidInputError} that names every field a zod parse rejected, as `path: message`
 * (`children.Pod.v1.web.kind: Invalid input: expected string, received undefined`).
 */
export function invalidEnvelope(
  what: string,
  error: { readonly issues: readonly z.core.$ZodIssue[] },
): InvalidInputError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const listed = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new InvalidInputError(`invalid ${what}: ${listed}`, { data: { issues } });
}

// Codes for hono's own exceptions (malformed JSON, auth), named like our error codes.
const HTTP_CODES: Record<number, string> = {
  400: "InvalidInput",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  413: "LimitExceeded",
  415: "UnsupportedMediaType",
};

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  readonly logger: Logger;
}

/**
 * The app's one `onError`: maps every thrown value to the error shape and logs it.
 * @example app.onError(errorHandler({ logger }));
 */
export function errorHandler({ logger }: ErrorHandlerOptions): ErrorHandler {
  return function onError(err: Error, c: Context) {
    const where = { method: c.req.method, path: c.req.path };
    if (isPctlError(err)) {
      const level = err.status >= 500 ? "error" : "warn";
      logger[level]({ ...where, err }, err.message);
      return c.json(errorBody(err.code, err.message), err.status as ContentfulStatusCode);
    }
    if (err instanceof HTTPException) {
      logger.warn({ ...where, status: err.status }, err.message || "HTTP exception");
      // Middleware that already built an answer in our shape (bearer auth) keeps it.
      if (err.res) return err.getResponse();
      const code = HTTP_CODES[err.status] ?? "HttpError";
      return c.json(errorBody(code, err.message || code), err.status as ContentfulStatusCode);
    }
    logger.error({ ...where, err }, "unhandled error");
    return c.json(errorBody("Internal", "internal error; see the server log"), 500);
  };
}

/** The app's `notFound`: the same error shape for unknown routes. */
export const notFoundHandler: NotFoundHandler = (c) => {
  const error = new NotFoundError(`no route for ${c.req.method} ${c.req.path}`);
  return c.json(errorBody(error.code, error.message), 404);
};

/**
 * Refuses request bodies over a size limit, with 413 and our error shape.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { LimitExceededError } from "../../crds/errors.js";

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest body accepted, in bytes; required, a positive integer. */
  readonly maxBytes: number;
}

/**
 * hono's `bodyLimit`, answering with a {@link LimitExceededError} (413) that `onError` shapes.
 * @throws Error at start-up when `maxBytes` is not a positive integer.
 * @example app.use("/hooks/*", bodyLimit({ maxBytes: config.bodyLimitBytes }));
 */
export function bodyLimit({ maxBytes }: BodyLimitOptions): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new Error(`bodyLimit: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  const limit = honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new LimitExceededError(
        `request body exceeds the limit of ${maxBytes} bytes (PCTL_BODY_LIMIT_BYTES)`,
        {
          data: { limitBytes: maxBytes },
        },
      );
    },
  });
  return async function bodyLimit(c, next) {
    return limit(c, next);
  };
}

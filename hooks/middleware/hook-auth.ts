/**
 * Bearer-token authentication of Metacontroller's hook calls (`PCTL_HOOK_TOKEN`).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { errorBody } from "../errors.js";

/** Options of {@link hookAuth}. */
export interface HookAuthOptions {
  /** The token every request must carry as `Authorization: Bearer <token>`; required. */
  readonly token: string;
}

/**
 * hono's `bearerAuth` (constant-time comparison), answering 401 (missing or wrong token) or
 * 400 (malformed header) in our error shape. The token never appears in an answer or a log.
 * @throws Error at start-up when `token` is empty.
 * @example if (config.hookToken) app.use("/hooks/*", hookAuth({ token: config.hookToken }));
 */
export function hookAuth({ token }: HookAuthOptions): MiddlewareHandler {
  if (!token) throw new Error("hookAuth: token must be a non-empty string");
  const auth = bearerAuth({
    token,
    noAuthenticationHeader: { message: errorBody("Unauthorized", "missing Authorization: Bearer header") },
    invalidAuthenticationHeader: { message: errorBody("InvalidInput", "malformed Authorization header") },
    invalidToken: { message: errorBody("Unauthorized", "invalid bearer token") },
  });
  return async function hookAuth(c, next) {
    return auth(c, next);
  };
}

/**
 * Request logging and HTTP metrics, labelled by route pattern so URLs with names do not explode
 * the metric's cardinality.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";

/** Options of {@link requestLog}. */
export interface RequestLogOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Paths logged at debug instead of info, because probes and scrapes call them every few seconds [health, readiness, metrics]. */
  readonly quietPaths?: readonly string[];
}

/**
 * Logs one line per request (method, path without query, route, status, duration) and records
 * `pctl_http_requests_total` and `pctl_http_request_duration_seconds`. Headers are never logged.
 * @example app.use("*", requestLog({ logger, metrics }));
 */
export function requestLog({
  logger,
  metrics,
  quietPaths = ["/healthz", "/readyz", "/metrics"],
}: RequestLogOptions): MiddlewareHandler {
  const quiet = new Set(quietPaths);
  return async function requestLog(c, next) {
    const started = process.hrtime.bigint();
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Middleware registered with use() has method ALL; the last real handler names the route.
    const handler = matchedRoutes(c).findLast((route) => route.method !== "ALL");
    const labels = {
      method: c.req.method,
      route: handler?.path ?? "unmatched",
      status: String(c.res.status),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    const line = { ...labels, path: c.req.path, durationMs: Math.round(seconds * 1000) };
    if (quiet.has(c.req.path)) logger.debug(line, "request");
    else logger.info(line, "request");
  };
}

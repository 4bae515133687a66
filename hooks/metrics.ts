/**
 * Prometheus metrics of the hook server, on a registry the caller owns (never prom-client's global one,
 * so tests and several apps in one process do not share counters).
 * @module
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The metrics the middleware and the hook routes record. */
export interface Metrics {
  readonly registry: Registry;
  /** `pctl_http_requests_total{method,route,status}` */
  readonly httpRequests: Counter<"method" | "route" | "status">;
  /** `pctl_http_request_duration_seconds{method,route,status}` */
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  /** `pctl_hook_duration_seconds{hook,outcome}`: time inside a hook handler, `outcome` = success | error. */
  readonly hookDuration: Histogram<"hook" | "outcome">;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Registry to register on [a new one]. */
  readonly registry?: Registry;
  /** Also collect Node's process metrics (event loop, heap, GC) [false]. */
  readonly processMetrics?: boolean;
}

// Hook calls answer well under Metacontroller's 10s timeout; the tail buckets show when they do not.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Creates the server's metrics on one registry.
 * @example const metrics = createMetrics({ processMetrics: true }); await metrics.registry.metrics();
 */
export function createMetrics({
  registry = new Registry(),
  processMetrics = false,
}: MetricsOptions = {}): Metrics {
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: "pctl_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "pctl_http_requests_total",
      help: "HTTP requests answered, by route pattern and status code.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "pctl_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by route pattern and status code.",
      labelNames: ["method", "route", "status"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    hookDuration: new Histogram({
      name: "pctl_hook_duration_seconds",
      help: "Time spent in a Metacontroller hook handler, by hook (family/name) and outcome.",
      labelNames: ["hook", "outcome"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
  };
}

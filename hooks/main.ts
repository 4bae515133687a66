/**
 * Entry point of the hook server (`npm start`): reads the configuration, builds the app, listens, and
 * shuts down gracefully on SIGTERM/SIGINT.
 * @module
 */

import { realpathSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createAdaptorServer } from "@hono/node-server";
import { type ComposedHandlers, composeHandlers } from "./compose.js";
import { loadConfig } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics } from "./metrics.js";
import { createReadiness } from "./readiness.js";
import { createApp } from "./server.js";

/** Options of {@link start}. */
export interface StartOptions {
  /** Environment to read the configuration from [process.env]. */
  readonly env?: Record<string, string | undefined>;
  /** Handlers to serve [{@link composeHandlers} of the configuration]; tests pass their own. */
  readonly handlers?: ComposedHandlers;
  /** Logger [a new one at LOG_LEVEL on stdout]. */
  readonly logger?: Logger;
  /** Longest wait for in-flight requests before their connections are cut, in ms [10000]. */
  readonly drainTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** The port actually bound (useful with PORT=0). */
  readonly port: number;
  /**
   * Graceful shutdown: `/readyz` turns 503, the listener stops accepting, in-flight requests finish
   * (up to the drain timeout), then it resolves. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/**
 * Starts the hook server.
 * @example const server = await start({ env: { PORT: "0" } }); await server.stop();
 */
export async function start({
  env = process.env,
  handlers,
  logger: givenLogger,
  drainTimeoutMs = 10_000,
}: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = givenLogger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics({ processMetrics: true });
  const readiness = createReadiness();
  const app = createApp({
    config,
    logger,
    metrics,
    readiness,
    ...(handlers ?? composeHandlers({ config, logger })),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, role: config.role, hookAuth: config.hookToken !== undefined }, "hook server listening");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      readiness.shutDown();
      logger.info("shutting down: draining in-flight requests");
      const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        logger.info("hook server stopped");
        resolve();
      });
      // Keep-alive connections with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { port, stop };
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  const server = await start();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void server.stop().then(() => process.exit(0));
    });
  }
}

import { Writable } from "node:stream";
import type { Config } from "../../hooks/config.js";
import { loadConfig } from "../../hooks/config.js";
import { createLogger, type Logger } from "../../hooks/log.js";

/** A configuration from defaults plus `env`, for tests. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: "silent", ...env });
}

/** A debug logger whose JSON lines the test can read back. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  return {
    logger: createLogger({ level: "debug", destination }),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

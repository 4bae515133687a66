/**
 * The hook server's logger: pino, JSON lines on stdout, with secrets scrubbed from everything logged.
 *
 * Scrubbing is structural rather than a fixed list of paths, because Metacontroller requests nest
 * Kubernetes objects at any depth: a Secret among the related objects, a token in a child's spec.
 * @module
 */
import { type DestinationStream, type Logger, pino, stdSerializers } from "pino";

export type { Logger } from "pino";

/** What a scrubbed value is replaced with. */
export const REDACTED = "[REDACTED]";

// Keys whose values are credentials wherever they appear (headers, Flux secret keys, our config).
const SECRET_KEY =
  /(authorization|cookie|password|passwd|token|secret|apikey|api[-_]key|private[-_]?key|identity)$/i;
// Keys that only name a secret (`secretRef: { name }`) are safe and stay readable.
const SAFE_KEY = /(secretref|tokenref|secretname)$/i;

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi;
const AUTH_SCHEME_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Masks credentials embedded in a string: `https://user:pass@host` and `Bearer <token>`. */
function scrubString(value: string): string {
  return value.replace(URL_CREDENTIALS, `$1${REDACTED}@`).replace(AUTH_SCHEME_VALUE, `$1 ${REDACTED}`);
}

/**
 * A deep copy of `value` with every secret replaced by {@link REDACTED}: values under secret-bearing
 * keys, `data`/`stringData` of Secret objects, and credentials inside strings. Errors become plain
 * objects (type, message, stack) first.
 */
export function redactSecrets(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) return redactSecrets(stdSerializers.err(value), seen);
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, seen));
  const record = value as Record<string, unknown>;
  const isSecret = record.kind === "Secret";
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    if (isSecret && (key === "data" || key === "stringData") && inner && typeof inner === "object") {
      out[key] = Object.fromEntries(Object.keys(inner).map((k) => [k, REDACTED]));
    } else if (SECRET_KEY.test(key) && !SAFE_KEY.test(key) && inner !== undefined && inner !== null) {
      out[key] = REDACTED;
    } else {
      out[key] = redactSecrets(inner, seen);
    }
  }
  return out;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level [info]. */
  readonly level?: string;
  /** Where lines go [stdout]; tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * A pino logger that writes JSON lines and never writes a secret value.
 *
 * Every finished line is scrubbed on its way out, so child-logger bindings, serialized errors and
 * messages are covered as well as the objects passed to each call.
 * @example const log = createLogger({ level: config.logLevel }); log.info({ parent }, "synced");
 */
export function createLogger({
  level = "info",
  destination = pino.destination(1),
}: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing(destination),
  );
}

function scrubbing(target: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      let scrubbed: string;
      try {
        scrubbed = `${JSON.stringify(redactSecrets(JSON.parse(line)))}\n`;
      } catch {
        scrubbed = scrubString(line);
      }
      target.write(scrubbed);
    },
  };
}

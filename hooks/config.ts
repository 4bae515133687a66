/**
 * The hook server's configuration, read once from the environment (names as in API.md).
 * @module
 */
import * as z from "zod";
import { InvalidInputError } from "../crds/errors.js";

/** Which routes one process serves: everything, or one of the two in-cluster Deployments. */
const roleSchema = z.enum(["all", "subscription", "catalog"]);
export type Role = z.infer<typeof roleSchema>;

// A typo such as PCTL_ALLOW_HTTP=ture must fail at start-up, not silently mean false.
const flag = z
  .enum(["true", "false", ""], { error: 'must be "true" or "false"' })
  .default("false")
  .transform((v) => v === "true");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PCTL_ALLOW_HTTP: flag,
  PCTL_ALLOW_LOOPBACK: flag,
  // hono's bearerAuth only accepts RFC 6750 token characters; any other token could never match.
  PCTL_HOOK_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9._~+/-]+=*$/,
        "must use only the characters A-Z a-z 0-9 - . _ ~ + / (and trailing =)",
      )
      .optional(),
  ),
  PCTL_CATALOG_URL: optionalString.pipe(z.url().optional()),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  PCTL_ROLE: roleSchema.default("all"),
  // Metacontroller sends every observed child and related object in one request.
  PCTL_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
});

/** The parsed configuration. */
export interface Config {
  /** `PORT` [8080]: listen port; 0 picks a free one. */
  readonly port: number;
  /** `PCTL_ALLOW_HTTP` [false]: allow `http://` sources. */
  readonly allowHttp: boolean;
  /** `PCTL_ALLOW_LOOPBACK` [false]: allow sources on 127.0.0.0/8 and ::1. */
  readonly allowLoopback: boolean;
  /** `PCTL_HOOK_TOKEN` [unset]: when set, every /hooks/* request needs `Authorization: Bearer <token>`. */
  readonly hookToken: string | undefined;
  /** `PCTL_CATALOG_URL` [unset]: the catalog API the CLI asks. */
  readonly catalogUrl: string | undefined;
  /** `LOG_LEVEL` [info]: debug | info | warn | error, plus silent for tests. */
  readonly logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** `PCTL_ROLE` [all]: all | subscription | catalog. */
  readonly role: Role;
  /** `PCTL_BODY_LIMIT_BYTES` [4 MiB]: largest request body accepted. */
  readonly bodyLimitBytes: number;
}

/**
 * Reads the configuration from `env`.
 * @throws InvalidInputError naming every variable that is wrong, never echoing the token.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new InvalidInputError(`invalid configuration: ${problems.join("; ")}`, {
      data: { variables: result.error.issues.map((issue) => issue.path.join(".")) },
    });
  }
  const e = result.data;
  return {
    port: e.PORT,
    allowHttp: e.PCTL_ALLOW_HTTP,
    allowLoopback: e.PCTL_ALLOW_LOOPBACK,
    hookToken: e.PCTL_HOOK_TOKEN,
    catalogUrl: e.PCTL_CATALOG_URL,
    logLevel: e.LOG_LEVEL,
    role: e.PCTL_ROLE,
    bodyLimitBytes: e.PCTL_BODY_LIMIT_BYTES,
  };
}

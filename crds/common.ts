/**
 * Shared pieces of the contract: Kubernetes names, Flux durations, semver, git source references,
 * profile tags, conditions, and the one mapping from zod issues to our errors.
 * @module
 */

import semver from "semver";
import * as z from "zod";
import { InvalidInputError, type PctlError, type PctlErrorOptions } from "./errors.js";

/** The API group of every pctl kind. */
export const API_GROUP = "profiles.pctl.dev";
/** The one served version. */
export const API_VERSION_NAME = "v1alpha1";
/** The apiVersion of Profile, ProfileSubscription and ProfileCatalogSource. */
export const API_VERSION = `${API_GROUP}/${API_VERSION_NAME}` as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SEMVER_BODY =
  "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)" +
  "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?" +
  "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?";
const SEMVER = new RegExp(`^v?${SEMVER_BODY}$`);

/** A DNS-1123 label: a Kubernetes namespace, a profile or artifact name. */
export const DnsLabelSchema = z
  .string()
  .max(63, { error: "must be at most 63 characters" })
  .regex(DNS_LABEL, {
    error:
      "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

/** A DNS-1123 subdomain: the name of most Kubernetes objects (Secret, ConfigMap, subscriptions). */
export const DnsSubdomainSchema = z
  .string()
  .max(253, { error: "must be at most 253 characters" })
  .regex(DNS_SUBDOMAIN, {
    error:
      "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
  });

/** A Flux duration such as `30s`, `10m` or `1h30m` (Go's time.ParseDuration without signs or µs). */
export const DurationSchema = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, {
  error: "must be a duration such as 30s, 10m or 1h30m",
});

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration that {@link DurationSchema} accepts (`1h30m` → 5,400,000). */
export function durationMs(duration: string): number {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * (DURATION_UNIT_MS[unit as string] ?? 0);
  }
  return total;
}

/** A semantic version, with an optional leading `v` as git tags often carry it. */
export const SemverVersionSchema = z
  .string()
  .regex(SEMVER, { error: "must be a semantic version such as 1.2.0" });

/** A semver range (`^1.2`, `>=1.2.0 <2.0.0`); an exact version is a range too. */
export const SemverRangeSchema = z
  .string()
  .min(1, { error: "must be a semver range such as ^1.2 or >=1.2.0 <2.0.0" })
  .refine((value) => semver.validRange(value) !== null, {
    error: "must be a semver range such as ^1.2 or >=1.2.0 <2.0.0",
  });

/**
 * A path inside a repository or a profile directory. Absolute paths and `..` segments are refused
 * here, in the schema, so no later step can be led outside the tree it was given.
 */
export const RelativePathSchema = z
  .string()
  .min(1, { error: "must not be empty" })
  .refine((value) => !value.startsWith("/") && !/^[a-zA-Z]:/.test(value) && !value.startsWith("\\"), {
    error: "must be a relative path, not an absolute one",
  })
  .refine((value) => !value.split(/[\\/]/).includes(".."), { error: "must not contain '..' segments" });

/** A reference to a Secret in the same namespace. */
export const SecretRefSchema = z.strictObject({
  name: DnsSubdomainSchema.describe("The name of a Secret in the same namespace."),
});

/**
 * A git repository URL, or a directory path in local mode. Never with a password in it: URLs end up
 * in status, messages and logs, so credentials travel through secretRef only.
 */
export const GitUrlSchema = z
  .string()
  .min(1, { error: "must not be empty" })
  .refine((value) => !/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(value), {
    error: "must not carry a password; put credentials in a Secret named by secretRef",
  });

/** The git refs a source can follow, in the order they are reported. */
export const GIT_REF_KINDS = ["branch", "tag", "semver", "commit"] as const;

/** Which of branch, tag, semver or commit a source follows. */
export type GitRefKind = (typeof GIT_REF_KINDS)[number];

/**
 * A git source: a repository, exactly one ref to follow, and where the profile sits in it.
 * Used by `spec.source` of a subscription and by nested `profile` artifacts.
 */
export const GitSourceRefSchema = exactlyOneOf(
  z.strictObject({
    url: GitUrlSchema.describe("The git repository URL (https://, http:// or ssh://)."),
    branch: z.string().min(1).optional().describe("Follow the head of this branch."),
    tag: z.string().min(1).optional().describe("Use this tag, for example nginx/v1.2.0."),
    semver: SemverRangeSchema.optional().describe("Use the highest tag under path that matches this range."),
    commit: z
      .string()
      // Flux and the fetcher need the full id: an abbreviated one cannot be fetched by itself.
      .regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character commit id in lower-case hex" })
      .optional()
      .describe("Use this exact commit."),
    path: RelativePathSchema.optional().describe(
      "The directory holding profile.yaml. Defaults to the tag's directory for <dir>/<version> tags, else the root.",
    ),
    secretRef: SecretRefSchema.optional().describe(
      "A Secret with username and password, or bearerToken, for the repository.",
    ),
  }),
  GIT_REF_KINDS,
);

/** A git source: a repository, exactly one ref to follow, and where the profile sits in it. */
export type GitSourceRef = z.infer<typeof GitSourceRefSchema>;

/** Which ref a source follows. The schema guarantees exactly one is set. */
export function gitRefKind(ref: GitSourceRef): GitRefKind {
  return GIT_REF_KINDS.find((kind) => ref[kind] !== undefined) ?? "branch";
}

/**
 * The directory of the profile inside the repository: `path` when set, else the directory of a
 * `<dir>/<version>` tag, else the root (`.`), as pctl did.
 */
export function sourcePath(ref: Pick<GitSourceRef, "tag" | "path">): string {
  if (ref.path !== undefined) return ref.path;
  const tag = ref.tag === undefined ? undefined : parseProfileTag(ref.tag);
  return tag?.dir ? tag.dir : ".";
}

/** A profile version tag split into its directory (`""` for the root profile) and its version. */
export interface ProfileTag {
  readonly dir: string;
  readonly version: string;
}

/**
 * Splits a profile tag. `nginx/v1.2.0` gives `{ dir: "nginx", version: "1.2.0" }`; `v2.0.1` gives
 * `{ dir: "", version: "2.0.1" }`. The directory is one top-level directory, named like the profile
 * (a DNS-1123 label, digits allowed); nested directories such as `a/b/v1.0.0` are not profile tags.
 * The `v` is optional. Returns `undefined` for any other tag, since repositories carry other tags too.
 */
export function parseProfileTag(tag: string): ProfileTag | undefined {
  const parts = tag.split("/");
  if (parts.length > 2) return undefined;
  const [first, second] = parts as [string, string | undefined];
  const dir = second === undefined ? "" : first;
  const version = second ?? first;
  if (dir !== "" && !DNS_LABEL.test(dir)) return undefined;
  if (!SEMVER.test(version)) return undefined;
  return { dir, version: version.replace(/^v/, "") };
}

/** The tag for a profile version: `profileTag("nginx", "1.2.0")` is `nginx/v1.2.0`; `""` or `.` is the root. */
export function profileTag(dir: string, version: string): string {
  const v = `v${version.replace(/^v/, "")}`;
  return dir === "" || dir === "." ? v : `${dir}/${v}`;
}

/** A Kubernetes condition (metav1.Condition), as kstatus and `kubectl wait` read it. */
export const ConditionSchema = z.object({
  type: z.string().min(1).describe("The condition type: Ready, Reconciling or Stalled."),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().min(1).describe("A CamelCase reason from crds/conditions.ts."),
  message: z.string().optional().describe("What happened and what to do, for humans."),
  observedGeneration: z.int().nonnegative().optional(),
  lastTransitionTime: z.iso.datetime().optional(),
});

/** A Kubernetes condition. */
export type Condition = z.infer<typeof ConditionSchema>;

/** The object metadata we read; the API server adds more, which is kept as it is. */
export const ObjectMetaSchema = z.looseObject({
  name: DnsSubdomainSchema,
  namespace: DnsLabelSchema.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.int().optional(),
});

/** Helm values or any other free-form mapping. In a CRD it keeps unknown fields. */
export const ValuesSchema = z.record(z.string(), z.unknown());

/**
 * Adds "exactly one of these keys" to an object schema: a zod refinement for our code, and the same
 * rule as CEL `x-kubernetes-validations` for the API server, both with the same sentence.
 */
export function exactlyOneOf<S extends z.ZodObject>(schema: S, keys: readonly string[]): S {
  const message = `exactly one of ${listOf(keys, "or")} must be set`;
  const rule = `[${keys.map((key) => `has(self.${key})`).join(", ")}].filter(x, x).size() == 1`;
  const existing = (schema.meta()?.["x-kubernetes-validations"] as unknown[] | undefined) ?? [];
  return schema
    .superRefine((value, ctx) => {
      const set = keys.filter((key) => (value as Record<string, unknown>)[key] !== undefined);
      if (set.length === 1) return;
      ctx.addIssue({
        code: "custom",
        message: set.length === 0 ? message : `${message}, found ${listOf(set, "and")}`,
      });
    })
    .meta({ "x-kubernetes-validations": [...existing, { rule, message }] }) as S;
}

function listOf(words: readonly string[], conjunction: string): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${conjunction} ${words[words.length - 1]}`;
}

/** One schema problem: where (a dotted path such as `spec.artifacts[1].chart.path`) and what. */
export interface SchemaIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Formats a zod path the way kubectl and JSON paths do: `spec.artifacts[1].chart.path`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key))
      out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Flattens a zod error into issues, one per unknown field, each with a dotted path. */
export function schemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.flatMap((issue): SchemaIssue[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        code: issue.code,
        message: "unknown field",
      }));
    }
    // A bad record key says only "Invalid key in record"; the reason is in the nested issues.
    if (issue.code === "invalid_key" && issue.issues.length > 0) {
      return issue.issues.map((inner) => ({
        path: formatPath(issue.path),
        code: issue.code,
        message: inner.message,
      }));
    }
    return [{ path: formatPath(issue.path), code: issue.code, message: issue.message }];
  });
}

/** Options for {@link parseWithSchema}. */
export interface ParseOptions {
  /** Where the document came from, for messages (a file path, `namespace/name`). [default: `"<input>"`] */
  readonly source?: string;
}

type ErrorClass = new (message: string, options?: PctlErrorOptions) => PctlError;

/**
 * Parses a value with a schema, or throws one error that lists every issue, one per line, as
 * `path: message`. `data.issues` holds the same issues for callers that format them themselves.
 *
 * @param what names the document in the message (`profile`, `ProfileSubscription`).
 * @param errorClass the error to throw. [default: InvalidInputError]
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  options: ParseOptions = {},
  errorClass: ErrorClass = InvalidInputError,
): z.output<S> {
  const result = schema.safeParse(value, { error: requiredMessage });
  if (result.success) return result.data;
  const source = options.source ?? "<input>";
  const issues = schemaIssues(result.error);
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n");
  throw new errorClass(`${source}: invalid ${what}:\n${lines}`, { data: { source, issues } });
}

// zod's default for a missing field ("expected string, received undefined") reads like a type error.
function requiredMessage(issue: z.core.$ZodRawIssue): string | undefined {
  return issue.code === "invalid_type" && issue.input === undefined ? "required field is missing" : undefined;
}

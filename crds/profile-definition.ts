/**
 * The legacy `weave.works/v1alpha1` ProfileDefinition, as the original pctl read it, and its
 * normalization into the current Profile. The API promises that both forms mean the same thing, so
 * this module only renames: `chart.defaultValues` (a YAML string) becomes `values`, and the legacy
 * "kubernetes 1.19" prerequisites become ranges (">=1.19"). Every rule of the current schema then
 * applies to the result, with the current field names in its messages.
 * @module
 */

import * as z from "zod";
import { API_VERSION, type ParseOptions, parseWithSchema } from "./common.js";
import { InvalidInputError, InvalidProfileError } from "./errors.js";
import type { ProfileSchema } from "./profile.js";
import { parseYaml } from "./yaml.js";

/** The legacy API version, from weaveworks/profiles. */
export const LEGACY_API_VERSION = "weave.works/v1alpha1";
/** The legacy kind of `profile.yaml`. */
export const LEGACY_KIND = "ProfileDefinition";

const LegacySourceSchema = z.strictObject({
  url: z.string(),
  branch: z.string().optional(),
  tag: z.string().optional(),
  path: z.string().optional(),
});

const LegacyArtifactSchema = z.strictObject({
  name: z.string(),
  dependsOn: z.array(z.strictObject({ name: z.string() })).optional(),
  chart: z
    .strictObject({
      path: z.string().optional(),
      url: z.string().optional(),
      name: z.string().optional(),
      version: z.string().optional(),
      defaultValues: z.string().optional(),
    })
    .optional(),
  kustomize: z.strictObject({ path: z.string() }).optional(),
  profile: z.strictObject({ source: LegacySourceSchema }).optional(),
});

/**
 * The legacy ProfileDefinition. Field types only: the meaning is checked once, on the normalized
 * Profile. `spec.name` (dropped upstream in July 2021) and `status` are accepted and ignored, as
 * pctl did.
 */
export const ProfileDefinitionSchema = z.strictObject({
  apiVersion: z.literal(LEGACY_API_VERSION),
  kind: z.literal(LEGACY_KIND),
  metadata: z.object({ name: z.string() }),
  spec: z.strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    maintainer: z.string().optional(),
    prerequisites: z.array(z.string()).optional(),
    artifacts: z.array(LegacyArtifactSchema).optional(),
  }),
  status: z.unknown().optional(),
});

/** A legacy ProfileDefinition as written. */
export type ProfileDefinition = z.infer<typeof ProfileDefinitionSchema>;

/** True when a parsed document declares itself a legacy ProfileDefinition. */
export function isProfileDefinition(document: unknown): boolean {
  if (typeof document !== "object" || document === null) return false;
  const { apiVersion, kind } = document as Record<string, unknown>;
  return apiVersion === LEGACY_API_VERSION && kind === LEGACY_KIND;
}

/**
 * Rewrites a legacy ProfileDefinition as the input of a current Profile. The result still has to go
 * through `ProfileSchema`, which `profileFromDocument` does.
 *
 * @throws InvalidProfileError when a field has the wrong type or `defaultValues` is not a YAML mapping.
 */
export function profileDefinitionToProfile(
  document: unknown,
  options: ParseOptions = {},
): z.input<typeof ProfileSchema> {
  const legacy = parseWithSchema(
    ProfileDefinitionSchema,
    document,
    "ProfileDefinition",
    options,
    InvalidProfileError,
  );
  const { description, maintainer, prerequisites, artifacts } = legacy.spec;
  return {
    apiVersion: API_VERSION,
    kind: "Profile",
    metadata: { name: legacy.metadata.name },
    spec: {
      // The current schema reports a missing description with its own message.
      description: description ?? "",
      ...(maintainer === undefined ? {} : { maintainer }),
      ...(prerequisites === undefined ? {} : { prerequisites: prerequisites.map(legacyPrerequisite) }),
      artifacts: (artifacts ?? []).map((artifact, index) => legacyArtifact(artifact, index, options)),
    },
  };
}

type LegacyArtifact = z.infer<typeof LegacyArtifactSchema>;

function legacyArtifact(artifact: LegacyArtifact, index: number, options: ParseOptions) {
  const { name, dependsOn, chart, kustomize, profile } = artifact;
  const common = { name, ...(dependsOn === undefined ? {} : { dependsOn }) };
  if (chart === undefined) return { ...common, ...(kustomize && { kustomize }), ...(profile && { profile }) };
  const { defaultValues, ...form } = chart;
  const values = defaultValues === undefined ? undefined : legacyValues(defaultValues, index, options);
  return {
    ...common,
    chart: form,
    ...(values && { values }),
    ...(kustomize && { kustomize }),
    ...(profile && { profile }),
  };
}

function legacyValues(
  text: string,
  index: number,
  options: ParseOptions,
): Record<string, unknown> | undefined {
  const source = options.source ?? "<input>";
  const path = `spec.artifacts[${index}].chart.defaultValues`;
  let values: unknown;
  try {
    values = parseYaml(text, { source: `${source} ${path}` });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidProfileError(`${source}: invalid ProfileDefinition:\n  ${path}: ${error.message}`, {
      data: { source, issues: [{ path, code: "invalid_yaml", message: error.message }] },
      cause: error,
    });
  }
  if (values === null) return undefined;
  if (typeof values === "object" && !Array.isArray(values)) return values as Record<string, unknown>;
  const message = "must hold a YAML mapping of Helm values";
  throw new InvalidProfileError(`${source}: invalid ProfileDefinition:\n  ${path}: ${message}`, {
    data: { source, issues: [{ path, code: "invalid_type", message }] },
  });
}

// The upstream docs wrote minimums as "kubernetes 1.19" or "Kubernetes 1.19+".
function legacyPrerequisite(value: string): string {
  const match = /^(\S+)\s+v?(\d+(?:\.\d+){0,2})\+?$/.exec(value.trim());
  return match ? `${match[1]} >=${match[2]}` : value;
}

/**
 * The ProfileSubscription kind: installs one profile, from git (`spec.source`) or from a catalog
 * (`spec.catalog`), with parameters and per-artifact value overrides. The subscription hooks read it
 * and write its status; `generate.ts` turns this schema into its CRD.
 * @module
 */

import * as z from "zod";
import {
  API_VERSION,
  ConditionSchema,
  DnsLabelSchema,
  DnsSubdomainSchema,
  DurationSchema,
  exactlyOneOf,
  GitSourceRefSchema,
  ObjectMetaSchema,
  type ParseOptions,
  parseWithSchema,
  SecretRefSchema,
  SemverRangeSchema,
  ValuesSchema,
} from "./common.js";

/** The kind's name. */
export const PROFILE_SUBSCRIPTION_KIND = "ProfileSubscription";

/** A profile picked from a ProfileCatalogSource. */
export const CatalogRefSchema = z.strictObject({
  catalog: DnsSubdomainSchema.describe("The name of the ProfileCatalogSource."),
  namespace: DnsLabelSchema.optional().describe("The catalog's namespace; the subscription's when left out."),
  profile: DnsLabelSchema.describe("The profile's name in the catalog."),
  version: SemverRangeSchema.optional().describe(
    "An exact version or a semver range; the highest version in the catalog when left out.",
  ),
  secretRef: SecretRefSchema.optional().describe(
    "A Secret in the subscription's namespace with username and password, or bearerToken, for the repository of the catalog entry. The catalog's own Secrets are never read.",
  ),
});

/** A profile picked from a catalog. */
export type CatalogRef = z.infer<typeof CatalogRefSchema>;

/** The kinds of object that values and parameters can be read from. */
export const VALUES_SOURCE_KINDS = ["ConfigMap", "Secret"] as const;

/** A ConfigMap or Secret whose keys are parameters of the profile. */
export const ParametersFromSchema = z.strictObject({
  kind: z.enum(VALUES_SOURCE_KINDS),
  name: DnsSubdomainSchema,
  optional: z.boolean().optional().describe("When true, a missing object is not an error."),
});

/** A ConfigMap or Secret whose keys are parameters of the profile. */
export type ParametersFrom = z.infer<typeof ParametersFromSchema>;

/** Helm values read from a ConfigMap or Secret key, as Flux's HelmRelease `valuesFrom`. */
export const ValuesFromSchema = z.strictObject({
  kind: z.enum(VALUES_SOURCE_KINDS),
  name: DnsSubdomainSchema,
  valuesKey: z
    .string()
    .max(253)
    .regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a ConfigMap or Secret key" })
    .optional()
    .describe("The key holding the values; values.yaml when left out."),
  targetPath: z
    .string()
    .max(250)
    .regex(/^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/, { error: "must be a Helm --set path such as a.b[0].c" })
    .optional()
    .describe("Sets this one value path to the key's whole content, as helm --set does."),
  optional: z.boolean().optional().describe("When true, a missing object or key is not an error."),
});

/** Helm values read from a ConfigMap or Secret key. */
export type ValuesFrom = z.infer<typeof ValuesFromSchema>;

/** Overrides for one artifact of the profile. */
export const ArtifactOverrideSchema = z.strictObject({
  values: ValuesSchema.optional().describe("Helm values merged over the profile's own."),
  valuesFrom: z.array(ValuesFromSchema).optional().describe("Helm values from ConfigMaps and Secrets."),
});

/** Overrides for one artifact of the profile. */
export type ArtifactOverride = z.infer<typeof ArtifactOverrideSchema>;

/** An artifact path: an artifact name, or names through nested profiles such as `cache/redis`. */
export const ArtifactPathSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: "must be an artifact name, or names joined by '/' through nested profiles, such as cache/redis",
  });

/** What the user asks for. */
export const ProfileSubscriptionSpecSchema = exactlyOneOf(
  z.strictObject({
    source: GitSourceRefSchema.optional().describe("Install the profile from this git source."),
    catalog: CatalogRefSchema.optional().describe("Install the profile from this catalog entry."),
    targetNamespace: DnsLabelSchema.optional().describe(
      "Where the artifacts' objects go; the subscription's namespace when left out.",
    ),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe("Values for the profile's parameters."),
    parametersFrom: z
      .array(ParametersFromSchema)
      .optional()
      .describe("ConfigMaps and Secrets whose keys are parameters; spec.parameters win over them."),
    artifacts: z
      .record(ArtifactPathSchema, ArtifactOverrideSchema)
      .optional()
      .describe("Overrides per artifact, keyed by artifact path such as server or cache/redis."),
    suspend: z.boolean().default(false).describe("Stops reconciling while true; children stay as they are."),
    interval: DurationSchema.default("10m").describe(
      "How often the source and the Flux children are reconciled.",
    ),
  }),
  ["source", "catalog"],
);

/** What the user asks for. */
export type ProfileSubscriptionSpec = z.infer<typeof ProfileSubscriptionSpecSchema>;

/** The source a subscription resolved to, down to the commit. */
export const ResolvedSourceSchema = z.object({
  url: z.string(),
  ref: z.string().describe("The branch, tag or commit that was followed."),
  commit: z.string(),
  path: z.string(),
  version: z.string().optional().describe("The profile version, when the ref is a version tag."),
});

/** One Flux child of the subscription, as `kubectl get` should summarize it. */
export const ArtifactStatusSchema = z.object({
  name: z.string().describe("The artifact path, such as server or cache/redis."),
  kind: z.string().describe("The kind of the Flux object: HelmRelease or Kustomization."),
  ready: z.boolean(),
  message: z.string().optional(),
});

/** What the hooks observed. */
export const ProfileSubscriptionStatusSchema = z.object({
  observedGeneration: z.int().nonnegative().optional(),
  conditions: z.array(ConditionSchema).optional(),
  resolved: ResolvedSourceSchema.optional(),
  artifacts: z.array(ArtifactStatusSchema).optional(),
  availableUpdates: z
    .array(z.string())
    .optional()
    .describe("Newer versions of the profile in its catalog or source."),
});

/** What the hooks observed. */
export type ProfileSubscriptionStatus = z.infer<typeof ProfileSubscriptionStatusSchema>;

/** A ProfileSubscription object. */
export const ProfileSubscriptionSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
  kind: z.literal(PROFILE_SUBSCRIPTION_KIND, { error: `must be ${PROFILE_SUBSCRIPTION_KIND}` }),
  metadata: ObjectMetaSchema,
  spec: ProfileSubscriptionSpecSchema,
  status: ProfileSubscriptionStatusSchema.optional(),
});

/** A ProfileSubscription object. */
export type ProfileSubscription = z.infer<typeof ProfileSubscriptionSchema>;

/**
 * Checks a parsed document as a ProfileSubscription and applies its defaults.
 *
 * @throws InvalidInputError listing every problem as `spec.catalog.version: message`.
 */
export function parseProfileSubscription(document: unknown, options: ParseOptions = {}): ProfileSubscription {
  return parseWithSchema(ProfileSubscriptionSchema, document, PROFILE_SUBSCRIPTION_KIND, options);
}

/**
 * The ProfileCatalogSource kind: a catalog of approved profiles, listed by hand and/or found by
 * scanning repositories for profile tags. The catalog hooks read it and publish what they found in
 * its status, which the subscription hooks and the catalog API read back.
 *
 * A listed entry that is wrong (a version that is not semver, say) must not take the whole catalog
 * down, so the spec accepts any strings there and {@link catalogEntryRejection} reports each bad
 * entry, for `status.rejected`.
 * @module
 */

import * as z from "zod";
import {
  API_VERSION,
  ConditionSchema,
  DnsLabelSchema,
  DurationSchema,
  GitUrlSchema,
  ObjectMetaSchema,
  type ParseOptions,
  parseWithSchema,
  RelativePathSchema,
  SecretRefSchema,
  SemverVersionSchema,
  schemaIssues,
} from "./common.js";
import { PrerequisiteSchema, ProfileParameterSchema } from "./profile.js";

/** The kind's name. */
export const PROFILE_CATALOG_SOURCE_KIND = "ProfileCatalogSource";

/** A profile version listed by hand, as written. */
export const CatalogEntrySpecSchema = z.strictObject({
  name: z.string().min(1).describe("The profile's name."),
  version: z.string().min(1).describe("The profile's semantic version."),
  url: z.string().min(1).describe("The git repository holding the profile."),
  path: z.string().optional().describe("The profile's directory in the repository; the root when left out."),
  description: z.string().optional(),
  maintainer: z.string().optional(),
  prerequisites: z.array(z.string()).optional(),
});

/** A profile version listed by hand, as written. */
export type CatalogEntrySpec = z.infer<typeof CatalogEntrySpecSchema>;

// The checks an entry must pass to be served; a failure goes to status.rejected, not to the API server.
const ValidCatalogEntrySchema = z.strictObject({
  name: DnsLabelSchema,
  version: SemverVersionSchema,
  url: GitUrlSchema,
  path: RelativePathSchema.optional(),
  description: z.string().optional(),
  maintainer: z.string().optional(),
  prerequisites: z.array(PrerequisiteSchema).optional(),
});

/** How a listed entry is named in `status.rejected`: `name@version`. */
export function catalogEntryKey(entry: Pick<CatalogEntrySpec, "name" | "version">): string {
  return `${entry.name}@${entry.version}`;
}

/** Why a listed entry cannot be served, as `field: problem; …`, or undefined when it can. */
export function catalogEntryRejection(entry: CatalogEntrySpec): string | undefined {
  const result = ValidCatalogEntrySchema.safeParse(entry);
  if (result.success) return undefined;
  return schemaIssues(result.error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join("; ");
}

/** A git repository scanned for profile tags (`<dir>/v<semver>` or `v<semver>`). */
export const CatalogRepositorySchema = z.strictObject({
  url: GitUrlSchema.describe(
    "The git repository URL. In local mode (npm start, the CLI) a directory path is read as a repository.",
  ),
  secretRef: SecretRefSchema.optional().describe("A Secret with username and password, or bearerToken."),
});

/** What the user lists and asks to be scanned. */
export const ProfileCatalogSourceSpecSchema = z.strictObject({
  profiles: z.array(CatalogEntrySpecSchema).optional().describe("Profile versions listed by hand."),
  repositories: z
    .array(CatalogRepositorySchema)
    .optional()
    .describe("Repositories scanned for profile tags."),
  interval: DurationSchema.default("5m").describe("How often repositories are scanned for new tags."),
});

/** What the user lists and asks to be scanned. */
export type ProfileCatalogSourceSpec = z.infer<typeof ProfileCatalogSourceSpecSchema>;

/** A profile version the catalog serves, with what subscribers and the catalog API need to know. */
export const CatalogProfileSchema = z.object({
  name: z.string(),
  version: z.string().describe("The semantic version, without a leading v."),
  tag: z.string().optional().describe("The git tag of this version, when it came from a tag."),
  url: z.string(),
  path: z.string().optional(),
  commit: z.string().optional(),
  description: z.string().optional(),
  maintainer: z.string().optional(),
  prerequisites: z.array(z.string()).optional(),
  parameters: z.array(ProfileParameterSchema).optional(),
});

/** A profile version the catalog serves. */
export type CatalogProfile = z.infer<typeof CatalogProfileSchema>;

/** What a scan of one repository found. */
export const ScannedRepositorySchema = z.object({
  url: z.string(),
  scannedTags: z
    .array(z.string())
    .optional()
    .describe("The profile tags read so far; they are not read again."),
  lastScanTime: z.iso.datetime().optional(),
});

/** A listed entry or a scanned tag that is not served, and why. */
export const RejectedEntrySchema = z.object({
  entry: z.string().describe("name@version for a listed entry, or the repository URL and tag."),
  reason: z.string(),
});

/** What the catalog hooks observed. */
export const ProfileCatalogSourceStatusSchema = z.object({
  observedGeneration: z.int().nonnegative().optional(),
  conditions: z.array(ConditionSchema).optional(),
  profiles: z.array(CatalogProfileSchema).optional(),
  repositories: z.array(ScannedRepositorySchema).optional(),
  rejected: z.array(RejectedEntrySchema).optional(),
});

/** What the catalog hooks observed. */
export type ProfileCatalogSourceStatus = z.infer<typeof ProfileCatalogSourceStatusSchema>;

/** A ProfileCatalogSource object. */
export const ProfileCatalogSourceSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
  kind: z.literal(PROFILE_CATALOG_SOURCE_KIND, { error: `must be ${PROFILE_CATALOG_SOURCE_KIND}` }),
  metadata: ObjectMetaSchema,
  spec: ProfileCatalogSourceSpecSchema,
  status: ProfileCatalogSourceStatusSchema.optional(),
});

/** A ProfileCatalogSource object. */
export type ProfileCatalogSource = z.infer<typeof ProfileCatalogSourceSchema>;

/**
 * Checks a parsed document as a ProfileCatalogSource and applies its defaults. Listed entries are
 * only checked for shape; see {@link catalogEntryRejection}.
 *
 * @throws InvalidInputError listing every problem as `spec.repositories[0].url: message`.
 */
export function parseProfileCatalogSource(
  document: unknown,
  options: ParseOptions = {},
): ProfileCatalogSource {
  return parseWithSchema(ProfileCatalogSourceSchema, document, PROFILE_CATALOG_SOURCE_KIND, options);
}

/**
 * The catalog API's requests and responses as zod schemas: the handlers are typed by them, the tests
 * parse every response with them, and the OpenAPI document is generated from them.
 * @module
 */
import * as z from "zod";
import { SemverVersionSchema } from "../../crds/common.js";
import { CatalogProfileSchema } from "../../crds/profile-catalog-source.js";

const catalogFields = {
  namespace: z.string().describe("The catalog's namespace."),
  catalog: z.string().describe("The catalog's name (a ProfileCatalogSource)."),
};

/** A profile version with the catalog serving it. */
export const ProfileEntrySchema = CatalogProfileSchema.extend(catalogFields);
export type ProfileEntry = z.infer<typeof ProfileEntrySchema>;

/** `GET /profiles`: one entry per catalog and profile (its latest version), best match first. */
export const SearchResponseSchema = z.object({ items: z.array(ProfileEntrySchema) });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

/** `GET /catalogs/{namespace}/{catalog}/profiles/{profile}`: a profile with every version. */
export const ProfileDetailsSchema = z.object({
  ...catalogFields,
  name: z.string(),
  description: z.string().optional().describe("The latest version's description."),
  maintainer: z.string().optional().describe("The latest version's maintainer."),
  latest: z.string().describe("The highest release, or the highest prerelease when there is no release."),
  versions: z.array(CatalogProfileSchema).describe("Every version, ascending."),
});
export type ProfileDetails = z.infer<typeof ProfileDetailsSchema>;

/** `GET …/updates?from=`: the versions newer than `from`, ascending; empty when there are none. */
export const UpdatesResponseSchema = z.object({
  ...catalogFields,
  name: z.string(),
  from: z.string(),
  items: z.array(CatalogProfileSchema).describe("Newer versions, ascending."),
});
export type UpdatesResponse = z.infer<typeof UpdatesResponseSchema>;

/** Every error answer. */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.string().describe("A stable code: NotFound, InvalidInput, …"),
    message: z.string().describe("What went wrong and what to do."),
  }),
});

/** Query of `GET /profiles`. */
export const SearchQuerySchema = z.object({
  q: z.string().optional().describe("Text to look for in names and descriptions; everything when empty."),
  catalog: z.string().min(1).optional().describe("Only catalogs with this name."),
  namespace: z.string().min(1).optional().describe("Only catalogs in this namespace."),
});

/** Query of `GET …/updates`. */
export const UpdatesQuerySchema = z.object({
  from: SemverVersionSchema.describe("The version installed now, such as 1.2.0."),
});

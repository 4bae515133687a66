/**
 * The catalog API routes (`GET`, JSON), mounted at `/api/v1`: search across catalogs, a profile with
 * every version, one version, updates newer than a version, and the OpenAPI document.
 * Errors take the app's shape, `{ "error": { "code", "message" } }`, from the app's `onError`.
 * @module
 */
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import type * as z from "zod";
import type { CatalogProfile } from "../../crds/profile-catalog-source.js";
import type { CatalogIndex, CatalogKey } from "../catalog/catalog-index.js";
import { invalidEnvelope } from "../errors.js";
import { openApiDocument } from "./openapi.js";
import {
  type ProfileDetailsSchema,
  type ProfileEntrySchema,
  SearchQuerySchema,
  type SearchResponseSchema,
  UpdatesQuerySchema,
  type UpdatesResponseSchema,
} from "./schemas.js";

/** Options of {@link catalogApi}. */
export interface CatalogApiOptions {
  /** The index the catalog hooks keep up to date. */
  readonly index: CatalogIndex;
}

function entry(key: CatalogKey, profile: CatalogProfile): z.input<typeof ProfileEntrySchema> {
  return { ...profile, namespace: key.namespace, catalog: key.name };
}

function queryOf<S extends z.ZodType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw invalidEnvelope("query", result.error);
  });
}

/**
 * Builds the catalog API; mount it with `app.route("/api/v1", catalogApi({ index }))`.
 * @example
 * const res = await catalogApi({ index }).request("/profiles?q=nginx");
 * SearchResponseSchema.parse(await res.json());
 */
export function catalogApi({ index }: CatalogApiOptions): Hono {
  const api = new Hono();
  const document = openApiDocument();

  api.get("/openapi.json", (c) => c.json(document));

  api.get("/profiles", queryOf(SearchQuerySchema), (c) => {
    const hits = index.search(c.req.valid("query"));
    const body: z.input<typeof SearchResponseSchema> = {
      items: hits.map((hit) => entry({ namespace: hit.namespace, name: hit.catalog }, hit.profile)),
    };
    return c.json(body);
  });

  api.get("/catalogs/:namespace/:catalog/profiles/:profile", (c) => {
    const { namespace, catalog, profile } = c.req.param();
    const found = index.profile({ namespace, name: catalog }, profile);
    const body: z.input<typeof ProfileDetailsSchema> = {
      namespace,
      catalog,
      name: found.name,
      ...(found.latest.description !== undefined && { description: found.latest.description }),
      ...(found.latest.maintainer !== undefined && { maintainer: found.latest.maintainer }),
      latest: found.latest.version,
      versions: [...found.versions],
    };
    return c.json(body);
  });

  api.get("/catalogs/:namespace/:catalog/profiles/:profile/versions/:version", (c) => {
    const { namespace, catalog, profile, version } = c.req.param();
    const key = { namespace, name: catalog };
    return c.json(entry(key, index.version(key, profile, version)));
  });

  api.get("/catalogs/:namespace/:catalog/profiles/:profile/updates", queryOf(UpdatesQuerySchema), (c) => {
    const { namespace, catalog, profile } = c.req.param();
    const { from } = c.req.valid("query");
    const body: z.input<typeof UpdatesResponseSchema> = {
      namespace,
      catalog,
      name: profile,
      from,
      items: index.updates({ namespace, name: catalog }, profile, from),
    };
    return c.json(body);
  });

  return api;
}

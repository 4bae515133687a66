/**
 * One view of the catalog for every verb, whether it comes from the catalog API of a hook server
 * (`--catalog-url`) or from ProfileCatalogSource files read and scanned locally (`--catalog`).
 * Both answer in the catalog API's own shapes (`hooks/api/schemas.ts`).
 * @module
 */

import { Errors, NotFoundError, SourceUnavailableError } from "../../crds/errors.js";
import {
  ErrorResponseSchema,
  type ProfileDetails,
  ProfileDetailsSchema,
  type ProfileEntry,
  SearchResponseSchema,
} from "../../hooks/api/schemas.js";
import type { CatalogIndex } from "../../hooks/catalog/catalog-index.js";
import { UsageError } from "../errors.js";
import { formatReference, type ProfileReference } from "./reference.js";

/** What the verbs ask a catalog. */
export interface CatalogClient {
  /** Where the catalog comes from, for messages: a URL or a path. */
  readonly source: string;
  /** One entry per catalog and profile (its latest version), best match first. */
  search(query: { q?: string; catalog?: string; namespace?: string }): Promise<ProfileEntry[]>;
  /** A profile with every version, ascending. */
  details(ref: { namespace: string; catalog: string; profile: string }): Promise<ProfileDetails>;
}

/**
 * The namespace of the catalog `ref` names: the one given, or the only catalog of that name that
 * serves the profile.
 *
 * @throws NotFoundError when no catalog of that name serves the profile.
 * @throws UsageError when catalogs of that name in several namespaces do.
 */
export async function catalogNamespace(client: CatalogClient, ref: ProfileReference): Promise<string> {
  if (ref.namespace !== undefined) return ref.namespace;
  const hits = (await client.search({ q: ref.profile, catalog: ref.catalog })).filter(
    (hit) => hit.name === ref.profile,
  );
  const namespaces = [...new Set(hits.map((hit) => hit.namespace))].sort();
  if (namespaces.length === 0) {
    throw new NotFoundError(`profile ${formatReference(ref)} not found in ${client.source}`, {
      data: {
        catalog: ref.catalog,
        profile: ref.profile,
        hint: `run \`pctl search ${ref.profile}\` to see which catalogs serve it`,
      },
    });
  }
  if (namespaces.length > 1) {
    throw new UsageError(`catalog ${ref.catalog} exists in several namespaces: ${namespaces.join(", ")}`, {
      hint: `name the namespace: ${namespaces.map((ns) => `${ns}/${ref.catalog}/${ref.profile}`).join(" or ")}`,
    });
  }
  return namespaces[0]!;
}

/** A client answering from an in-process {@link CatalogIndex}, as the local catalog reader builds. */
export function indexClient(index: CatalogIndex, source: string): CatalogClient {
  return {
    source,
    search: async (query) =>
      index.search(query).map((hit) => ({ ...hit.profile, namespace: hit.namespace, catalog: hit.catalog })),
    details: async ({ namespace, catalog, profile }) => {
      const found = index.profile({ namespace, name: catalog }, profile);
      return {
        namespace,
        catalog,
        name: profile,
        description: found.latest.description,
        maintainer: found.latest.maintainer,
        latest: found.latest.version,
        versions: [...found.versions],
      };
    },
  };
}

/**
 * A client asking the catalog API at `baseUrl` (with or without its `/api/v1` suffix).
 *
 * @example
 * const client = httpClient("http://localhost:8080");
 */
export function httpClient(baseUrl: string, call: typeof fetch = fetch): CatalogClient {
  const root = `${baseUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}/api/v1`;
  return {
    source: `the catalog API at ${baseUrl}`,
    search: async (query) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
      const body = await getJson(call, `${root}/profiles?${params}`, baseUrl);
      return SearchResponseSchema.parse(body).items;
    },
    details: async ({ namespace, catalog, profile }) => {
      const path = [namespace, catalog, profile].map(encodeURIComponent);
      const body = await getJson(call, `${root}/catalogs/${path[0]}/${path[1]}/profiles/${path[2]}`, baseUrl);
      return ProfileDetailsSchema.parse(body);
    },
  };
}

async function getJson(call: typeof fetch, url: string, baseUrl: string): Promise<unknown> {
  let response: Response;
  try {
    response = await call(url, {
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new SourceUnavailableError(`could not reach the catalog API at ${baseUrl}: ${causeOf(error)}`, {
      data: { hint: "check --catalog-url (or PCTL_CATALOG_URL) and that the pctl hook server is running" },
      cause: error,
    });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const parsed = ErrorResponseSchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const ErrorClass =
    error && error.code in Errors ? Errors[error.code as keyof typeof Errors] : SourceUnavailableError;
  throw new ErrorClass(error?.message ?? `the catalog API at ${baseUrl} answered ${response.status}`, {
    data: { status: response.status },
  });
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

/**
 * The catalog API's OpenAPI 3.0 document, built from the zod schemas the handlers are typed by and the
 * tests parse responses with, so the document cannot drift from what is served.
 * @module
 */
import * as z from "zod";
import {
  ErrorResponseSchema,
  ProfileDetailsSchema,
  ProfileEntrySchema,
  SearchQuerySchema,
  SearchResponseSchema,
  UpdatesQuerySchema,
  UpdatesResponseSchema,
} from "./schemas.js";

/** A route of the catalog API, relative to `/api/v1`, in hono's `:param` form. */
export interface ApiRoute {
  readonly path: string;
  readonly summary: string;
  readonly query?: z.ZodObject;
  /** Component name of the 200 body. */
  readonly response: string;
  /** Error statuses besides 200, with what they mean. */
  readonly errors: Readonly<Record<number, string>>;
}

const components = {
  ProfileEntry: ProfileEntrySchema,
  SearchResponse: SearchResponseSchema,
  ProfileDetails: ProfileDetailsSchema,
  UpdatesResponse: UpdatesResponseSchema,
  Error: ErrorResponseSchema,
} as const;

const profilePath = "/catalogs/:namespace/:catalog/profiles/:profile";

/** Every route of the catalog API, documented. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    path: "/profiles",
    summary:
      "Search every catalog: exact name first, then name prefix, then name substring, then description substring.",
    query: SearchQuerySchema,
    response: "SearchResponse",
    errors: { 400: "A query parameter is invalid." },
  },
  {
    path: profilePath,
    summary: "A profile with every version in one catalog.",
    response: "ProfileDetails",
    errors: { 404: "No such catalog or profile." },
  },
  {
    path: `${profilePath}/versions/:version`,
    summary: "One version: exact (a leading v is allowed), latest, or a semver range (URL-encoded).",
    response: "ProfileEntry",
    errors: {
      400: "The version is neither a version nor a range.",
      404: "No such catalog, profile or version; the message lists the versions there are.",
    },
  },
  {
    path: `${profilePath}/updates`,
    summary: "The versions newer than `from`, ascending; an empty list when none is newer.",
    query: UpdatesQuerySchema,
    response: "UpdatesResponse",
    errors: { 400: "`from` is missing or not a semantic version.", 404: "No such catalog or profile." },
  },
];

const pathParameters: Record<string, string> = {
  namespace: "The catalog's namespace.",
  catalog: "The catalog's name.",
  profile: "The profile's name.",
  version: "A version such as 1.2.0, `latest`, or a semver range.",
};

/** `/catalogs/:namespace` → `/catalogs/{namespace}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z]+)/g, "{$1}");
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" }) as Record<string, unknown>;
}

function operation(route: ApiRoute) {
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: pathParameters[name!],
    schema: { type: "string" },
  }));
  const query = Object.entries(route.query?.shape ?? {}).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType);
    const { description, ...rest } = schema;
    return {
      name,
      in: "query",
      required: !(field as z.ZodType).safeParse(undefined).success,
      ...(description !== undefined && { description }),
      schema: rest,
    };
  });
  const json = (id: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${id}` } } });
  return {
    get: {
      summary: route.summary,
      parameters: [...params, ...query],
      responses: {
        200: { description: "OK", content: json(route.response) },
        ...Object.fromEntries(
          Object.entries(route.errors).map(([status, description]) => [
            status,
            { description, content: json("Error") },
          ]),
        ),
      },
    },
  };
}

/**
 * The OpenAPI document served at `/api/v1/openapi.json`.
 * @param serverUrl the base the paths are relative to [`/api/v1`]
 */
export function openApiDocument(serverUrl = "/api/v1"): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "openapi-3.0",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  // OpenAPI 3.0 schema objects have no $id; the component's name is its identity.
  for (const schema of Object.values(schemas)) delete schema.$id;
  const paths: Record<string, unknown> = Object.fromEntries(
    API_ROUTES.map((route) => [openApiPath(route.path), operation(route)]),
  );
  paths["/openapi.json"] = {
    get: {
      summary: "This document.",
      responses: {
        200: { description: "OK", content: { "application/json": { schema: { type: "object" } } } },
      },
    },
  };
  return {
    openapi: "3.0.3",
    info: {
      title: "pctl catalog API",
      version: "v1",
      description: "Search the profiles of every ProfileCatalogSource, show their versions and find updates.",
    },
    servers: [{ url: serverUrl }],
    paths,
    components: { schemas },
  };
}

import type { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type * as z from "zod";
import type { CatalogProfile } from "../../../crds/profile-catalog-source.js";
import { API_ROUTES as routes } from "../../../hooks/api/openapi.js";
import { catalogApi } from "../../../hooks/api/routes.js";
import {
  ErrorResponseSchema,
  ProfileDetailsSchema,
  ProfileEntrySchema,
  SearchResponseSchema,
  UpdatesResponseSchema,
} from "../../../hooks/api/schemas.js";
import { CatalogIndex } from "../../../hooks/catalog/catalog-index.js";
import { createMetrics } from "../../../hooks/metrics.js";
import { createApp } from "../../../hooks/server.js";
import { capturingLogger, testConfig } from "../support.js";

const url = "https://git.example.com/org/profiles";

function versions(name: string, list: string[], description = `${name} profile`): CatalogProfile[] {
  return list.map((version) => ({ name, version, url, path: name, tag: `${name}/v${version}`, description }));
}

let index: CatalogIndex;
let app: Hono;

beforeEach(() => {
  index = new CatalogIndex();
  index.replace({ namespace: "platform", name: "company" }, [
    ...versions("nginx", ["1.0.0", "1.2.0", "1.10.0"], "NGINX with a cache in front"),
    ...versions("nginx-ingress", ["4.0.0"], "an ingress controller"),
    ...versions("my-nginx-fork", ["0.1.0"], "a fork"),
    ...versions("cache", ["2.0.0"], "Redis; works well behind nginx"),
    ...versions("redis", ["7.0.0"], "Redis as a cache"),
  ]);
  // The same catalog name in another namespace: a different catalog.
  index.replace({ namespace: "team-a", name: "company" }, versions("nginx", ["9.0.0"], "team-a's own nginx"));
  app = createApp({
    config: testConfig(),
    logger: capturingLogger().logger,
    metrics: createMetrics(),
    api: catalogApi({ index }),
  });
});

async function get<S extends z.ZodType>(path: string, schema: S, status = 200): Promise<z.output<S>> {
  const res = await app.request(`/api/v1${path}`);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return schema.parse(body);
}

const names = (items: { namespace: string; name: string }[]) => items.map((i) => `${i.namespace}/${i.name}`);

describe("GET /api/v1/profiles", () => {
  it("ranks exact name, then name prefix, then name substring, then description, across catalogs", async () => {
    const { items } = await get("/profiles?q=nginx", SearchResponseSchema);
    expect(names(items)).toEqual([
      "platform/nginx",
      "team-a/nginx",
      "platform/nginx-ingress",
      "platform/my-nginx-fork",
      "platform/cache",
    ]);
  });

  it("matches case-insensitively and answers one entry per profile, its latest version", async () => {
    const { items } = await get("/profiles?q=NGINX&namespace=platform", SearchResponseSchema);
    expect(items[0]).toMatchObject({
      name: "nginx",
      version: "1.10.0",
      catalog: "company",
      namespace: "platform",
    });
  });

  it("filters by namespace and by catalog", async () => {
    expect(names((await get("/profiles?q=nginx&namespace=team-a", SearchResponseSchema)).items)).toEqual([
      "team-a/nginx",
    ]);
    expect((await get("/profiles?q=nginx&catalog=other", SearchResponseSchema)).items).toEqual([]);
    expect(
      names((await get("/profiles?catalog=company&namespace=platform", SearchResponseSchema)).items),
    ).toEqual([
      "platform/cache",
      "platform/my-nginx-fork",
      "platform/nginx",
      "platform/nginx-ingress",
      "platform/redis",
    ]);
  });

  it("answers an empty list, not 404, when nothing matches", async () => {
    expect((await get("/profiles?q=postgres", SearchResponseSchema)).items).toEqual([]);
  });
});

describe("GET /api/v1/catalogs/{namespace}/{catalog}/profiles/{profile}", () => {
  it("answers every version ascending, and the latest", async () => {
    const details = await get("/catalogs/platform/company/profiles/nginx", ProfileDetailsSchema);
    expect(details.versions.map((v) => v.version)).toEqual(["1.0.0", "1.2.0", "1.10.0"]);
    expect(details).toMatchObject({ latest: "1.10.0", description: "NGINX with a cache in front" });
  });

  it("keeps two catalogs with one name in two namespaces apart", async () => {
    const details = await get("/catalogs/team-a/company/profiles/nginx", ProfileDetailsSchema);
    expect(details.versions.map((v) => v.version)).toEqual(["9.0.0"]);
  });

  it("is 404 with the error shape for a missing profile and for a missing catalog", async () => {
    const missing = await get("/catalogs/platform/company/profiles/mysql", ErrorResponseSchema, 404);
    expect(missing.error).toMatchObject({ code: "NotFound" });
    expect(missing.error.message).toContain("profile mysql not found in catalog platform/company");
    const noCatalog = await get("/catalogs/team-b/company/profiles/nginx", ErrorResponseSchema, 404);
    expect(noCatalog.error.message).toContain("catalog team-b/company not found");
  });
});

describe("GET …/versions/{version}", () => {
  it("answers a given version, with or without a leading v", async () => {
    expect(
      await get("/catalogs/platform/company/profiles/nginx/versions/1.2.0", ProfileEntrySchema),
    ).toMatchObject({
      version: "1.2.0",
      tag: "nginx/v1.2.0",
      namespace: "platform",
      catalog: "company",
    });
    expect(
      (await get("/catalogs/platform/company/profiles/nginx/versions/v1.2.0", ProfileEntrySchema)).version,
    ).toBe("1.2.0");
  });

  it("answers latest as the highest version by semver", async () => {
    expect(
      (await get("/catalogs/platform/company/profiles/nginx/versions/latest", ProfileEntrySchema)).version,
    ).toBe("1.10.0");
  });

  it("is 404 for a missing version, listing the versions there are", async () => {
    const { error } = await get(
      "/catalogs/platform/company/profiles/nginx/versions/3.0.0",
      ErrorResponseSchema,
      404,
    );
    expect(error.code).toBe("NotFound");
    expect(error.message).toContain("available: 1.0.0, 1.2.0, 1.10.0");
  });

  it("is 400 for a version that is neither a version nor a range", async () => {
    const { error } = await get(
      `/catalogs/platform/company/profiles/nginx/versions/${encodeURIComponent("totally!not?semver")}`,
      ErrorResponseSchema,
      400,
    );
    expect(error.code).toBe("InvalidInput");
  });
});

describe("GET …/updates?from=", () => {
  it("lists newer versions ascending", async () => {
    const updates = await get(
      "/catalogs/platform/company/profiles/nginx/updates?from=1.0.0",
      UpdatesResponseSchema,
    );
    expect(updates.items.map((v) => v.version)).toEqual(["1.2.0", "1.10.0"]);
    expect(updates).toMatchObject({
      from: "1.0.0",
      name: "nginx",
      namespace: "platform",
      catalog: "company",
    });
  });

  it("answers 200 with an empty list when nothing is newer", async () => {
    const updates = await get(
      "/catalogs/platform/company/profiles/nginx/updates?from=1.10.0",
      UpdatesResponseSchema,
    );
    expect(updates.items).toEqual([]);
  });

  it("is 400 without from or with a from that is not semver", async () => {
    await get("/catalogs/platform/company/profiles/nginx/updates", ErrorResponseSchema, 400);
    const { error } = await get(
      "/catalogs/platform/company/profiles/nginx/updates?from=latest",
      ErrorResponseSchema,
      400,
    );
    expect(error.message).toBe("invalid query: from: must be a semantic version such as 1.2.0");
  });

  it("is 404 for a missing profile", async () => {
    await get("/catalogs/platform/company/profiles/mysql/updates?from=1.0.0", ErrorResponseSchema, 404);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3 document listing every route the API serves, each with its schemas", async () => {
    const res = await app.request("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const document = JSON.parse(await res.text()) as {
      openapi: string;
      paths: Record<string, { get: { responses: Record<string, { content?: unknown }> } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toMatch(/^3\./);
    // A route with a validator is listed once per handler, hence the Set.
    const served = [
      ...new Set(
        catalogApi({ index })
          .routes.filter((r) => r.method === "GET")
          .map((r) => r.path.replace(/:([A-Za-z]+)/g, "{$1}")),
      ),
    ].sort();
    expect(Object.keys(document.paths).sort()).toEqual(served);
    expect(served).toHaveLength(routes.length + 1);
    for (const [path, item] of Object.entries(document.paths)) {
      expect(item.get.responses["200"], path).toBeDefined();
    }
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      "Error",
      "ProfileDetails",
      "ProfileEntry",
      "SearchResponse",
      "UpdatesResponse",
    ]);
    // Every $ref points at a component that exists.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(document.components.schemas).toHaveProperty(ref!);
  });
});

import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify, stripVTControlCharacters } from "node:util";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogApi } from "../../hooks/api/routes.js";
import { SearchResponseSchema } from "../../hooks/api/schemas.js";
import { CatalogIndex } from "../../hooks/catalog/catalog-index.js";
import { createMetrics } from "../../hooks/metrics.js";
import { createApp } from "../../hooks/server.js";
import { capturingLogger, testConfig } from "../hooks/support.js";
import type { GitServer } from "../support/git-server.js";
import { baseEnv, removeAll, runPctl, startProfileRepository, tempDir, writeCatalogFile } from "./support.js";

let server: GitServer;
let catalogFile: string;
let dir: string;
let apiUrl: string;
let closeApi: () => void;

const parameters = [
  { name: "replicas", type: "integer" as const, default: 2, description: "number of pods" },
  { name: "hostname", type: "string" as const, required: true },
];

beforeAll(async () => {
  ({ server, catalogDir: dir, catalog: catalogFile } = await startProfileRepository());

  const index = new CatalogIndex();
  const entry = (name: string, version: string, description: string) => ({
    name,
    version,
    url: "https://git.example.com/org/profiles",
    path: name,
    tag: `${name}/v${version}`,
    description,
    maintainer: "Team Web <web@example.com>",
    parameters,
  });
  index.replace({ namespace: "platform", name: "company" }, [
    entry("nginx", "1.0.0", "NGINX web server"),
    entry("nginx", "1.2.0", "NGINX web server"),
    entry("nginx-ingress", "4.0.0", "an ingress controller for nginx traffic"),
  ]);
  index.replace({ namespace: "team-a", name: "company" }, [entry("nginx", "9.0.0", "team-a's nginx")]);
  const app = createApp({
    config: testConfig(),
    logger: capturingLogger().logger,
    metrics: createMetrics(),
    api: catalogApi({ index }),
  });
  const listening = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((ok) => listening.once("listening", () => ok()));
  apiUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  closeApi = () => listening.close();
});

afterAll(async () => {
  closeApi();
  await server.close();
  await removeAll([dir]);
});

describe("pctl search", () => {
  it("lists a local catalog file's scanned profiles as an aligned table", async () => {
    const result = await runPctl(["search", "--catalog", catalogFile], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "CATALOG/PROFILE   VERSION   DESCRIPTION",
        "company/nginx     2.0.0     NGINX web server 2.0.0",
        "company/redis     0.1.0     Redis cache",
        "",
      ].join("\n"),
    );
  });

  it("reads a repository with more tags than one sync reads, to the last tag", async () => {
    const many = await server.createRepository("many");
    await many.commit({
      "big/profile.yaml":
        "apiVersion: profiles.pctl.dev/v1alpha1\nkind: Profile\nmetadata:\n  name: big\nspec:\n  description: many versions\n  artifacts:\n    - name: app\n      kustomize: { path: manifests }\n",
    });
    for (let minor = 0; minor < 40; minor++) await many.tag(`big/v1.${minor}.0`);
    const manyDir = await tempDir();
    const file = await writeCatalogFile(manyDir, server.urlOf("many"));
    const result = await runPctl(["show", "company/big", "--catalog", file, "-o", "json"], { cwd: manyDir });
    await removeAll([manyDir]);
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout) as { latest: string; versions: string[] };
    expect(shown.latest).toBe("1.39.0");
    expect(shown.versions).toHaveLength(40);
  });

  it("asks the catalog API from PCTL_CATALOG_URL and qualifies catalogs that share a name", async () => {
    const result = await runPctl(["search", "nginx"], {
      cwd: dir,
      env: baseEnv({ PCTL_CATALOG_URL: apiUrl }),
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "CATALOG/PROFILE                  VERSION   DESCRIPTION",
      "platform/company/nginx           1.2.0     NGINX web server",
      "team-a/company/nginx             9.0.0     team-a's nginx",
      "platform/company/nginx-ingress   4.0.0     an ingress controller for nginx traffic",
      "",
    ]);
  });

  it("prints the API's own entries with -o json", async () => {
    const result = await runPctl(["search", "ingress", "--catalog-url", apiUrl, "-o", "json"], { cwd: dir });
    expect(result.code).toBe(0);
    const items = SearchResponseSchema.shape.items.parse(JSON.parse(result.stdout));
    expect(items.map((i) => `${i.namespace}/${i.catalog}/${i.name}@${i.version}`)).toEqual([
      "platform/company/nginx-ingress@4.0.0",
    ]);
  });

  it("says so on stderr when nothing matches, and exits 0", async () => {
    const result = await runPctl(["search", "postgres", "--catalog-url", apiUrl], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('No profiles match "postgres"');
  });

  it("refuses --catalog and --catalog-url together", async () => {
    const result = await runPctl(["search", "--catalog", catalogFile, "--catalog-url", apiUrl], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --catalog and --catalog-url .* name two catalogs$/m);
    expect(result.stderr).toMatch(/^hint: give one of them/m);
  });

  it("without any catalog names the ways to configure one", async () => {
    const result = await runPctl(["search"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no catalog to ask$/m);
    expect(result.stderr).toMatch(/^hint: pass --catalog-url URL .*pctl bootstrap/m);
  });

  it("reports an unreachable catalog API with exit code 4", async () => {
    const result = await runPctl(["search", "--catalog-url", "http://127.0.0.1:1"], { cwd: dir });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: could not reach the catalog API at http:\/\/127\.0\.0\.1:1/m);
    expect(result.stderr).toMatch(/^hint: check --catalog-url/m);
  });

  it("renders a readable, aligned table on a terminal", async () => {
    // `script` gives pctl a pseudo-terminal, so isTTY is true and colours are on.
    const run = promisify(execFile);
    const pctl = new URL("../../cli/bin/pctl.js", import.meta.url).pathname;
    const { stdout } = await run(
      "script",
      ["-qec", `${process.execPath} ${pctl} search --catalog ${catalogFile}`, "/dev/null"],
      {
        cwd: dir,
        env: { ...baseEnv(), NO_COLOR: undefined, TERM: "xterm" },
      },
    );
    const lines = stdout
      .split(/\r?\n/)
      .filter((line) => line.includes("company/") || line.includes("PROFILE"));
    expect(lines[0]).toBe("\u001b[1mCATALOG/PROFILE   VERSION   DESCRIPTION\u001b[22m");
    const plain = lines.map((line) => stripVTControlCharacters(line));
    const versionColumn = plain.map((line) => line.search(/VERSION|\d+\.\d+\.\d+/));
    expect(new Set(versionColumn).size).toBe(1);
    expect(plain.slice(1)).toEqual([
      "company/nginx     2.0.0     NGINX web server 2.0.0",
      "company/redis     0.1.0     Redis cache",
    ]);
  });
});

describe("pctl show", () => {
  it("shows description, maintainer, prerequisites, versions and configurable values", async () => {
    const result = await runPctl(["show", "company/nginx@1.1.0", "--catalog", catalogFile], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Version:        1.1.0 (latest: 2.0.0)");
    expect(result.stdout).toContain("Maintainer:     Team Web <web@example.com>");
    expect(result.stdout).toContain("Prerequisites:  kubernetes >=1.28");
    expect(result.stdout).toContain("Versions:       1.0.0, 1.1.0, 2.0.0");
    expect(result.stdout).toContain(
      [
        "Configurable values:",
        "NAME       TYPE      DEFAULT   REQUIRED   DESCRIPTION",
        "replicas   integer   2         no         number of nginx pods",
        "hostname   string    -         yes        the host name nginx answers for",
        "tls        boolean   false     no",
      ].join("\n"),
    );
  });

  it("asks the API with a namespace when a catalog name is ambiguous", async () => {
    const ambiguous = await runPctl(["show", "company/nginx", "--catalog-url", apiUrl], { cwd: dir });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /^error: catalog company exists in several namespaces: platform, team-a$/m,
    );
    expect(ambiguous.stderr).toMatch(
      /^hint: name the namespace: platform\/company\/nginx or team-a\/company\/nginx$/m,
    );

    const result = await runPctl(["show", "platform/company/nginx", "--catalog-url", apiUrl, "-o", "yaml"], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("versions:\n  - 1.0.0\n  - 1.2.0\n");
    expect(result.stdout).toContain("name: hostname");
  });

  it("fails on an unknown version with the versions there are", async () => {
    const result = await runPctl(["show", "platform/company/nginx@3.0.0", "--catalog-url", apiUrl], {
      cwd: dir,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error: no version of platform\/company\/nginx matches 3\.0\.0; available: 1\.0\.0, 1\.2\.0$/m,
    );
  });

  it("refuses a reference without a catalog", async () => {
    const result = await runPctl(["show", "nginx", "--catalog-url", apiUrl], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: "nginx" is not a profile reference$/m);
    expect(result.stderr).toMatch(/^hint: write it as <catalog>\/<profile>/m);
  });

  it("is missing its argument", async () => {
    const result = await runPctl(["show"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: missing required argument 'reference'$/m);
    expect(result.stderr).toMatch(/^hint: run `pctl show --help`/m);
  });
});

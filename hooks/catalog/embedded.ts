/**
 * The embedded catalog of `npm start` without a cluster: every ProfileCatalogSource found in a
 * directory (this project's `examples/`) is synced once by the catalog sync hook itself, with
 * directory paths read from disk, and served by the catalog API from the same index.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { CompositeHookRequest, KubernetesObject } from "../../crds/metacontroller.js";
import { type CatalogProfile, PROFILE_CATALOG_SOURCE_KIND } from "../../crds/profile-catalog-source.js";
import { parseYamlAll } from "../../crds/yaml.js";
import type { Logger } from "../log.js";
import type { SourcePolicy } from "../sources/policy.js";
import type { CatalogIndex, CatalogKey } from "./catalog-index.js";
import { type CatalogSources, describeLocalEntries, localPolicy, localSources } from "./local.js";
import { catalogKeyOf, catalogSync } from "./sync.js";

/** Options of {@link loadEmbeddedCatalogs}. */
export interface EmbeddedCatalogsOptions {
  /** Searched recursively for `.yaml`/`.yml` files holding ProfileCatalogSources. */
  readonly dir: string;
  /** Where directory paths in the catalogs start [process.cwd()]. */
  readonly baseDir?: string;
  readonly index: CatalogIndex;
  /** Reads every URL that is not a directory path. */
  readonly remote: CatalogSources;
  readonly policy: Pick<SourcePolicy, "checkUrl">;
  readonly log?: Logger;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * Loads the catalogs found under `dir` into `index` and returns their keys. A catalog that fails to
 * sync is logged and skipped; a repository that cannot be read is logged, and the rest is served.
 * @example await loadEmbeddedCatalogs({ dir: "examples", index, remote: fetcher, policy });
 */
export async function loadEmbeddedCatalogs({
  dir,
  baseDir = process.cwd(),
  index,
  remote,
  policy,
  log,
}: EmbeddedCatalogsOptions): Promise<CatalogKey[]> {
  const sync = catalogSync({
    sources: localSources({ baseDir, remote }),
    policy: localPolicy(policy),
    index,
    // No Metacontroller timeout to stay within: read every tag in one go.
    maxTagReads: Number.POSITIVE_INFINITY,
    ...(log && { log }),
  });
  const parents: { parent: KubernetesObject; source: string }[] = [];
  for (const file of await yamlFiles(dir)) {
    const source = relative(baseDir, file);
    let documents: unknown[];
    try {
      documents = parseYamlAll(await readFile(file, "utf8"), { source });
    } catch (error) {
      log?.debug({ file: source, err: error }, "not a YAML file the catalog can read; skipped");
      continue;
    }
    for (const document of documents) {
      if ((document as { kind?: unknown } | null)?.kind !== PROFILE_CATALOG_SOURCE_KIND) continue;
      const object = document as KubernetesObject;
      const metadata = {
        ...object.metadata,
        namespace: object.metadata?.namespace ?? "default",
        generation: 1,
      };
      parents.push({ parent: { ...object, metadata }, source });
    }
  }
  // Together, so that a slow remote repository in one catalog does not hold the others back.
  const results = await Promise.all(
    parents.map(async ({ parent, source }) => {
      const key = catalogKeyOf(parent);
      try {
        const request = {
          parent,
          children: {},
          related: {},
          finalizing: false,
        } as unknown as CompositeHookRequest;
        const { status } = await sync(request);
        const profiles = (status?.profiles ?? []) as CatalogProfile[];
        index.replace(key, await describeLocalEntries(profiles, baseDir));
        log?.info({ catalog: key, file: source, profiles: profiles.length }, "embedded catalog loaded");
        return key;
      } catch (error) {
        log?.warn({ catalog: key, file: source, err: error }, "embedded catalog not loaded");
        return undefined;
      }
    }),
  );
  const loaded = results.filter((key): key is CatalogKey => key !== undefined);
  return loaded;
}
